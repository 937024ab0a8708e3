import pytest

from courses import services
from courses.models import Enrolment, LessonProgress
from courses.tests import factories


def test_courses_require_authentication(client, course):
    response = client.get("/api/v1/courses")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_course_list_filters_by_programme(api_client, trainee, course):
    other = factories.course(parent=factories.programme(slug="family-education"))
    api = api_client.as_user(trainee)

    everything = api.get("/api/v1/courses").json()
    filtered = api.get("/api/v1/courses?programme=family-education").json()

    assert {row["id"] for row in everything} == {course.pk, other.pk}
    assert [row["id"] for row in filtered] == [other.pk]
    assert filtered[0]["programme"] == "family-education" and filtered[0]["lesson_count"] == 2


def test_course_list_has_a_fixed_query_count(
    api_client, trainee, course, django_assert_max_num_queries
):
    api = api_client.as_user(trainee)
    api.get("/api/v1/courses")
    for _ in range(3):
        factories.course(parent=course.get_parent().specific)
    api.get("/api/v1/courses")
    with django_assert_max_num_queries(8):
        assert len(api.get("/api/v1/courses").json()) == 4


def test_course_detail_hides_lessons_until_enrolled(api_client, trainee, course):
    api = api_client.as_user(trainee)

    before = api.get(f"/api/v1/courses/{course.pk}").json()
    services.enrol(user=trainee, course=course)
    after = api.get(f"/api/v1/courses/{course.pk}").json()

    assert before["modules"] is None and before["enrolment"] is None
    assert before["objectives"] == ["目标一", "目标二"]
    lessons = [lesson for module in after["modules"] for lesson in module["lessons"]]
    assert [lesson["locked"] for lesson in lessons] == [False, True, True]
    assert lessons[1]["url"] is None
    assert after["enrolment"]["next_lesson"]["id"] == lessons[0]["id"]


