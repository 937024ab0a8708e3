"""One course, several languages (issue 16).

Records point at the Chinese original: a lesson completed in Uyghur is the same lesson
completed. The lesson page shows the reader's language where a translation is live,
else the original with a notice, in a fixed number of queries.
"""

import pytest
from django.conf import settings
from wagtail.models import Locale

from courses import selectors, services
from courses.models import Enrolment, LessonProgress

from .test_views import LESSON_PAGE_MAX_QUERIES, _count_queries

pytestmark = pytest.mark.django_db

ORIGINAL = "情绪与沟通"  # in every factory lesson's body
UYGHUR_TITLE = "بالىلارنىڭ ھېسسىياتى"
UYGHUR_BODY = "بالىلار ھېسسىياتىنى ھەر خىل ئۇسۇلدا ئىپادىلەيدۇ."


def translate(page, *, live=True, title=UYGHUR_TITLE, text=UYGHUR_BODY):
    """A Uyghur translation of ``page`` (ancestors copied as aliases by Wagtail)."""
    uyghur = Locale.objects.get(language_code="ug")
    translation = page.copy_for_translation(uyghur, copy_parents=True)
    translation.title = title
    translation.body = [{"type": "rich_text", "value": f"<p>{text}</p>"}]
    translation.save_revision()
    if live:
        translation.get_latest_revision().publish()
    translation.refresh_from_db()
    return translation


def article(client, url) -> str:
    """The lesson's title, notices and body (the outline lists other lessons' titles)."""
    page = client.get(url).content.decode()
    return page[page.index("<h1") : page.index("</article>")]


def uyghur_reader(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ug"


def test_a_lesson_completed_in_uyghur_is_the_same_lesson_completed(trainee, course, lessons):
    services.enrol(user=trainee, course=course)
    translation = translate(lessons[0])
    assert translation.pk != lessons[0].pk

    row = services.complete_lesson(user=trainee, lesson=translation)

    assert row.lesson_id == lessons[0].pk
    assert LessonProgress.objects.filter(user=trainee).count() == 1
    enrolment = Enrolment.objects.get(user=trainee, course=course)
    assert enrolment.completed_lessons == 1
    # Completing the original afterwards is the same lesson: nothing more is counted.
    services.complete_lesson(user=trainee, lesson=lessons[0])
    enrolment.refresh_from_db()
    assert enrolment.completed_lessons == 1


def test_source_page_of_the_original_is_itself(lessons):
    assert selectors.source_page(lessons[0]) is lessons[0]
    assert selectors.source_page(translate(lessons[0], live=False)).pk == lessons[0].pk


def test_a_uyghur_reader_sees_the_live_translation(client, trainee, enrolled, lessons):
    translate(lessons[0])
    uyghur_reader(client, trainee)

    body = article(client, lessons[0].url)

    assert UYGHUR_TITLE in body and UYGHUR_BODY in body
    assert 'dir="rtl"' in body
    assert ORIGINAL not in body
    # Progress is recorded on the original lesson.
    assert LessonProgress.objects.get(user=trainee).lesson_id == lessons[0].pk


def test_a_draft_translation_is_not_shown_and_the_reader_is_told(
    client, trainee, enrolled, lessons
):
    translate(lessons[0], live=False)
    uyghur_reader(client, trainee)

    body = article(client, lessons[0].url)

    assert UYGHUR_BODY not in body and ORIGINAL in body
    assert "content-language-notice" in body


def test_a_chinese_reader_sees_the_original_without_notice(client, trainee, enrolled, lessons):
    translate(lessons[0])
    client.force_login(trainee)

    body = article(client, lessons[0].url)

    assert ORIGINAL in body and UYGHUR_BODY not in body
    assert "content-language-notice" not in body


def test_the_reader_can_switch_to_the_original_per_course(client, trainee, enrolled, lessons):
    translate(lessons[0])
    uyghur_reader(client, trainee)

    body = article(client, lessons[0].url + "?original=1")
    assert ORIGINAL in body and UYGHUR_BODY not in body
    body = article(client, lessons[0].url)  # the choice is remembered
    assert UYGHUR_BODY not in body and "?original=0" in body

    body = article(client, lessons[0].url + "?original=0")
    assert UYGHUR_BODY in body


def test_the_lesson_page_query_count_stays_fixed_with_translations(
    client, trainee, enrolled, lessons, django_assert_max_num_queries
):
    translate(lessons[0])
    uyghur_reader(client, trainee)
    client.get(lessons[0].url)  # the first visit writes "in progress"
    translated = _count_queries(client, lessons[0].url)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    original = _count_queries(client, lessons[0].url)

    assert translated <= original + 1
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ug"
    with django_assert_max_num_queries(LESSON_PAGE_MAX_QUERIES + 1):
        client.get(lessons[0].url)


def test_enrolling_through_a_translation_enrols_in_the_original(trainee, course, lessons):
    translation = translate(lessons[0]).get_parent().get_parent().specific
    assert translation.translation_key == course.translation_key

    enrolment, created = services.enrol(user=trainee, course=translation)

    assert created and enrolment.course_id == course.pk


def test_the_catalogue_lists_each_programme_and_course_once(trainee, course, lessons):
    translate(lessons[0])  # the course, programme and catalogue above become live aliases
    course_translation = course.get_translation(Locale.objects.get(language_code="ug"))
    assert course_translation.live  # an alias of the live course

    rows = selectors.catalogue(trainee)["programmes"]

    listed = [row["course"].pk for entry in rows for row in entry["courses"]]
    assert listed.count(course.pk) == 1 and course_translation.pk not in listed
    assert [entry["programme"].pk for entry in rows].count(course.get_parent().pk) == 1
    assert all(entry["programme"].alias_of_id is None for entry in rows)


def test_uyghur_text_is_searchable_and_finds_the_original(trainee, enrolled, lessons):
    translate(lessons[0])

    results = selectors.search_learning(trainee, "ھېسسىياتىنى")

    assert [(r["kind"], r["page"].pk) for r in results] == [("lesson", lessons[0].pk)]
    # The original's own words still find it once, not twice.
    hits = selectors.search_learning(trainee, lessons[0].title)
    assert [r["page"].pk for r in hits if r["kind"] == "lesson"].count(lessons[0].pk) == 1
