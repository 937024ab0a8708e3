"""The administrators' audit log viewer: filters and CSV export."""

import csv
import io
from unittest import mock

import pytest
from django.urls import reverse

from audit.models import AuditLog
from audit.services import record
from tests.factories import make_user

from .conftest import at

URL = "/reports/audit/"


@pytest.fixture
def entries(district):
    alice = make_user(username="alice")
    bob = make_user(username="bob")
    # Spread them over time: the rows are append-only, so they are written at those times.
    rows = []
    for when, action, actor, obj, changes in [
        (at(2026, 10, 2), "practicum.entry.approve", alice, district, {"hours": 2}),
        (at(2026, 10, 20), "practicum.entry.return", bob, district, None),
        (at(2026, 11, 3), "certification.issue", alice, None, None),
    ]:
        with mock.patch("django.utils.timezone.now", return_value=when):
            rows.append(record(action, actor=actor, obj=obj, changes=changes))
    return rows


def _ids(response):
    return [entry.pk for entry in response.context["page"]]


def test_filters_by_user_action_object_and_period(client, administrator, entries, district):
    client.force_login(administrator)
    assert _ids(client.get(URL, {"user": "alice"})) == [entries[2].pk, entries[0].pk]
    assert _ids(client.get(URL, {"action": "practicum.entry"})) == [entries[1].pk, entries[0].pk]
    assert _ids(
        client.get(URL, {"object_type": "places.district", "object_id": str(district.pk)})
    ) == [entries[1].pk, entries[0].pk]
    assert _ids(client.get(URL, {"date_from": "2026-10-01", "date_to": "2026-10-19"})) == [
        entries[0].pk
    ]


def test_reversed_dates_are_refused(client, administrator, entries):
    client.force_login(administrator)
    response = client.get(URL, {"date_from": "2026-11-01", "date_to": "2026-10-01"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_csv_export_follows_the_filters(client, administrator, entries):
    client.force_login(administrator)
    response = client.get(URL, {"user": "alice", "format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r[2] for r in rows[1:]] == ["certification.issue", "practicum.entry.approve"]
    assert rows[2][6] == '{"hours": 2}'


def test_viewer_never_changes_the_log(client, administrator, entries):
    client.force_login(administrator)
    before = AuditLog.objects.count()
    assert client.post(URL, {"user": "alice"}).status_code in (200, 405)
    assert AuditLog.objects.count() == before


def test_page_has_a_link_from_the_dashboard_for_administrators(client, administrator):
    client.force_login(administrator)
    assert reverse("reports:audit_log") in client.get(reverse("reports:dashboard")).content.decode()
