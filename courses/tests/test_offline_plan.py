"""Saving a course for offline use: what the phone is told to save, and the lesson copies it
fetches (which do not count as opening the lesson)."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from courses import services
from courses.models import LessonProgress

from . import factories

pytestmark = pytest.mark.django_db


def plan(client, course):
    return client.get(f"/api/v1/courses/{course.pk}/offline")


@pytest.fixture
def english(settings, api_client, client):
    from django.utils import translation

    api_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def document(title, name, content, size=None):
    from wagtail.documents import get_document_model

    doc = get_document_model()(title=title, file=ContentFile(content, name=name))
    doc.file_size = size if size is not None else len(content)
    doc.save()
    return doc


def test_an_enrolled_person_gets_open_lessons_to_save_and_the_locked_ones_marked(
    api_client, trainee, course, lessons, enrolled, english
):
    response = plan(api_client.as_user(trainee), course)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["course_id"] == course.pk and data["course_url"] == course.url
    assert [row["id"] for row in data["lessons"]] == [lesson.pk for lesson in lessons]
    assert [row["locked"] for row in data["lessons"]] == [False, True, True]  # sequential
    assert [row["url"] for row in data["lessons"]] == [lesson.url for lesson in lessons]
    assert all(row["revision"].endswith(":en") for row in data["lessons"])
    assert data["documents"] == [] and data["videos"] == []


def test_documents_and_videos_come_with_their_sizes(
    api_client, trainee, course, lessons, enrolled, english
):
    sheet = document("活动记录表", "sheet.pdf", b"%PDF-1.4 sheet", size=2048)
    film = document("示范视频", "demo.mp4", b"\x00\x00\x00\x18ftypmp42", size=12_500_000)
    lesson = lessons[0]
    lesson.body = [
        {"type": "rich_text", "value": "<p>情绪与沟通。</p>"},
        {"type": "document", "value": {"document": sheet.pk, "title": ""}},
        {"type": "video", "value": {"file": film.pk, "embed_url": "", "caption": "示范：开场"}},
    ]
    lesson.save_revision().publish()
    data = plan(api_client.as_user(trainee), course).json()
    assert data["documents"] == [
        {"lesson_id": lesson.pk, "title": "活动记录表", "url": sheet.url, "size": 2048}
    ]
    assert data["videos"] == [
        {"lesson_id": lesson.pk, "title": "示范：开场", "url": film.url, "size": 12_500_000}
    ]


def test_a_newly_published_revision_changes_the_lessons_revision(
    api_client, trainee, course, lessons, enrolled, english
):
    client = api_client.as_user(trainee)
    before = {row["id"]: row["revision"] for row in plan(client, course).json()["lessons"]}
    lesson = lessons[0]
    lesson.body = [{"type": "rich_text", "value": "<p>新的内容。</p>"}]
    lesson.save_revision().publish()
    after = {row["id"]: row["revision"] for row in plan(client, course).json()["lessons"]}
    assert after[lesson.pk] != before[lesson.pk]
    assert after[lessons[1].pk] == before[lessons[1].pk]


def test_the_revision_names_the_language_the_copy_was_saved_in(
    api_client, settings, trainee, course, lessons, enrolled
):
    client = api_client.as_user(trainee)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ug"
    assert plan(client, course).json()["lessons"][0]["revision"].endswith(":ug")


def test_someone_not_enrolled_is_refused(api_client, trainee, course, english):
    response = plan(api_client.as_user(trainee), course)
    assert response.status_code == 403 and response.json()["code"] == "not_enrolled"


def test_nobody_signed_in_is_refused(client, course):
    assert plan(client, course).status_code == 401


def test_the_plan_costs_the_same_queries_for_a_longer_course(
    api_client, trainee, enrolled, django_assert_max_num_queries, english
):
    long_course = factories.course(modules=(6, 6), navigation="free")
    services.enrol(user=trainee, course=long_course)
    sheet = document("活动记录表", "sheet.pdf", b"%PDF-1.4 sheet")
    for lesson in factories.lessons_of(long_course):
        lesson.body = [{"type": "document", "value": {"document": sheet.pk, "title": ""}}]
        lesson.save_revision().publish()
    client = api_client.as_user(trainee)
    plan(client, long_course)  # the outline cached, as on any visit
    with django_assert_max_num_queries(11):
        data = plan(client, long_course).json()
    assert len(data["lessons"]) == 12 and len(data["documents"]) == 12


def test_a_copy_saved_for_offline_does_not_mark_the_lesson_started(
    client, trainee, course, lessons, enrolled
):
    client.force_login(trainee)
    response = client.get(lessons[0].url, headers={"X-Offline-Copy": "1"})
    assert response.status_code == 200
    assert not LessonProgress.objects.filter(user=trainee, lesson=lessons[0]).exists()
    client.get(lessons[0].url)
    assert LessonProgress.objects.filter(user=trainee, lesson=lessons[0]).exists()


def test_the_lesson_offers_its_mark_as_done_form_to_the_offline_client(
    client, trainee, course, lessons, enrolled
):
    client.force_login(trainee)
    html = client.get(lessons[0].url).content.decode()
    assert f'data-offline-complete="{lessons[0].pk}"' in html


def test_the_course_page_offers_saving_only_to_enrolled_people(
    client, trainee, other_trainee, course, enrolled
):
    client.force_login(trainee)
    assert f'data-offline-course="{course.pk}"' in client.get(course.url).content.decode()
    client.force_login(other_trainee)
    assert "data-offline-course" not in client.get(course.url).content.decode()
