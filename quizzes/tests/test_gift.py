"""GIFT import and export: Moodle's own files, round trip, refusals, the command."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from quizzes import gift
from quizzes.models import Question, QuestionCategory
from quizzes.services import export_gift, import_file

GIFT_DIR = Path(__file__).resolve().parents[3] / "shared" / "interop" / "gift"
EXAMPLES = GIFT_DIR / "moodle-examples.gift.txt"
FIXTURE = GIFT_DIR / "moodle-fixture-questions.gift.txt"

needs_files = pytest.mark.skipif(
    not EXAMPLES.exists() or not FIXTURE.exists(),
    reason=f"Moodle's GIFT samples are not at {GIFT_DIR} (../shared/interop/gift)",
)


def parse_file(path):
    return gift.parse(path.read_text(encoding="utf-8"))


def by_line(questions, line):
    return next(q for q in questions if q.line == line)


def answers(question):
    return [(a.text, a.fraction, a.feedback) for a in question.answers]


@needs_files
def test_moodle_examples_every_block_is_a_question():
    questions, issues = parse_file(EXAMPLES)
    assert issues == []
    assert len(questions) == 43
    counts = {}
    for q in questions:
        counts[q.qtype] = counts.get(q.qtype, 0) + 1
    assert counts == {
        "single": 16,
        "multiple": 2,
        "truefalse": 5,
        "shortanswer": 9,
        "numerical": 8,
        "matching": 3,
    }


@needs_files
def test_moodle_examples_missing_word_and_choices():
    questions, _ = parse_file(EXAMPLES)
    q = by_line(questions, 10)
    assert q.qtype == "single"
    assert q.stem == "Grant is _____ in Grant's tomb."
    assert answers(q) == [("buried", 0.0, ""), ("entombed", 1.0, ""), ("living", 0.0, "")]


@needs_files
def test_moodle_examples_partial_weights_and_feedback():
    questions, _ = parse_file(EXAMPLES)
    q = by_line(questions, 117)
    assert q.name == "Jesus' hometown"
    assert q.stem == "Jesus Christ was from _____."
    assert answers(q) == [
        ("Jerusalem", 0.0, "This was an important city, but the wrong answer."),
        ("Bethlehem", 0.25, "He was born here, but not raised here."),
        ("Galilee", 0.5, "You need to be more specific."),
        ("Nazareth", 1.0, "Yes! That's right!"),
    ]
    short = by_line(questions, 123)
    assert short.qtype == "shortanswer"
    assert answers(short)[1] == ("Nazereth", 0.75, "Right, but misspelled.")


@needs_files
def test_moodle_examples_negative_weights_make_multiple_response():
    questions, _ = parse_file(EXAMPLES)
    q = by_line(questions, 136)
    assert q.qtype == "multiple"
    assert [a.fraction for a in q.answers] == [-0.5, 0.5, 0.5, -0.5]


@needs_files
def test_moodle_examples_numerical_tolerances_and_ranges():
    questions, _ = parse_file(EXAMPLES)
    tol = by_line(questions, 72)
    assert [(a.text, a.tolerance) for a in tol.answers] == [("3.1415", 0.0005)]
    rng = by_line(questions, 74)
    assert rng.answers[0].text == "3.1415"
    assert rng.answers[0].tolerance == pytest.approx(0.0005)
    multi = by_line(questions, 202)
    assert [(a.text, a.fraction, a.tolerance) for a in multi.answers] == [
        ("1822", 1.0, 0.0),
        ("1822", 0.5, 2.0),
    ]
    assert multi.answers[1].feedback.startswith("He was born in 1822.")
    assert multi.answers[1].feedback.endswith("You get 50% credit for being close.")


@needs_files
def test_moodle_examples_true_false_feedback_and_matching():
    questions, _ = parse_file(EXAMPLES)
    tf = by_line(questions, 113)
    assert tf.qtype == "truefalse"
    assert answers(tf) == [("True", 0.0, "No one is buried in Grant's tomb."), ("False", 1.0, "")]
    match = by_line(questions, 61)
    assert [(a.text, a.match_text) for a in match.answers] == [
        ("Canada", "Ottawa"),
        ("Italy", "Rome"),
        ("Japan", "Tokyo"),
        ("India", "New Delhi"),
    ]


@needs_files
def test_moodle_examples_escapes_names_and_formats():
    questions, _ = parse_file(EXAMPLES)
    eq = by_line(questions, 143)
    assert [a.text for a in eq.answers] == ["= 2 + 2", "= 2 + 3", "= 2 + 4"]
    control = by_line(questions, 148)
    assert control.name == "GIFT Control Characters"
    assert [a.text for a in control.answers] == ["~", "=", "#", "{", "}", "\\"]
    assert control.answers[5].fraction == 1.0
    assert control.answers[5].feedback.startswith("Correct! \\ (backslash)")
    md = by_line(questions, 108)
    assert (md.stem_format, md.stem) == ("markdown", "Who's buried in **Grant's tomb**?")
    kanji = by_line(questions, 90)
    assert kanji.name == "Kanji Origins"
    assert kanji.stem == "Japanese characters originally\ncame from what country?"


@needs_files
def test_moodle_fixture_file():
    questions, issues = parse_file(FIXTURE)
    assert issues == []
    assert [q.qtype for q in questions] == [
        "essay",
        "matching",
        "single",
        "multiple",
        "numerical",
        "shortanswer",
        "truefalse",
        "truefalse",
        "truefalse",
    ]
    essay, match, single, multi, numerical, short, tf, *_rest = questions
    assert (essay.name, essay.stem) == ("Q8", "How are you?")
    assert match.stem_format == "html"
    assert (match.answers[-1].text, match.answers[-1].match_text) == ("", "Chat")
    assert match.answers[1].text.startswith("A teacher asks a question")
    assert answers(single) == [
        ("yellow", 1.0, "right; good!"),
        ("red", 0.0, "wrong, it's yellow"),
        ("blue", 0.0, "wrong, it's yellow"),
    ]
    assert answers(multi) == [
        ("yellow", 0.5, "right; good!"),
        ("red", -1.0, "wrong"),
        ("off-beige", 0.5, "right; good!"),
        ("blue", -1.0, "wrong"),
    ]
    assert [(a.text, a.fraction, a.tolerance, a.feedback) for a in numerical.answers] == [
        ("3", 1.0, 2.0, ""),
        ("*", 0.0, 0.0, "Completely wrong"),
    ]
    assert answers(short) == [
        ("Frog", 1.0, "Good!"),
        ("Cat", 0.5, "What is it with Moodlers and cats?"),
        ("*", 0.0, "Completely wrong"),
    ]
    assert tf.general_feedback == "This is, of course, a Hitchiker's Guide to the Galaxy reference."
    assert answers(tf) == [
        ("True", 0.0, "42 is the Ultimate Answer."),
        ("False", 1.0, "You gave the right answer."),
    ]


@needs_files
@pytest.mark.django_db
def test_moodle_files_import_into_the_bank():
    for path in (EXAMPLES, FIXTURE):
        report = import_file(
            data=path.read_bytes(), fmt="gift", category_path="Moodle/" + path.stem
        )
        assert report.ok, report.errors
    assert Question.objects.count() == 52
    assert Question.objects.get(name="colours").answers.get(text="red").fraction == -1.0


CHINESE = """\
$CATEGORY: $course$/top/伦理与保密

