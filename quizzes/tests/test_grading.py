"""Grading of every question type (pure functions on snapshots; no database)."""

import random

import pytest

from quizzes import grading


def snap(qtype, answers=(), **settings):
    base = {"shuffle_choices": True, "case_sensitive": False, "width_insensitive": True}
    base.update(settings)
    return {
        "qtype": qtype,
        "name": qtype,
        "stem": "?",
        "default_mark": 1.0,
        "general_feedback": "",
        "settings": base,
        "answers": [
            {"text": "", "fraction": 0.0, "feedback": "", "tolerance": 0.0, "match_text": "", **a}
            for a in answers
        ],
    }


def layout_of(data, shuffle=False):
    return grading.build_layout(data, shuffle=shuffle, rng=random.Random(1))


def key_for(data, layout, text):
    index = next(i for i, a in enumerate(data["answers"]) if a["text"] == text)
    return layout["keys"][layout["order"].index(index)]


def fraction(data, response, layout=None):
    layout = layout or layout_of(data)
    return grading.part_fraction(data, layout, grading.clean_response(data, layout, response))


SINGLE = snap(
    "single",
    [{"text": "right", "fraction": 1}, {"text": "half", "fraction": 0.5}, {"text": "wrong"}],
)
MULTI = snap(
    "multiple",
    [
        {"text": "A", "fraction": 0.5},
        {"text": "B", "fraction": 0.5},
        {"text": "C", "fraction": -0.5},
        {"text": "D", "fraction": -1},
    ],
)


@pytest.mark.parametrize(("text", "expected"), [("right", 1.0), ("half", 0.5), ("wrong", 0.0)])
def test_single_choice_gives_the_chosen_answers_fraction(text, expected):
    layout = layout_of(SINGLE)
    assert fraction(SINGLE, {"choice": key_for(SINGLE, layout, text)}, layout) == expected


def test_unanswered_question_scores_zero():
    assert grading.part_fraction(SINGLE, layout_of(SINGLE), None) == 0.0


def test_multiple_response_gives_partial_credit():
    layout = layout_of(MULTI)
    assert fraction(MULTI, {"choices": [key_for(MULTI, layout, "A")]}, layout) == 0.5
    both = [key_for(MULTI, layout, "A"), key_for(MULTI, layout, "B")]
    assert fraction(MULTI, {"choices": both}, layout) == 1.0


def test_multiple_response_negative_weights_subtract():
    layout = layout_of(MULTI)
    keys = [key_for(MULTI, layout, t) for t in ("A", "B", "C")]
    assert fraction(MULTI, {"choices": keys}, layout) == 0.5


def test_multiple_response_never_goes_below_zero():
    layout = layout_of(MULTI)
    keys = [key_for(MULTI, layout, t) for t in ("A", "C", "D")]
    assert fraction(MULTI, {"choices": keys}, layout) == 0.0


def test_true_false():
    data = snap("truefalse", [{"text": "True", "fraction": 0}, {"text": "False", "fraction": 1}])
    assert fraction(data, {"value": False}) == 1.0
    assert fraction(data, {"value": True}) == 0.0
    assert fraction(data, {"value": "false"}) == 1.0


SHORT = snap(
    "shortanswer",
    [
        {"text": "情绪命名", "fraction": 1.0},
        {"text": "Frog", "fraction": 1.0},
        {"text": "命名*", "fraction": 0.5},
        {"text": "*", "fraction": 0.0, "feedback": "Completely wrong"},
    ],
)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("情绪命名", 1.0),
        (" 情 绪 命 名 ", 1.0),  # spaces ignored (width-insensitive mode)
        ("frog", 1.0),  # case-insensitive by default
        ("ＦＲＯＧ", 1.0),  # full-width letters equal half-width ones
        ("命名情绪", 0.5),  # wildcard
        ("完全不同", 0.0),  # the catch-all '*' answer is worth 0
    ],
)
def test_short_answer_matching(given, expected):
    assert fraction(SHORT, {"text": given}) == expected


def test_short_answer_case_sensitive_when_asked():
    data = snap("shortanswer", [{"text": "Frog", "fraction": 1}], case_sensitive=True)
    assert fraction(data, {"text": "Frog"}) == 1.0
    assert fraction(data, {"text": "frog"}) == 0.0


def test_short_answer_escaped_star_is_literal():
    data = snap("shortanswer", [{"text": "a\\*b", "fraction": 1}])
    assert fraction(data, {"text": "a*b"}) == 1.0
    assert fraction(data, {"text": "axxb"}) == 0.0


def test_short_answer_first_matching_answer_wins():
    data = snap("shortanswer", [{"text": "cat", "fraction": 0.5}, {"text": "c*", "fraction": 1}])
    assert fraction(data, {"text": "cat"}) == 0.5


