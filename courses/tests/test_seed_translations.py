"""The seed's Uyghur translations (issue 16): drafts awaiting a native speaker's review."""

import re

import pytest
from wagtail.models import Locale, Page, WorkflowPage

from accounts import roles
from courses import seed, selectors
from courses.curriculum import ETHICS, PROGRAMMES
from courses.models import Course, Lesson, Module, NativeReview
from courses.native_review import clear_review
from courses.seed_translations import (
    BRING_LOVE_HOME,
    CAPABLE_CITIZEN,
    EMOTION_MONSTER,
    UYGHUR,
    seed_translations,
)
from courses.translation import ensure_translators
from tests.factories import make_user

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


# --- Two children's theme activities and one caregiver course -----------------------

SESSION_COURSES = (CAPABLE_CITIZEN, EMOTION_MONSTER, BRING_LOVE_HOME)


@pytest.fixture
def session_courses(db):
    """The three courses as the demo seed builds them (prerequisites left out)."""
    wanted = []
    for programme in PROGRAMMES:
        chosen = [
            {**course, "prerequisites": []}
            for course in programme["courses"]
            if course["slug"] in SESSION_COURSES
        ]
        if chosen:
            wanted.append({**programme, "courses": chosen})
    return seed.build_curriculum(factories.catalogue(), wanted)


def test_two_activities_and_a_caregiver_course_are_translated_as_drafts(session_courses):
    # per course: the course, three modules, the introduction and the case-study lessons
    assert seed_translations(session_courses) == 3 * 6

    for slug in SESSION_COURSES:
        texts = UYGHUR[slug]
        course, draft = draft_of(session_courses[slug])
        assert course.live is False and draft.title == texts["title"]
        assert draft.objectives.splitlines() == texts["objectives"]
        modules = list(Module.objects.child_of(session_courses[slug]).order_by("path"))
        assert len(modules) == 3
        intro, plan, case = (Lesson.objects.child_of(module).get() for module in modules)
        for lesson in (intro, case):
            translation, draft = draft_of(lesson)
            assert translation.live is False
            assert [block.id for block in draft.body] == [block.id for block in lesson.body]
        # The activity plan stays visibly untranslated.
        assert plan.get_translation_or_none(uyghur()) is None

    intro = Lesson.objects.descendant_of(session_courses[EMOTION_MONSTER]).order_by("path")[0]
    draft = draft_of(intro)[1]
    assert "ھېسسىيات مېنى يوقلاپ كەلگەن مېھمان" in str(draft.body[0].value)
    assert draft.body[1].value["kind"] == "warning"
    assert draft.body[1].value["text"].startswith("بالىلارغا كۈچلۈك قورقۇنچ")
    case = Lesson.objects.descendant_of(session_courses[BRING_LOVE_HOME]).order_by("path")[2]
    original = case.body[0].value
    draft = draft_of(case)[1]
    study = draft.body[0].value
    assert study["title"] == "«ئاتا-ئاناڭنىڭ ئەجرىنى ئاقلامسەن؟»"
    assert (
        list(study["questions"])
        == UYGHUR[BRING_LOVE_HOME]["modules"][2]["lessons"][0]["body"][0]["questions"]
    )
    # list items keep their ids, so the blocks are the same blocks in both languages
    assert [item.id for item in study["questions"].bound_blocks] == [
        item.id for item in original["questions"].bound_blocks
    ]
    assert draft.body[2].value["prompt"].startswith("بالىلار بىلەن بىللە")
    assert draft.body[2].value["max_length"] == case.body[2].value["max_length"]
    # No Chinese left in what was translated.
    assert not re.search(r"[\u4e00-\u9fff]", str(study["vignette"]) + str(draft.body[1].value))


def test_every_translated_page_is_flagged_for_a_native_speaker(session_courses):
    seed_translations(session_courses)
    translated = Page.objects.filter(locale=uyghur(), alias_of__isnull=True)

    assert translated.count() == 18
    flagged = NativeReview.objects.filter(reviewed_at__isnull=True)
    assert set(flagged.values_list("page_id", flat=True)) == set(
        translated.values_list("pk", flat=True)
    )
    # The originals are not flagged.
    assert not NativeReview.objects.filter(page__locale__language_code="zh-hans").exists()


def test_a_cleared_flag_stays_cleared_on_a_reseed(session_courses):
    seed_translations(session_courses)
    course = session_courses[CAPABLE_CITIZEN].get_translation(uyghur())
    editor = make_user(roles.SUPERVISOR, username="ug_reviewer", is_superuser=True)
    clear_review(page=course, actor=editor)

    assert seed_translations(session_courses) == 0
    review = NativeReview.objects.get(page=course)
    assert review.reviewed_at is not None


def test_an_earlier_seeds_translation_gets_its_flag(ethics):
    seed_translations({ETHICS: ethics})
    NativeReview.objects.all().delete()  # as a site seeded before the flag existed

    assert seed_translations({ETHICS: ethics}) == 0

    assert NativeReview.objects.filter(reviewed_at__isnull=True).count() == 5


def test_the_seeds_uyghur_lesson_once_published_is_found_by_search_as_its_original(
    client, session_courses, trainee
):
    from courses import services

    seed_translations(session_courses)
    course = session_courses[EMOTION_MONSTER]
    intro = Lesson.objects.descendant_of(course).order_by("path").first()
    services.enrol(user=trainee, course=course)
    client.force_login(trainee)
    word = "تېرمومېتىرى"  # "thermometer", only in the Uyghur introduction's text
    assert word in UYGHUR[EMOTION_MONSTER]["modules"][0]["lessons"][0]["body"][0]

    # A draft awaiting review is not found.
    assert intro.url not in client.get("/learn/search/", {"q": word}).content.decode()

    translation = intro.get_translation(uyghur())
    translation.get_latest_revision().publish()
    page = client.get("/learn/search/", {"q": word}).content.decode()

    assert f'href="{intro.url}"' in page  # the original, at its one address
    translation.refresh_from_db()
    assert translation.url_path not in page
    hits = selectors.search_learning(trainee, word)
    assert [(hit["kind"], hit["page"].pk) for hit in hits] == [("lesson", intro.pk)]
