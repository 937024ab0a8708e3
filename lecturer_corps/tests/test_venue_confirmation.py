"""The venue confirms a delivery report by a signed, single-use, expiring link.

Refused: expired, reused, forged (altered, another purpose's, wrong nonce, garbage) and
withdrawn links; the lecturer, even holding a link; an address that keeps trying.
"""

import datetime
import re

import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditLog
from lecturer_corps import delivery
from lecturer_corps.models import (
    Notification,
    ReportState,
    RequestStatus,
    SessionStatus,
    VenueConfirmation,
    VenueContact,
)
from lecturer_corps.tests.factories import make_lecturer, make_request, make_session
from lms.signed_tokens import SignedTokens

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/confirm/(\S+)/")


@pytest.fixture
def contact(venue):
    return VenueContact.objects.create(venue=venue, name="王校长", email="head@school.example")


@pytest.fixture
def ended(venue):
    profile = make_lecturer()
    profile.user.email = "lecturer@example.org"
    profile.user.save(update_fields=["email"])
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    request = make_request(venue=venue, date=yesterday, status=RequestStatus.CONFIRMED)
    return make_session(request, profile.user)


def _file(session, capture):
    with capture(execute=True):
        return delivery.file_delivery_report(
            actor=session.lecturer,
            session=session,
            child_counts={("left_behind", "6-11"): 6, ("other", "6-11"): 10},
            teachers_count=2,
            actual_minutes=90,
        )


def _token_sent_to(address: str) -> str:
    bodies = [m.body for m in mail.outbox if address in m.to]
    assert bodies, f"no e-mail to {address}"
    return LINK.search(bodies[-1]).group(1)


def _url(token: str) -> str:
    return reverse("lecturer_corps:venue_confirm", args=[token])


def test_filing_e_mails_the_contact_a_link_bound_to_them_and_the_report(
    ended, contact, django_capture_on_commit_callbacks
):
    report = _file(ended, django_capture_on_commit_callbacks)
    confirmation = VenueConfirmation.objects.get()
    assert (confirmation.report, confirmation.contact, confirmation.revision) == (
        report,
        contact,
        1,
    )
    token = _token_sent_to("head@school.example")
    claims = delivery.confirmation_tokens().read(token)
    assert claims == {"c": confirmation.pk, "n": confirmation.nonce}
    assert token not in str(list(VenueConfirmation.objects.values()))  # the token is not stored


def test_no_link_goes_to_a_contact_who_is_the_lecturer_or_has_no_e_mail(
    ended, venue, django_capture_on_commit_callbacks
):
    VenueContact.objects.create(venue=venue, name="同一人", email="Lecturer@Example.org")
    VenueContact.objects.create(
        venue=venue, name="账号相同", email="x@y.example", user=ended.lecturer
    )
    VenueContact.objects.create(venue=venue, name="只有电话", phone="0995-0000000")
    VenueContact.objects.create(venue=venue, name="停用", email="off@y.example", is_active=False)
    _file(ended, django_capture_on_commit_callbacks)
    assert not VenueConfirmation.objects.exists()
    assert mail.outbox == []


def test_the_contact_confirms_on_a_phone_without_an_account(
    client, ended, contact, django_capture_on_commit_callbacks
):
    report = _file(ended, django_capture_on_commit_callbacks)
    token = _token_sent_to("head@school.example")
    page = client.get(_url(token))
    assert page.status_code == 200
    assert "16" in page.content.decode() and page["Cache-Control"].startswith("max-age=0")
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(_url(token), {"answer": "confirm"})
    assert answer.status_code == 200 and b'data-testid="confirmed"' in answer.content
    report.refresh_from_db()
    ended.refresh_from_db()
    assert report.state == ReportState.VERIFIED
    assert report.confirmed_by_contact == contact and report.verified_by is None
    assert ended.status == SessionStatus.VERIFIED
    entry = AuditLog.objects.get(action="lecturer_corps.report.venue_confirm")
    assert entry.changes["contact"] == contact.pk and entry.changes["person_times"] == 18
    assert Notification.objects.filter(user=ended.lecturer, kind="report_confirmed_by_venue")


def test_a_reused_link_is_refused(client, ended, contact, django_capture_on_commit_callbacks):
    _file(ended, django_capture_on_commit_callbacks)
    token = _token_sent_to("head@school.example")
    client.post(_url(token), {"answer": "confirm"})
    again = client.post(_url(token), {"answer": "confirm"})
    assert again.status_code == 410
    assert b'data-code="used"' in again.content
    with pytest.raises(delivery.ConfirmationRefused) as refused:
        delivery.confirm_by_venue(token=token)
    assert refused.value.code == "used"
    assert AuditLog.objects.filter(action="lecturer_corps.report.venue_confirm").count() == 1


def test_an_expired_link_is_refused(client, ended, contact, django_capture_on_commit_callbacks):
    report = _file(ended, django_capture_on_commit_callbacks)
    token = _token_sent_to("head@school.example")
    VenueConfirmation.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.post(_url(token), {"answer": "confirm"})
    assert response.status_code == 410 and b'data-code="expired"' in response.content
    report.refresh_from_db()
    assert report.state == ReportState.FILED


