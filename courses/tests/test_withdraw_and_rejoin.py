"""Withdrawing asks first and says what happens; a person who withdrew can always come
back to their course with their progress (issue 17)."""

import datetime

import pytest
from django.urls import reverse

from accounts import roles
from audit.models import AuditLog
from courses import services
from courses.models import Enrolment, EnrolmentSource
from courses.tests import factories
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

DEADLINE = datetime.date(2027, 6, 30)


@pytest.fixture
def assigned(trainee, coordinator):
    """A course with a prerequisite the trainee never took, assigned by a coordinator with
    a deadline and the prerequisite waived; one lesson done."""
    programme = factories.programme()
    first = factories.course(programme, title="基础课程")
    course = factories.course(programme, title="进阶课程", modules=(2,), self_enrol=False)
    course.prerequisites.add(first)
    course.save()
    enrolment, _created = services.enrol(
        user=trainee,
        course=course,
        actor=coordinator,
        deadline=DEADLINE,
        waive_prerequisites=True,
    )
    services.complete_lesson(user=trainee, lesson=factories.lessons_of(course)[0])
    enrolment.refresh_from_db()
    return course, enrolment


def _client(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def test_the_course_page_links_to_a_confirmation_instead_of_withdrawing_at_once(
    client, trainee, assigned
):
    course, _enrolment = assigned
    html = _client(client, trainee).get(course.url).content.decode()
    url = reverse("courses:withdraw", args=[course.pk])
    assert f'href="{url}"' in html
    assert f'action="{url}"' not in html


def test_the_confirmation_says_what_happens_and_changes_nothing(client, trainee, assigned):
    course, enrolment = assigned
    response = _client(client, trainee).get(reverse("courses:withdraw", args=[course.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your progress is kept: 1 of 2 lessons (50%)." in html
    assert "This course has a deadline of 2027-06-30. Withdrawing does not move it." in html
    assert "Your coordinator enrolled you in this course" in html
    assert 'data-testid="confirm-withdraw"' in html
    enrolment.refresh_from_db()
    assert enrolment.withdrawn_at is None


def test_confirming_withdraws(client, trainee, assigned):
    course, enrolment = assigned
    response = _client(client, trainee).post(reverse("courses:withdraw", args=[course.pk]))
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.withdrawn_at is not None


def test_someone_not_enrolled_gets_no_confirmation(client, other_trainee, assigned):
    course, _enrolment = assigned
    response = _client(client, other_trainee).get(reverse("courses:withdraw", args=[course.pk]))
    assert response.status_code == 404


def test_rejoining_is_not_blocked_by_the_prerequisite_or_coordinator_only_enrolment(
    trainee, assigned
):
    course, enrolment = assigned
    services.withdraw(enrolment=enrolment, actor=trainee)

    again, changed = services.enrol(user=trainee, course=course)

    assert changed and again.pk == enrolment.pk and again.withdrawn_at is None
    assert again.completed_lessons == 1 and again.progress_percent == 50
    # What the coordinator set is kept.
    assert again.deadline == DEADLINE
    assert again.source == EnrolmentSource.COORDINATOR
    assert again.prerequisites_waived
    assert AuditLog.objects.filter(action="courses.rejoin", object_id=str(again.pk)).exists()


def test_the_course_page_offers_the_way_back_with_the_kept_progress(client, trainee, assigned):
    course, enrolment = assigned
    services.withdraw(enrolment=enrolment, actor=trainee)
    client = _client(client, trainee)
    html = client.get(course.url).content.decode()
    assert 'data-testid="rejoin"' in html
    assert "Complete these courses before enrolling" not in html
    assert 'aria-valuenow="50"' in html

    response = client.post(reverse("courses:enrol", args=[course.pk]), follow=True)
    assert "Welcome back. You continue where you left off." in response.content.decode()
    assert Enrolment.objects.get(pk=enrolment.pk).withdrawn_at is None


def test_nobody_else_can_rejoin_someone(other_trainee, trainee, assigned):
    from courses.permissions import LearningDenied

    _course, enrolment = assigned
    services.withdraw(enrolment=enrolment, actor=trainee)
    with pytest.raises(LearningDenied):
        services.rejoin(enrolment=enrolment, actor=other_trainee)


def test_an_unpublished_course_cannot_be_rejoined(trainee, assigned):
    from courses.permissions import LearningDenied

    course, enrolment = assigned
    services.withdraw(enrolment=enrolment, actor=trainee)
    course.unpublish()
    with pytest.raises(LearningDenied):
        services.rejoin(enrolment=enrolment, actor=trainee)


def test_a_coordinator_in_scope_can_bring_the_person_back(trainee, district_coordinator, assigned):
    _course, enrolment = assigned
    services.withdraw(enrolment=enrolment, actor=trainee)
    again = services.rejoin(enrolment=enrolment, actor=district_coordinator)
    assert again.withdrawn_at is None


def test_a_coordinator_of_another_district_cannot(trainee, assigned, other_district):
    from courses.permissions import LearningDenied

    _course, enrolment = assigned
    services.withdraw(enrolment=enrolment, actor=trainee)
    outsider = make_user(
        roles.COORDINATOR, username="far_coord", coordinator_district=other_district
    )
    with pytest.raises(LearningDenied):
        services.rejoin(enrolment=enrolment, actor=outsider)
