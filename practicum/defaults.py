"""The practicum's default rules: activity types, requirements and the evaluation rubric.

Modelled on counselling-training norms — CACREP's practicum is 100 clock hours with at
least 40 of direct service and weekly supervision — and adapted to the two
qualifications of the programme. Installed by a data migration (so every database
has them) and by ``seed_demo``; both only create what is missing and never overwrite
what administrators have since edited.
"""

from __future__ import annotations

from decimal import Decimal

# code, name, English name, service kind, supervision?, sort, what it covers
ACTIVITY_TYPES = [
    (
        "group_counselling",
        "团体心理辅导",
        "Group counselling",
        "direct",
        False,
        10,
        "带领或协同带领儿童团体心理辅导。",
    ),
    (
        "individual_counselling",
        "一对一心理咨询",
        "One-on-one counselling",
        "direct",
        False,
        20,
        "与一名儿童或照料人进行的个别咨询、情绪疏导。",
    ),
    (
        "children_activity",
        "儿童主题活动",
        "Children's theme activity",
        "direct",
        False,
        30,
        "按课程开展的儿童主题活动（表1的10个主题）。",
    ),
    (
        "caregiver_workshop",
        "照料人讲座/工作坊",
        "Caregiver workshop or lecture",
        "direct",
        False,
        40,
        "面向照料人的家庭教育讲座或工作坊（表2的6门课程）。",
    ),
    (
        "family_guidance",
        "家庭教育个别指导",
        "Individual family guidance",
        "direct",
        False,
        50,
        "入户或到校对一个家庭的照料人进行的个别指导。",
    ),
    (
        "screening",
        "心理健康筛查",
        "Mental-health screening",
        "direct",
        False,
        60,
        "组织施测心理健康水平测试（抑郁、焦虑等）并反馈。",
    ),
    (
        "preparation",
        "备课与活动准备",
        "Preparation",
        "indirect",
        False,
        70,
        "备课、准备材料、场地布置、与学校或社区沟通。",
    ),
    (
        "record_keeping",
        "记录与文书",
        "Record-keeping",
        "indirect",
        False,
        80,
        "撰写活动记录、个案记录（匿名）、整理签到表。",
    ),
    (
        "observation",
        "观摩学习",
        "Observation",
        "indirect",
        False,
        90,
        "观摩有经验的咨询师或讲师开展工作。",
    ),
    (
        "supervision",
        "接受督导",
        "Supervision received",
        "indirect",
        True,
        100,
        "接受心理督导专家的个别或团体督导。",
    ),
]

# qualification: (total, min direct, min supervision, {activity code: min hours}, notes)
REQUIREMENTS = {
    "counsellor": (
        Decimal("100"),
        Decimal("40"),
        Decimal("10"),
        {
            "individual_counselling": Decimal("10"),
            "group_counselling": Decimal("10"),
            "children_activity": Decimal("6"),
            "screening": Decimal("4"),
        },
        "参照CACREP实习标准（100小时，其中直接服务不少于40小时，每周接受督导）。",
    ),
    "family_educator": (
        Decimal("80"),
        Decimal("32"),
        Decimal("8"),
        {
            "caregiver_workshop": Decimal("12"),
            "family_guidance": Decimal("6"),
        },
        "参照CACREP实习标准按家庭教育指导工作调整（80小时，其中直接服务不少于32小时）。",
    ),
}

# code, name, English name, descriptors 1–5
RUBRIC = [
    (
        "rapport",
        "建立关系与沟通",
        "Rapport and communication",
        [
            "难以与儿童或照料人建立信任，沟通生硬",
            "能进行基本交流，但倾听与回应不足",
            "能建立基本信任，倾听、共情和回应基本到位",
            "关系温暖稳定，能根据对象年龄调整沟通方式",
            "在困难情境中也能迅速建立信任，沟通自然有效",
        ],
    ),
    (
        "assessment",
        "评估与筛查",
        "Assessment and screening",
        [
            "不能正确施测或解释筛查结果",
            "能在指导下施测，解释有明显错误",
            "能规范施测并作出基本解释，知道何时转介",
            "能综合观察与测评形成清晰的需求判断",
            "评估全面准确，能据此制定有针对性的方案",
        ],
    ),
    (
        "group_facilitation",
        "团体带领",
        "Group facilitation",
        [
            "不能按方案组织活动，秩序失控",
            "能按方案进行，但对团体动力关注不足",
            "能完成活动目标，基本照顾到每位成员的参与",
            "能灵活应对突发情况，分享与总结到位",
            "团体氛围安全积极，能促进成员之间的支持与成长",
        ],
    ),
    (
        "individual_skills",
        "个别咨询技能",
        "Individual counselling skills",
        [
            "缺乏基本咨询技术，常给建议或评判",
            "能使用部分技术，但缺乏结构",
            "能运用倾听、澄清、情感反映等基本技术并有结构",
            "能根据个案情况选用合适方法，推进有效",
            "技术娴熟，能处理较复杂的情绪与家庭议题",
        ],
    ),
    (
        "ethics",
        "伦理与保密",
        "Ethics and confidentiality",
        [
            "出现违反保密或越界的行为",
            "了解伦理要求，但执行不稳定",
            "能遵守保密与知情同意，记录匿名化",
            "能识别伦理风险并主动寻求督导",
            "伦理意识强，能在复杂情境中作出恰当决定",
        ],
    ),
    (
        "child_protection",
        "儿童保护",
        "Child protection",
        [
            "不能识别儿童受伤害或风险的迹象",
            "能识别明显风险，但不清楚报告流程",
            "能识别风险并按流程报告、转介",
            "能评估风险程度并协调学校、社区等资源",
            "能预防性地营造安全环境并指导他人",
        ],
    ),
    (
        "caregivers",
        "与照料人工作",
        "Working with caregivers",
        [
            "与照料人沟通困难或指责照料人",
            "能传达信息，但难以引发照料人的改变意愿",
            "能尊重照料人并提供实用的家庭教育建议",
            "能结合家庭实际与照料人共同制定改变计划",
            "能有效调动家庭资源，持续支持照料人成长",
        ],
    ),
    (
        "reflection",
        "自我反思",
        "Self-reflection",
        [
            "很少反思，难以接受反馈",
            "能在督导提示下反思",
            "能主动反思自己的做法并接受反馈",
            "反思深入，能把反馈转化为具体改进",
            "形成持续的反思习惯，能觉察自身情绪对工作的影响",
        ],
    ),
]

