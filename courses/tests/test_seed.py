import io

import pytest
from django.contrib.auth.models import Group
from wagtail.models import GroupPagePermission, Revision, WorkflowPage

from accounts import roles
from courses import seed
from courses.models import Cohort, Course, Enrolment, Lesson, Module, Programme
from courses.moderation import IndependentReviewTask
from tests.factories import make_user

FIXTURE = [
    {
        "slug": "foundation",
        "title": "公共基础课程",
        "title_en": "Foundation courses",
        "qualifications": ["counsellor", "family_educator"],
        "summary": "两个方向共用的基础课程。",
        "courses": [
            {
                "slug": "child-development-basics",
                "title": "儿童发展基础",
                "summary": "儿童发展的一般规律。",
                "objectives": ["说出发展阶段", "识别困境影响"],
                "class_hours": 2,
                "navigation": "free",
                "self_enrol": True,
                "prerequisites": [],
                "modules": [
                    {
                        "title": "发展的阶段",
                        "lessons": [
                            {
                                "title": "三个年龄段",
                                "estimated_minutes": 12,
                                "body": [
                                    ("rich_text", "<p>学龄前、小学、青春期。</p>"),
                                    ("callout", {"kind": "tip", "text": "多观察。"}),
                                    (
                                        "case_study",
                                        {
                                            "title": "小A",
                                            "vignette": "小A，9岁。",
                                            "questions": ["怎么办？"],
                                        },
                                    ),
                                    (
                                        "reflection_prompt",
                                        {"prompt": "你的体会？", "max_length": 500},
                                    ),
                                ],
                            },
                            {
                                "title": "活动设计",
                                "estimated_minutes": 15,
                                "body": [
                                    (
                                        "activity_plan",
                                        {
                                            "title": "情绪温度计",
                                            "objectives": ["认识情绪"],
                                            "age_band": "6–12岁",
                                            "group_size": "8–12人",
                                            "duration_minutes": 60,
                                            "materials": ["卡片"],
                                            "steps": [
                                                {
                                                    "title": "热身",
                                                    "minutes": 10,
                                                    "description": "问好。",
                                                }
                                            ],
                                            "safety_notes": "不追问。",
                                            "debrief_questions": ["学到了什么？"],
                                        },
                                    )
                                ],
                            },
                        ],
                    }
                ],
            }
        ],
    },
    {
        "slug": "counsellor",
        "title": "心理咨询师",
        "title_en": "Psychological counsellor",
        "qualifications": ["counsellor"],
        "summary": "儿童主题活动。",
        "courses": [
            {
                "slug": "beat-the-emotion-monster",
                "title": "我能打败情绪小怪兽",
                "summary": "管理情绪的五个好方法。",
                "objectives": ["认识情绪", "练习方法"],
                "class_hours": 3,
                "navigation": "sequential",
                "self_enrol": True,
                "prerequisites": ["child-development-basics"],
                "modules": [
                    {
                        "title": "单元一",
                        "lessons": [
                            {
                                "title": "认识情绪",
                                "estimated_minutes": 10,
                                "body": [("rich_text", "<p>情绪。</p>")],
                            },
                            {
                                "title": "五个方法",
                                "estimated_minutes": 10,
                                "body": [("rich_text", "<p>方法。</p>")],
                            },
                        ],
                    }
                ],
            }
        ],
    },
]


@pytest.fixture
def built(db):
    from courses.tests.factories import catalogue as make_catalogue

    catalogue = make_catalogue()
    return catalogue, seed.build_curriculum(catalogue, FIXTURE)


def test_curriculum_builds_the_page_tree(built):
    _catalogue, courses = built
    assert list(Programme.objects.values_list("slug", flat=True).order_by("path")) == [
        "foundation",
        "counsellor",
    ]
    course = courses["beat-the-emotion-monster"]
    assert course.class_hours == 3 and course.qualifications == ["counsellor"]
    assert list(Course.objects.filter(required_for=course)) == [courses["child-development-basics"]]
    assert Lesson.objects.live().count() == 4 and Module.objects.count() == 2


