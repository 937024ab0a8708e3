"""The children's-data guard measured on a labelled corpus (issue 15).

``tests/child_privacy_corpus/heldout.jsonl`` was written and committed before the
guard was tuned, and has not been tuned on; ``tuning.jsonl`` is what the rules were
adjusted against. Each line: ``text``, ``label`` (identifying / innocent),
``category`` (the kind of identifying data, or the kind of innocent text) and
``language`` (zh, ug = Uyghur in Arabic script, ug-Latn, en).

An identifying sentence counts as caught only when the guard finds the labelled kind
in it (a phone number found in a sentence labelled for its name does not count); an
innocent sentence is a false positive when the guard finds anything. Run with ``-s``
to see the figures; they are also in docs/data-protection.md.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from lms.child_privacy import find_identifying_data

CORPUS = Path(__file__).parent / "child_privacy_corpus"
IDENTIFYING, INNOCENT = "identifying", "innocent"

# What the held-out half must show (see docs/data-protection.md for the figures).
MIN_RECALL = 0.97
MAX_FALSE_POSITIVE_RATE = 0.02


def load(name: str) -> list[dict]:
    with open(CORPUS / name, encoding="utf-8") as corpus:
        return [json.loads(line) for line in corpus if line.strip()]


def measure(rows: list[dict]) -> dict:
    """Recall per identifying category, false positives per innocent category, overall."""
    per_category: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_language: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    misses, false_alarms = [], []
    for row in rows:
        kinds = {finding.kind for finding in find_identifying_data(row["text"])}
        counts, language = per_category[row["category"]], per_language[row["language"]]
        if row["label"] == IDENTIFYING:
            hit = row["category"] in kinds
            counts[0] += hit
            language[0] += hit
            language[1] += 1
            if not hit:
                misses.append(row)
        else:
            flagged = bool(kinds)
            counts[0] += flagged
            language[2] += flagged
            language[3] += 1
            if flagged:
                false_alarms.append(row)
        counts[1] += 1
    identifying = [r for r in rows if r["label"] == IDENTIFYING]
    innocent = [r for r in rows if r["label"] == INNOCENT]
    return {
        "per_category": dict(per_category),
        "per_language": dict(per_language),
        "recall": 1 - len(misses) / len(identifying),
        "false_positive_rate": len(false_alarms) / len(innocent),
        "misses": misses,
        "false_alarms": false_alarms,
        "identifying": len(identifying),
        "innocent": len(innocent),
    }


def report(title: str, figures: dict) -> str:
    lines = [f"{title}: {figures['identifying']} identifying, {figures['innocent']} innocent"]
    for category, (count, total) in sorted(figures["per_category"].items()):
        what = "false positives" if category.startswith("innocent") else "recall"
        lines.append(f"  {category:22} {what:15} {count}/{total} = {count / total:.1%}")
    for language, (hit, ident, flagged, innocent) in sorted(figures["per_language"].items()):
        recall = f"{hit}/{ident} = {hit / ident:.1%}" if ident else "-"
        fpr = f"{flagged}/{innocent} = {flagged / innocent:.1%}" if innocent else "-"
        lines.append(f"  language {language:8} recall {recall:18} false positives {fpr}")
    lines.append(
        f"  overall recall {figures['recall']:.1%}, "
        f"false-positive rate {figures['false_positive_rate']:.1%}"
    )
    lines += [f"  MISSED [{r['category']}] {r['text']}" for r in figures["misses"]]
    lines += [f"  FALSE ALARM [{r['category']}] {r['text']}" for r in figures["false_alarms"]]
    return "\n".join(lines)


def test_the_corpus_is_large_labelled_and_covers_three_languages():
    heldout, tuning = load("heldout.jsonl"), load("tuning.jsonl")
    assert len(heldout) + len(tuning) >= 300
    for rows in (heldout, tuning):
        assert {r["label"] for r in rows} == {IDENTIFYING, INNOCENT}
        assert {r["language"] for r in rows} == {"zh", "ug", "ug-Latn", "en"}
        identifying_categories = {r["category"] for r in rows if r["label"] == IDENTIFYING}
        assert identifying_categories == {
            "resident_id",
            "mobile",
            "landline",
            "contact",
            "address",
            "name",
        }
    texts = [r["text"] for r in heldout + tuning]
    assert len(texts) == len(set(texts)), "a sentence is in the corpus twice"


def test_every_example_quoted_in_the_issue_is_held_out():
    heldout = " ".join(r["text"] for r in load("heldout.jsonl"))
    for quoted in (
        "阿依古丽·买买提",
        "13899123456",
        "0995-8561234",
        "(0995) 856 1234",
        "辅导对象：刘子涵，女，10岁",
        "三年级二班的李浩然",
        "Li Wei (age 9)",
        "3组5号",
        "有的学生宁可沉默",
        "孩子胡思乱想",
        "家长觉得孩子金贵",
        "督导：陈静",
    ):
        assert quoted in heldout, quoted


def test_held_out_recall_and_false_positive_rate(capsys):
    figures = measure(load("heldout.jsonl"))
    with capsys.disabled():
        print("\n" + report("held-out half", figures))
    assert figures["recall"] >= MIN_RECALL, report("held-out half", figures)
    assert figures["false_positive_rate"] <= MAX_FALSE_POSITIVE_RATE, report("held-out", figures)


def test_tuning_half_is_caught_too(capsys):
    figures = measure(load("tuning.jsonl"))
    with capsys.disabled():
        print("\n" + report("tuning half", figures))
    assert figures["recall"] >= MIN_RECALL
    assert figures["false_positive_rate"] <= MAX_FALSE_POSITIVE_RATE


@pytest.mark.parametrize("split", ["heldout.jsonl", "tuning.jsonl"])
def test_every_identifying_category_reaches_the_goal_on_its_own(split):
    figures = measure(load(split))
    for category, (count, total) in figures["per_category"].items():
        if not category.startswith("innocent"):
            assert count / total >= 0.9, (category, count, total)
