"""The Excel template: the downloadable template imports, and bad rows are named."""

import io

import pytest
from openpyxl import Workbook

from quizzes import xlsx
from quizzes.models import Question
from quizzes.services import import_file


def workbook_bytes(rows, header=None):
    book = Workbook()
    sheet = book.active
    sheet.append(header or xlsx.TEMPLATE_HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.django_db
def test_template_examples_import():
    report = import_file(data=xlsx.template_bytes(), fmt="xlsx", category_path="模板")
    assert report.ok, report.errors
    assert report.created == 5  # four questions and one case analysis with two parts
    single = Question.objects.get(qtype="single", case=None)
    assert single.default_mark == 2
    assert single.category.path == "模板/伦理与保密"
    assert [a.fraction for a in single.answers.all()] == [0, 1, 0, 0]
    assert single.general_feedback.startswith("保密例外")
    multiple = Question.objects.get(qtype="multiple")
    assert [a.fraction for a in multiple.answers.all()] == pytest.approx([1 / 3, 1 / 3, -1, 1 / 3])
    tf = Question.objects.get(qtype="truefalse")
    assert [a.fraction for a in tf.answers.all()] == [0, 1]
    short = Question.objects.get(qtype="shortanswer")
    assert [a.text for a in short.answers.all()] == ["命名", "起名字", "取名字"]
    case = Question.objects.get(qtype="case")
    assert [p.qtype for p in case.parts.order_by("sort_order")] == ["single", "essay"]
    assert case.default_mark == 6
    assert case.parts.get(qtype="essay").grader_info.startswith("关注情绪识别")


@pytest.mark.django_db
def test_english_headers_and_numerical_answers():
    data = workbook_bytes(
        [
            ["numerical", "How many?", None, None, None, None, None, None, "10±2", 1, "", "N"],
            ["numerical", "Range?", None, None, None, None, None, None, "1..5", 1, "", "N"],
        ],
        header=[
            "type",
            "stem",
            "A",
            "B",
            "C",
            "D",
            "E",
            "F",
            "answer",
            "score",
            "explanation",
            "category",
        ],
    )
    assert import_file(data=data, fmt="xlsx").ok
    first, second = Question.objects.order_by("pk")
    assert (first.answers.get().text, first.answers.get().tolerance) == ("10", 2.0)
    assert (second.answers.get().text, second.answers.get().tolerance) == ("3", 2.0)


@pytest.mark.django_db
def test_bad_rows_are_named_and_nothing_is_saved():
    data = workbook_bytes(
        [
            ["单选题", "好题", "甲", "乙", "", "", "", "", "A", 1, "", "分类"],
            ["单选题", "答案指向空选项", "甲", "乙", "", "", "", "", "D", 1, "", "分类"],
            ["怪题", "未知题型", "", "", "", "", "", "", "", 1, "", "分类"],
            ["判断题", "判断", "", "", "", "", "", "", "也许", 1, "", "分类"],
            ["单选题", "", "甲", "乙", "", "", "", "", "A", 1, "", "分类"],
            ["单选题", "分值错误", "甲", "乙", "", "", "", "", "A", "两分", "", "分类"],
        ]
    )
    report = import_file(data=data, fmt="xlsx")
    assert [e.split(":")[0] for e in report.errors] == ["row 3", "row 4", "row 5", "row 6", "row 7"]
    assert "option D" in report.errors[0]
    assert Question.objects.count() == 0


@pytest.mark.django_db
def test_not_a_workbook_is_refused():
    report = import_file(data=b"not a zip", fmt="xlsx", category_path="x")
    assert report.errors == ["row 1: the file is not an Excel (.xlsx) workbook"]


def test_sub_question_without_its_case_is_refused():
    data = workbook_bytes(
        [["单选题", "孤儿子题", "甲", "乙", "", "", "", "", "A", 1, "", "分类", "C9"]]
    )
    questions, issues = xlsx.parse(data)
    assert questions == []
    assert issues[0].line == 2
