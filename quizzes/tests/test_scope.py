"""One scope for quiz results (``quizzes.permissions.visible_trainees``), through every door.

A supervising expert sees and marks the results of the trainees in their current practicum
placements and of their marking pool; nobody else's. Pages, the API, the gradebook and its
exports, the marking queue, the mark page and the marking service all agree.
"""

import csv
import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts import roles
from audit.models import AuditLog
from courses.models import Cohort, CohortMembership
from practicum.tests.factories import PlacementFactory
from quizzes import permissions, services
from quizzes.models import MarkingAssignment
from quizzes.tests import factories as f
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def submitted_essay(trainee, quiz):
    attempt = services.start_attempt(user=trainee, quiz=quiz)
    services.submit_attempt(
        user=trainee, attempt=attempt, answers={"1": {"text": "先倾听，再商量支持办法。"}}
    )
    attempt.refresh_from_db()
    return attempt


@pytest.fixture
def world(district, other_district, supervisor, other_supervisor):
    """Two supervisors, each with a placed trainee who wrote an essay waiting for marking,
    and a course-only trainee in nobody's scope yet."""
    quiz = f.quiz([f.essay(mark=3)], title="案例测验", pass_mark=60)
    mine = make_user(roles.TRAINEE, username="mine", district=district)
    theirs = make_user(roles.TRAINEE, username="theirs", district=other_district)
    course_only = make_user(roles.TRAINEE, username="course_only", district=district)
    PlacementFactory(trainee=mine, supervisor=supervisor)
    PlacementFactory(trainee=theirs, supervisor=other_supervisor)
    attempts = {user.username: submitted_essay(user, quiz) for user in (mine, theirs, course_only)}
    return {
        "quiz": quiz,
        "mine": mine,
        "theirs": theirs,
        "course_only": course_only,
        "attempts": attempts,
    }


def login(client, user):
    client.logout()
    assert client.login(username=user.username, password=PASSWORD)


def names(queryset):
    return set(queryset.values_list("username", flat=True))


# --- the scope function, per role ------------------------------------------------------


def test_each_role_sees_the_trainees_it_should(
    world, supervisor, coordinator, district_coordinator, administrator, trainee
):
    everyone = {"mine", "theirs", "course_only"}
    assert names(permissions.visible_trainees(supervisor)) == {"mine"}
    assert everyone <= names(permissions.visible_trainees(administrator))
    assert everyone <= names(permissions.visible_trainees(coordinator))
    assert names(permissions.visible_trainees(district_coordinator)) & everyone == {
        "mine",
        "course_only",
    }
    assert not permissions.visible_trainees(trainee).exists()
    own = world["attempts"]["mine"]
    assert list(permissions.visible_attempts(world["mine"])) == [own]


def test_a_supervisor_without_two_factor_sees_nobody(world):
    unsure = make_user(roles.SUPERVISOR, username="no_2fa", two_factor=False)
    PlacementFactory(supervisor=unsure)
    f.assign_for_marking(unsure, world["theirs"])
    assert not permissions.visible_trainees(unsure).exists()
    assert not permissions.markable_slots(unsure).exists()


def test_closing_the_placement_ends_the_supervisors_sight(world, supervisor):
    placement = world["mine"].practicum_placements.get()
    placement.closed_on = timezone.localdate() - datetime.timedelta(days=1)
    placement.save(update_fields=["closed_on"])
    assert not permissions.visible_trainees(supervisor).exists()
    assert not permissions.visible_attempts(supervisor).exists()


def test_coordinators_see_but_do_not_mark(world, coordinator):
    assert permissions.visible_attempts(coordinator).count() == 3
    assert not permissions.markable_slots(coordinator).exists()


# --- every door refuses another supervisor's trainee ------------------------------------


