"""The dashboard opens on the last complete month, not on the month that just started."""

import datetime as dt

from django.utils import timezone

from reports.periods import Period

DASHBOARD = "/reports/"


def test_last_complete_month_is_the_one_before_today(time_machine):
    time_machine.move_to(timezone.make_aware(dt.datetime(2027, 3, 1, 8, 0)), tick=False)
    assert Period.last_complete().code == "2027-02"
    time_machine.move_to(timezone.make_aware(dt.datetime(2027, 1, 15, 8, 0)), tick=False)
    assert Period.last_complete().code == "2026-12"


def test_dashboard_without_a_month_shows_the_last_complete_one(client, coordinator, time_machine):
    time_machine.move_to(timezone.make_aware(dt.datetime(2026, 12, 2, 9, 0)), tick=False)
    client.force_login(coordinator)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert response.context["scope"].period.code == "2026-11"
    body = response.content.decode()
    assert 'value="2026-11"' in body and "2026-12" not in body.split("scope-line", 1)[1][:80]


def test_a_month_asked_for_is_kept(client, coordinator, time_machine):
    time_machine.move_to(timezone.make_aware(dt.datetime(2026, 12, 2, 9, 0)), tick=False)
    client.force_login(coordinator)
    response = client.get(DASHBOARD, {"period": "2026-12"})
    assert response.context["scope"].period.code == "2026-12"
