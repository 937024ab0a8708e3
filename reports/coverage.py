"""Honest coverage: the share of the children in difficulty on the register that the
programme's venues reached, which can never read above 100% (docs/metrics.md, "Coverage").

Three counts go in, none of them a child:

* the **register** (``RegisterCount``): children in difficulty per district, township and
  category for a year — the denominator;
* each venue's **yearly return** (``ChildrenServed``): how many distinct children of a
  category it served that year, and how many of them it had not counted before;
* the **verified delivery reports**' child counts by category (``ChildAttendance``, the
  person-times): a venue cannot have served more distinct children of a category than
  its verified sessions counted attendances of that category.

For each district, township and category (a *bucket*), the children *counted* are
``min(register, Σ over the bucket's venues of min(return, person-times))``. Coverage is
counted ÷ register, summed over buckets, so it is at most 100% by construction; what the
returns said beyond either cap is reported beside it, never hidden. A venue's return goes
to the bucket of its township and category; to its district's count of that category when
the register has none for the township; then to an uncategorised count (older figures).

Progress toward the programme's target adds, year by year since its first year, the
children first counted that year (each return's ``new_children``, capped like the rest).
Every function reads aggregated rows (a few queries whatever the number of children).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Sum
from django.db.models.functions import ExtractYear

from .figures import percent
from .models import (
    DEFAULT_PROGRAMME_YEARS,
    DEFAULT_TARGET_CHILDREN,
    DEFAULT_TARGET_PERCENT,
    ChildrenServed,
    CoverageTarget,
    RegisterCount,
)


@dataclass(frozen=True)
class Target:
    first_year: int
    years: int
    children: int
    coverage_percent: int

    @property
    def last_year(self) -> int:
        return self.first_year + self.years - 1


def programme_target(year: int) -> Target:
    """The target in force: the row with the latest first year not after ``year`` (else the
    earliest row), or the defaults with ``year`` as the first year."""
    rows = list(
        CoverageTarget.objects.order_by("first_year").values_list(
            "first_year", "years", "children", "coverage_percent"
        )
    )
    chosen = None
    for row in rows:
        if row[0] <= year:
            chosen = row
    if chosen is None and rows:
        chosen = rows[0]
    if chosen is None:
        return Target(
            year, DEFAULT_PROGRAMME_YEARS, DEFAULT_TARGET_CHILDREN, DEFAULT_TARGET_PERCENT
        )
    return Target(*chosen)


@dataclass
class Bucket:
    register: int = 0
    returned: int = 0  # what the returns said (before the caps)
    within_sessions: int = 0  # after the person-times cap
    new_within_sessions: int = 0

    @property
    def counted(self) -> int:
        return min(self.register, self.within_sessions)

    @property
    def new_counted(self) -> int:
        return min(self.new_within_sessions, self.counted)


@dataclass
class YearCoverage:
    """One year's coverage for a scope, by district and by category."""

    year: int
    buckets: dict = field(default_factory=dict)  # (district, township, category) → Bucket
    unmatched: dict = field(default_factory=dict)  # district → children returned, no register
    register_year: dict = field(default_factory=dict)  # district → the register's year used

    def _sum(self, key, attribute) -> dict:
        totals: dict = defaultdict(int)
        for bucket_key, bucket in self.buckets.items():
            totals[key(bucket_key)] += getattr(bucket, attribute)
        return dict(totals)

    def by_district(self, attribute: str) -> dict:
        return self._sum(lambda k: k[0], attribute)

    def by_category(self, attribute: str) -> dict:
        return self._sum(lambda k: k[2], attribute)

    def total(self, attribute: str) -> int:
        return sum(getattr(bucket, attribute) for bucket in self.buckets.values())

    @property
    def returned(self) -> int:
        return self.total("returned") + sum(self.unmatched.values())

    @property
    def coverage(self) -> Decimal | None:
        return percent(self.total("counted"), self.total("register"))


def _register_rows(year: int, district_ids: list[int]) -> list[tuple]:
    """Every register count of the districts up to ``year`` (one query)."""
    return list(
        RegisterCount.objects.filter(year__lte=year, district_id__in=district_ids).values_list(
            "year", "district_id", "township_id", "category", "children"
        )
    )


def _register(rows: list[tuple], year: int) -> tuple[dict, dict]:
    """Each district's register for ``year`` or, if it has none, its latest earlier one:
    ({(district, township, category): children}, {district: year used})."""
    latest: dict[int, int] = {}
    for row_year, district_id, *_rest in rows:
        if row_year <= year:
            latest[district_id] = max(latest.get(district_id, 0), row_year)
    counts = {
        (district_id, township_id, category): children
        for row_year, district_id, township_id, category, children in rows
        if latest.get(district_id) == row_year
    }
    return counts, latest


