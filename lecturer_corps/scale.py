"""Lecturer-corps data at scale for ``manage.py seed_scale`` (bulk inserts).

By default 5,000 lecturers (accounts, profiles, a certificate of each kind their topics
need, their topic courses completed), 2,000 venues and 20,000 past sessions with
delivery reports (most verified), spread over the three districts.

Options (all optional): ``corps_lecturers`` (default 5,000), ``corps_venues`` (2,000),
``corps_sessions`` (20,000), or ``scale`` (a factor, e.g. 0.01, shrinking each default).
Re-running adds only what is missing. Certificates are written with serials and
status-list bits reserved from certification's own counters in one locked step, so
certification's numbering stays gap-free and unique.
"""

from __future__ import annotations

import datetime
import random
import secrets

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts import roles
from accounts.models import User
from places.models import District, Township

from .models import (
    DeliveryReport,
    LecturerProfile,
    RequestStatus,
    ServiceRequest,
    Session,
    SessionStatus,
    Venue,
    VenueType,
    availability_bit,
)
from .topics import TOPICS

LECTURER_PREFIX = "scale_lecturer_"
VENUE_PREFIX = "规模测试场所"
BATCH = 2000
CENTRES = {"gaochang": (42.947, 89.182), "shanshan": (42.865, 90.213), "toksun": (42.792, 88.653)}


def add_arguments(parser):
    parser.add_argument("--corps-lecturers", type=int, help="Lecturers (default 5,000).")
    parser.add_argument("--corps-venues", type=int, help="Venues (default 2,000).")
    parser.add_argument("--corps-sessions", type=int, help="Past sessions (default 20,000).")


def _option(options, name, default):
    value = (options or {}).get(name)
    if value:
        return int(value)
    factor = float((options or {}).get("scale") or 1)
    return max(1, int(default * factor))


def seed_scale(options, stdout=None) -> dict:
    rng = random.Random(7)
    districts = list(District.objects.filter(code__in=CENTRES))
    if not districts:
        raise RuntimeError("Run seed_demo first: the districts are missing.")
    townships = list(Township.objects.filter(district__in=districts))
    lecturers = _lecturers(_option(options, "corps_lecturers", 5000), districts, townships, rng)
    venues = _venues(_option(options, "corps_venues", 2000), districts, townships, rng)
    certified = _certificates(lecturers)
    completed = _completions(lecturers)
    sessions = _sessions(_option(options, "corps_sessions", 20000), lecturers, venues, rng)
    summary = {
        "lecturers": len(lecturers),
        "venues": len(venues),
        "certificates": certified,
        "completions": completed,
        "sessions": sessions,
    }
    if stdout:
        stdout.write("  lecturer_corps: " + ", ".join(f"{k} {v}" for k, v in summary.items()))
    return summary


def _jitter(rng, centre, spread=0.35):
    return round(centre[0] + rng.uniform(-spread, spread) * 0.5, 5), round(
        centre[1] + rng.uniform(-spread, spread), 5
    )


def _lecturers(count, districts, townships, rng) -> list[LecturerProfile]:
    existing = set(
        User.objects.filter(username__startswith=LECTURER_PREFIX).values_list("username", flat=True)
    )
    wanted = [f"{LECTURER_PREFIX}{i:05d}" for i in range(count)]
    missing = [name for name in wanted if name not in existing]
    from django.contrib.auth.hashers import make_password

    password = make_password(None)  # unusable: scale accounts never log in
    by_district = {d.pk: [t for t in townships if t.district_id == d.pk] for d in districts}
    for start in range(0, len(missing), BATCH):
        users = []
        for name in missing[start : start + BATCH]:
            district = districts[int(name[-5:]) % len(districts)]
            town = rng.choice(by_district[district.pk]) if by_district[district.pk] else None
            users.append(
                User(
                    username=name,
                    real_name=f"讲师{name[-5:]}",
                    email=f"{name}@scale.talentpool.local",
                    password=password,
                    district=district,
                    township=town,
                    languages=rng.choice([["zh"], ["zh"], ["zh", "ug"], ["ug"]]),
                )
            )
        User.objects.bulk_create(users, batch_size=BATCH)
    users = list(User.objects.filter(username__in=wanted).select_related("district"))
    lecturer_group = Group.objects.get_or_create(name=roles.LECTURER)[0]
    through = User.groups.through
    grouped = set(
        through.objects.filter(group=lecturer_group, user__in=users).values_list(
            "user_id", flat=True
        )
    )
    through.objects.bulk_create(
        [through(user_id=u.pk, group_id=lecturer_group.pk) for u in users if u.pk not in grouped],
        batch_size=BATCH,
    )
    with_profile = set(
        LecturerProfile.objects.filter(user__in=users).values_list("user_id", flat=True)
    )
    codes = [t.code for t in TOPICS]
    profiles = []
    for user in users:
        if user.pk in with_profile:
            continue
        lat, lon = _jitter(rng, CENTRES[user.district.code])
        availability = 0
        for day in range(7):
            for period in range(3):
                if rng.random() < (0.7 if period < 2 and day < 5 else 0.3):
                    availability |= availability_bit(day, period)
        profiles.append(
            LecturerProfile(
                user=user,
                topics=rng.sample(codes, rng.randint(3, 8)),
                languages=user.languages,
                district=user.district,
                township=user.township,
                latitude=lat,
                longitude=lon,
                weekly_availability=availability,
                monthly_cap=rng.choice([3, 4, 4, 5, 6, 8]),
                is_active=rng.random() > 0.05,
            )
        )
    for profile in profiles:
        profile.refresh_bits()  # bulk_create does not call save()
    LecturerProfile.objects.bulk_create(profiles, batch_size=BATCH)
    return list(LecturerProfile.objects.filter(user__in=users).select_related("user"))


