"""Publicity returns: each unit's month against the rule (3 forms and 5 items unless an
administrator sets another), who may report, and the monthly report's figures."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from reports.periods import Period, Scope
from reports.selectors import publicity as publicity_group
from supervision import selectors, services
from supervision.models import PublicityItem, PublicityRule, Unit

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2026, 3, 1)


def _add(actor, unit, form, n=1, day=datetime.date(2026, 3, 5)):
    for i in range(n):
        services.add_publicity_item(
            actor=actor,
            unit=unit,
            period=MARCH,
            form=form,
            title=f"{form} {i}",
            published_on=day,
            link=f"https://mp.weixin.qq.com/s/{form}{i}",
        )


def _row(unit, period=MARCH):
    return next(r for r in selectors.publicity_completeness(period) if r.unit == unit)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_complete_takes_three_forms_and_five_items(unit, reporter):
    _add(reporter, unit, "article", 3)
    _add(reporter, unit, "poster", 1)
    row = _row(unit)
    assert (row.forms, row.items, row.complete) == (2, 4, False)
    assert (row.forms_missing, row.items_missing) == (1, 1)
    _add(reporter, unit, "video", 1)
    assert _row(unit).complete


def test_five_items_of_two_forms_are_not_enough(unit, reporter):
    _add(reporter, unit, "article", 4)
    _add(reporter, unit, "poster", 2)
    assert (_row(unit).items, _row(unit).complete) == (6, False)


def test_the_rule_of_the_month_applies(unit, reporter):
    PublicityRule.objects.create(applies_from=datetime.date(2026, 4, 1), min_forms=1, min_items=1)
    _add(reporter, unit, "article", 1)
    assert not _row(unit).complete  # March keeps the default rule
    PublicityRule.objects.create(applies_from=datetime.date(2026, 1, 1), min_forms=1, min_items=1)
    assert _row(unit).complete


def test_who_may_report(unit, reporter, district_coordinator, other_district_coordinator, trainee):
    _add(district_coordinator, unit, "article")
    for outsider in (other_district_coordinator, trainee):
        with pytest.raises(PermissionDenied):
            _add(outsider, unit, "article")
    assert PublicityItem.objects.count() == 1


def test_a_link_or_a_file_and_a_date_in_the_month(unit, reporter):
    with pytest.raises(ValidationError) as caught:
        services.add_publicity_item(
            actor=reporter,
            unit=unit,
            period=MARCH,
            form="poster",
            title="海报",
            published_on=datetime.date(2026, 2, 27),
        )
    assert {"link", "published_on"} <= set(caught.value.message_dict)
    with pytest.raises(ValidationError) as caught:
        services.add_publicity_item(
            actor=reporter,
            unit=unit,
            period=datetime.date(2026, 4, 1),
            form="poster",
            title="海报",
            published_on=datetime.date(2026, 4, 2),
            link="https://example.org/a",
        )
    assert "period" in caught.value.message_dict  # April has not begun (10 March)


def test_a_photo_is_kept_privately_and_served_to_those_who_see_the_unit(
    unit, reporter, other_district_coordinator
):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "JPEG")
    photo = SimpleUploadedFile("poster.jpg", buffer.getvalue(), content_type="image/jpeg")
    client = _client(reporter)
    response = client.post(
        f"/supervision/publicity/{unit.pk}/2026-03/",
        {"form": "poster", "title": "关爱海报", "published_on": "2026-03-04", "file": photo},
    )
    assert response.status_code == 302, response.content
    item = PublicityItem.objects.get()
    assert item.content_type == "image/jpeg" and item.file.name.startswith("supervision/")
    assert client.get(f"/supervision/publicity/items/{item.pk}/file/").status_code == 200
    assert (
        _client(other_district_coordinator)
        .get(f"/supervision/publicity/items/{item.pk}/file/")
        .status_code
        == 404
    )


def test_the_page_keeps_what_was_typed_when_refused(unit, reporter):
    response = _client(reporter).post(
        f"/supervision/publicity/{unit.pk}/2026-03/",
        {"form": "article", "title": "三月关爱儿童宣传", "published_on": "2026-03-04"},
    )
    assert response.status_code == 400
    assert "三月关爱儿童宣传" in response.content.decode()
    assert not PublicityItem.objects.exists()


def test_an_outsider_cannot_post_or_see(unit, other_district_coordinator):
    client = _client(other_district_coordinator)
    assert client.get(f"/supervision/publicity/{unit.pk}/2026-03/").status_code == 404
    assert (
        client.post(
            f"/supervision/publicity/{unit.pk}/2026-03/",
            {"form": "article", "title": "x", "published_on": "2026-03-04", "link": "https://a.b/"},
        ).status_code
        == 404
    )


def test_the_monthly_report_counts_complete_units_by_district(
    unit, reporter, district, other_district, district_coordinator
):
    other = Unit.objects.create(name="鄯善县教育局", kind="education", district=other_district)
    _add(reporter, unit, "article", 2)
    _add(reporter, unit, "poster", 2)
    _add(reporter, unit, "video", 1)
    _add(
        district_coordinator,
        Unit.objects.create(name="葡萄镇", kind="township", district=district),
        "article",
    )
    group = publicity_group(Scope(Period.parse("2026-03")))
    headlines = {h.key: h.value for h in group.headlines}
    assert (headlines["complete"], headlines["units"], headlines["items"]) == (1, 3, 6)
    rows = {row["district"]: row for row in group.tables[0].rows}
    gaochang = rows.get(district.label) or rows[str(district)]
    shanshan = rows.get(other_district.label) or rows[str(other_district)]
    assert (gaochang["units"], gaochang["complete"]) == (2, 1)
    assert shanshan["share"] is not None and shanshan["complete"] == 0
    short = {row["unit"] for row in group.tables[1].rows}
    assert short == {"葡萄镇", other.name}


def test_the_overview_reads_in_a_fixed_number_of_queries(
    district, reporter, unit, leading_group, django_assert_max_num_queries
):
    for n in range(5):
        Unit.objects.create(name=f"单位{n}", kind="school", district=district)
    _add(reporter, unit, "article", 3)
    client = _client(leading_group)
    client.get("/supervision/publicity/?period=2026-03")
    with django_assert_max_num_queries(8):
        response = client.get("/supervision/publicity/?period=2026-03")
    assert response.content.decode().count("/supervision/publicity/") >= 6


def test_the_dashboards_show_this_months_return_against_the_rule(
    unit, reporter, district_coordinator, other_district_coordinator, leading_group, trainee
):
    _add(reporter, unit, "article", 3)
    _add(reporter, unit, "poster", 1)
    for person in (district_coordinator, leading_group, reporter):
        page = _client(person).get("/dashboard/").content.decode()
        assert 'data-testid="publicity-short"' in page, person.username
        assert f"/supervision/publicity/{unit.pk}/2026-03/" in page
        assert "2 forms, 4 items" in page
    for outsider in (other_district_coordinator, trainee):  # another district; no unit
        page = _client(outsider).get("/dashboard/").content.decode()
        assert 'data-testid="publicity-complete"' not in page
    _add(reporter, unit, "video", 1)
    page = _client(district_coordinator).get("/dashboard/").content.decode()
    assert 'data-testid="publicity-short"' not in page
    assert 'data-testid="publicity-complete"><span class="figure">1</span>' in page
