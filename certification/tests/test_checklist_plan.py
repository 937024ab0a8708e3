"""The checklist is a plan (issue 17): each missing course, quiz, hour category and the
evaluation is named, with a link to where it is done; hours are one row and bar each."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from certification import integrations, selectors
from certification.models import RequirementKind
from certification.sources import CourseInfo, PracticumLine, QuizInfo
from certification.tests.factories import ALL_INITIAL, CertificationTypeFactory, add_requirements

pytestmark = pytest.mark.django_db


@pytest.fixture
def counsellor(db):
    return add_requirements(CertificationTypeFactory(), *ALL_INITIAL)


@pytest.fixture
def planned(sources, trainee):
    sources.courses = [
        CourseInfo(1, "儿童发展基础", 3, url="/learn/c/basics/"),
        CourseInfo(2, "伦理、保密与儿童保护", 2, url="/learn/c/ethics/"),
        CourseInfo(3, "团体活动的组织", 4, url="/learn/c/groups/"),
    ]
    sources.quizzes = [QuizInfo(10, "心理咨询师结业考试", 60, url="/quizzes/10/")]
    sources.completed[trainee.pk] = {1: datetime.date(2027, 1, 5)}
    sources.grades[trainee.pk] = {10: (45.0, False)}
    sources.practicum[trainee.pk] = [
        PracticumLine("total", "Total hours", Decimal("30"), Decimal("100"), False, Decimal("6")),
        PracticumLine("direct", "Direct service", Decimal("40"), Decimal("40"), True),
        PracticumLine("supervision", "Supervision received", Decimal("2"), Decimal("10"), False),
    ]
    sources.evaluations[trainee.pk] = "pending"
    return sources


def _page(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("certification:my_certifications"))
    assert response.status_code == 200
    return response.content.decode()


def _steps(html: str, kind: str) -> str:
    start = html.index(f'data-kind="{kind}"')
    following = html.find("data-kind=", start + 10)
    return html[start : following if following != -1 else None]


def test_each_missing_course_is_named_with_a_link_and_the_done_one_is_kept_apart(
    client, trainee, counsellor, planned
):
    part = _steps(_page(client, trainee), "courses_completed")
    missing = part[: part.index("plan-done")]
    assert "伦理、保密与儿童保护" in missing and 'href="/learn/c/ethics/"' in missing
    assert "团体活动的组织" in missing and 'href="/learn/c/groups/"' in missing
    assert "儿童发展基础" not in missing
    done = part[part.index("plan-done") :]
    assert "儿童发展基础" in done and "Completed on 2027-01-05" in done
    assert 'href="/learn/c/basics/"' not in done


def test_the_quiz_not_passed_is_named_with_its_best_score_pass_mark_and_link(
    client, trainee, counsellor, planned
):
    part = _steps(_page(client, trainee), "quizzes_passed")
    assert "心理咨询师结业考试" in part
    assert "Best 45%; the pass mark is 60%" in part
    assert 'href="/quizzes/10/"' in part and "Take the quiz" in part


def test_hours_are_one_row_and_bar_per_category_not_one_joined_line(
    client, trainee, counsellor, planned
):
    part = _steps(_page(client, trainee), "practicum_hours")
    assert ";" not in re.sub(r"<[^>]+>", "", part)  # no semicolon-joined message
    rows = re.findall(r'<li class="plan-step"[^>]*data-state="(\w+)"', part)
    assert rows == ["missing", "met", "missing"]
    assert "30 of 100 hours approved · 6 waiting for review" in part
    assert 'aria-valuenow="30"' in part and 'aria-valuenow="20"' in part
    assert 'style="width: 6%"' in part  # the waiting hours on the same bar
    log = reverse("practicum:my_entries") + "#log-heading"
    assert part.count(f'href="{log}"') == 2  # the two categories still missing


def test_the_final_evaluation_says_who_signs_it_and_where_to_see_the_record(
    client, trainee, counsellor, planned
):
    part = _steps(_page(client, trainee), "final_evaluation")
    assert "Your supervising expert evaluates your competencies" in part
    assert f'href="{reverse("practicum:my_ledger")}"' in part


def test_steps_are_built_only_when_a_page_asks(trainee, counsellor, planned):
    users = get_user_model().objects.filter(pk=trainee.pk)
    results = selectors.evaluate(counsellor, users)[trainee.pk]
    assert all("_steps" not in result.__dict__ for result in results)
    courses = results[0]
    assert [step.label for step in courses.missing_steps] == [
        "伦理、保密与儿童保护",
        "团体活动的组织",
    ]
    assert [step.label for step in courses.met_steps] == ["儿童发展基础"]


def test_the_checklist_query_count_stays_fixed_with_the_plan(
    client, trainee, counsellor, planned, django_assert_max_num_queries
):
    client.force_login(trainee)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("certification:my_certifications")).status_code == 200


# --- the links come from the owning apps ----------------------------------------------


def test_required_courses_and_quizzes_carry_the_pages_where_they_are_done(db):
    from courses.tests import factories
    from quizzes.models import Quiz

    programme = factories.programme()
    course = factories.course(programme, title="儿童发展基础", modules=(1,))
    exam = Quiz.objects.create(title="心理咨询师结业考试", page=programme, pass_mark=60)
    (info,) = integrations.required_courses("counsellor", [])
    assert info.url == course.url
    (quiz,) = integrations.required_quizzes("counsellor", [])
    assert quiz.url == reverse("quizzes:quiz_detail", args=[exam.pk])
    assert integrations.required_courses("counsellor", [course.pk])[0].url == course.url


def test_a_course_that_is_not_live_is_named_without_a_link(db):
    from courses.tests import factories

    course = factories.course(title="停用的课程", modules=(1,))
    course.unpublish()
    (info,) = integrations.required_courses("counsellor", [course.pk])
    assert info.title == "停用的课程" and info.url == ""


def test_continuing_education_is_one_step_with_a_bar_and_a_link_to_the_catalogue(trainee, sources):
    certification = add_requirements(
        CertificationTypeFactory(), RequirementKind.CONTINUING_EDUCATION, minimum=10
    )
    sources.ce_hours[trainee.pk] = Decimal("4")
    users = get_user_model().objects.filter(pk=trainee.pk)
    windows = {trainee.pk: (datetime.date(2027, 1, 1), datetime.date(2027, 12, 31))}
    (result,) = selectors.evaluate(certification, users, windows=windows)[trainee.pk]
    (step,) = result.steps
    assert step.label == result.label and step.detail == result.message
    assert step.percent == 40
    assert step.url == reverse("courses:catalogue")


def test_the_api_gives_the_same_plan(api_client, trainee, counsellor, planned):
    response = api_client.as_user(trainee).get("/api/v1/me/certifications")
    assert response.status_code == 200
    (checklist,) = response.json()
    courses, quizzes, hours, evaluation = checklist["requirements"]
    missing = [step for step in courses["steps"] if step["state"] == "missing"]
    assert [(step["label"], step["url"]) for step in missing] == [
        ("伦理、保密与儿童保护", "/learn/c/ethics/"),
        ("团体活动的组织", "/learn/c/groups/"),
    ]
    assert quizzes["steps"][0]["url"] == "/quizzes/10/"
    assert [step["percent"] for step in hours["steps"]] == [30, 100, 20]
    assert hours["steps"][0]["pending_percent"] == 6
    assert evaluation["steps"][0]["state"] == "pending"