def _venues(count, districts, townships, rng) -> list[Venue]:
    existing = Venue.objects.filter(name__startswith=VENUE_PREFIX).count()
    by_district = {d.pk: [t for t in townships if t.district_id == d.pk] for d in districts}
    new = []
    for i in range(existing, count):
        district = districts[i % len(districts)]
        lat, lon = _jitter(rng, CENTRES[district.code])
        new.append(
            Venue(
                name=f"{VENUE_PREFIX}{i:05d}",
                venue_type=rng.choice(VenueType.values),
                district=district,
                township=rng.choice(by_district[district.pk]) if by_district[district.pk] else None,
                latitude=lat,
                longitude=lon,
                capacity=rng.choice([30, 40, 50, 60, 80, 120]),
            )
        )
    Venue.objects.bulk_create(new, batch_size=BATCH)
    return list(Venue.objects.filter(name__startswith=VENUE_PREFIX)[:count])


def _certificates(profiles) -> int:
    """A valid certificate of each qualification the lecturer's topics need."""

    from certification.models import Certificate, CertificationType, SerialCounter, StatusList
    from certification.services import format_serial

    types = {t.code: t for t in CertificationType.objects.all()}
    if not types:
        return 0
    topic_qualification = {t.code: t.qualification for t in TOPICS}
    held = set(
        Certificate.objects.filter(holder__in=[p.user_id for p in profiles]).values_list(
            "holder_id", "certification__code"
        )
    )
    wanted = [
        (profile.user, types[code])
        for profile in profiles
        for code in sorted({topic_qualification[t] for t in profile.topics})
        if code in types and (profile.user_id, code) not in held
    ]
    today = timezone.localdate()
    made = 0
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        with transaction.atomic():
            numbers = {}
            for certification in {c for _u, c in chunk}:
                counter, _ = SerialCounter.objects.get_or_create(
                    prefix=certification.serial_prefix, year=today.year
                )
                counter = SerialCounter.objects.select_for_update().get(pk=counter.pk)
                needed = sum(1 for _u, c in chunk if c.pk == certification.pk)
                numbers[certification.pk] = iter(
                    range(counter.last_number + 1, counter.last_number + needed + 1)
                )
                counter.last_number += needed
                counter.save(update_fields=["last_number"])
            status_list = StatusList.objects.select_for_update().order_by("-pk").first()
            if status_list is None or status_list.next_index + len(chunk) > status_list.size:
                status_list = StatusList.objects.create()
            first_index = status_list.next_index
            status_list.next_index += len(chunk)
            status_list.save(update_fields=["next_index"])
            rows = []
            for offset, (user, certification) in enumerate(chunk):
                valid_from = today - datetime.timedelta(days=300)
                rows.append(
                    Certificate(
                        certification=certification,
                        holder=user,
                        serial=format_serial(
                            certification.serial_prefix, today.year, next(numbers[certification.pk])
                        ),
                        verification_code=secrets.token_urlsafe(16),
                        holder_name=user.display_name,
                        holder_languages=list(user.languages or []),
                        snapshot={"scale": True},
                        valid_from=valid_from,
                        expires_on=certification.expiry_for(valid_from),
                        status_list=status_list,
                        status_list_index=first_index + offset,
                    )
                )
            Certificate.objects.bulk_create(rows, batch_size=BATCH)
            made += len(rows)
    return made