def test_a_token_older_than_its_signed_age_is_refused(
    ended, contact, monkeypatch, django_capture_on_commit_callbacks
):
    """Even if the stored expiry were later, the signature's own timestamp expires it."""
    _file(ended, django_capture_on_commit_callbacks)
    confirmation = VenueConfirmation.objects.get()
    VenueConfirmation.objects.update(expires_at=timezone.now() + datetime.timedelta(days=30))
    real_time = signing.time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() - 8 * 86400)
    old_token = delivery.confirmation_tokens().make(c=confirmation.pk, n=confirmation.nonce)
    monkeypatch.setattr(signing.time, "time", real_time)
    with pytest.raises(delivery.ConfirmationRefused) as refused:
        delivery.confirm_by_venue(token=old_token)
    assert refused.value.code == "expired"


def test_forged_links_are_refused(client, ended, contact, django_capture_on_commit_callbacks):
    report = _file(ended, django_capture_on_commit_callbacks)
    token = _token_sent_to("head@school.example")
    confirmation = VenueConfirmation.objects.get()
    altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    other_purpose = SignedTokens(
        "certification.something_else", max_age=datetime.timedelta(days=7)
    ).make(c=confirmation.pk, n=confirmation.nonce)
    wrong_nonce = delivery.confirmation_tokens().make(c=confirmation.pk, n="0" * 32)
    other_row = delivery.confirmation_tokens().make(c=confirmation.pk + 1, n=confirmation.nonce)
    for forged in [altered, other_purpose, wrong_nonce, other_row, "garbage", "x" * 600]:
        response = client.post(_url(forged), {"answer": "confirm"})
        assert response.status_code == 404, forged
        assert b'data-code="invalid"' in response.content
    report.refresh_from_db()
    assert report.state == ReportState.FILED
    assert VenueConfirmation.objects.get().used_at is None


def test_the_lecturer_cannot_confirm_their_own_session(
    client, ended, contact, django_capture_on_commit_callbacks
):
    report = _file(ended, django_capture_on_commit_callbacks)
    token = _token_sent_to("head@school.example")
    client.force_login(ended.lecturer)
    response = client.post(_url(token), {"answer": "confirm"})
    assert response.status_code == 403 and b'data-code="own"' in response.content
    assert AuditLog.objects.get(action="lecturer_corps.report.venue_confirm_refused").actor == (
        ended.lecturer
    )
    report.refresh_from_db()
    assert report.state == ReportState.FILED
    # A contact later linked to the lecturer's account cannot use the link either.
    contact.user = ended.lecturer
    contact.save(update_fields=["user"])
    with pytest.raises(delivery.ConfirmationRefused) as refused:
        delivery.confirm_by_venue(token=token)
    assert refused.value.code == "own"


def test_a_link_stops_working_once_a_coordinator_verified_the_report(
    client, ended, contact, coordinator, django_capture_on_commit_callbacks
):
    report = _file(ended, django_capture_on_commit_callbacks)
    token = _token_sent_to("head@school.example")
    delivery.verify_delivery_report(actor=coordinator, report=report)
    response = client.get(_url(token))
    assert response.status_code == 410 and b'data-code="withdrawn"' in response.content


def test_the_contact_disputes_the_counts_and_the_coordinators_hear(
    client, ended, contact, coordinator, django_capture_on_commit_callbacks
):
    report = _file(ended, django_capture_on_commit_callbacks)
    token = _token_sent_to("head@school.example")
    response = client.post(_url(token), {"answer": "dispute", "note": "只来了十个孩子"})
    assert response.status_code == 200 and b'data-testid="disputed"' in response.content
    confirmation = VenueConfirmation.objects.get()
    assert confirmation.outcome == "disputed" and confirmation.used_at is not None
    report.refresh_from_db()
    assert report.state == ReportState.FILED
    assert Notification.objects.filter(user=coordinator, kind="report_disputed_by_venue")
    assert AuditLog.objects.filter(action="lecturer_corps.report.venue_dispute").exists()


def test_a_dispute_note_naming_a_child_is_refused_and_kept_in_the_form(
    client, ended, contact, django_capture_on_commit_callbacks
):
    _file(ended, django_capture_on_commit_callbacks)
    token = _token_sent_to("head@school.example")
    typed = "孩子叫李浩然，电话13899123456"
    response = client.post(_url(token), {"answer": "dispute", "note": typed})
    assert response.status_code == 400
    assert typed in response.content.decode()  # kept, so nothing typed is lost
    assert VenueConfirmation.objects.get().used_at is None


def test_an_address_that_keeps_trying_bad_links_is_refused(client, settings, venue):
    settings.VENUE_CONFIRMATION_FAILURE_RATE = "3/h"
    for _ in range(3):
        assert client.get(_url("not-a-token")).status_code == 404
    response = client.get(_url("not-a-token"))
    assert response.status_code == 429
    assert "Retry-After" in response