NUMERICAL = snap(
    "numerical",
    [
        {"text": "1822", "fraction": 1.0, "tolerance": 0},
        {"text": "1822", "fraction": 0.5, "tolerance": 2},
    ],
)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("1822", 1.0),
        ("1822.0", 1.0),
        ("1823", 0.5),
        ("1820", 0.5),
        ("1819", 0.0),
        ("１８２２", 1.0),
    ],
)
def test_numerical_tolerance(given, expected):
    assert fraction(NUMERICAL, {"value": given}) == expected


def test_numerical_range_from_gift_midpoint_and_tolerance():
    data = snap("numerical", [{"text": "3.1415", "fraction": 1, "tolerance": 0.0005}])
    assert fraction(data, {"value": "3.141"}) == 1.0
    assert fraction(data, {"value": "3.142"}) == 1.0
    assert fraction(data, {"value": "3.1405"}) == 0.0


def test_numerical_refuses_text():
    with pytest.raises(grading.ResponseError):
        grading.clean_response(NUMERICAL, {}, {"value": "about 1800"})


MATCH = snap(
    "matching",
    [
        {"text": "Canada", "match_text": "Ottawa"},
        {"text": "Italy", "match_text": "Rome"},
        {"text": "Japan", "match_text": "Tokyo"},
        {"text": "", "match_text": "Paris"},
    ],
)


def match_response(layout, mapping):
    choice_key = dict(zip(layout["choices"], layout["choice_keys"], strict=True))
    item_text = {
        key: MATCH["answers"][i]["text"]
        for key, i in zip(layout["item_keys"], layout["items"], strict=True)
    }
    return {
        "pairs": {
            key: choice_key[mapping[text]] for key, text in item_text.items() if text in mapping
        }
    }


def test_matching_all_right():
    layout = layout_of(MATCH, shuffle=True)
    response = match_response(layout, {"Canada": "Ottawa", "Italy": "Rome", "Japan": "Tokyo"})
    assert fraction(MATCH, response, layout) == 1.0


def test_matching_partial_credit_per_item():
    layout = layout_of(MATCH, shuffle=True)
    response = match_response(layout, {"Canada": "Ottawa", "Italy": "Paris", "Japan": "Rome"})
    assert fraction(MATCH, response, layout) == pytest.approx(1 / 3)


def test_matching_distractor_is_offered_but_is_not_an_item():
    layout = layout_of(MATCH)
    assert len(layout["items"]) == 3
    assert set(layout["choices"]) == {"Ottawa", "Rome", "Tokyo", "Paris"}


def test_essay_needs_manual_marking():
    data = snap("essay")
    assert grading.part_fraction(data, {}, {"text": "…"}) is None
    assert grading.auto_marks(data, {}, {"text": "…"}, 5) == {"main": None}


def test_essay_refuses_answer_over_word_limit():
    data = snap("essay", max_words=5)
    with pytest.raises(grading.ResponseError, match="at most 5"):
        grading.clean_response(data, {}, {"text": "一二三四五六"})


def test_essay_refuses_answer_over_character_limit():
    data = snap("essay", max_chars=10)
    with pytest.raises(grading.ResponseError):
        grading.clean_response(data, {}, {"text": "x" * 11})


def test_chinese_words_are_counted_per_character():
    assert grading.count_words("我们 are here") == 4


def test_case_analysis_marks_parts_by_their_weight():
    sub_single = dict(SINGLE, default_mark=2.0)
    sub_essay = dict(snap("essay"), default_mark=2.0)
    case = dict(snap("case"), parts=[sub_single, sub_essay])
    layout = layout_of(case)
    key = key_for(sub_single, layout["p0"], "right")
    marks = grading.auto_marks(case, layout, {"parts": {"p0": {"choice": key}}}, 10)
    assert marks == {"p0": 5.0, "p1": None}
    assert grading.total_mark(marks) is None
    assert grading.needs_manual(case)


def test_case_analysis_refuses_unknown_part():
    case = dict(snap("case"), parts=[SINGLE])
    with pytest.raises(grading.ResponseError):
        grading.clean_response(case, layout_of(case), {"parts": {"p9": {}}})


def test_unknown_option_key_is_refused():
    with pytest.raises(grading.ResponseError):
        grading.clean_response(SINGLE, layout_of(SINGLE), {"choice": "not-a-key"})


def test_malformed_multiple_response_is_refused():
    with pytest.raises(grading.ResponseError):
        grading.clean_response(MULTI, layout_of(MULTI), {"choices": "A"})


def test_option_keys_do_not_follow_correctness():
    layout = layout_of(SINGLE, shuffle=True)
    assert len(set(layout["keys"])) == 3
    assert all(len(k) == 8 for k in layout["keys"])
