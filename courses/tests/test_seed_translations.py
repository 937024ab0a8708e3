"""The seed's Uyghur translation of the ethics course (issue 16): drafts awaiting review."""

import pytest
from wagtail.models import Locale, WorkflowPage

from courses import seed
from courses.curriculum import ETHICS
from courses.models import Course, Lesson, Module
from courses.seed_translations import UYGHUR, seed_translations
from courses.translation import ensure_translators

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def ethics(db):
    return factories.course(slug=ETHICS, modules=(2, 1), reflection_limit=200)


def uyghur():
    return Locale.objects.get(language_code="ug")


def draft_of(page):
    translation = page.get_translation(uyghur())
    return translation, translation.get_latest_revision_as_object()


def test_the_ethics_course_is_translated_as_unpublished_drafts(ethics):
    assert seed_translations({ETHICS: ethics}) == 5  # course, 2 modules, 2 lessons

    texts = UYGHUR[ETHICS]
    course, draft = draft_of(ethics)
    assert course.live is False and draft.title == texts["title"]
    assert draft.summary == texts["summary"]
    modules = list(Module.objects.child_of(ethics).order_by("path"))
    for module, module_texts in zip(modules, texts["modules"], strict=True):
        translation, draft = draft_of(module)
        assert translation.live is False and draft.title == module_texts["title"]
        assert translation.alias_of_id is None
    first, second = Lesson.objects.child_of(modules[0]).order_by("path")
    translation, draft = draft_of(first)
    assert translation.live is False
    assert draft.title == texts["modules"][0]["lessons"][0]["title"]
    assert [block.id for block in draft.body] == [block.id for block in first.body]
    assert "مۇلازىمەت قىلىدىغان بالىلار" in str(draft.body[0].value)
    assert draft.body[1].block_type == "reflection_prompt"  # untranslated blocks kept
    assert draft_of(second)[1].title == texts["modules"][0]["lessons"][1]["title"]
    # The second module's lesson stays visibly untranslated.
    untranslated = Lesson.objects.child_of(modules[1]).get()
    assert untranslated.get_translation_or_none(uyghur()) is None


def test_a_reseed_does_not_overwrite_translations(ethics):
    seed_translations({ETHICS: ethics})
    lesson = Lesson.objects.descendant_of(ethics).order_by("path").first()
    translation = lesson.get_translation(uyghur())
    revisions = translation.revisions.count()

    assert seed_translations({ETHICS: ethics}) == 0
    assert translation.revisions.count() == revisions


def test_translations_go_through_the_review_workflow(ethics):
    seed_translations({ETHICS: ethics})
    catalogue = factories.catalogue()
    ensure_translators(catalogue)
    uyghur_catalogue = catalogue.get_translation(uyghur())
    assert WorkflowPage.objects.filter(page=uyghur_catalogue).exists()
    translation = Course.objects.get(translation_key=ethics.translation_key, locale=uyghur())
    assert translation.get_workflow() is not None
    assert seed.ensure_catalogue().pk == catalogue.pk
