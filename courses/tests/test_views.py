from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses import services
from courses.models import Enrolment, LessonProgress
from courses.tests import factories

LESSON_PAGE_MAX_QUERIES = 8
MY_LEARNING_MAX_QUERIES = 6


def test_catalogue_lists_published_courses(client, trainee, course):
    hidden = factories.course(parent=course.get_parent().specific, title="未发布的课程")
    hidden.unpublish()
    client.force_login(trainee)

    body = client.get("/learn/").content.decode()

    assert course.title in body and "未发布的课程" not in body


def test_course_page_shows_summary_but_not_lessons_before_enrolment(
    client, trainee, course, lessons
):
    client.force_login(trainee)

    body = client.get(course.url).content.decode()

    assert course.summary in body
    assert lessons[0].url not in body
    assert f"/learn/courses/{course.pk}/enrol/" in body


def test_enrol_button_enrols_and_shows_the_first_lesson(client, trainee, course, lessons):
    client.force_login(trainee)

    response = client.post(f"/learn/courses/{course.pk}/enrol/", follow=True)

    body = response.content.decode()
    assert response.status_code == 200 and lessons[0].url in body
    assert 'aria-valuenow="0"' in body


def test_lesson_of_a_course_not_enrolled_in_answers_403_with_a_link(
    client, trainee, lessons, course
):
    client.force_login(trainee)

    response = client.get(lessons[0].url)

    assert response.status_code == 403
    body = response.content.decode()
    assert 'data-code="not_enrolled"' in body and f'href="{course.url}"' in body


def test_locked_lesson_answers_403_saying_what_unlocks_it(client, trainee, enrolled, lessons):
    client.force_login(trainee)

    response = client.get(lessons[1].url)

    assert response.status_code == 403
    body = response.content.decode()
    assert 'data-code="lesson_locked"' in body
    assert lessons[0].title in body and f'href="{lessons[0].url}"' in body


def test_anonymous_visitor_is_sent_to_log_in_from_a_lesson(client, lessons):
    response = client.get(lessons[0].url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_lesson_page_shows_position_and_marks_it_in_progress(client, trainee, enrolled, lessons):
    client.force_login(trainee)

    body = client.get(lessons[0].url).content.decode()

    assert "1" in body and "3" in body and "Mark as done" in body or "标记" in body
    assert LessonProgress.objects.get(user=trainee, lesson=lessons[0]).status == "in_progress"


def test_mark_done_moves_progress_and_goes_to_the_next_lesson(client, trainee, enrolled, lessons):
    client.force_login(trainee)

    response = client.post(f"/learn/lessons/{lessons[0].pk}/complete/")

    assert response.status_code == 302 and response["Location"] == lessons[1].url
    enrolled.refresh_from_db()
    assert enrolled.progress_percent == 33
    assert 'aria-valuenow="33"' in client.get(lessons[1].url).content.decode()


def test_mark_done_on_a_locked_lesson_is_refused(client, trainee, enrolled, lessons):
    client.force_login(trainee)

    response = client.post(f"/learn/lessons/{lessons[2].pk}/complete/")

    assert response.status_code == 403
    assert not LessonProgress.objects.filter(status="complete").exists()


def test_mark_done_requires_post(client, trainee, enrolled, lessons):
    client.force_login(trainee)
    assert client.get(f"/learn/lessons/{lessons[0].pk}/complete/").status_code == 405


def test_reflection_answer_is_shown_back_on_the_lesson(client, trainee, enrolled, lessons):
    client.force_login(trainee)
    client.post(
        f"/learn/lessons/{lessons[0].pk}/reflection/",
        {"block_id": factories.REFLECTION_BLOCK_ID, "text": "我的体会", "shared": "on"},
    )

    body = client.get(lessons[0].url).content.decode()

    assert "我的体会" in body and "checked" in body


def test_supervisor_reads_lessons_without_enrolling(client, supervisor, lessons):
    client.force_login(supervisor)
    assert client.get(lessons[2].url).status_code == 200


def test_my_learning_shows_progress_next_lesson_and_deadline(client, trainee, enrolled, lessons):
    import datetime

    services.complete_lesson(user=trainee, lesson=lessons[0])
    Enrolment.objects.filter(pk=enrolled.pk).update(deadline=datetime.date(2027, 6, 30))
    client.force_login(trainee)

    body = client.get("/learn/my/").content.decode()

    assert 'aria-valuenow="33"' in body and lessons[1].url in body and "2027-06-30" in body


def test_my_learning_needs_log_in(client):
    assert client.get("/learn/my/").status_code == 302


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_lesson_page_query_count_does_not_grow_with_course_length(
    client, trainee, django_assert_max_num_queries
):
    short = factories.course(modules=(2,), navigation="free")
    long = factories.course(modules=(6, 6, 6), navigation="free")
    for course in (short, long):
        services.enrol(user=trainee, course=course)
        for lesson in factories.lessons_of(course)[:-1]:
            services.complete_lesson(user=trainee, lesson=lesson)
    client.force_login(trainee)
    short_url = factories.lessons_of(short)[-1].url
    long_url = factories.lessons_of(long)[-1].url
    client.get(short_url), client.get(long_url)  # first visit writes "in progress"

    assert _count_queries(client, short_url) == _count_queries(client, long_url)
    with django_assert_max_num_queries(LESSON_PAGE_MAX_QUERIES):
        client.get(long_url)


def test_lesson_page_cold_cache_is_also_bounded(
    client, trainee, enrolled, lessons, django_assert_max_num_queries
):
    from django.core.cache import cache

    client.force_login(trainee)
    client.get(lessons[0].url)  # the first visit records "in progress"
    cache.clear()
    with django_assert_max_num_queries(LESSON_PAGE_MAX_QUERIES + 4):
        client.get(lessons[0].url)


def test_my_learning_query_count_does_not_grow_with_enrolments(
    client, trainee, django_assert_max_num_queries
):
    client.force_login(trainee)
    programme = factories.programme()
    first = factories.course(parent=programme, modules=(2,))
    services.enrol(user=trainee, course=first)
    client.get("/learn/my/")  # warm the outline cache
    one = _count_queries(client, "/learn/my/")
    for _ in range(4):
        services.enrol(user=trainee, course=factories.course(parent=programme, modules=(3,)))
    client.get("/learn/my/")  # warm the outline cache for the new courses

    assert _count_queries(client, "/learn/my/") == one
    with django_assert_max_num_queries(MY_LEARNING_MAX_QUERIES):
        client.get("/learn/my/")


def test_lesson_page_weighs_under_150_kb_with_css_and_js(client, trainee, enrolled, lessons):
    from django.contrib.staticfiles import finders

    client.force_login(trainee)
    html = client.get(lessons[0].url).content.decode()
    total = len(html.encode())
    import re

    for asset in re.findall(r'(?:href|src)="/static/([^"]+\.(?:css|js))"', html):
        path = finders.find(asset)
        assert path, asset
        with open(path, "rb") as handle:
            total += len(handle.read())
    assert total < 150 * 1024