// [tag:伦理] [mark:2]
::保密例外::以下哪种情况可以打破保密原则？{
  ~来访者亲友询问#亲友不是保密例外。
  =来访者有伤害他人的危险#正确：这是保密例外。
  ~单位领导要求
####保密是心理咨询的基本伦理。}

::填空::识别情绪的第一步是给情绪{=命名 =%50%起名*#意思接近}。

$CATEGORY: 团体辅导

::数值::一次团体辅导通常安排多少人？{#6..12}

::简答::请简述团体辅导开始阶段的任务。{}

::匹配::请匹配{=开始阶段 -> 建立信任 =工作阶段 -> 深入探索 =结束阶段 -> 巩固与告别}

::判断::可以在记录中写儿童真实姓名。{F#敏感信息不能记录。#正确。}
"""


@pytest.mark.django_db
def test_gift_round_trip_gives_the_same_bank():
    first, issues = gift.parse(CHINESE)
    assert issues == []
    report = import_file(data=CHINESE.encode(), fmt="gift")
    assert report.ok, report.errors
    exported, skipped = export_gift()
    assert skipped == []
    second, issues = gift.parse(exported)
    assert issues == []
    assert [q.as_dict() for q in second] == [q.as_dict() for q in first]
    # and the re-import of the export creates the same questions again
    Question.objects.all().delete()
    assert import_file(data=exported.encode(), fmt="gift").ok
    again, _ = gift.parse(export_gift()[0])
    assert [q.as_dict() for q in again] == [q.as_dict() for q in first]


@pytest.mark.django_db
def test_gift_categories_tags_and_marks_are_kept():
    assert import_file(data=CHINESE.encode(), fmt="gift", category_path="题库").ok
    q = Question.objects.get(name="保密例外")
    assert q.category.path == "题库/伦理与保密"
    assert q.default_mark == 2.0
    assert list(q.tags.names()) == ["伦理"]
    assert Question.objects.get(name="数值").category.path == "题库/团体辅导"


BROKEN = """\
::ok::A good one {=yes ~no}

::unclosed::This one never closes {=yes ~no

::weights::Weights that do not add up {~%30%a ~%30%b ~c}

::nothing right::No right answer {~a ~b}
"""


@pytest.mark.django_db
def test_gift_import_is_all_or_nothing_with_line_numbers():
    report = import_file(data=BROKEN.encode(), fmt="gift", category_path="X")
    assert not report.ok
    assert len(report.errors) == 3
    assert report.errors[0].startswith("line 3:")
    assert "braces" in report.errors[0]
    assert report.errors[1].startswith("line 5:")
    assert report.errors[2].startswith("line 7:")
    assert Question.objects.count() == 0
    assert not QuestionCategory.objects.filter(name="X").exists()


@pytest.mark.django_db
def test_gift_without_category_is_refused():
    report = import_file(data=b"::q::Question {=a ~b}", fmt="gift")
    assert report.errors == ["line 1: no category (give --category or a $CATEGORY line)"]


@pytest.mark.django_db
def test_import_questions_command_dry_run_saves_nothing(tmp_path):
    path = tmp_path / "chinese.gift"
    path.write_text(CHINESE, encoding="utf-8")
    out = io.StringIO()
    args = [str(path), "--format", "gift", "--category", "试题"]
    call_command("import_questions", *args, "--dry-run", stdout=out)
    assert "6 question(s) would be imported" in out.getvalue()
    assert Question.objects.count() == 0
    assert not QuestionCategory.objects.exists()
    call_command("import_questions", *args, stdout=out)
    assert Question.objects.count() == 6


@pytest.mark.django_db
def test_import_questions_command_reports_refusals(tmp_path):
    path = tmp_path / "broken.gift"
    path.write_text(BROKEN, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("import_questions", str(path), "--category", "X", stderr=err)
    assert "line 3:" in err.getvalue()
    assert Question.objects.count() == 0


def test_description_blocks_are_skipped_not_refused():
    questions, issues = gift.parse("Just some instructions.\n\n::q::Real {T}")
    assert len(questions) == 1
    assert issues[0].skipped


@needs_files
@pytest.mark.django_db
def test_importing_the_same_gift_file_twice_skips_what_is_already_in_the_category():
    data = EXAMPLES.read_bytes()
    first = import_file(data=data, fmt="gift", category_path="Moodle examples")
    assert first.ok and first.created == 43
    count = Question.objects.in_bank().count()

    again = import_file(data=data, fmt="gift", category_path="Moodle examples")

    assert again.ok and again.created == 0
    assert len(again.skipped) == 43
    assert "already in category" in again.skipped[0]
    assert Question.objects.in_bank().count() == count


@pytest.mark.django_db
def test_a_question_file_over_the_size_limit_is_refused_before_parsing():
    from quizzes.services import MAX_IMPORT_BYTES

    data = b"::Q:: 1+1? {=2}\n\n" * (MAX_IMPORT_BYTES // 16 + 1)
    report = import_file(data=data, fmt="gift", category_path="Big")
    assert not report.ok and "5 MB" in report.errors[0]
    assert not Question.objects.exists()
