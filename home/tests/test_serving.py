"""Pages answer at their one address in every interface language (home.serving)."""

import pytest

from courses.tests import factories as course_factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["zh-hans", "ug", "en"])
def test_an_untranslated_course_page_answers_in_every_interface_language(client, trainee, language):
    from wagtail.models import Locale

    course = course_factories.course(title="情绪管理", modules=(1,))
    # The catalogue (and the site root above it) translated and live in Uyghur, the course
    # not: Wagtail alone routed a Uyghur reader through the Uyghur tree, into a 404.
    catalogue = course.get_parent().get_parent().specific
    ug, _ = Locale.objects.get_or_create(language_code="ug")
    translated = catalogue.copy_for_translation(ug, copy_parents=True)
    translated.save_revision().publish()  # the parents above it are live aliases
    client.force_login(trainee)
    client.cookies["django_language"] = language
    response = client.get(course.url)
    assert response.status_code == 200
    assert response.context["page"].pk == course.pk


def test_wagtails_other_front_end_addresses_still_answer(client):
    response = client.get("/_util/login/")
    assert response.status_code == 200
