"""An essay's length limit is said as the question counts it (a Chinese character counts
as one, as does a Uyghur or English word), on the attempt, the review and the marking page."""

import pytest
from django.urls import reverse
from django.utils import translation

from quizzes import services
from quizzes.essay_length import answer_text, limit_text
from quizzes.tests import factories as f
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LIMITS = {"min_words": 100, "max_words": 300, "max_chars": None}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_a_range_is_said_as_a_range_not_as_a_minimum():
    text = limit_text(LIMITS)
    assert "100–300" in text and "each Chinese character counts as one" in text
    assert "at least" not in text.lower()


def test_only_a_minimum_or_a_maximum():
    assert "at least 150" in limit_text({"min_words": 150})
    assert "at most 80" in limit_text({"max_words": 80})
    assert "At most 500 characters" in limit_text({"max_chars": 500})
    assert limit_text({}) == ""


def test_a_chinese_answer_is_counted_by_characters():
    said = answer_text("我" * 120, LIMITS)
    assert "120 by the question's count" in said and "Within the length asked." in said
    assert "Shorter than the 100 asked." in answer_text("我" * 99, LIMITS)
    assert "Longer than the 300 allowed." in answer_text("我" * 301, LIMITS)


def test_a_uyghur_answer_is_counted_by_words():
    said = answer_text("بالىلار " * 100, LIMITS)  # 100 words, 800 characters
    assert "100 by the question's count, 800 characters" in said
    assert "Within the length asked." in said


def test_marking_page_states_the_questions_own_limit_and_the_answers_length(
    client, trainee, supervisor
):
    quiz = f.quiz([f.essay(mark=4, min_words=100, max_words=300)], pass_mark=60)
    attempt = services.start_attempt(user=trainee, quiz=quiz)
    services.submit_attempt(user=trainee, attempt=attempt, answers={"1": {"text": "倾听" * 40}})
    f.assign_for_marking(supervisor, trainee)
    slot = attempt.slots.get(number=1)
    client.cookies["django_language"] = "en"
    client.login(username=supervisor.username, password=PASSWORD)
    body = client.get(reverse("quizzes:mark", args=[slot.pk])).content.decode()
    assert "Length: 100–300" in body
    assert "80 by the question&#x27;s count" in body and "Shorter than the 100 asked." in body
    assert "At least 100 words." not in body
