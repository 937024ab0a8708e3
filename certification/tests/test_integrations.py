"""The evaluators wired to the real apps (courses now; quizzes and practicum once committed)."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from certification import integrations, selectors
from certification.models import RequirementKind, RequirementStage
from certification.tests.factories import CertificationTypeFactory, add_requirements

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme_courses(db):
    from courses.models import Course
    from courses.tests import factories

    programme = factories.programme()
    first = factories.course(programme, title="儿童发展基础", modules=(1,))
    second = factories.course(programme, title="团体活动", modules=(1,))
    family_only = factories.course(programme, title="家庭沟通", modules=(1,))
    Course.objects.filter(pk=first.pk).update(class_hours=3)
    Course.objects.filter(pk=family_only.pk).update(qualifications=["family_educator"])
    return [Course.objects.get(pk=c.pk) for c in (first, second, family_only)]


def complete(user, course, when=None):
    from courses.models import Enrolment

    Enrolment.objects.create(user=user, course=course, completed_at=when or timezone.now())


def test_required_courses_are_the_live_courses_targeting_the_qualification(programme_courses):
    first, second, family_only = programme_courses
    courses = integrations.required_courses("counsellor", [])
    assert [c.id for c in courses] == [first.pk, second.pk]
    assert integrations.required_courses("counsellor", [second.pk])[0].title == "团体活动"


def test_courses_requirement_counts_completed_enrolments(trainee, programme_courses):
    first, _second, _family = programme_courses
    certification = add_requirements(CertificationTypeFactory(), RequirementKind.COURSES_COMPLETED)
    complete(trainee, first)
    users = get_user_model().objects.filter(pk=trainee.pk)
    (result,) = selectors.evaluate(certification, users)[trainee.pk]
    assert result.message == "1 of 2 required courses"
    assert result.facts["class_hours"] == 3.0


def test_continuing_education_counts_class_hours_inside_the_window(trainee, programme_courses):
    first, second, family_only = programme_courses
    now = timezone.now()
    complete(trainee, first, now - datetime.timedelta(days=800))
    complete(trainee, second, now - datetime.timedelta(days=10))
    complete(trainee, family_only, now - datetime.timedelta(days=5))
    users = get_user_model().objects.filter(pk=trainee.pk)
    window = {
        trainee.pk: (timezone.localdate() - datetime.timedelta(days=365), timezone.localdate())
    }
    hours = integrations.continuing_education_hours(users, window)
    assert hours[trainee.pk] == Decimal(2 + family_only.class_hours)


def test_renewal_checklist_reads_continuing_education_from_courses(trainee, programme_courses):
    _first, second, _family = programme_courses
    certification = add_requirements(
        CertificationTypeFactory(),
        RequirementKind.CONTINUING_EDUCATION,
        stage=RequirementStage.RENEWAL,
        minimum=Decimal("10"),
    )
    complete(trainee, second, timezone.now() - datetime.timedelta(days=3))
    users = get_user_model().objects.filter(pk=trainee.pk)
    window = {
        trainee.pk: (timezone.localdate() - datetime.timedelta(days=30), timezone.localdate())
    }
    (result,) = selectors.evaluate(
        certification, users, stage=RequirementStage.RENEWAL, windows=window
    )[trainee.pk]
    assert result.message == "2 of 10 continuing-education hours"


def test_cohort_members_and_scope(trainee, other_trainee, district, other_district):
    from courses.models import Cohort, CohortMembership

    cohort = Cohort.objects.create(
        name="2027 吐鲁番心理咨询师第1期",
        starts_on=datetime.date(2027, 3, 1),
        ends_on=datetime.date(2027, 9, 1),
        district=district,
    )
    CohortMembership.objects.create(cohort=cohort, user=trainee)
    assert list(integrations.cohort_members(cohort.pk)) == [trainee]
    assert integrations.cohorts_in_scope(district) == [cohort]
    assert integrations.cohorts_in_scope(other_district) == []


# --- quizzes ------------------------------------------------------------------------


@pytest.fixture
def final_exam(programme_courses):
    from courses.models import Programme
    from quizzes.models import Quiz

    programme = Programme.objects.get(pk=programme_courses[0].get_parent().pk)
    return Quiz.objects.create(title="心理咨询师结业考试", page=programme, pass_mark=60)


def test_final_exam_is_the_quiz_on_the_qualifications_programme(final_exam):
    (quiz,) = integrations.required_quizzes("counsellor", [])
    assert quiz.id == final_exam.pk and quiz.pass_mark == 60
    assert integrations.required_quizzes("family_educator", []) == []


def test_quiz_requirement_reads_grades(trainee, other_trainee, final_exam):
    from quizzes.models import QuizGrade

    certification = add_requirements(CertificationTypeFactory(), RequirementKind.QUIZZES_PASSED)
    QuizGrade.objects.create(quiz=final_exam, user=trainee, grade=72, best_grade=72, passed=True)
    QuizGrade.objects.create(
        quiz=final_exam, user=other_trainee, grade=48, best_grade=55, passed=False
    )
    users = get_user_model().objects.filter(pk__in=[trainee.pk, other_trainee.pk])
    results = selectors.evaluate(certification, users)
    assert results[trainee.pk][0].met
    assert results[trainee.pk][0].message == "心理咨询师结业考试 passed (72)"
    assert not results[other_trainee.pk][0].met
    assert "best 55, pass mark 60" in results[other_trainee.pk][0].message


# --- practicum ----------------------------------------------------------------------


@pytest.fixture
def practicum_defaults(db):
    from practicum.defaults import install_defaults

    install_defaults()


@pytest.fixture
def placement(practicum_defaults, trainee, supervisor):
    from practicum.models import Placement

    return Placement.objects.create(
        trainee=trainee,
        supervisor=supervisor,
        qualification="counsellor",
        start_date=timezone.localdate() - datetime.timedelta(days=90),
    )


def test_practicum_requirement_counts_approved_hours_only(placement, trainee):
    from practicum.models import EntryState
    from practicum.tests.factories import EntryFactory, activity

    EntryFactory(
        placement=placement,
        activity_type=activity("group_counselling"),
        minutes=600,
        state=EntryState.APPROVED,
    )
    EntryFactory(
        placement=placement,
        activity_type=activity("group_counselling"),
        minutes=120,
        state=EntryState.SUBMITTED,
    )
    certification = add_requirements(CertificationTypeFactory(), RequirementKind.PRACTICUM_HOURS)
    users = get_user_model().objects.filter(pk=trainee.pk)
    (result,) = selectors.evaluate(certification, users)[trainee.pk]
    assert not result.met
    assert "Total hours: 10 of 100 hours (2 waiting for review)" in result.message
    assert "Direct service: 10 of 40 hours" in result.message


def test_final_evaluation_states_from_signed_evaluations(placement, trainee, other_trainee):
    from practicum.models import CompetencyEvaluation

    certification = add_requirements(CertificationTypeFactory(), RequirementKind.FINAL_EVALUATION)
    users = get_user_model().objects.filter(pk__in=[trainee.pk, other_trainee.pk])
    results = selectors.evaluate(certification, users)
    assert results[trainee.pk][0].message == "Final evaluation pending"
    CompetencyEvaluation.objects.create(
        placement=placement,
        trainee=trainee,
        supervisor=placement.supervisor,
        qualification="counsellor",
        stage="final",
        passed=False,
        signed_name="陈静",
        signed_at=timezone.now(),
    )
    results = selectors.evaluate(certification, users)
    assert results[trainee.pk][0].state == "missing"
    assert results[other_trainee.pk][0].state == "pending"


def test_whole_engine_on_real_apps_uses_a_fixed_number_of_queries(
    programme_courses, final_exam, practicum_defaults, django_assert_max_num_queries
):
    from accounts import roles
    from tests.factories import make_user

    certification = add_requirements(
        CertificationTypeFactory(),
        RequirementKind.COURSES_COMPLETED,
        RequirementKind.QUIZZES_PASSED,
        RequirementKind.PRACTICUM_HOURS,
        RequirementKind.FINAL_EVALUATION,
    )
    for index in range(3):
        make_user(roles.TRAINEE, username=f"real{index}")
    users = get_user_model().objects.filter(username__startswith="real")
    with django_assert_max_num_queries(40) as few:
        selectors.cohort_eligibility(certification, users)
    for index in range(3, 30):
        make_user(roles.TRAINEE, username=f"real{index}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        rows = selectors.cohort_eligibility(certification, users)
    assert len(rows) == 30


def test_completing_the_last_course_issues_the_certificate_at_once(
    trainee, programme_courses, django_capture_on_commit_callbacks
):
    # Learning says "course completed" by signal; certification hears it and checks the
    # trainee's eligibility then, not at the next nightly run.
    from certification.models import Certificate
    from courses.models import Enrolment
    from courses.signals import course_completed

    first, second, _family = programme_courses
    certification = add_requirements(CertificationTypeFactory(), RequirementKind.COURSES_COMPLETED)
    complete(trainee, first)
    with django_capture_on_commit_callbacks(execute=True):
        course_completed.send(sender=Enrolment, enrolment=Enrolment.objects.get(course=first))
    assert not Certificate.objects.filter(holder=trainee).exists()  # one course still missing

    complete(trainee, second)
    with django_capture_on_commit_callbacks(execute=True):
        course_completed.send(sender=Enrolment, enrolment=Enrolment.objects.get(course=second))
    assert Certificate.objects.get(holder=trainee).certification == certification
