"""Demo practicum data: placements, a few hundred entries across venues and states,
and evaluations, so that the queue, the ledger and the overview look like a real month.

Idempotent: default rules are only created where missing, people and placements are
matched by user name and qualification, and a placement that already has entries
gets no more. Every free text here passes the privacy guard (a test checks it).
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth.models import Group
from django.utils import timezone

from accounts import roles
from accounts.models import System, User
from places.models import District, Venue

from .defaults import install_defaults
from .models import (
    ActivityType,
    CompetencyEvaluation,
    EntryState,
    EvaluationRating,
    EvaluationStage,
    Placement,
    PracticumEntry,
    PracticumSettings,
    Qualification,
    RubricItem,
    SessionLanguage,
    Topic,
)
from .services import evaluation_result

CHILD_TOPICS = [t for t in Topic if t.value.startswith("child_")]
CAREGIVER_TOPICS = [t for t in Topic if t.value.startswith("caregiver_")]

# More trainees in practicum (no demo log-in): username, name, district, qualification,
# supervisor username, system, languages.
EXTRA_TRAINEES = [
    ("pt_gaochang_01", "马晓燕", "gaochang", "counsellor", "supervisor", System.EDUCATION, ["zh"]),
    (
        "pt_gaochang_02",
        "买买提江·艾力",
        "gaochang",
        "family_educator",
        "supervisor",
        System.CIVIL_AFFAIRS,
        ["zh", "ug"],
    ),
    (
        "pt_gaochang_03",
        "刘建军",
        "gaochang",
        "counsellor",
        "supervisor",
        System.CIVIL_AFFAIRS,
        ["zh"],
    ),
    (
        "pt_shanshan_01",
        "古丽米拉·吐尔逊",
        "shanshan",
        "counsellor",
        "supervisor2",
        System.EDUCATION,
        ["zh", "ug"],
    ),
    (
        "pt_shanshan_02",
        "周丽",
        "shanshan",
        "family_educator",
        "supervisor2",
        System.EDUCATION,
        ["zh"],
    ),
    (
        "pt_toksun_01",
        "努尔比亚·阿不都",
        "toksun",
        "family_educator",
        "supervisor2",
        System.CIVIL_AFFAIRS,
        ["zh", "ug"],
    ),
    ("pt_toksun_02", "王海涛", "toksun", "counsellor", "supervisor2", System.EDUCATION, ["zh"]),
    (
        "pt_toksun_03",
        "阿迪拉·依明",
        "toksun",
        "counsellor",
        "supervisor",
        System.CIVIL_AFFAIRS,
        ["zh", "ug"],
    ),
]

COUNSELLOR_CYCLE = [
    "group_counselling",
    "preparation",
    "individual_counselling",
    "children_activity",
    "supervision",
    "record_keeping",
    "screening",
    "individual_counselling",
    "group_counselling",
    "observation",
    "children_activity",
    "supervision",
]
FAMILY_CYCLE = [
    "caregiver_workshop",
    "preparation",
    "family_guidance",
    "supervision",
    "caregiver_workshop",
    "record_keeping",
    "individual_counselling",
    "children_activity",
    "observation",
    "family_guidance",
    "caregiver_workshop",
    "supervision",
]

DESCRIPTIONS = {
    "group_counselling": [
        "带领{n}名{band}儿童开展团体心理辅导，主题为情绪识别。通过“情绪温度计”和小组分享，"
        "孩子们说出了最近让自己生气或难过的事。一名10岁男孩起初不愿发言，第二轮主动分享。",
        "第三次团体辅导，{n}名儿童参加。用绘画表达“我的家”，随后分组讨论。"
        "两名女孩在分享时情绪低落，活动后单独跟进，已记录需关注的情况（匿名）。",
        "团体辅导以信任游戏开场，{n}名儿童参与。重点练习轮流发言与倾听，"
        "小A和小B发生争执，引导双方用“我感到……因为……”的句式表达。",
    ],
    "individual_counselling": [
        "与一名{age}岁儿童进行一对一心理咨询（第{k}次）。孩子近期睡眠不好、上课走神，"
        "运用沙盘与绘画了解其担忧，教授了腹式呼吸放松法。已与班主任沟通观察要点。",
        "对一名{age}岁留守儿童进行个别辅导，主题为思念父母的情绪。"
        "通过写信练习帮助孩子表达感受，约定下周继续。",
        "一名{age}岁女孩因与同伴冲突来访，使用情绪卡片澄清感受，"
        "讨论了两种可以尝试的沟通方式。孩子表示愿意先向同伴道歉。",
    ],
    "children_activity": [
        "开展《{topic}》主题活动，{n}名{band}儿童参加。按活动方案完成热身、故事讨论、"
        "角色扮演和总结四个环节，孩子们参与积极。",
        "《{topic}》主题活动第二课时，{n}名儿童参加。通过小组竞赛巩固上次内容，"
        "个别注意力不集中的孩子安排了小助手任务。",
    ],
    "caregiver_workshop": [
        "为{n}名照料人开展家庭教育讲座《{topic}》。结合案例讲解要点，"
        "照料人提问集中在孩子使用手机和发脾气两个方面，现场演练了回应方式。",
        "照料人工作坊《{topic}》，{n}名家长和祖辈参加。分组讨论家中最常见的冲突场景，"
        "练习“先接纳情绪、再讲道理”的步骤。",
    ],
    "family_guidance": [
        "入户进行家庭教育个别指导。孩子由祖母照料，祖母反映孩子写作业拖拉。"
        "共同制定了每天固定学习时间和奖励办法，两周后回访。",
        "到校与一名照料人面谈，讨论孩子近期情绪波动。讲解了稳定作息和积极关注的方法，"
        "照料人表示愿意尝试每天陪伴孩子阅读15分钟。",
    ],
    "screening": [
        "在学校组织心理健康水平测试，{n}名学生完成抑郁、焦虑量表。"
        "现场说明测试目的与保密原则，结果已交督导复核，筛出需关注的学生名单由学校心理老师保管。",
        "协助开展心理健康筛查，共{n}名儿童完成测试。对读题有困难的低年级儿童逐题朗读，"
        "测试后进行了简短的放松活动。",
    ],
    "preparation": [
        "准备下周团体辅导的活动方案和材料：情绪卡片、彩笔、签到表。与学校确认场地和时间。",
        "备课《{topic}》，根据孩子年龄调整了游戏规则，准备了维吾尔语的简短说明。",
    ],
    "record_keeping": [
        "整理本周活动记录和签到表，完成两份匿名个案记录。",
        "撰写团体辅导过程记录，统计参与人数，上传签到表照片。",
    ],
    "observation": [
        "观摩督导老师带领的照料人工作坊，学习如何回应情绪激动的家长。",
        "观摩一次儿童团体辅导，重点记录带领者的开场和结束技巧。",
    ],
    "supervision": [
        "接受督导专家的个别督导，讨论一个拒绝参与活动的孩子的处理方式，以及自己的挫败感。",
        "参加团体督导，汇报本月工作，督导建议在活动结束后留出复盘讨论时间。",
    ],
}

REFLECTIONS = [
    "我注意到自己着急推进流程，下次要给孩子更多沉默和思考的时间。",
    "孩子们对游戏环节反应很好，但总结环节偏短，需要预留更多时间。",
    "面对照料人的质疑时我有些紧张，回顾后发现先倾听再解释效果更好。",
    "这次更好地做到了保密说明，孩子们分享得更放松。",
    "需要加强对低年级儿童的语言调整，多用图片和动作。",
    "",
]

RETURN_COMMENTS = [
    "请补充活动后复盘讨论的时长，并说明是否计入本次时长。",
    "描述中请写明活动的具体环节和你承担的角色。",
    "签到表照片不清楚，请重新上传。",
]
REJECT_REASONS = ["这次是观摩他人带领，不能记为直接服务，请按观摩重新记录。"]

BANDS = [("children_6_11", "6–11岁"), ("children_12_17", "12–17岁"), ("children_0_5", "5–6岁")]
SLOTS = [
    (datetime.time(9, 30), datetime.time(11, 30)),
    (datetime.time(15, 0), datetime.time(17, 0)),
    (datetime.time(11, 0), datetime.time(12, 0)),
    (datetime.time(16, 30), datetime.time(18, 0)),
]
MINUTES = {
    "group_counselling": (90, 120),
    "individual_counselling": (60, 90),
    "children_activity": (90, 120),
    "caregiver_workshop": (90, 120),
    "family_guidance": (60, 90),
    "screening": (90, 120),
    "preparation": (60, 120),
    "record_keeping": (30, 60),
    "observation": (90, 120),
    "supervision": (60, 90),
}


def seed(stdout=None) -> None:
    install_defaults()
    PracticumSettings.load()
    users = {u.username: u for u in User.objects.filter(username__in=_demo_usernames())}
    if not {"trainee", "trainee2", "lecturer", "supervisor", "supervisor2"} <= set(users):
        if stdout:
            stdout.write("  practicum: demo users missing, skipped")
        return
    users.update(_extra_trainees())
    venues = list(Venue.objects.select_related("district").order_by("pk"))
    types = {t.code: t for t in ActivityType.objects.all()}
    today = timezone.localdate()
    created = 0

    def venue_named(name):
        return next((v for v in venues if v.name == name), None)

    plans = [
        # trainee, qualification, supervisor, main venue, start (days ago), entries, complete?
        ("trainee", "counsellor", "supervisor", "高昌区葡萄镇中心小学", 75, 36, False),
        ("trainee2", "family_educator", "supervisor2", "鄯善县鄯善镇新城社区", 60, 30, False),
    ]
    for username, _name, district, qualification, supervisor, _system, _langs in EXTRA_TRAINEES:
        main = next((v for v in venues if v.district.code == district), None)
        plans.append(
            (
                username,
                qualification,
                supervisor,
                main.name if main else None,
                70,
                22 + len(username) % 3 * 5,
                False,
            )
        )

    for username, qualification, supervisor, venue_name, start_ago, count, complete in plans:
        placement = _placement(
            users[username],
            users[supervisor],
            qualification,
            venue_named(venue_name),
            today - datetime.timedelta(days=start_ago),
        )
        if not placement.entries.exists():
            created += _entries(placement, venues, types, count, complete, today)

    # The lecturer finished a counsellor practicum: first with supervisor2, reassigned
    # to supervisor (history kept), every requirement met, final evaluation passed.
    lecturer_placement = _lecturer_history(users, venue_named, today)
    if not PracticumEntry.objects.filter(trainee=users["lecturer"]).exists():
        created += _entries(
            lecturer_placement,
            venues,
            types,
            80,
            True,
            today,
            last_day=today - datetime.timedelta(days=250),
        )

    _evaluations(users, today)
    if stdout:
        stdout.write(
            f"  practicum: {Placement.objects.count()} placements, "
            f"{PracticumEntry.objects.count()} entries ({created} new), "
            f"{CompetencyEvaluation.objects.count()} evaluations"
        )


def _demo_usernames():
    return ["trainee", "trainee2", "lecturer", "supervisor", "supervisor2"]


def _extra_trainees() -> dict[str, User]:
    group = Group.objects.get_or_create(name=roles.TRAINEE)[0]
    districts = {d.code: d for d in District.objects.all()}
    people = {}
    for username, name, district, _q, _s, system, languages in EXTRA_TRAINEES:
        user, made = User.objects.get_or_create(
            username=username,
            defaults={
                "real_name": name,
                "email": f"{username}@demo.talentpool.local",
                "district": districts.get(district),
                "system": system,
                "languages": languages,
                "employer_unit": "吐鲁番市民政局"
                if system == System.CIVIL_AFFAIRS
                else "吐鲁番市教育局",
                "job_title": "社会工作者" if system == System.CIVIL_AFFAIRS else "小学教师",
            },
        )
        if made:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        user.groups.add(group)
        people[username] = user
    return people


def _placement(trainee, supervisor, qualification, venue, start) -> Placement:
    placement = Placement.objects.filter(
        trainee=trainee, qualification=qualification, closed_on__isnull=True
    ).first()
    if placement is None:
        placement = Placement.objects.create(
            trainee=trainee,
            supervisor=supervisor,
            qualification=qualification,
            venue=venue,
            start_date=start,
            end_date=start + datetime.timedelta(days=180),
        )
    return placement


def _lecturer_history(users, venue_named, today) -> Placement:
    lecturer = users["lecturer"]
    # The latest of the two (closed once the certificate was earned, by the certification seed).
    current = (
        Placement.objects.filter(trainee=lecturer, qualification=Qualification.COUNSELLOR)
        .order_by("-pk")
        .first()
    )
    if current is not None:
        return current
    # Finished well before the counsellor certificate the certification seed issues
    # (about 200 days ago): the record it is earned by.
    start = today - datetime.timedelta(days=480)
    first = Placement.objects.create(
        trainee=lecturer,
        supervisor=users["supervisor2"],
        qualification=Qualification.COUNSELLOR,
        venue=venue_named("高昌区第三中学"),
        start_date=start,
        end_date=start + datetime.timedelta(days=240),
        closed_on=today - datetime.timedelta(days=400),
        closed_reason="督导专家工作调整，改由高昌区督导专家指导",
    )
    return Placement.objects.create(
        trainee=lecturer,
        supervisor=users["supervisor"],
        qualification=Qualification.COUNSELLOR,
        venue=first.venue,
        start_date=start,
        end_date=first.end_date,
        previous=first,
    )


def _entries(placement, venues, types, count, complete, today, last_day=None) -> int:
    """Entries on working days going back from ``last_day`` (yesterday), states by age;
    days on which the trainee already logged practice (another practicum) are skipped."""
    rng = random.Random(f"practicum-{placement.trainee.username}-{placement.qualification}")
    trainee = placement.trainee
    busy = set(PracticumEntry.objects.filter(trainee=trainee).values_list("date", flat=True))
    cycle = COUNSELLOR_CYCLE if placement.qualification == "counsellor" else FAMILY_CYCLE
    local = [v for v in venues if v.district_id == trainee.district_id] or venues
    now = timezone.now()
    entries = []
    day = last_day or today - datetime.timedelta(days=1)
    used_today = 0
    closed_until = placement.previous.closed_on if placement.previous_id else None
    for index in range(count):
        # one or two entries on a working day, then move on
        while (
            day.weekday() >= 5
            or day in busy
            or used_today >= 2
            or (used_today == 1 and rng.random() < 0.6)
        ):
            day -= datetime.timedelta(days=1)
            used_today = 0
        if day < placement.start_date:
            break
        code = cycle[index % len(cycle)]
        activity = types[code]
        short = not complete and rng.random() < 0.2
        start, end = SLOTS[used_today + 2 if short else used_today]
        low, high = MINUTES[code]
        minutes = min(rng.randrange(low, high + 1, 10), _minutes(start, end))
        end = _add(start, minutes)
        used_today += 1
        age = (today - day).days
        state = _state(rng, age, complete)
        entry = PracticumEntry(
            placement=placement,
            trainee=trainee,
            supervisor=placement.supervisor,
            qualification=placement.qualification,
            date=day,
            start_time=start,
            end_time=end,
            minutes=minutes,
            venue=None
            if code == "supervision"
            else (
                placement.venue if code in ("preparation", "record_keeping") else rng.choice(local)
            ),
            activity_type=activity,
            service_kind=activity.service_kind,
            language=_language(rng, trainee),
            state=state,
            reflection=rng.choice(REFLECTIONS) if activity.is_direct else "",
        )
        _participants_and_text(entry, code, rng)
        if state != EntryState.DRAFT:
            entry.submitted_at = _at(day, end) + datetime.timedelta(hours=rng.randint(2, 30))
        if state in (EntryState.APPROVED, EntryState.RETURNED, EntryState.REJECTED):
            reviewed = entry.submitted_at + datetime.timedelta(days=rng.randint(1, 5))
            entry.reviewed_at = min(reviewed, now - datetime.timedelta(hours=1))
            entry.reviewed_by = placement.supervisor
            if state == EntryState.RETURNED:
                entry.review_comment = rng.choice(RETURN_COMMENTS)
            elif state == EntryState.REJECTED:
                entry.review_comment = REJECT_REASONS[0]
        # After a reassignment, entries decided before it stay with the first supervisor.
        if closed_until and day < closed_until and state == EntryState.APPROVED:
            entry.placement = placement.previous
            entry.supervisor = placement.previous.supervisor
            entry.reviewed_by = placement.previous.supervisor
        entries.append(entry)
    if not complete and entries:
        _ensure_each_state(entries, rng)
    PracticumEntry.objects.bulk_create(entries)
    return len(entries)


def _state(rng, age: int, complete: bool) -> str:
    if complete:
        return EntryState.APPROVED
    roll = rng.random()
    if age > 21:
        return EntryState.APPROVED if roll < 0.96 else EntryState.REJECTED
    if age > 7:
        if roll < 0.55:
            return EntryState.APPROVED
        return EntryState.SUBMITTED if roll < 0.9 else EntryState.RETURNED
    if roll < 0.55:
        return EntryState.SUBMITTED
    return EntryState.DRAFT if roll < 0.8 else EntryState.RETURNED


def _ensure_each_state(entries, rng) -> None:
    """Every demo trainee shows a draft, a returned entry and one waiting > 7 days."""
    recent = entries[:4]
    if not any(e.state == EntryState.DRAFT for e in entries):
        recent[0].state = EntryState.DRAFT
        recent[0].submitted_at = recent[0].reviewed_at = recent[0].reviewed_by = None
    if not any(e.state == EntryState.RETURNED for e in entries) and len(recent) > 1:
        entry = recent[1]
        entry.state = EntryState.RETURNED
        entry.submitted_at = entry.submitted_at or _at(entry.date, entry.end_time)
        entry.reviewed_at = min(
            entry.submitted_at + datetime.timedelta(days=1),
            timezone.now() - datetime.timedelta(hours=1),
        )
        entry.reviewed_by = entry.supervisor
        entry.review_comment = RETURN_COMMENTS[0]


def _participants_and_text(entry, code: str, rng) -> None:
    band_field, band_label = rng.choice(BANDS[:2])
    n = 0
    topic = ""
    if code == "group_counselling":
        n = rng.randint(8, 14)
        setattr(entry, band_field, n)
    elif code == "individual_counselling":
        setattr(entry, band_field, 1)
    elif code == "children_activity":
        n = rng.randint(15, 38)
        setattr(entry, band_field, n)
        entry.teachers = rng.randint(0, 2)
        topic = rng.choice(CHILD_TOPICS)
    elif code == "caregiver_workshop":
        n = rng.randint(12, 30)
        entry.caregivers = n
        entry.teachers = rng.randint(0, 3)
        topic = rng.choice(CAREGIVER_TOPICS)
    elif code == "family_guidance":
        entry.caregivers = rng.randint(1, 2)
    elif code == "screening":
        n = rng.randint(20, 45)
        setattr(entry, band_field, n)
        entry.teachers = rng.randint(1, 2)
    elif code == "preparation":
        topic = rng.choice(CHILD_TOPICS + CAREGIVER_TOPICS)
    entry.topic = topic.value if topic else ""
    template = rng.choice(DESCRIPTIONS[code])
    entry.description = template.format(
        n=n,
        band=band_label,
        age=rng.randint(7, 13),
        k=rng.randint(2, 5),
        topic=topic.label if topic else "",
    )


def _language(rng, trainee) -> str:
    if "ug" in (trainee.languages or []):
        return rng.choice([SessionLanguage.MANDARIN, SessionLanguage.BOTH, SessionLanguage.UYGHUR])
    return SessionLanguage.MANDARIN


def _minutes(start, end) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def _add(start: datetime.time, minutes: int) -> datetime.time:
    total = start.hour * 60 + start.minute + minutes
    return datetime.time(total // 60, total % 60)


def _at(day, time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


RATING_COMMENTS = {
    3: "基本达到要求，继续在督导中练习。",
    4: "表现稳定，能根据情况灵活调整。",
    5: "表现突出，可以带教新学员。",
}


def _evaluations(users, today) -> None:
    items = list(RubricItem.objects.filter(is_active=True))
    config = PracticumSettings.load()

    def evaluate(placement, stage, ratings, days_ago, sign=True, comment=""):
        if placement.evaluations.filter(stage=stage).exists():
            return
        evaluation = CompetencyEvaluation(
            placement=placement,
            trainee=placement.trainee,
            supervisor=placement.supervisor,
            qualification=placement.qualification,
            stage=stage,
            overall_comment=comment,
        )
        if sign:
            mean, passed = evaluation_result(
                ratings,
                min_item=config.evaluation_min_item_rating,
                min_mean=config.evaluation_min_mean,
            )
            evaluation.mean_rating = mean
            evaluation.passed = passed
            evaluation.rule_min_item = config.evaluation_min_item_rating
            evaluation.rule_min_mean = config.evaluation_min_mean
            evaluation.signed_name = placement.supervisor.display_name
            evaluation.signed_at = timezone.now() - datetime.timedelta(days=days_ago)
        evaluation.save()
        EvaluationRating.objects.bulk_create(
            EvaluationRating(
                evaluation=evaluation,
                rubric_item=item,
                item_name=item.name,
                rating=rating,
                comment=RATING_COMMENTS.get(rating, "") if rating else "",
            )
            for item, rating in zip(items, ratings, strict=False)
        )

    current = {
        (p.trainee.username, p.qualification): p
        for p in Placement.objects.current().select_related("trainee", "supervisor")
    }
    trainee_p = current.get(("trainee", "counsellor"))
    if trainee_p:
        evaluate(
            trainee_p,
            EvaluationStage.MIDTERM,
            [4, 3, 4, 3, 4, 4, 3, 4],
            20,
            comment="关系建立良好，个别咨询的结构还需加强。",
        )
    trainee2_p = current.get(("trainee2", "family_educator"))
    if trainee2_p:
        evaluate(trainee2_p, EvaluationStage.MIDTERM, [4, 3, 3, 3, 4, 4, 5, 4], 0, sign=False)
    lecturer_p = current.get(("lecturer", "counsellor"))
    if lecturer_p:
        evaluate(lecturer_p, EvaluationStage.MIDTERM, [4, 4, 4, 3, 4, 4, 4, 4], 330)
        evaluate(
            lecturer_p,
            EvaluationStage.FINAL,
            [5, 4, 4, 4, 5, 4, 4, 5],
            235,
            comment="达到心理咨询师实践要求，建议纳入讲师团。",
        )
    for username in ("pt_gaochang_01", "pt_shanshan_01", "pt_toksun_01"):
        for (name, _q), placement in current.items():
            if name == username:
                evaluate(placement, EvaluationStage.MIDTERM, [3, 3, 4, 3, 3, 4, 3, 3], 15)


# --- A finished practicum, for the demo's certificate holders ------------------------------


def complete_practicum_for_demo(*, trainee, qualification, supervisor, finished_on):
    """A practicum of ``qualification`` finished by ``finished_on``: a placement with
    ``supervisor``, approved entries that meet every hour requirement, a passed final
    evaluation signed by the supervisor (the pass rule applied as
    ``services.sign_evaluation`` applies it), and the placement closed. Records a trainee
    already has are kept: when they meet the requirements and a final evaluation passed,
    only their open placement is closed. Demo data only (``seed_demo`` refuses
    production); idempotent. Returns the placement."""
    from .selectors import final_evaluation_passed, requirement_status

    done = Placement.objects.filter(trainee=trainee, qualification=qualification).order_by(
        "-start_date", "-pk"
    )
    if requirement_status(trainee, qualification).all_met and final_evaluation_passed(
        trainee, qualification
    ):
        placement = done.first()
        _close_after(placement, finished_on)
        return placement
    if done.filter(closed_on__isnull=True).exists():
        raise RuntimeError(f"{trainee.username} has an unfinished {qualification} practicum")
    venues = list(Venue.objects.select_related("district").order_by("pk"))
    local = [v for v in venues if v.district_id == trainee.district_id] or venues
    types = {t.code: t for t in ActivityType.objects.all()}
    start = finished_on - datetime.timedelta(days=260)
    placement = Placement.objects.create(
        trainee=trainee,
        supervisor=supervisor,
        qualification=qualification,
        venue=local[0] if local else None,
        start_date=start,
        end_date=finished_on,
    )
    _entries(
        placement,
        venues,
        types,
        90,
        True,
        finished_on,
        last_day=finished_on - datetime.timedelta(days=40),
    )
    if not requirement_status(trainee, qualification).all_met:
        raise RuntimeError(f"demo practicum short of its requirements: {trainee.username}")
    _signed_final(placement, signed_on=finished_on - datetime.timedelta(days=25))
    _close_after(placement, finished_on)
    return placement


FINAL_RATINGS = [4, 4, 5, 4, 4, 5, 4, 4]


def _signed_final(placement, *, signed_on) -> CompetencyEvaluation:
    items = list(RubricItem.objects.filter(is_active=True))
    config = PracticumSettings.load()
    ratings = [FINAL_RATINGS[i % len(FINAL_RATINGS)] for i in range(len(items))]
    mean, passed = evaluation_result(
        ratings, min_item=config.evaluation_min_item_rating, min_mean=config.evaluation_min_mean
    )
    evaluation = CompetencyEvaluation.objects.create(
        placement=placement,
        trainee=placement.trainee,
        supervisor=placement.supervisor,
        qualification=placement.qualification,
        stage=EvaluationStage.FINAL,
        overall_comment="达到实践要求，可以独立带领活动。",
        mean_rating=mean,
        passed=passed,
        rule_min_item=config.evaluation_min_item_rating,
        rule_min_mean=config.evaluation_min_mean,
        signed_name=placement.supervisor.display_name,
        signed_at=_at(signed_on, datetime.time(16, 0)),
    )
    EvaluationRating.objects.bulk_create(
        EvaluationRating(
            evaluation=evaluation,
            rubric_item=item,
            item_name=item.name,
            rating=rating,
            comment=RATING_COMMENTS.get(rating, ""),
        )
        for item, rating in zip(items, ratings, strict=True)
    )
    return evaluation


def _close_after(placement, finished_on) -> None:
    if placement is not None and placement.closed_on is None:
        placement.closed_on = finished_on
        placement.closed_reason = "实习完成，各项要求均已达到。"
        placement.save(update_fields=["closed_on", "closed_reason"])
