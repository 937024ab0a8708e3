"""Course content in several languages (issue 16): Wagtail i18n with wagtail-localize.

Translating or syncing a translation never publishes it: it goes live through the same
review as the source.
"""

import pytest
from wagtail.models import Locale
from wagtail_localize.models import TranslationSource
from wagtail_localize.operations import translate_object

from courses.models import Lesson

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_lesson(db):
    course = factories.course(modules=(1,))
    lesson = Lesson.objects.child_of(course.get_children().first()).first()
    return factories.publish(lesson)


def test_content_locales_are_chinese_uyghur_and_english():
    codes = set(Locale.objects.values_list("language_code", flat=True))
    assert {"zh-hans", "ug", "en"} <= codes
    assert Locale.get_default().language_code == "zh-hans"


def test_translating_a_live_lesson_makes_a_draft(live_lesson):
    uyghur = Locale.objects.get(language_code="ug")
    translate_object(live_lesson, [uyghur])
    translation = live_lesson.get_translation(uyghur)
    assert translation.translation_key == live_lesson.translation_key
    assert translation.live is False
    # The module above is made as an alias of the source (structure, not a translation);
    # learners are never served aliases (see courses.selectors).
    assert live_lesson.get_parent().get_translation(uyghur).alias_of_id is not None


def test_syncing_from_the_source_does_not_publish(live_lesson):
    uyghur = Locale.objects.get(language_code="ug")
    translate_object(live_lesson, [uyghur])
    live_lesson.title = "儿童保护（修订）"
    factories.publish(live_lesson)
    source, _created = TranslationSource.update_or_create_from_instance(live_lesson)
    for translation in source.translations.filter(enabled=True):
        translation.save_target(publish=False)
    translation = Lesson.objects.get(translation_key=live_lesson.translation_key, locale=uyghur)
    assert translation.live is False
    assert translation.has_unpublished_changes


def test_a_translator_cannot_publish_by_updating_translations(client, live_lesson):
    from django.contrib.auth.models import Group
    from django.urls import reverse

    from courses import seed
    from courses.translation import TRANSLATOR_GROUP
    from tests.factories import PASSWORD, make_user

    seed.ensure_authoring_setup(factories.catalogue())
    translator = make_user(username="t_translator")
    translator.groups.add(Group.objects.get(name=TRANSLATOR_GROUP))
    uyghur = Locale.objects.get(language_code="ug")
    translate_object(live_lesson, [uyghur])
    source = TranslationSource.objects.get_for_instance(live_lesson)
    assert client.login(username=translator.username, password=PASSWORD)
    url = reverse("wagtail_localize:update_translations", args=[source.pk])

    response = client.post(url, {"publish_translations": "on"})

    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"] == reverse("wagtailadmin_home")
    translation = Lesson.objects.get(translation_key=live_lesson.translation_key, locale=uyghur)
    assert translation.live is False
    # Without "publish immediately" the same translator may sync: a draft again.
    response = client.post(url, {})
    assert response.status_code == 302
    assert response["Location"] != reverse("wagtailadmin_home")
    translation.refresh_from_db()
    assert translation.live is False
