"""manage.py recheck_free_text: stored text re-checked with the guard, a review list, no edits."""

import datetime
import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.models import AuditLog
from lms.textinput import NARRATIVE, register_check, unregister_check
from privacy.free_text import STORED_FREE_TEXT
from privacy.models import FlaggedText, FlagState
from privacy.review import review_flag

pytestmark = pytest.mark.django_db

NAMED = "孩子叫李浩然，电话13899123456，活动很顺利。"
INNOCENT = "孩子们参与积极，分享环节气氛热烈。"
FLAGS = "/cms/flagged-text/"


def test_every_listed_field_exists_and_holds_text():
    for entry in STORED_FREE_TEXT:
        field = apps.get_model(entry.model)._meta.get_field(entry.field)
        assert field.get_internal_type() in ("TextField", "CharField", "JSONField"), entry.key
        assert (field.get_internal_type() == "JSONField") == (entry.read is not None), entry.key


def _report(venue_district, notes):
    """A delivery report whose notes were stored before the guard (written directly)."""
    from lecturer_corps.models import DeliveryReport
    from lecturer_corps.tests.factories import make_lecturer, make_request, make_session
    from tests.factories import VenueFactory

    venue = VenueFactory(district=venue_district)
    day = timezone.localdate() - datetime.timedelta(days=3)
    session = make_session(make_request(venue=venue, date=day), make_lecturer().user)
    return DeliveryReport.objects.create(
        session=session, filed_by=session.lecturer, actual_minutes=90, notes=notes
    )


def _run(*fields):
    out = io.StringIO()
    args = [arg for key in fields for arg in ("--field", key)]
    call_command("recheck_free_text", *args, stdout=out)
    return out.getvalue()


def test_flagged_text_goes_to_the_review_list_and_is_not_edited(district):
    named, innocent = _report(district, NAMED), _report(district, INNOCENT)
    output = _run("lecturer_corps.DeliveryReport.notes")
    assert "2 checked, 1 flagged (1 new" in output
    flag = FlaggedText.objects.get()
    assert (flag.object_id, flag.field, flag.district, flag.state) == (
        named.pk,
        "notes",
        district,
        FlagState.OPEN,
    )
    assert "138****3456" in flag.message and "13899123456" not in flag.message
    named.refresh_from_db()
    innocent.refresh_from_db()
    assert (named.notes, innocent.notes) == (NAMED, INNOCENT)
    assert AuditLog.objects.filter(action="privacy.free_text.recheck").count() == 1


def test_running_again_adds_nothing_then_follows_changes(district):
    named = _report(district, NAMED)
    _run("lecturer_corps.DeliveryReport.notes")
    assert "0 new, 0 reopened" in _run("lecturer_corps.DeliveryReport.notes")
    assert FlaggedText.objects.count() == 1
    type(named).objects.filter(pk=named.pk).update(notes=INNOCENT)
    assert "1 no longer flagged" in _run("lecturer_corps.DeliveryReport.notes")
    assert FlaggedText.objects.get().state == FlagState.CLEARED
    type(named).objects.filter(pk=named.pk).update(notes="家长王建国的电话13512345678")
    assert "1 reopened" in _run("lecturer_corps.DeliveryReport.notes")
    assert FlaggedText.objects.get().state == FlagState.OPEN


def test_a_false_alarm_stays_dismissed_while_the_text_is_unchanged(district, coordinator):
    _report(district, NAMED)
    _run("lecturer_corps.DeliveryReport.notes")
    review_flag(actor=coordinator, flag=FlaggedText.objects.get(), state=FlagState.FALSE_ALARM)
    _run("lecturer_corps.DeliveryReport.notes")
    assert FlaggedText.objects.get().state == FlagState.FALSE_ALARM
    entry = AuditLog.objects.get(action="privacy.free_text.review")
    assert entry.changes["state"] == "false_alarm"


def test_the_command_uses_whatever_check_is_registered_for_narrative_text(district):
    """The guard is called through lms.textinput, so a new check is used at once."""
    from django.core.exceptions import ValidationError

    def refuse_the_word_secret(text):
        if "SECRET-WORD" in text:
            raise ValidationError("found the test word")

    _report(district, "a note with SECRET-WORD in it")
    register_check(NARRATIVE, refuse_the_word_secret)
    try:
        _run("lecturer_corps.DeliveryReport.notes")
    finally:
        unregister_check(NARRATIVE, refuse_the_word_secret)
    assert FlaggedText.objects.get().message == "found the test word"


def test_the_whole_list_runs_over_every_stored_field(district):
    _report(district, NAMED)
    output = _run()
    for entry in STORED_FREE_TEXT:
        assert entry.key in output


def test_an_unknown_field_is_refused():
    with pytest.raises(CommandError, match="Unknown field"):
        _run("lecturer_corps.DeliveryReport.secret")


def test_reviewers_see_their_district_only(
    client, district, other_district, district_coordinator, administrator, lecturer
):
    mine = _report(district, NAMED)
    _report(other_district, "家长王建国的电话13512345678")
    _run("lecturer_corps.DeliveryReport.notes")
    client.force_login(district_coordinator)
    page = client.get(FLAGS)
    assert page.status_code == 200
    assert [row["flag"].object_id for row in page.context["rows"]] == [mine.pk]
    assert "13899123456" not in page.content.decode()  # masked, never the text
    client.force_login(administrator)
    assert len(client.get(FLAGS).context["rows"]) == 2
    client.force_login(lecturer)
    assert client.get(FLAGS).status_code in (302, 403)


def test_a_coordinator_marks_a_flag_handled_after_returning_the_report(
    client, district, district_coordinator, other_district, other_district_coordinator
):
    from lecturer_corps import delivery

    report = _report(district, NAMED)
    _run("lecturer_corps.DeliveryReport.notes")
    flag = FlaggedText.objects.get()
    delivery.return_delivery_report(
        actor=district_coordinator, report=report, reason="备注里有孩子的姓名和电话，请删去"
    )
    client.force_login(other_district_coordinator)
    url = f"/cms/flagged-text/{flag.pk}/review/"
    assert client.post(url, {"state": "handled"}).status_code == 404
    client.force_login(district_coordinator)
    assert client.post(url, {"state": "handled"}).status_code == 302
    flag.refresh_from_db()
    assert flag.state == FlagState.HANDLED and flag.reviewed_by == district_coordinator