def test_review_page_is_404_for_another_supervisors_trainee(client, world, supervisor):
    login(client, supervisor)
    theirs = world["attempts"]["theirs"]
    mine = world["attempts"]["mine"]
    assert client.get(reverse("quizzes:review", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("quizzes:review", args=[mine.pk])).status_code == 200


def test_mark_page_is_404_for_another_supervisors_trainee(client, world, supervisor):
    login(client, supervisor)
    slot = world["attempts"]["theirs"].slots.get()
    url = reverse("quizzes:mark", args=[slot.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"mark_main": "3", "comment": "越权"}).status_code == 404
    slot.refresh_from_db()
    assert slot.needs_manual and slot.graded_by is None


def test_marking_service_refuses_another_supervisors_trainee(world, supervisor):
    slot = world["attempts"]["theirs"].slots.get()
    with pytest.raises(PermissionDenied):
        services.mark_slot(grader=supervisor, slot=slot, marks={"main": 3})
    slot.refresh_from_db()
    assert slot.mark is None


def test_api_is_404_for_another_supervisors_trainee(api_client, world, supervisor):
    client = api_client.as_user(supervisor)
    theirs = world["attempts"]["theirs"]
    mine = world["attempts"]["mine"]
    assert client.get(f"/api/v1/attempts/{theirs.pk}").status_code == 404
    assert client.get(f"/api/v1/attempts/{mine.pk}").status_code == 200


def test_marking_queue_lists_only_the_supervisors_trainees(client, world, supervisor):
    login(client, supervisor)
    html = client.get(reverse("quizzes:grading_queue")).content.decode()
    assert html.count(">Mark<") == 1
    assert world["mine"].real_name in html
    assert world["theirs"].real_name not in html


def test_gradebook_and_its_exports_hold_only_the_supervisors_trainees(client, world, supervisor):
    login(client, supervisor)
    url = reverse("quizzes:gradebook")
    html = client.get(url).content.decode()
    assert world["mine"].real_name in html
    assert world["theirs"].real_name not in html
    assert world["course_only"].real_name not in html
    response = client.get(url + "?format=csv")
    usernames = {row[0] for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))}
    assert "mine" in usernames and not usernames & {"theirs", "course_only"}
    response = client.get(url + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    usernames = {row[0] for row in sheet.iter_rows(values_only=True)}
    assert "mine" in usernames and not usernames & {"theirs", "course_only"}


def test_gradebook_cohort_filter_outside_the_scope_is_404(client, world, supervisor, district):
    cohort = Cohort.objects.create(
        name="别人的班",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + datetime.timedelta(days=30),
        district=district,
    )
    CohortMembership.objects.create(cohort=cohort, user=world["theirs"])
    login(client, supervisor)
    response = client.get(reverse("quizzes:gradebook") + f"?cohort={cohort.pk}")
    assert response.status_code == 404


def test_administrator_marks_anyone(world, administrator):
    slot = world["attempts"]["course_only"].slots.get()
    services.mark_slot(grader=administrator, slot=slot, marks={"main": 2})
    slot.refresh_from_db()
    assert slot.mark == 2


# --- the marking pool -----------------------------------------------------------------


def test_assigning_a_trainee_grants_and_revoking_removes_access(
    client, world, supervisor, administrator
):
    course_only = world["course_only"]
    slot = world["attempts"]["course_only"].slots.get()
    login(client, supervisor)
    mark_url = reverse("quizzes:mark", args=[slot.pk])
    assert client.get(mark_url).status_code == 404

    assignment, created = services.assign_marking(
        actor=administrator, supervisor=supervisor, trainee=course_only
    )
    assert created
    assert AuditLog.objects.filter(action="quizzes.marking_pool.assign").count() == 1
    assert client.get(mark_url).status_code == 200
    response = client.post(mark_url, {"mark_main": "2", "comment": "论述清楚"})
    assert response.status_code == 302
    slot.refresh_from_db()
    assert slot.mark == 2 and slot.graded_by == supervisor

    services.revoke_marking(actor=administrator, assignment=assignment)
    assert AuditLog.objects.filter(action="quizzes.marking_pool.revoke").count() == 1
    assert not MarkingAssignment.objects.exists()
    assert client.get(mark_url).status_code == 404
    review_url = reverse("quizzes:review", args=[world["attempts"]["course_only"].pk])
    assert client.get(review_url).status_code == 404


def test_assigning_a_cohort_covers_its_members_including_later_ones(
    world, supervisor, administrator, district
):
    cohort = Cohort.objects.create(
        name="课程班",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + datetime.timedelta(days=30),
        district=district,
    )
    services.assign_marking(actor=administrator, supervisor=supervisor, cohort=cohort)
    assert names(permissions.visible_trainees(supervisor)) == {"mine"}
    CohortMembership.objects.create(cohort=cohort, user=world["course_only"])
    assert names(permissions.visible_trainees(supervisor)) == {"mine", "course_only"}


def test_only_administrators_assign_or_revoke(world, supervisor, other_supervisor, coordinator):
    for actor in (supervisor, coordinator):
        with pytest.raises(PermissionDenied):
            services.assign_marking(actor=actor, supervisor=supervisor, trainee=world["theirs"])
    assignment = f.assign_for_marking(other_supervisor, world["course_only"])
    with pytest.raises(PermissionDenied):
        services.revoke_marking(actor=supervisor, assignment=assignment)
    assert MarkingAssignment.objects.count() == 1
    assert not AuditLog.objects.filter(action__startswith="quizzes.marking_pool").exists()


def test_assignment_refuses_wrong_people(world, administrator, supervisor, coordinator):
    with pytest.raises(services.QuizError):
        services.assign_marking(actor=administrator, supervisor=coordinator, trainee=world["mine"])
    with pytest.raises(services.QuizError):
        services.assign_marking(actor=administrator, supervisor=supervisor, trainee=coordinator)
    with pytest.raises(services.QuizError):
        services.assign_marking(actor=administrator, supervisor=supervisor)
    assert not MarkingAssignment.objects.exists()


def test_wagtail_admin_pool_goes_through_the_service(client, world, supervisor, administrator):
    login(client, administrator)
    index = reverse("marking_pool:index")
    assert client.get(index).status_code == 200
    response = client.post(
        reverse("marking_pool:add"),
        {"supervisor": supervisor.pk, "trainee": world["course_only"].pk, "note": "只上课的学员"},
    )
    assert response.status_code == 302
    assignment = MarkingAssignment.objects.get()
    assert assignment.assigned_by == administrator
    assert AuditLog.objects.filter(action="quizzes.marking_pool.assign").count() == 1
    response = client.post(reverse("marking_pool:delete", args=[assignment.pk]))
    assert response.status_code == 302
    assert not MarkingAssignment.objects.exists()
    assert AuditLog.objects.filter(action="quizzes.marking_pool.revoke").count() == 1


def test_wagtail_admin_pool_refuses_supervisors_and_coordinators(
    client, world, supervisor, coordinator
):
    for user in (supervisor, coordinator):
        login(client, user)
        for url in (reverse("marking_pool:index"), reverse("marking_pool:add")):
            response = client.get(url)
            assert response.status_code in (302, 403), (user, url)
            if response.status_code == 302:
                assert response["Location"] == reverse("wagtailadmin_home")
        response = client.post(
            reverse("marking_pool:add"),
            {"supervisor": supervisor.pk, "trainee": world["theirs"].pk},
        )
        assert response.status_code in (302, 403)
    assert not MarkingAssignment.objects.exists()


def test_administrator_finds_answers_nobody_else_marks(client, world, administrator, supervisor):
    login(client, administrator)
    url = reverse("quizzes:grading_queue") + "?unassigned=1"
    html = client.get(url).content.decode()
    assert html.count(">Mark<") == 1
    assert world["course_only"].real_name in html
    assert world["mine"].real_name not in html
    services.assign_marking(
        actor=administrator, supervisor=supervisor, trainee=world["course_only"]
    )
    assert client.get(url).content.decode().count(">Mark<") == 0
    assert client.get(reverse("quizzes:grading_queue")).content.decode().count(">Mark<") == 3


def test_the_nobody_else_filter_is_the_administrators_only(client, world, supervisor):
    login(client, supervisor)
    html = client.get(reverse("quizzes:grading_queue") + "?unassigned=1").content.decode()
    assert html.count(">Mark<") == 1 and world["mine"].real_name in html
