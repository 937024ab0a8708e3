"""Entering the register of children in difficulty (counts per district, township and
category) and the venues' yearly returns; who may, and what is refused."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditLog
from reports.models import ChildrenServed, RegisterCount
from reports.services import save_children_served, save_register_count
from tests.factories import TownshipFactory, VenueFactory


def _register(client, district, township=None, **fields):
    data = {
        "form": "register",
        "register-year": "2026",
        "register-district": district.pk,
        "register-township": township.pk if township else "",
        "register-category": "left_behind",
        "register-children": "40",
    }
    data.update({f"register-{k}": v for k, v in fields.items()})
    return client.post(reverse("reports:coverage"), data)


def _served(client, venue, **fields):
    data = {
        "form": "served",
        "served-year": "2026",
        "served-venue": venue.pk,
        "served-category": "left_behind",
        "served-children": "12",
        "served-new_children": "12",
    }
    data.update({f"served-{k}": v for k, v in fields.items()})
    return client.post(reverse("reports:coverage"), data)


def test_a_coordinator_enters_a_register_count_and_it_is_audited(
    client, district_coordinator, district
):
    township = TownshipFactory(district=district)
    client.force_login(district_coordinator)
    assert _register(client, district, township).status_code == 302
    row = RegisterCount.objects.get()
    assert (row.year, row.township, row.category, row.children, row.entered_by) == (
        2026,
        township,
        "left_behind",
        40,
        district_coordinator,
    )
    record = AuditLog.objects.get(action="reports.register.save")
    assert record.changes["children"] == 40 and record.changes["before"] is None


def test_entering_the_same_count_again_updates_it(client, coordinator, district):
    client.force_login(coordinator)
    _register(client, district, children="40")
    _register(client, district, children="45")
    assert RegisterCount.objects.get().children == 45
    assert AuditLog.objects.get(action="reports.register.save", changes__before=40)


def test_a_venue_return_is_entered_and_new_cannot_exceed_served(
    client, district_coordinator, district
):
    venue = VenueFactory(district=district)
    client.force_login(district_coordinator)
    refused = _served(client, venue, new_children="13")
    assert refused.status_code == 400 and "new_children" in refused.context["served_form"].errors
    assert refused.context["served_form"]["children"].value() == "12"  # kept as typed
    assert _served(client, venue).status_code == 302
    assert ChildrenServed.objects.get().children == 12


def test_a_district_coordinator_cannot_enter_for_another_district(
    client, district_coordinator, other_district
):
    venue = VenueFactory(district=other_district)
    client.force_login(district_coordinator)
    assert _register(client, other_district).status_code == 400  # not among the choices
    assert _served(client, venue).status_code == 400
    with pytest.raises(PermissionDenied):
        save_register_count(
            user=district_coordinator,
            year=2026,
            district=other_district,
            category="orphan",
            children=3,
        )
    with pytest.raises(PermissionDenied):
        save_children_served(
            user=district_coordinator,
            year=2026,
            venue=venue,
            category="orphan",
            children=3,
            new_children=3,
        )
    assert not RegisterCount.objects.exists() and not ChildrenServed.objects.exists()


def test_a_township_of_another_district_is_refused(coordinator, district, other_district):
    with pytest.raises(ValidationError) as caught:
        save_register_count(
            user=coordinator,
            year=2026,
            district=district,
            township=TownshipFactory(district=other_district),
            category="orphan",
            children=3,
        )
    assert "township" in caught.value.message_dict


def test_the_leading_group_cannot_post(client, leader, district):
    client.force_login(leader)
    assert _register(client, district).status_code == 403
    assert not RegisterCount.objects.exists()


@pytest.mark.parametrize(
    "fields", [{"children": "-5"}, {"year": "1999"}, {"category": "other"}, {"children": "x"}]
)
def test_bad_counts_are_refused_with_a_message(client, coordinator, district, fields):
    client.force_login(coordinator)
    response = _register(client, district, **fields)
    assert response.status_code == 400
    assert response.context["register_form"].errors
    assert not RegisterCount.objects.exists()


def test_export_of_an_unknown_table_or_format_is_404(client, coordinator):
    client.force_login(coordinator)
    assert client.get("/reports/export/talent_pool/nothing.csv").status_code == 404
    assert client.get("/reports/export/nothing/trainees_by_district.csv").status_code == 404
    assert client.get("/reports/export/talent_pool/trainees_by_district.pdf").status_code == 404
