"""The seed's Uyghur translations of the ethics course's quiz questions (issue 16)."""

import pytest
from django.conf import settings
from wagtail.models import Locale
from wagtail_localize.models import StringTranslation

from courses.tests import factories as course_factories
from quizzes import seed
from quizzes.models import Question, TranslationReview
from quizzes.seed_translations import ETHICS_COURSE_SLUG, ethics_quiz_questions

pytestmark = pytest.mark.django_db


def test_the_ethics_quiz_questions_are_translated_awaiting_review_once():
    programme = course_factories.programme(slug="foundation")
    course_factories.course(programme, slug=ETHICS_COURSE_SLUG, modules=(1,))
    seed.seed()
    uyghur = Locale.objects.get(language_code="ug")
    drawable = ethics_quiz_questions()
    assert len(drawable) == 18  # three categories of six
    translations = Question.objects.filter(locale=uyghur)
    # Every question the quiz can draw but the short-answer ones (answers are compared).
    assert translations.count() == len([q for q in drawable if q.qtype != "shortanswer"]) == 16
    assert set(translations.values_list("translation_review", flat=True)) == {
        TranslationReview.AWAITING
    }
    source = Question.objects.get(
        name="伦理-保密例外", locale__language_code=settings.LANGUAGE_CODE
    )
    translation = translations.get(translation_key=source.translation_key)
    assert translation.stem.startswith("يەككە پسىخىك يېتەكچىلىك")
    assert "ئائىلە زوراۋانلىقى" in " ".join(translation.answers.values_list("text", flat=True))
    assert list(translation.answers.values_list("fraction", flat=True)) == list(
        source.answers.values_list("fraction", flat=True)
    )
    # In wagtail-localize's translation memory: the editor shows them translated.
    assert StringTranslation.objects.filter(locale=uyghur).count() > 100
    # None is a question of the bank.
    assert not Question.objects.in_bank().filter(locale=uyghur).exists()
    before = (Question.objects.count(), StringTranslation.objects.count())
    seed.seed()
    assert (Question.objects.count(), StringTranslation.objects.count()) == before