def _bucket_for(register: dict, district, township, category):
    for key in (
        (district, township, category),
        (district, None, category),
        (district, township, ""),
        (district, None, ""),
    ):
        if key in register:
            return key
    return None


def _attendances(years: tuple[int, int], district_ids: list[int], until: datetime.date) -> dict:
    """Verified person-times of children in difficulty by (year, venue, category), sessions
    held from 1 January of the first year to ``until`` (exclusive). One query."""
    from lecturer_corps.models import (
        CHILD_GROUPS_IN_DIFFICULTY,
        ChildAttendance,
        SessionStatus,
    )

    rows = (
        ChildAttendance.objects.filter(
            report__session__status=SessionStatus.VERIFIED,
            report__session__request__date__gte=datetime.date(years[0], 1, 1),
            report__session__request__date__lt=until,
            report__session__request__venue__district_id__in=district_ids,
            group__in=CHILD_GROUPS_IN_DIFFICULTY,
        )
        .annotate(year=ExtractYear("report__session__request__date"))
        .values("year", "group", venue=F("report__session__request__venue_id"))
        .annotate(children=Sum("count"))
        .order_by()
    )
    return {(row["year"], row["venue"], row["group"]): row["children"] or 0 for row in rows}


def _returns(years: tuple[int, int], district_ids: list[int]) -> list[tuple]:
    """(year, venue, district, township, category, children, new) of the yearly returns."""
    return list(
        ChildrenServed.objects.filter(
            year__gte=years[0], year__lte=years[1], venue__district_id__in=district_ids
        ).values_list(
            "year",
            "venue_id",
            "venue__district_id",
            "venue__township_id",
            "category",
            "children",
            "new_children",
        )
    )


def _year_coverage(year, register, register_year, returns, attendances) -> YearCoverage:
    result = YearCoverage(year=year, register_year=register_year)
    for key, children in register.items():
        result.buckets[key] = Bucket(register=children)
    for row_year, venue, district, township, category, children, new in returns:
        if row_year != year:
            continue
        key = _bucket_for(register, district, township, category)
        if key is None:
            result.unmatched[district] = result.unmatched.get(district, 0) + children
            continue
        within = min(children, attendances.get((year, venue, category), 0))
        bucket = result.buckets[key]
        bucket.returned += children
        bucket.within_sessions += within
        bucket.new_within_sessions += min(new, within)
    return result


def year_coverage(year: int, district_ids: list[int], *, until: datetime.date) -> YearCoverage:
    """Coverage of ``year`` for the districts, counting sessions held before ``until``
    (the end of the reported month). Three queries."""
    register, register_year = _register(_register_rows(year, district_ids), year)
    returns = _returns((year, year), district_ids)
    attendances = _attendances((year, year), district_ids, until)
    return _year_coverage(year, register, register_year, returns, attendances)


@dataclass(frozen=True)
class Progress:
    target: Target
    reached: int  # children first counted in each programme year so far, added up

    @property
    def percent(self) -> Decimal | None:
        """Toward the target, at most 100 (the count itself may pass the target)."""
        value = percent(self.reached, self.target.children)
        return None if value is None else min(value, Decimal(100))


def coverage_and_progress(
    year: int, district_ids: list[int], *, until: datetime.date
) -> tuple[YearCoverage, Progress]:
    """``year``'s coverage, and the children reached toward the programme's target from
    its first year to ``year`` (each year's newly counted children, capped by that year's
    register and sessions). Four queries, whatever the number of years."""
    target = programme_target(year)
    first = min(target.first_year, year)
    rows = _register_rows(year, district_ids)
    returns = _returns((first, year), district_ids)
    attendances = _attendances((first, year), district_ids, until)
    current = None
    reached = 0
    for each in range(first, year + 1):
        if each != year and not any(row[0] == each for row in returns):
            continue
        register, register_year = _register(rows, each)
        result = _year_coverage(each, register, register_year, returns, attendances)
        if each >= target.first_year:
            reached += result.total("new_counted")
        if each == year:
            current = result
    return current, Progress(target, reached)


def programme_progress(year: int, district_ids: list[int], *, until: datetime.date) -> Progress:
    """Children reached toward the programme's target (see ``coverage_and_progress``)."""
    return coverage_and_progress(year, district_ids, until=until)[1]
