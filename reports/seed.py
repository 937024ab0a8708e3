"""Demo data for reporting: the register of children in difficulty (counts per district,
township and category), the venues' yearly returns, a leading-group log-in, last month's
report.

Idempotent: counts are set to the same values, the log-in is refreshed, and a report that
is already archived for last month is left as it is.
"""

from __future__ import annotations

from django.contrib.auth.models import Group

from accounts import roles
from accounts.models import System, User
from places.models import District

from .models import (
    SERVED_CATEGORY_CHOICES,
    ChildrenServed,
    CoverageTarget,
    MonthlyReport,
    RegisterCount,
)
from .periods import Period

# Children in difficulty on each district's register (counts only), shared out over its
# townships and the categories in these proportions.
CHILDREN_KNOWN = {"gaochang": 1450, "shanshan": 1020, "toksun": 630}
CATEGORY_SHARES = {
    "orphan": 8,
    "disability": 14,
    "illness": 6,
    "left_behind": 42,
    "poor_family": 24,
    "other_difficulty": 6,
}
LEADER_USERNAME = "leader"


def seed_register(year: int) -> int:
    """The year's register: each district's children shared over townships and categories."""
    from places.models import Township

    made = 0
    for district in District.objects.filter(code__in=CHILDREN_KNOWN):
        townships = list(Township.objects.filter(district=district).order_by("name"))
        places = townships or [None]
        for index, township in enumerate(places):
            for category, share in CATEGORY_SHARES.items():
                children = CHILDREN_KNOWN[district.code] * share // 100 // len(places)
                children += (index + len(category)) % 3  # not all alike
                RegisterCount.objects.update_or_create(
                    year=year,
                    district=district,
                    township=township,
                    category=category,
                    defaults={"children": children},
                )
                made += 1
    return made


def seed_returns(year: int) -> int:
    """Each venue's return: about two thirds of the children its verified sessions counted
    this year, by category (a venue that counts its own roll finds repeat visitors)."""
    from django.db.models import F, Sum

    from lecturer_corps.models import ChildAttendance, SessionStatus

    served = dict(SERVED_CATEGORY_CHOICES)
    rows = (
        ChildAttendance.objects.filter(
            report__session__status=SessionStatus.VERIFIED,
            report__session__request__date__year=year,
            group__in=served,
        )
        .values("group", venue=F("report__session__request__venue"))
        .annotate(children=Sum("count"))
        .order_by()
    )
    made = 0
    for row in rows:
        children = max(1, row["children"] * 2 // 3)
        ChildrenServed.objects.update_or_create(
            year=year,
            venue_id=row["venue"],
            category=row["group"],
            defaults={"children": children, "new_children": children},
        )
        made += 1
    return made


def seed(stdout=None) -> None:
    from accounts.seed import DEMO_PASSWORD

    year = Period.current().start.year
    # The programme's five-year target: 4,000 children in difficulty, 80% coverage.
    CoverageTarget.objects.get_or_create(first_year=year)
    registered = seed_register(year)
    returns = seed_returns(year)

    leader, _created = User.objects.get_or_create(username=LEADER_USERNAME)
    leader.real_name = "市困境儿童关爱服务领导小组"
    leader.email = f"{LEADER_USERNAME}@demo.talentpool.local"
    leader.system = System.CIVIL_AFFAIRS
    leader.employer_unit = "吐鲁番市民政局"
    leader.job_title = "领导小组办公室"
    leader.languages = ["zh"]
    leader.set_password(DEMO_PASSWORD)
    leader.save()
    leader.groups.set([Group.objects.get_or_create(name=roles.LEADING_GROUP)[0]])

    last_month = Period.current().previous()
    if not MonthlyReport.objects.filter(period=last_month.start, district=None).exists():
        from .services import generate_monthly_report

        generate_monthly_report(period=last_month, district=None)
    if stdout:
        stdout.write(
            f"  reports: {registered} register counts, {returns} venue returns for {year}; "
            f"leading-group log-in '{LEADER_USERNAME}' (same demo password); "
            f"monthly report {last_month.code} archived"
        )
