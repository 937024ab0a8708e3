"""Practicum data at scale for ``manage.py seed_scale``: by default 100,000 entries over
500 supervising experts (2,000 trainees with 50 entries each), written with bulk_create.

Options read from the command's ``options`` (all optional):
``practicum_entries`` (default 100,000), ``practicum_supervisors`` (default 500),
``practicum_entries_per_trainee`` (default 50), or a ``scale`` factor (e.g. 0.01) that
shrinks the defaults. Re-running adds only what is missing.
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts import roles
from accounts.models import User
from places.models import District, Venue

from .defaults import install_defaults
from .models import (
    ActivityType,
    EntryState,
    Placement,
    PracticumEntry,
    Qualification,
)

SUPERVISOR_PREFIX = "scale_supervisor_"
TRAINEE_PREFIX = "scale_practicum_"
BATCH = 5000

DESCRIPTIONS = [
    "开展团体心理辅导，{n}名儿童参加，练习识别和表达情绪。",
    "与一名{age}岁儿童进行个别辅导，使用绘画了解其担忧。",
    "为{n}名照料人开展家庭教育讲座，演练亲子沟通方法。",
    "组织心理健康筛查，{n}名学生完成量表，结果交督导复核。",
    "备课并准备活动材料，与学校确认场地。",
    "接受督导专家的个别督导，讨论一个拒绝参与活动的孩子。",
]
STATES = (
    [EntryState.APPROVED] * 14
    + [EntryState.SUBMITTED] * 3
    + [EntryState.RETURNED, EntryState.DRAFT, EntryState.REJECTED]
)


def _option(options, name, default):
    value = options.get(name) if options else None
    if value:
        return int(value)
    factor = float((options or {}).get("scale") or 1)
    return max(1, int(default * factor))


def seed_scale(options=None, stdout=None) -> dict[str, int]:
    """Create (or complete) the practicum part of the scale data set. Idempotent."""
    total_entries = _option(options, "practicum_entries", 100_000)
    per_trainee = _option(options, "practicum_entries_per_trainee", 50)
    supervisor_count = _option(options, "practicum_supervisors", 500)
    trainee_count = max(1, -(-total_entries // per_trainee))
    install_defaults()

    with transaction.atomic():
        supervisors = _people(SUPERVISOR_PREFIX, supervisor_count, roles.SUPERVISOR, "督导")
        trainees = _people(TRAINEE_PREFIX, trainee_count, roles.TRAINEE, "学员")
        placements = _placements(trainees, supervisors)
    created = _entries(placements, total_entries, per_trainee)
    result = {
        "supervisors": len(supervisors),
        "trainees": len(trainees),
        "placements": len(placements),
        "entries_created": created,
    }
    if stdout:
        stdout.write(
            f"  practicum: {result['placements']} placements over {result['supervisors']} "
            f"supervisors, {created} entries created"
        )
    return result


def _people(prefix: str, count: int, role: str, label: str) -> list[User]:
    existing = {
        u.username: u for u in User.objects.filter(username__startswith=prefix).order_by("pk")
    }
    districts = list(District.objects.order_by("sort_order", "pk"))
    missing = [
        User(
            username=f"{prefix}{i:05d}",
            real_name=f"{label}{i:05d}",
            email=f"{prefix}{i:05d}@scale.talentpool.local",
            password="!",
            district=districts[i % len(districts)] if districts else None,
            languages=["zh"],
        )
        for i in range(count)
        if f"{prefix}{i:05d}" not in existing
    ]
    User.objects.bulk_create(missing, batch_size=BATCH)
    people = list(User.objects.filter(username__startswith=prefix).order_by("username")[:count])
    group = Group.objects.get_or_create(name=role)[0]
    member_ids = set(
        group.user_set.filter(pk__in=[p.pk for p in people]).values_list("pk", flat=True)
    )
    Through = User.groups.through
    Through.objects.bulk_create(
        [Through(user_id=p.pk, group_id=group.pk) for p in people if p.pk not in member_ids],
        batch_size=BATCH,
    )
    return people


def _placements(trainees, supervisors) -> list[Placement]:
    existing = {
        p.trainee_id: p
        for p in Placement.objects.current().filter(trainee__in=[t.pk for t in trainees])
    }
    start = timezone.localdate() - datetime.timedelta(days=200)
    venues = list(Venue.objects.values_list("pk", flat=True)[:50]) or [None]
    new = []
    for index, trainee in enumerate(trainees):
        if trainee.pk in existing:
            continue
        new.append(
            Placement(
                trainee=trainee,
                supervisor=supervisors[index % len(supervisors)],
                qualification=(
                    Qualification.COUNSELLOR if index % 3 else Qualification.FAMILY_EDUCATOR
                ),
                venue_id=venues[index % len(venues)],
                start_date=start,
            )
        )
    Placement.objects.bulk_create(new, batch_size=BATCH)
    return list(
        Placement.objects.current()
        .filter(trainee__in=[t.pk for t in trainees])
        .order_by("trainee__username")
    )


def _entries(placements, total: int, per_trainee: int) -> int:
    types = list(ActivityType.objects.order_by("sort_order"))
    venues = list(Venue.objects.values_list("pk", flat=True)[:200]) or [None]
    have = dict(
        PracticumEntry.objects.filter(placement__in=[p.pk for p in placements])
        .values_list("placement")
        .annotate(n=Count("pk"))
    )
    rng = random.Random(20260501)
    today = timezone.localdate()
    now = timezone.now()
    created = 0
    batch: list[PracticumEntry] = []
    remaining = total - sum(have.values())
    for placement in placements:
        if remaining <= 0:
            break
        count = min(per_trainee - have.get(placement.pk, 0), remaining)
        for i in range(have.get(placement.pk, 0), have.get(placement.pk, 0) + count):
            activity = types[(i + placement.pk) % len(types)]
            day = today - datetime.timedelta(days=1 + i * 3 + placement.pk % 3)
            start = datetime.time(9 + (i % 2) * 5, 0)
            minutes = rng.choice([60, 90, 120])
            end = datetime.time(start.hour + minutes // 60, minutes % 60)
            state = rng.choice(STATES)
            submitted = None
            if state != EntryState.DRAFT:
                submitted = timezone.make_aware(datetime.datetime.combine(day, end)) + (
                    datetime.timedelta(hours=rng.randint(2, 48))
                )
                submitted = min(submitted, now)
            reviewed = (
                min(submitted + datetime.timedelta(days=rng.randint(1, 6)), now)
                if state in (EntryState.APPROVED, EntryState.RETURNED, EntryState.REJECTED)
                else None
            )
            direct = activity.is_direct
            batch.append(
                PracticumEntry(
                    placement_id=placement.pk,
                    trainee_id=placement.trainee_id,
                    supervisor_id=placement.supervisor_id,
                    qualification=placement.qualification,
                    date=day,
                    start_time=start,
                    end_time=end,
                    minutes=minutes,
                    venue_id=venues[(i * 7 + placement.pk) % len(venues)],
                    activity_type=activity,
                    service_kind=activity.service_kind,
                    children_6_11=rng.randint(1, 30) if direct else 0,
                    caregivers=rng.randint(0, 10) if direct else 0,
                    description=rng.choice(DESCRIPTIONS).format(
                        n=rng.randint(5, 30), age=rng.randint(7, 13)
                    ),
                    state=state,
                    submitted_at=submitted,
                    reviewed_at=reviewed,
                    reviewed_by_id=placement.supervisor_id if reviewed else None,
                    review_comment="请补充活动环节。" if state == EntryState.RETURNED else "",
                )
            )
            if len(batch) >= BATCH:
                PracticumEntry.objects.bulk_create(batch)
                created += len(batch)
                batch = []
        remaining -= count
    if batch:
        PracticumEntry.objects.bulk_create(batch)
        created += len(batch)
    return created
