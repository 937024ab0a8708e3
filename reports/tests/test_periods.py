import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from reports.periods import Period


def test_period_parses_year_and_month():
    period = Period.parse("2026-10")
    assert period.start == dt.date(2026, 10, 1)
    assert period.end == dt.date(2026, 11, 1)
    assert period.last_day == dt.date(2026, 10, 31)


@pytest.mark.parametrize("value", ["", "2026", "2026-13", "2026-00", "26-10", "2026/10", "x"])
def test_period_refuses_malformed_months(value):
    with pytest.raises(ValidationError):
        Period.parse(value)


def test_previous_period_crosses_the_year():
    assert Period.parse("2027-01").previous().code == "2026-12"
    assert Period.parse("2026-12").end == dt.date(2027, 1, 1)


def test_months_back_ends_with_the_period_oldest_first():
    codes = [p.code for p in Period.parse("2026-02").months_back(3)]
    assert codes == ["2025-12", "2026-01", "2026-02"]


def test_period_bounds_are_in_the_site_time_zone():
    period = Period.parse("2026-10")
    assert period.start_at.isoformat() == "2026-10-01T00:00:00+08:00"
    assert period.end_at.isoformat() == "2026-11-01T00:00:00+08:00"
