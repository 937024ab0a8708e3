"""Builders for question-bank and quiz tests."""

from __future__ import annotations

from quizzes.models import Answer, Question, QuestionCategory, Quiz, QuizSlot


def category(path: str = "Test bank") -> QuestionCategory:
    return QuestionCategory.get_or_create_path(path)


def question(
    qtype: str, answers=(), *, cat=None, name=None, stem=None, mark=1.0, case=None, **fields
) -> Question:
    """A saved question; ``answers`` are dicts of Answer fields (text, fraction, ...)."""
    q = Question.objects.create(
        category=cat or (case.category if case else category()),
        qtype=qtype,
        name=name or f"{qtype} question",
        stem=stem or f"Stem of a {qtype} question",
        default_mark=mark,
        case=case,
        **fields,
    )
    for index, answer in enumerate(answers):
        Answer.objects.create(question=q, sort_order=index, **answer)
    q.refresh_version()
    return q


def single(**kw) -> Question:
    return question(
        "single",
        [
            {"text": "Right", "fraction": 1.0, "feedback": "Well done"},
            {"text": "Half", "fraction": 0.5, "feedback": "Almost"},
            {"text": "Wrong", "fraction": 0.0, "feedback": "No"},
        ],
        **kw,
    )


def multiple(**kw) -> Question:
    return question(
        "multiple",
        [
            {"text": "A", "fraction": 0.5},
            {"text": "B", "fraction": 0.5},
            {"text": "C", "fraction": -0.5},
            {"text": "D", "fraction": -0.5},
        ],
        **kw,
    )


def truefalse(value=True, **kw) -> Question:
    return question(
        "truefalse",
        [
            {"text": "True", "fraction": 1.0 if value else 0.0, "feedback": "feedback for true"},
            {"text": "False", "fraction": 0.0 if value else 1.0, "feedback": "feedback for false"},
        ],
        **kw,
    )


def shortanswer(**kw) -> Question:
    return question(
        "shortanswer",
        [
            {"text": "情绪命名", "fraction": 1.0, "feedback": "正确"},
            {"text": "命名*", "fraction": 0.5, "feedback": "接近"},
        ],
        **kw,
    )


def numerical(**kw) -> Question:
    return question(
        "numerical",
        [
            {"text": "1822", "fraction": 1.0, "tolerance": 0},
            {"text": "1822", "fraction": 0.5, "tolerance": 2},
        ],
        **kw,
    )


def matching(**kw) -> Question:
    return question(
        "matching",
        [
            {"text": "Canada", "match_text": "Ottawa", "fraction": 1},
            {"text": "Italy", "match_text": "Rome", "fraction": 1},
            {"text": "Japan", "match_text": "Tokyo", "fraction": 1},
            {"text": "", "match_text": "Paris", "fraction": 1},
        ],
        **kw,
    )


def essay(**kw) -> Question:
    return question("essay", [], **kw)


def case_analysis(**kw) -> Question:
    case = question("case", [], stem="小明（化名），10岁，与祖母同住……", mark=4.0, **kw)
    single(case=case, sort_order=0, mark=2.0)
    essay(case=case, sort_order=1, mark=2.0)
    case.refresh_version()
    return case


def quiz(questions=(), draws=(), **fields) -> Quiz:
    """A quiz with fixed questions and ``draws`` = [(category, count), ...]."""
    defaults = {"title": "Test quiz", "questions_per_page": 0, "shuffle_choices": False}
    defaults.update(fields)
    q = Quiz.objects.create(**defaults)
    order = 0
    for item in questions:
        QuizSlot.objects.create(quiz=q, question=item, sort_order=order)
        order += 1
    for cat, count in draws:
        QuizSlot.objects.create(quiz=q, category=cat, draw_count=count, sort_order=order)
        order += 1
    return q


def assign_for_marking(supervisor, trainee):
    """Put ``trainee`` in ``supervisor``'s marking pool, so the supervisor sees and marks
    their results (set-up only; ``services.assign_marking`` is tested on its own)."""
    from quizzes.models import MarkingAssignment

    return MarkingAssignment.objects.get_or_create(supervisor=supervisor, trainee=trainee)[0]
