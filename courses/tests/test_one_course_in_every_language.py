"""A published translation is the same course, never a second one (issue 16).

A Uyghur translation copies the course's qualifications and prerequisites. Everything that
counts, requires or offers courses reads originals only (``Course.objects.originals()``):
the certification requirements, the reports' course counts, the classes form, the
prerequisites shown, a lecturer's teaching material, the demo seed.
"""

import pytest
from wagtail.models import Locale
from wagtail_localize.operations import translate_object

from courses.models import Course

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def translated(db):
    """A live counsellor course and its published Uyghur translation."""
    course = factories.course(modules=(1,))
    course.qualifications = ["counsellor"]
    factories.publish(course)
    uyghur = Locale.objects.get(language_code="ug")
    translate_object(course, [uyghur])
    translation = course.get_translation(uyghur)
    translation.title = "بالىلارنى قوغداش"
    factories.publish(translation)
    translation.refresh_from_db()
    assert translation.live and translation.qualifications == ["counsellor"]
    return course, translation


def test_originals_leaves_out_translations(translated):
    course, translation = translated
    assert set(Course.objects.live().values_list("pk", flat=True)) >= {course.pk, translation.pk}
    assert list(Course.objects.live().originals().values_list("pk", flat=True)) == [course.pk]


def test_a_translation_is_not_a_second_required_course(translated):
    from certification.integrations import required_courses

    course, _translation = translated
    assert [info.id for info in required_courses("counsellor", [])] == [course.pk]


def test_the_classes_form_offers_each_course_once(translated):
    from classes.forms import TrainingClassForm

    course, _translation = translated
    choices = TrainingClassForm().fields["course"].queryset
    assert list(choices.values_list("pk", flat=True)) == [course.pk]


def test_the_reports_count_each_course_once(translated):
    from reports.selectors import _programme_reference

    course, _translation = translated
    by_code = {code: course_ids for code, _label, course_ids, _exams in _programme_reference()}
    assert by_code["counsellor"] == [course.pk]


def _course_page(client, course, language, query=""):
    client.cookies["django_language"] = language
    return client.get(course.url + query).content.decode()


def test_the_course_page_is_read_in_the_readers_language(client, translated):
    from tests.factories import make_user

    course, translation = translated
    client.force_login(make_user(username="ug_reader"))
    uyghur = _course_page(client, course, "ug")
    assert "بالىلارنى قوغداش" in uyghur and "?original=1" in uyghur
    assert 'lang="ug" dir="rtl"' in uyghur
    chinese = _course_page(client, course, "zh-hans")
    assert course.title in chinese and "بالىلارنى قوغداش" not in chinese
    # The switch to the original is kept per course, as for its lessons.
    original = _course_page(client, course, "ug", "?original=1")
    assert "بالىلارنى قوغداش" not in original and "?original=0" in original


def test_an_untranslated_course_says_so_in_the_readers_language(client, db):
    from tests.factories import make_user

    course = factories.course(modules=(1,))
    client.force_login(make_user(username="ug_reader2"))
    page = _course_page(client, course, "ug")
    assert course.title in page and "content-language-notice" in page