# The activity types' Uyghur names (``ActivityType.name_ug``), shown in the Uyghur interface.
ACTIVITY_TYPE_NAMES_UG = {
    "group_counselling": "گۇرۇپپا پىسخىك مەسلىھەت",
    "individual_counselling": "يەككە پىسخىك مەسلىھەت",
    "children_activity": "بالىلار تېما پائالىيىتى",
    "caregiver_workshop": "ھالىدىن خەۋەر ئالغۇچىلار لېكسىيىسى ياكى مەشىقى",
    "family_guidance": "ئائىلە تەربىيىسى يەككە يېتەكچىلىكى",
    "screening": "روھىي ساغلاملىق تەكشۈرۈشى",
    "preparation": "تەييارلىق",
    "record_keeping": "خاتىرە ۋە ھۆججەت",
    "observation": "كۆزىتىپ ئۆگىنىش",
    "supervision": "قوبۇل قىلغان نازارەت يېتەكچىلىكى",
}


def install_uyghur_names(apps=None) -> int:
    """Give the default activity types their Uyghur name where it is empty (a name an
    administrator wrote is kept). Returns how many it filled in."""
    if apps is None:
        from django.apps import apps as live_apps

        apps = live_apps
    ActivityType = apps.get_model("practicum", "ActivityType")
    filled = 0
    for code, name_ug in ACTIVITY_TYPE_NAMES_UG.items():
        filled += ActivityType.objects.filter(code=code, name_ug="").update(name_ug=name_ug)
    return filled


def install_defaults(apps=None) -> dict[str, int]:
    """Create the default activity types, requirements and rubric where missing.

    ``apps`` is the migration state's registry in a data migration, else the live one.
    Existing rows (perhaps edited by an administrator) are left as they are.
    """
    if apps is None:
        from django.apps import apps as live_apps

        apps = live_apps
    ActivityType = apps.get_model("practicum", "ActivityType")
    PracticumRequirement = apps.get_model("practicum", "PracticumRequirement")
    ActivityMinimum = apps.get_model("practicum", "ActivityMinimum")
    RubricItem = apps.get_model("practicum", "RubricItem")
    created = {"activity_types": 0, "requirements": 0, "rubric_items": 0}

    types = {}
    for code, name, name_en, kind, supervision, order, description in ACTIVITY_TYPES:
        types[code], made = ActivityType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "service_kind": kind,
                "is_supervision": supervision,
                "sort_order": order,
                "description": description,
            },
        )
        created["activity_types"] += made
    if any(field.name == "name_ug" for field in ActivityType._meta.get_fields()):
        install_uyghur_names(apps)  # not in the migration state before the field was added
    for qualification, (total, direct, supervision, minimums, notes) in REQUIREMENTS.items():
        requirement, made = PracticumRequirement.objects.get_or_create(
            qualification=qualification,
            defaults={
                "total_hours": total,
                "min_direct_hours": direct,
                "min_supervision_hours": supervision,
                "notes": notes,
            },
        )
        if made:
            created["requirements"] += 1
            for order, (code, hours) in enumerate(minimums.items()):
                ActivityMinimum.objects.create(
                    requirement=requirement,
                    activity_type=types[code],
                    min_hours=hours,
                    sort_order=order,
                )
    for order, (code, name, name_en, descriptors) in enumerate(RUBRIC):
        _, made = RubricItem.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "sort_order": (order + 1) * 10,
                **{f"descriptor_{n + 1}": text for n, text in enumerate(descriptors)},
            },
        )
        created["rubric_items"] += made
    return created
