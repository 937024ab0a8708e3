"""Demo data for supervision: the units taking part, the publicity rule and some of each
unit's publicity, the programme's stages, a supervision session the demo supervisor gave
(its hours credited to the trainees) and, once every app has seeded (the leading group's
log-in comes from reports), an inspection with its corrective actions, one overdue.

Idempotent: units, the rule and stages are matched by name or month; the session, the
publicity and the inspection are made only when none exists yet.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.models import User
from places.models import District

from . import services
from .models import (
    Inspection,
    PublicityItem,
    PublicityRule,
    Stage,
    StageCriterion,
    SupervisionSession,
    Unit,
)

# district code → (unit name, kind, its reporters' user names)
UNITS = {
    "gaochang": [
        ("高昌区民政局", "civil_affairs", ["trainee"]),
        ("高昌区教育局", "education", []),
        ("葡萄镇人民政府", "township", []),
    ],
    "shanshan": [
        ("鄯善县民政局", "civil_affairs", ["trainee2"]),
        ("鄯善县教育局", "education", []),
    ],
    "toksun": [("托克逊县民政局", "civil_affairs", [])],
}

# Stages of the five-year programme: (name, starts, due, description, criteria)
STAGES = [
    (
        "第一阶段：人才库组建与首批认证",
        (0, 1, 1),
        (0, 6, 30),
        "完成首批学员培训与认证，组建讲师团。",
        [("certified", 10, None), ("sessions_each_district", 2, None)],
    ),
    (
        "第二阶段：服务覆盖",
        (0, 7, 1),
        (0, 12, 31),
        "讲师团在各区县开展服务，覆盖困境儿童。",
        [("coverage", 80, None), ("sessions_each_district", 6, None)],
    ),
]

PUBLICITY = [
    ("article", "关爱困境儿童心理健康专题报道"),
    ("poster", "“我能打败情绪小怪兽”活动海报"),
    ("social_post", "讲师团走进社区公众号推文"),
    ("video", "家庭教育讲座短视频"),
    ("article", "照料人课堂开课通知"),
]


def seed(stdout=None) -> None:
    today = timezone.localdate()
    units = _units()
    PublicityRule.objects.get_or_create(
        applies_from=datetime.date(today.year, 1, 1), defaults={"min_forms": 3, "min_items": 5}
    )
    _stages(today.year)
    items = _publicity(units, today)
    session = _session(today)
    if stdout is not None:
        stdout.write(
            f"  supervision: {len(units)} units, {items} publicity items, "
            f"{Stage.objects.count()} stages, "
            f"{'a supervision session' if session else 'supervision sessions kept'}"
        )


def seed_after_all(stdout=None) -> None:
    """The leading group's inspection: needs the 'leader' log-in that reports makes."""
    leader = User.objects.filter(username="leader").first()
    coordinator = User.objects.filter(username="coordinator").first()
    unit = Unit.objects.filter(name="高昌区民政局").first()
    if leader is None or coordinator is None or unit is None or Inspection.objects.exists():
        return
    today = timezone.localdate()
    inspection = services.record_inspection(
        actor=leader,
        date=today - datetime.timedelta(days=20),
        unit=unit,
        summary="检查讲师团活动台账、宣传材料和督导记录。",
    )
    services.add_finding(
        actor=leader,
        inspection=inspection,
        text="部分活动的签到汇总未归档。",
        required="补齐上月全部活动的签到汇总并归档。",
        owner=coordinator,
        deadline=today - datetime.timedelta(days=5),
    )
    services.add_finding(
        actor=leader,
        inspection=inspection,
        text="宣传材料形式单一，以文章为主。",
        required="本月增加海报和短视频两种形式。",
        owner=coordinator,
        deadline=today + datetime.timedelta(days=10),
    )
    services.add_finding(actor=leader, inspection=inspection, text="督导记录完整，反馈及时。")
    if stdout is not None:
        stdout.write("  supervision: an inspection with two corrective actions (one overdue)")


def _units() -> list[Unit]:
    districts = {d.code: d for d in District.objects.filter(code__in=UNITS)}
    people = {u.username: u for u in User.objects.filter(username__in=["trainee", "trainee2"])}
    units = []
    for code, rows in UNITS.items():
        if code not in districts:
            continue
        for name, kind, reporters in rows:
            unit, _created = Unit.objects.update_or_create(
                district=districts[code], name=name, defaults={"kind": kind, "is_active": True}
            )
            unit.reporters.set([people[r] for r in reporters if r in people])
            units.append(unit)
    return units


def _stages(year: int) -> None:
    for order, (name, starts, due, description, criteria) in enumerate(STAGES):
        stage, created = Stage.objects.get_or_create(
            name=name,
            defaults={
                "sort_order": order,
                "starts_on": datetime.date(year + starts[0], starts[1], starts[2]),
                "due_on": datetime.date(year + due[0], due[1], due[2]),
                "description": description,
            },
        )
        if created:
            for measure, target, district in criteria:
                StageCriterion.objects.create(
                    stage=stage, measure=measure, target=target, district=district
                )


def _publicity(units: list[Unit], today: datetime.date) -> int:
    if PublicityItem.objects.exists() or not units:
        return PublicityItem.objects.count()
    this_month = today.replace(day=1)
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    coordinator = User.objects.filter(username="coordinator").first()
    if coordinator is None:
        return 0
    rows = []
    for index, unit in enumerate(units):
        # The first units report everything last month; the others fall short.
        count = len(PUBLICITY) if index % 2 == 0 else 2
        rows += [
            PublicityItem(
                unit=unit,
                period=last_month,
                form=form,
                title=title,
                published_on=last_month + datetime.timedelta(days=3 + n),
                link=f"https://mp.weixin.qq.com/s/demo-{unit.pk}-{n}",
                uploaded_by=coordinator,
            )
            for n, (form, title) in enumerate(PUBLICITY[:count])
        ]
    PublicityItem.objects.bulk_create(rows)
    return len(rows)


def _session(today: datetime.date):
    """Recorded through the service (the hours are credited), so only where the demo
    supervisor may act now: under the dev settings, which waive the demo's two-factor."""
    from .permissions import can_record_session

    supervisor = User.objects.filter(username="supervisor").first()
    if supervisor is None or not can_record_session(supervisor):
        return None
    if SupervisionSession.objects.filter(expert=supervisor).exists():
        return None
    from .selectors import own_trainees

    trainees = list(own_trainees(supervisor)[:3])
    if not trainees:
        return None
    placements_start = max(
        p.start_date
        for p in supervisor.supervised_placements.filter(
            trainee__in=trainees, closed_on__isnull=True
        )
    )
    day = max(today - datetime.timedelta(days=2), placements_start)
    return services.record_session(
        actor=supervisor,
        kind="group" if len(trainees) > 1 else "individual",
        date=day,
        minutes=90,
        topics="团体督导：如何在活动中回应儿童的情绪；结束环节的设计。",
        follow_ups="下次督导前每人提交一份活动反思。",
        trainees=trainees,
    )
