"""Demo data of the lecturer corps: venues, lecturers, a month of requests in every state.

``seed`` runs early in ``seed_demo`` (practicum needs the venues): venues, lecturer
accounts and profiles, and a month of service requests with their sessions, delivery
reports and notifications. ``seed_after_all`` runs once every app has seeded: where
the certification seed gave a seeded lecturer none, they earn the certificate their
topics need (courses, exams, practicum, then the eligibility engine), so that the
candidate lists of the demo are not empty.

Idempotent: venues, users and profiles are updated in place; the month of requests
is made once (a second run finds it and changes nothing).
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import Group
from django.utils import timezone

from accounts import roles
from accounts.models import System, User
from places.models import District, Township

from .models import (
    DEFAULT_AVAILABILITY,
    ChildAttendance,
    DeliveryReport,
    LecturerProfile,
    Notification,
    ReportState,
    RequestStatus,
    ServiceRequest,
    Session,
    SessionStatus,
    Venue,
    VenueContact,
    VenueType,
    availability_bit,
)
from .topics import TOPICS, TOPICS_BY_CODE

# (district code, township, name, type, capacity, contact)
VENUES = [
    ("gaochang", "葡萄镇", "高昌区葡萄镇中心小学", VenueType.SCHOOL, 60, "德育处 王老师"),
    ("gaochang", "老城路街道", "高昌区第三中学", VenueType.SCHOOL, 80, "心理健康室 刘老师"),
    ("gaochang", "老城路街道", "高昌区老城路街道幸福社区", VenueType.COMMUNITY, 40, "社区居委会"),
    ("gaochang", "亚尔镇", "高昌区亚尔镇上湖村社区", VenueType.COMMUNITY, 35, "村委会"),
    ("gaochang", "艾丁湖镇", "高昌区艾丁湖镇园艺场", VenueType.FARM, 30, "场部办公室"),
    ("gaochang", "二堡乡", "高昌区二堡乡人民政府", VenueType.TOWNSHIP, 50, "乡民政办"),
    ("shanshan", "鄯善镇", "鄯善县第一小学", VenueType.SCHOOL, 60, "德育处"),
    ("shanshan", "鲁克沁镇", "鄯善县鲁克沁镇中学", VenueType.SCHOOL, 70, "政教处"),
    ("shanshan", "鄯善镇", "鄯善县鄯善镇新城社区", VenueType.COMMUNITY, 40, "社区居委会"),
    ("shanshan", "七克台镇", "鄯善县七克台镇农场", VenueType.FARM, 25, "场部办公室"),
    ("shanshan", "吐峪沟乡", "鄯善县吐峪沟乡人民政府", VenueType.TOWNSHIP, 45, "乡民政办"),
    ("toksun", "托克逊镇", "托克逊县第二小学", VenueType.SCHOOL, 60, "德育处"),
    ("toksun", "托克逊镇", "托克逊县托克逊镇团结社区", VenueType.COMMUNITY, 40, "社区居委会"),
    ("toksun", "阿乐惠镇", "托克逊县阿乐惠镇农场", VenueType.FARM, 30, "场部办公室"),
    ("toksun", "夏镇", "托克逊县夏镇人民政府", VenueType.TOWNSHIP, 50, "镇民政办"),
    ("toksun", "伊拉湖镇", "托克逊县伊拉湖镇中心学校", VenueType.SCHOOL, 55, "德育处"),
]

COUNSELLOR_TOPICS = [t.code for t in TOPICS if t.qualification == "counsellor"]
FAMILY_TOPICS = [t.code for t in TOPICS if t.qualification == "family_educator"]
WEEKDAYS_DAYTIME = DEFAULT_AVAILABILITY
EVERY_AFTERNOON = sum(availability_bit(day, 1) for day in range(7))

# username, real name, district, township, languages, topics, availability, cap
LECTURERS = [
    ("lecturer", "王建华", "gaochang", "老城路街道", ["zh", "ug"],
     COUNSELLOR_TOPICS[:6] + FAMILY_TOPICS[:3], WEEKDAYS_DAYTIME, 6),
    ("lecturer_gc1", "李明", "gaochang", "葡萄镇", ["zh"], COUNSELLOR_TOPICS, WEEKDAYS_DAYTIME, 4),
    ("lecturer_gc2", "古丽娜尔·艾买提", "gaochang", "亚尔镇", ["zh", "ug"],
     FAMILY_TOPICS, WEEKDAYS_DAYTIME | EVERY_AFTERNOON, 5),
    ("lecturer_gc3", "赵丽", "gaochang", "艾丁湖镇", ["zh"],
     COUNSELLOR_TOPICS[:5] + FAMILY_TOPICS, WEEKDAYS_DAYTIME, 4),
    ("lecturer_gc4", "买买提·吐尔逊", "gaochang", "二堡乡", ["ug"],
     COUNSELLOR_TOPICS[4:], WEEKDAYS_DAYTIME, 3),
    ("lecturer_ss1", "马晓燕", "shanshan", "鄯善镇", ["zh"], FAMILY_TOPICS, WEEKDAYS_DAYTIME, 4),
    ("lecturer_ss2", "阿不都热合曼·依明", "shanshan", "鲁克沁镇", ["zh", "ug"],
     COUNSELLOR_TOPICS, WEEKDAYS_DAYTIME, 5),
    ("lecturer_ss3", "周静", "shanshan", "七克台镇", ["zh"],
     COUNSELLOR_TOPICS[:4] + FAMILY_TOPICS[:4], EVERY_AFTERNOON, 3),
    ("lecturer_ss4", "热娜古丽·买合木提", "shanshan", "吐峪沟乡", ["ug"],
     FAMILY_TOPICS, WEEKDAYS_DAYTIME, 4),
    ("lecturer_ts1", "孙伟", "toksun", "托克逊镇", ["zh"], COUNSELLOR_TOPICS, WEEKDAYS_DAYTIME, 4),
    ("lecturer_ts2", "阿依努尔·卡德尔", "toksun", "夏镇", ["zh", "ug"],
     COUNSELLOR_TOPICS[::2] + FAMILY_TOPICS, WEEKDAYS_DAYTIME, 4),
    ("lecturer_ts3", "刘洋", "toksun", "阿乐惠镇", ["zh"], FAMILY_TOPICS, WEEKDAYS_DAYTIME, 3),
    ("lecturer_ts4", "艾克拜尔·吾守尔", "toksun", "伊拉湖镇", ["ug", "zh"],
     COUNSELLOR_TOPICS[:7], WEEKDAYS_DAYTIME, 4),
]  # fmt: skip


def seed(stdout=None) -> None:
    venues = seed_venues()
    lecturers = seed_lecturers()
    made = seed_requests(venues, lecturers)
    if stdout:
        stdout.write(
            f"  lecturer_corps: {Venue.objects.count()} venues, "
            f"{LecturerProfile.objects.count()} lecturer profiles, "
            f"{ServiceRequest.objects.count()} service requests" + ("" if made else " (kept)")
        )


def seed_venues() -> dict[str, Venue]:
    districts = {d.code: d for d in District.objects.all()}
    venues = {}
    for code, township_name, name, venue_type, capacity, contact in VENUES:
        district = districts[code]
        township = Township.objects.get(district=district, name=township_name)
        venues[name], _ = Venue.objects.update_or_create(
            district=district,
            name=name,
            defaults={
                "venue_type": venue_type,
                "township": township,
                "latitude": township.latitude,
                "longitude": township.longitude,
                "capacity": capacity,
                "address": f"{district.name}{township.name}",
                "contact_name": contact,
            },
        )
        # The adult who confirms delivery reports by e-mailed link (demo addresses).
        VenueContact.objects.get_or_create(
            venue=venues[name],
            name=contact,
            defaults={"email": f"venue-{venues[name].pk}@example.org"},
        )
    return venues


def seed_lecturers() -> dict[str, User]:
    from accounts.seed import DEMO_PASSWORD

    districts = {d.code: d for d in District.objects.all()}
    groups = [Group.objects.get_or_create(name=code)[0] for code in (roles.LECTURER, roles.TRAINEE)]
    users = {}
    for (
        username,
        real_name,
        district,
        township_name,
        languages,
        topics,
        availability,
        cap,
    ) in LECTURERS:
        district_obj = districts[district]
        township = Township.objects.get(district=district_obj, name=township_name)
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username)
            user.set_password(DEMO_PASSWORD)
        if username != "lecturer":  # the demo log-in itself belongs to accounts.seed
            user.real_name = real_name
            user.email = f"{username}@demo.talentpool.local"
            user.system = (
                System.EDUCATION if username.endswith(("1", "3")) else System.CIVIL_AFFAIRS
            )
            user.district = district_obj
            user.township = township
            user.languages = languages
            user.job_title = "讲师团成员"
            user.save()
            user.groups.add(*groups)
        LecturerProfile.objects.update_or_create(
            user=user,
            defaults={
                "topics": topics,
                "languages": languages,
                "district": district_obj,
                "township": township,
                "latitude": township.latitude,
                "longitude": township.longitude,
                "weekly_availability": availability,
                "monthly_cap": cap,
                "is_active": True,
            },
        )
        users[username] = user
    return users


# How the seeded children split over groups of difficulty (the rest: other children).
DEMO_CHILD_SHARES = (
    ("left_behind", 0.3),
    ("poor_family", 0.2),
    ("orphan", 0.1),
    ("disability", 0.05),
)


def _demo_child_counts(children: int) -> dict:
    """A believable breakdown of ``children`` (all aged 6–11, as the demo requests are)."""
    cells, left = {}, children
    for group, share in DEMO_CHILD_SHARES:
        count = int(children * share)
        if count:
            cells[(group, "6-11")] = count
            left -= count
    if left:
        cells[("other", "6-11")] = left
    return cells


def seed_requests(venues: dict[str, Venue], lecturers: dict[str, User]) -> bool:
    """A month of requests around today in every state (made once)."""
    coordinator = User.objects.filter(username="coordinator").first()
    if ServiceRequest.objects.filter(notes__startswith="【演示】").exists():
        return False
    today = timezone.localdate()
    now = timezone.now()
    t = datetime.time

    def request(venue, topic, day, start, end, status, **extra):
        topic_obj = TOPICS_BY_CODE[topic]
        audience = extra.pop("audience", topic_obj.audience)
        item = ServiceRequest(
            venue=venues[venue],
            topic=topic,
            audience=audience,
            age_band=extra.pop("age_band", "6-11" if audience == "children" else ""),
            expected_size=extra.pop("expected_size", 25),
            language=extra.pop("language", "zh"),
            date=today + datetime.timedelta(days=day),
            start_time=start,
            end_time=end,
            class_hours=extra.pop("class_hours", 2),
            status=status,
            notes="【演示】" + extra.pop("notes", "请提前十分钟到场。"),
            materials=extra.pop("materials", "场地提供投影仪和白板；需自带彩笔和活动卡片。"),
            created_by=coordinator,
            **extra,
        )
        item.save()
        return item

    def session(item, username, status, **extra):
        return Session.objects.create(
            request=item,
            lecturer=lecturers[username],
            status=status,
            starts_at=item.starts_at,
            ends_at=item.ends_at,
            proposed_by=coordinator,
            proposed_at=now - datetime.timedelta(days=3),
            response_deadline=min(now + datetime.timedelta(hours=40), item.starts_at),
            responded_at=None if status == SessionStatus.PROPOSED else now,
            **extra,
        )

    def report(item_session, children, caregivers, teachers, verified):
        filed = DeliveryReport(
            session=item_session,
            filed_by=item_session.lecturer,
            filed_at=item_session.ends_at + datetime.timedelta(hours=2),
            children_count=children,
            caregivers_count=caregivers,
            teachers_count=teachers,
            actual_minutes=95,
            notes="孩子们参与积极，分享环节气氛热烈。",
            state=ReportState.VERIFIED if verified else ReportState.FILED,
            verified_at=now if verified else None,
            verified_by=coordinator if verified else None,
        )
        cells = _demo_child_counts(children)
        filed.children_in_difficulty_count = sum(
            n for (group, _band), n in cells.items() if group != "other"
        )
        filed.save()
        ChildAttendance.objects.bulk_create(
            ChildAttendance(report=filed, group=group, age_band=band, count=n)
            for (group, band), n in cells.items()
        )

    # Verified and delivered: the past two weeks.
    for day, venue, topic, who, counts, verified in [
        (-13, "高昌区葡萄镇中心小学", "child_01", "lecturer", (38, 0, 2), True),
        (-12, "鄯善县第一小学", "child_02", "lecturer_ss2", (45, 0, 3), True),
        (-9, "托克逊县托克逊镇团结社区", "caregiver_01", "lecturer_ts2", (0, 28, 0), True),
        (-8, "高昌区老城路街道幸福社区", "caregiver_02", "lecturer_gc2", (0, 31, 1), True),
        (-6, "托克逊县第二小学", "child_03", "lecturer_ts1", (52, 0, 2), True),
        (-5, "高昌区第三中学", "child_04", "lecturer", (60, 0, 4), False),
        (-3, "鄯善县鄯善镇新城社区", "caregiver_03", "lecturer_ss1", (0, 22, 0), False),
    ]:
        status = RequestStatus.VERIFIED if verified else RequestStatus.DELIVERED
        item = request(venue, topic, day, t(10, 0), t(11, 40), status, expected_size=sum(counts))
        done = session(item, who, SessionStatus.VERIFIED if verified else SessionStatus.DELIVERED)
        report(done, *counts, verified)

    # Confirmed, coming soon; and one that ended yesterday waiting for its report.
    ended = request("高昌区亚尔镇上湖村社区", "child_05", -1, t(15, 0), t(16, 40), "confirmed")
    session(ended, "lecturer", SessionStatus.CONFIRMED)
    for day, venue, topic, who in [
        (2, "高昌区葡萄镇中心小学", "child_06", "lecturer_gc1"),
        (4, "鄯善县鲁克沁镇中学", "child_07", "lecturer_ss2"),
        (6, "托克逊县伊拉湖镇中心学校", "child_08", "lecturer_ts4"),
        (9, "高昌区第三中学", "child_02", "lecturer"),
    ]:
        item = request(venue, topic, day, t(10, 0), t(11, 40), RequestStatus.CONFIRMED)
        session(item, who, SessionStatus.CONFIRMED)

    # Proposed: waiting for the lecturer's answer (one for the demo lecturer).
    for day, venue, topic, who, language in [
        (5, "高昌区二堡乡人民政府", "caregiver_01", "lecturer", "ug"),
        (7, "鄯善县吐峪沟乡人民政府", "caregiver_04", "lecturer_ss4", "ug"),
    ]:
        item = request(
            venue, topic, day, t(15, 30), t(17, 10), RequestStatus.PROPOSED, language=language
        )
        proposed = session(item, who, SessionStatus.PROPOSED)
        Notification.objects.create(
            user=proposed.lecturer,
            kind="session_proposed",
            params={
                "topic": topic,
                "venue": venue,
                "date": item.date.isoformat(),
                "start": "15:30",
                "end": "17:10",
                "request_id": item.pk,
                "deadline": timezone.localtime(proposed.response_deadline).strftime(
                    "%Y-%m-%d %H:%M"
                ),
            },
            url="/corps/my-sessions/",
        )

    # Accepted by one of the two lecturers it needs; the other declined.
    item = request(
        "高昌区第三中学", "child_09", 11, t(9, 0), t(11, 30), RequestStatus.ACCEPTED,
        lecturers_needed=2, expected_size=70, class_hours=3,
    )  # fmt: skip
    session(item, "lecturer_gc1", SessionStatus.ACCEPTED)
    session(item, "lecturer_gc3", SessionStatus.DECLINED, decline_reason="当天有单位培训")

    # Requested: open, waiting for a lecturer (several for the auto-assign demo).
    for day, venue, topic, language, start in [
        (3, "托克逊县夏镇人民政府", "caregiver_05", "ug", t(15, 0)),
        (8, "高昌区艾丁湖镇园艺场", "child_10", "zh", t(10, 0)),
        (10, "鄯善县七克台镇农场", "caregiver_02", "zh", t(15, 0)),
        (12, "托克逊县阿乐惠镇农场", "caregiver_06", "zh", t(15, 0)),
        (13, "高昌区葡萄镇中心小学", "child_03", "ug", t(10, 0)),
        (15, "鄯善县第一小学", "child_05", "zh", t(10, 0)),
    ]:
        end = (datetime.datetime.combine(today, start) + datetime.timedelta(minutes=100)).time()
        request(venue, topic, day, start, end, RequestStatus.REQUESTED, language=language)

    # A weekly series of six caregiver workshops at one community.
    import uuid

    series = uuid.uuid4()
    for index in range(6):
        request(
            "托克逊县托克逊镇团结社区", "caregiver_02", 4 + 7 * index, t(16, 0), t(17, 40),
            RequestStatus.REQUESTED, series=series, series_index=index + 1,
            notes="家长课堂系列，共六次。",
        )  # fmt: skip

    # Cancelled, and rescheduled (moved to a new request).
    cancelled = request(
        "鄯善县鲁克沁镇中学", "child_01", 1, t(10, 0), t(11, 40), RequestStatus.CANCELLED,
        cancel_reason="学校临时安排考试",
    )  # fmt: skip
    session(cancelled, "lecturer_ss2", SessionStatus.CANCELLED, cancel_reason="学校临时安排考试")
    moved_to = request(
        "高昌区亚尔镇上湖村社区", "caregiver_03", 14, t(15, 0), t(16, 40), "proposed"
    )
    session(moved_to, "lecturer_gc2", SessionStatus.PROPOSED)
    old = request(
        "高昌区亚尔镇上湖村社区", "caregiver_03", 7, t(15, 0), t(16, 40),
        RequestStatus.RESCHEDULED, rescheduled_to=moved_to,
    )  # fmt: skip
    session(old, "lecturer_gc2", SessionStatus.CANCELLED, cancel_reason="改期")
    return True


def seed_after_all(stdout=None) -> None:
    """Give the seeded lecturers what matching needs from the other apps (idempotent)."""
    # Certificates first: earning one completes its courses, dated before it.
    certified = _certify_lecturers()
    completed = _complete_topic_courses()
    if stdout:
        stdout.write(
            f"  lecturer_corps: {completed} topic courses completed, "
            f"{certified} certificates issued to seeded lecturers"
        )


def _seeded_users():
    return list(User.objects.filter(username__in=[row[0] for row in LECTURERS]))


def _complete_topic_courses() -> int:
    """The courses of each seeded lecturer's topics not yet completed (normally none: the
    certificate they earned needed them), completed as a learner completes them."""
    from courses.models import Course
    from courses.seed import complete_courses_for_demo

    courses = {
        c.title: c for c in Course.objects.originals().filter(title__in=[t.title for t in TOPICS])
    }
    finished_at = timezone.now() - datetime.timedelta(days=120)
    made = 0
    for user in _seeded_users():
        profile = LecturerProfile.objects.filter(user=user).first()
        mine = [
            courses[TOPICS_BY_CODE[code].title]
            for code in (profile.topics if profile else [])
            if TOPICS_BY_CODE[code].title in courses
        ]
        made += complete_courses_for_demo(user=user, courses=mine, finished_at=finished_at)
    return made


def _certify_lecturers() -> int:
    """Where the certification seed left a seeded lecturer without the certificate their
    topics need, they earn one through the records the eligibility engine reads
    (``certification.seed.earn_demo_certificate``; demo data only)."""

    from certification.models import Certificate, CertificationType
    from certification.seed import earn_demo_certificate

    types = {t.code: t for t in CertificationType.objects.all()}
    made = 0
    for user in _seeded_users():
        profile = LecturerProfile.objects.filter(user=user).first()
        needed = {
            TOPICS_BY_CODE[code].qualification for code in (profile.topics if profile else [])
        }
        for code in sorted(needed):
            certification = types.get(code)
            if certification is None:
                continue
            if Certificate.objects.filter(holder=user, certification=certification).exists():
                continue  # the certification seed decided (valid, expired or revoked)
            created = earn_demo_certificate(
                certification=certification,
                holder=user,
                valid_from=timezone.localdate() - datetime.timedelta(days=200),
            )
            made += created is not None
    return made