def test_course_detail_of_an_unpublished_course_is_404(api_client, trainee, course):
    course.unpublish()
    response = api_client.as_user(trainee).get(f"/api/v1/courses/{course.pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_enrol_creates_then_returns_the_same_enrolment(api_client, trainee, course):
    api = api_client.as_user(trainee)

    first = api.post(f"/api/v1/courses/{course.pk}/enrol", content_type="application/json")
    second = api.post(f"/api/v1/courses/{course.pk}/enrol", content_type="application/json")

    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["source"] == "self"


def test_enrol_refused_when_self_enrolment_is_closed(api_client, trainee):
    closed = factories.course(self_enrol=False)
    response = api_client.as_user(trainee).post(
        f"/api/v1/courses/{closed.pk}/enrol", content_type="application/json"
    )
    assert response.status_code == 403 and response.json()["code"] == "self_enrol_closed"


def test_enrol_refused_with_missing_prerequisites_and_a_link(api_client, trainee, course):
    later = factories.course(parent=course.get_parent().specific)
    later.prerequisites.set([course])
    later.save()

    response = api_client.as_user(trainee).post(
        f"/api/v1/courses/{later.pk}/enrol", content_type="application/json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "prerequisites_missing"
    assert response.json()["link"] == course.get_url()


def test_coordinator_enrols_someone_by_username(api_client, coordinator, trainee, course):
    response = api_client.as_user(coordinator).post(
        f"/api/v1/courses/{course.pk}/enrol",
        {"username": trainee.username, "deadline": "2027-06-30"},
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    enrolment = Enrolment.objects.get(user=trainee)
    assert enrolment.source == "coordinator" and str(enrolment.deadline) == "2027-06-30"


def test_trainee_cannot_enrol_someone_else(api_client, trainee, other_trainee, course):
    response = api_client.as_user(trainee).post(
        f"/api/v1/courses/{course.pk}/enrol",
        {"username": other_trainee.username},
        content_type="application/json",
    )
    assert response.status_code == 403 and not Enrolment.objects.exists()


def test_enrolling_an_unknown_person_is_404(api_client, coordinator, course):
    response = api_client.as_user(coordinator).post(
        f"/api/v1/courses/{course.pk}/enrol",
        {"username": "nobody"},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_my_enrolments_lists_progress_percent(api_client, trainee, enrolled, lessons):
    services.complete_lesson(user=trainee, lesson=lessons[0])

    rows = api_client.as_user(trainee).get("/api/v1/me/enrolments").json()

    assert rows[0]["progress_percent"] == 33 and rows[0]["completed_lessons"] == 1
    assert rows[0]["next_lesson"]["id"] == lessons[1].pk and rows[0]["lesson_count"] == 3


def test_my_enrolments_leaves_out_withdrawn_courses(api_client, trainee, enrolled):
    services.withdraw(enrolment=enrolled, actor=trainee)
    assert api_client.as_user(trainee).get("/api/v1/me/enrolments").json() == []


def test_complete_lesson_returns_progress_and_next_lesson(api_client, trainee, enrolled, lessons):
    response = api_client.as_user(trainee).post(f"/api/v1/lessons/{lessons[0].pk}/complete")

    data = response.json()
    assert response.status_code == 200
    assert data["status"] == "complete" and data["progress_percent"] == 33
    assert data["next_lesson"]["id"] == lessons[1].pk


def test_completing_twice_through_the_api_changes_nothing(api_client, trainee, enrolled, lessons):
    api = api_client.as_user(trainee)
    first = api.post(f"/api/v1/lessons/{lessons[0].pk}/complete").json()
    second = api.post(f"/api/v1/lessons/{lessons[0].pk}/complete").json()
    assert first["completed_at"] == second["completed_at"]
    assert LessonProgress.objects.count() == 1


def test_complete_locked_lesson_is_403_lesson_locked(api_client, trainee, enrolled, lessons):
    response = api_client.as_user(trainee).post(f"/api/v1/lessons/{lessons[1].pk}/complete")
    assert response.status_code == 403
    assert response.json()["code"] == "lesson_locked"
    assert response.json()["link"] == lessons[0].get_url()


def test_complete_without_enrolment_is_403_not_enrolled(api_client, trainee, lessons):
    response = api_client.as_user(trainee).post(f"/api/v1/lessons/{lessons[0].pk}/complete")
    assert response.status_code == 403 and response.json()["code"] == "not_enrolled"


def test_complete_quiz_lesson_by_hand_is_403_quiz_required(api_client, trainee, course, enrolled):
    module = course.get_children().last().specific
    quiz_lesson = factories.lesson(module, requires_quiz_pass=True, slug="quiz-lesson")
    free = factories.course(modules=(0,), navigation="free")
    free_module = free.get_children().first().specific
    free_quiz_lesson = factories.lesson(free_module, requires_quiz_pass=True)
    services.enrol(user=trainee, course=free)

    response = api_client.as_user(trainee).post(f"/api/v1/lessons/{free_quiz_lesson.pk}/complete")

    assert response.status_code == 403 and response.json()["code"] == "quiz_required"
    assert quiz_lesson.pk


def test_complete_unknown_lesson_is_404(api_client, trainee):
    response = api_client.as_user(trainee).post("/api/v1/lessons/999999/complete")
    assert response.status_code == 404


def test_withdraw_endpoint(api_client, trainee, enrolled, course):
    response = api_client.as_user(trainee).post(f"/api/v1/courses/{course.pk}/withdraw")
    assert response.status_code == 200 and response.json()["withdrawn_at"]
    again = api_client.as_user(trainee).post(f"/api/v1/courses/{course.pk}/withdraw")
    assert again.status_code == 404 and again.json()["code"] == "not_enrolled"


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "/api/v1/me/enrolments"),
        ("post", "/api/v1/lessons/1/complete"),
        ("post", "/api/v1/courses/1/enrol"),
    ],
)
def test_endpoints_refuse_anonymous_callers(client, db, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 401


def _enrol_as(client, course, username):
    return client.post(
        f"/api/v1/courses/{course.pk}/enrol",
        {"username": username},
        content_type="application/json",
    )


def test_enrolling_others_answers_the_same_whether_the_account_exists(
    api_client, trainee, other_trainee, course
):
    """No account-existence oracle: the refusal comes before anyone is looked up."""
    client = api_client.as_user(trainee)
    existing = _enrol_as(client, course, other_trainee.username)
    unknown = _enrol_as(client, course, "nobody-at-all")
    by_email = _enrol_as(client, course, other_trainee.email)
    assert existing.status_code == unknown.status_code == by_email.status_code == 403
    assert existing.json() == unknown.json() == by_email.json()
    assert not Enrolment.objects.exists()


def test_a_district_coordinator_cannot_tell_an_account_outside_the_district_exists(
    api_client, other_district_coordinator, trainee, course
):
    client = api_client.as_user(other_district_coordinator)
    outside = _enrol_as(client, course, trainee.username)
    unknown = _enrol_as(client, course, "nobody-at-all")
    assert outside.status_code == unknown.status_code == 404
    assert outside.json() == unknown.json()
    assert not Enrolment.objects.exists()


def test_an_enrolment_deadline_beyond_the_planning_horizon_is_refused(
    api_client, coordinator, trainee, course
):
    response = api_client.as_user(coordinator).post(
        f"/api/v1/courses/{course.pk}/enrol",
        {"username": trainee.username, "deadline": "9999-12-31"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "deadline" in response.json()["errors"]
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize("course_id", [2**63, 2**70, -1, 0])
def test_an_id_out_of_range_is_a_422_not_a_server_error(api_client, trainee, course_id):
    response = api_client.as_user(trainee).get(f"/api/v1/courses/{course_id}")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"