def test_lesson_blocks_keep_their_content(built):
    lesson = Lesson.objects.get(title="活动设计")
    plan = lesson.body[0].value
    assert lesson.body[0].block_type == "activity_plan"
    assert plan["steps"][0]["minutes"] == 10 and list(plan["materials"]) == ["卡片"]


def test_building_twice_changes_nothing(built):
    catalogue, _courses = built
    pages, revisions = Lesson.objects.count(), Revision.objects.count()

    seed.build_curriculum(catalogue, FIXTURE)

    assert (Lesson.objects.count(), Revision.objects.count()) == (pages, revisions)


def test_a_changed_title_updates_the_page_in_place(built):
    catalogue, courses = built
    changed = [dict(FIXTURE[0]), FIXTURE[1]]
    changed[0]["courses"] = [dict(FIXTURE[0]["courses"][0], title="儿童发展基础（修订）")]

    seed.build_curriculum(catalogue, changed)

    course = Course.objects.get(pk=courses["child-development-basics"].pk)
    assert course.title == "儿童发展基础（修订）" and Course.objects.count() == 2


def test_reflection_block_ids_are_stable_across_runs(built):
    catalogue, _ = built
    before = Lesson.objects.get(title="三个年龄段").body[3].id
    seed.build_curriculum(catalogue, FIXTURE)
    assert Lesson.objects.get(title="三个年龄段").body[3].id == before


def test_authoring_setup_gives_supervisors_edit_rights_and_an_independent_review(built):
    catalogue, _ = built

    workflow = seed.ensure_authoring_setup(catalogue)
    seed.ensure_authoring_setup(catalogue)

    group = Group.objects.get(name="supervisor")
    codenames = set(
        GroupPagePermission.objects.filter(group=group, page=catalogue).values_list(
            "permission__codename", flat=True
        )
    )
    assert codenames == {"add_page", "change_page"}  # publishing only through the workflow
    assert WorkflowPage.objects.get(page=catalogue).workflow == workflow
    task = workflow.tasks.get().specific
    assert isinstance(task, IndependentReviewTask)
    assert list(task.groups.all()) == [group]
    course = Course.objects.first()
    assert course.get_workflow() == workflow


def test_seed_learners_and_cohort(built):
    _catalogue, courses = built
    trainee = make_user(roles.TRAINEE, username="trainee")
    make_user(roles.COORDINATOR, username="coordinator")

    seed.seed_learners(courses)
    seed.seed_learners(courses)
    seed.seed_cohort(courses)
    seed.seed_cohort(courses)

    enrolment = Enrolment.objects.get(user=trainee, course=courses["child-development-basics"])
    assert enrolment.completed_lessons == 2 and enrolment.completed_at is not None
    cohort = Cohort.objects.get(name=seed.COHORT_NAME)
    assert cohort.coordinator.username == "coordinator"
    assert list(cohort.members.values_list("username", flat=True)) == ["trainee"]
    assert Enrolment.objects.filter(cohort=cohort).count() == 1


def test_seed_scale_command_builds_small_data(db):
    from django.core.management import call_command

    out = io.StringIO()
    call_command(
        "seed_scale",
        "--only",
        "courses",
        "--trainees",
        "12",
        "--courses",
        "3",
        "--lessons",
        "12",
        "--progress",
        "30",
        stdout=out,
    )
    call_command(
        "seed_scale",
        "--only",
        "courses",
        "--trainees",
        "12",
        "--courses",
        "3",
        "--lessons",
        "12",
        "--progress",
        "30",
        stdout=out,
    )

    programme = Programme.objects.get(slug="scale")
    assert Course.objects.child_of(programme).count() == 3
    assert Lesson.objects.descendant_of(programme).count() == 12
    assert Enrolment.objects.filter(user__username__startswith="scale_trainee_").count() >= 12
    from wagtail.models import Page

    assert Page.find_problems() == ([], [], [], [], [])
    lesson = Lesson.objects.descendant_of(programme).first()
    assert lesson.url.endswith("/module-1/lesson-1/")
