import pytest

from audit.models import AuditLog
from courses import services
from courses.models import Enrolment, EnrolmentSource, LessonProgress
from courses.permissions import LearningDenied
from courses.tests import factories
from tests.factories import make_user


def test_self_enrolment_records_source_date_and_audit(trainee, course):
    enrolment, created = services.enrol(user=trainee, course=course)

    assert created and enrolment.source == EnrolmentSource.SELF
    assert enrolment.enrolled_at is not None and enrolment.enrolled_by == trainee
    assert AuditLog.objects.filter(action="courses.enrol", object_id=str(enrolment.pk)).exists()


def test_enrolling_twice_returns_the_same_enrolment(trainee, course):
    first, _ = services.enrol(user=trainee, course=course)
    second, created = services.enrol(user=trainee, course=course)

    assert not created and second.pk == first.pk
    assert Enrolment.objects.filter(user=trainee).count() == 1


def test_self_enrolment_is_refused_when_the_course_does_not_allow_it(trainee):
    closed = factories.course(self_enrol=False)

    with pytest.raises(LearningDenied) as refusal:
        services.enrol(user=trainee, course=closed)
    assert refusal.value.code == "self_enrol_closed"


def test_unpublished_course_cannot_be_enrolled_in(trainee, course):
    course.unpublish()
    course.refresh_from_db()

    with pytest.raises(LearningDenied) as refusal:
        services.enrol(user=trainee, course=course)
    assert refusal.value.code == "not_found"


def test_prerequisites_must_be_complete_before_self_enrolment(trainee):
    first = factories.course(modules=(1,))
    second = factories.course(modules=(1,))
    second.prerequisites.set([first])
    second.save()

    with pytest.raises(LearningDenied) as refusal:
        services.enrol(user=trainee, course=second)
    assert refusal.value.code == "prerequisites_missing"
    assert refusal.value.link_url == first.get_url()

    services.enrol(user=trainee, course=first)
    services.complete_lesson(user=trainee, lesson=factories.lessons_of(first)[0])
    _enrolment, created = services.enrol(user=trainee, course=second)
    assert created


def test_coordinator_may_waive_prerequisites_and_it_is_recorded(coordinator, trainee):
    first = factories.course(modules=(1,))
    second = factories.course(modules=(1,))
    second.prerequisites.set([first])
    second.save()

    with pytest.raises(LearningDenied):
        services.enrol(user=trainee, course=second, actor=coordinator)
    enrolment, _ = services.enrol(
        user=trainee, course=second, actor=coordinator, waive_prerequisites=True
    )

    assert enrolment.source == EnrolmentSource.COORDINATOR and enrolment.prerequisites_waived
    assert enrolment.enrolled_by == coordinator


def test_trainee_cannot_enrol_someone_else(trainee, other_trainee, course):
    with pytest.raises(LearningDenied):
        services.enrol(user=other_trainee, course=course, actor=trainee)
    assert not Enrolment.objects.exists()


def test_district_coordinator_cannot_enrol_people_of_another_district(
    other_district_coordinator, trainee, course
):
    with pytest.raises(LearningDenied) as refusal:
        services.enrol(user=trainee, course=course, actor=other_district_coordinator)
    assert refusal.value.code == "out_of_scope"


def test_district_coordinator_enrols_people_of_their_district(
    district_coordinator, trainee, course
):
    enrolment, created = services.enrol(user=trainee, course=course, actor=district_coordinator)
    assert created and enrolment.user == trainee


def test_coordinator_without_two_factor_is_refused(trainee, course, district):
    from django.core.exceptions import PermissionDenied

    from accounts import roles

    coordinator = make_user(roles.COORDINATOR, username="no2fa", two_factor=False)
    with pytest.raises(PermissionDenied):
        services.enrol(user=trainee, course=course, actor=coordinator)


def test_withdrawal_keeps_progress_and_re_enrolment_resumes(trainee, enrolled, lessons, course):
    services.complete_lesson(user=trainee, lesson=lessons[0])

    services.withdraw(enrolment=enrolled, actor=trainee)
    enrolled.refresh_from_db()
    assert enrolled.withdrawn_at is not None
    with pytest.raises(LearningDenied):
        services.complete_lesson(user=trainee, lesson=lessons[1])

    again, created = services.enrol(user=trainee, course=course)
    assert created and again.pk == enrolled.pk and again.withdrawn_at is None
    assert again.completed_lessons == 1
    assert LessonProgress.objects.filter(user=trainee).count() == 1


def test_withdrawing_twice_changes_nothing(trainee, enrolled):
    first = services.withdraw(enrolment=enrolled, actor=trainee).withdrawn_at
    second = services.withdraw(enrolment=enrolled, actor=trainee).withdrawn_at
    assert first == second
    assert AuditLog.objects.filter(action="courses.withdraw").count() == 1


def test_another_trainee_cannot_withdraw_my_enrolment(other_trainee, enrolled):
    with pytest.raises(LearningDenied):
        services.withdraw(enrolment=enrolled, actor=other_trainee)
