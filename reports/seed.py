"""Demo data for reporting: coverage base figures, a leading-group log-in, last month's report.

Idempotent: figures are set to the same values, the log-in is refreshed, and a report
that is already archived for last month is left as it is.
"""

from __future__ import annotations

from django.contrib.auth.models import Group

from accounts import roles
from accounts.models import System, User
from places.models import District

from .models import CoverageFigure, MonthlyReport
from .periods import Period

# Children in difficulty on each district's register (counts only), and the target.
# The programme reached "above 80%" of the city's children in difficulty.
CHILDREN_KNOWN = {"gaochang": 1450, "shanshan": 1020, "toksun": 630}
TARGET_PERCENT = 80
LEADER_USERNAME = "leader"


def seed(stdout=None) -> None:
    from accounts.seed import DEMO_PASSWORD

    start = Period.current().months_back(12)[0]
    districts = {d.code: d for d in District.objects.filter(code__in=CHILDREN_KNOWN)}
    for code, known in CHILDREN_KNOWN.items():
        if code in districts:
            CoverageFigure.objects.update_or_create(
                district=districts[code],
                period=start.start,
                defaults={"children_known": known, "target_percent": TARGET_PERCENT},
            )

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
            f"  reports: coverage figures for {len(districts)} districts; "
            f"leading-group log-in '{LEADER_USERNAME}' (same demo password); "
            f"monthly report {last_month.code} archived"
        )