def _completions(profiles) -> int:

    from courses.models import Course, Enrolment

    courses = {
        c.title: c.pk
        for c in Course.objects.originals().filter(title__in=[t.title for t in TOPICS])
    }
    if not courses:
        return 0
    titles = {t.code: t.title for t in TOPICS}
    existing = set(
        Enrolment.objects.filter(user__in=[p.user_id for p in profiles]).values_list(
            "user_id", "course_id"
        )
    )
    done = timezone.now() - datetime.timedelta(days=200)
    rows = [
        Enrolment(
            user_id=profile.user_id,
            course_id=courses[titles[code]],
            completed_at=done,
            progress_percent=100,
        )
        for profile in profiles
        for code in profile.topics
        if titles[code] in courses and (profile.user_id, courses[titles[code]]) not in existing
    ]
    Enrolment.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    return len(rows)


def _sessions(count, profiles, venues, rng) -> int:
    """Past sessions (one lecturer each, never two at once) with delivery reports."""
    existing = Session.objects.filter(lecturer__username__startswith=LECTURER_PREFIX).count()
    missing = count - existing
    if missing <= 0 or not profiles or not venues:
        return 0
    today = timezone.localdate()
    zone = timezone.get_current_timezone()
    slots = [
        (datetime.time(9, 0), datetime.time(10, 40)),
        (datetime.time(15, 0), datetime.time(16, 40)),
    ]
    made = 0
    # Each lecturer's sessions take distinct (day, slot) pairs, so nothing overlaps,
    # also with the sessions of an earlier run.
    used: dict[int, set] = {}
    for user_id, day, start in Session.objects.filter(
        lecturer__username__startswith=LECTURER_PREFIX
    ).values_list("lecturer_id", "request__date", "request__start_time"):
        used.setdefault(user_id, set()).add((day, 0 if start.hour < 12 else 1))
    while made < missing:
        chunk = min(BATCH, missing - made)
        requests, plans = [], []
        for _ in range(chunk):
            profile = rng.choice(profiles)
            for _attempt in range(20):
                day = today - datetime.timedelta(days=rng.randint(2, 360))
                slot = rng.randrange(2)
                if (day, slot) not in used.setdefault(profile.user_id, set()):
                    used[profile.user_id].add((day, slot))
                    break
            else:
                continue
            venue = rng.choice(venues)
            topic = rng.choice(profile.topics)
            audience = "children" if topic.startswith("child") else "caregivers"
            start, end = slots[slot]
            request = ServiceRequest(
                venue=venue,
                topic=topic,
                audience=audience,
                age_band="6-11" if audience == "children" else "",
                expected_size=min(venue.capacity or 30, 30),
                language=profile.languages[0] if profile.languages else "zh",
                date=day,
                start_time=start,
                end_time=end,
                starts_at=timezone.make_aware(datetime.datetime.combine(day, start), zone),
                ends_at=timezone.make_aware(datetime.datetime.combine(day, end), zone),
                status=RequestStatus.VERIFIED,
            )
            verified = rng.random() < 0.85
            if not verified:
                request.status = RequestStatus.DELIVERED
            requests.append(request)
            plans.append((profile, verified))
        with transaction.atomic():
            ServiceRequest.objects.bulk_create(requests, batch_size=BATCH)
            sessions = [
                Session(
                    request=request,
                    lecturer_id=profile.user_id,
                    status=SessionStatus.VERIFIED if verified else SessionStatus.DELIVERED,
                    starts_at=request.starts_at,
                    ends_at=request.ends_at,
                    response_deadline=request.starts_at,
                )
                for request, (profile, verified) in zip(requests, plans, strict=True)
            ]
            Session.objects.bulk_create(sessions, batch_size=BATCH)
            DeliveryReport.objects.bulk_create(
                [
                    DeliveryReport(
                        session=session,
                        filed_by_id=session.lecturer_id,
                        filed_at=session.ends_at,
                        children_count=rng.randint(10, 30)
                        if session.request.audience == "children"
                        else 0,
                        caregivers_count=rng.randint(8, 25)
                        if session.request.audience != "children"
                        else rng.randint(0, 3),
                        teachers_count=rng.randint(0, 3),
                        actual_minutes=rng.choice([90, 95, 100, 110]),
                        verified_at=session.ends_at + datetime.timedelta(days=2)
                        if session.status == SessionStatus.VERIFIED
                        else None,
                    )
                    for session in sessions
                ],
                batch_size=BATCH,
            )
        made += len(sessions)
        if not sessions:
            break
    return made
