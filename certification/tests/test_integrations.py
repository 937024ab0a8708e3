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
