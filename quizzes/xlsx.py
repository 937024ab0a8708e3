"""The Excel (XLSX) question template a Chinese training school uses, and its reader.

One row per question, headers in Chinese or English (either works):

    题型 type | 题干 stem | A | B | C | D | E | F | 答案 answer | 分值 score |
    解析 explanation | 分类 category | 案例编号 case (optional) | 名称 name (optional)

- 题型: 单选题, 多选题, 判断题, 填空题, 数值题, 匹配题, 简答题 (essay), 案例分析题
  (or the English codes single, multiple, truefalse, shortanswer, numerical,
  matching, essay, case).
- 答案: a letter for 单选 (``B``); letters for 多选 (``ACD`` or ``A,C,D``: each right
  option earns an equal share, any wrong option voids the question — 错选不得分，
  少选得部分分); 对/错 (or T/F, √/×) for 判断; accepted answers separated by ``|``
  for 填空 (``*`` is a wildcard); a number, ``number±tolerance`` or ``low..high``
  for 数值; for 简答 the reference answer for graders. 匹配题 options are written
  ``item -> match`` (an option with only ``-> match`` is a distractor).
- 案例分析题: the row holds the vignette; the rows of its sub-questions carry the
  same 案例编号 as the case row.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

from lms import spreadsheet_import
from lms.spreadsheet_import import SpreadsheetRejected

from .gift import ImportIssue, ParsedAnswer, ParsedQuestion, default_name

MAX_ROWS = 5000  # questions (and case sub-questions) in one file
OPTION_LETTERS = "ABCDEF"
HEADERS = {
    "type": ("题型", "类型", "type", "question type"),
    "stem": ("题干", "题目", "stem", "question"),
    "answer": ("答案", "正确答案", "answer"),
    "score": ("分值", "分数", "score", "mark"),
    "explanation": ("解析", "答案解析", "explanation", "feedback"),
    "category": ("分类", "类别", "题库分类", "category"),
    "case": ("案例编号", "所属案例", "case"),
    "name": ("名称", "题目名称", "name"),
}
for letter in OPTION_LETTERS:
    HEADERS[letter] = (letter, f"选项{letter}", f"option {letter}".lower())

TYPES = {
    "单选题": "single",
    "单选": "single",
    "单项选择题": "single",
    "多选题": "multiple",
    "多选": "multiple",
    "多项选择题": "multiple",
    "不定项选择题": "multiple",
    "判断题": "truefalse",
    "判断": "truefalse",
    "填空题": "shortanswer",
    "填空": "shortanswer",
    "数值题": "numerical",
    "计算题": "numerical",
    "匹配题": "matching",
    "连线题": "matching",
    "简答题": "essay",
    "问答题": "essay",
    "论述题": "essay",
    "案例分析题": "case",
    "案例分析": "case",
}
for code in (
    "single",
    "multiple",
    "truefalse",
    "shortanswer",
    "numerical",
    "matching",
    "essay",
    "case",
):
    TYPES[code] = code
TRUE_WORDS = {"对", "正确", "是", "√", "✓", "T", "TRUE", "Y", "YES"}
FALSE_WORDS = {"错", "错误", "否", "×", "✗", "F", "FALSE", "N", "NO"}

TEMPLATE_HEADER = [
    "题型",
    "题干",
    "A",
    "B",
    "C",
    "D",
    "E",
    "F",
    "答案",
    "分值",
    "解析",
    "分类",
    "案例编号",
]
TEMPLATE_EXAMPLES = [
    [
        "单选题",
        "心理咨询中，咨询师向第三方透露来访者信息的例外情形是？",
        "来访者的亲友询问时",
        "来访者有伤害自己或他人的危险时",
        "单位领导要求时",
        "媒体采访时",
        "",
        "",
        "B",
        2,
        "保密例外：来访者有伤害自身或他人的严重危险，或涉及儿童受虐待等法律规定的情形。",
        "伦理与保密",
        "",
    ],
    [
        "多选题",
        "团体辅导开始阶段，带领者应当做到哪些？",
        "说明团体目标和规则",
        "建立信任和安全感",
        "要求成员立即分享创伤经历",
        "共同制定团体契约",
        "",
        "",
        "ABD",
        2,
        "开始阶段的重点是安全与信任，不宜要求深度自我暴露。",
        "团体辅导",
        "",
    ],
    [
        "判断题",
        "对困境儿童开展心理服务时，可以在工作记录中写下儿童的真实姓名和住址，以便后续跟进。",
        "",
        "",
        "",
        "",
        "",
        "",
        "错",
        1,
        "儿童个人信息属于敏感个人信息，记录中只写匿名化的描述。",
        "伦理与保密",
        "",
    ],
    [
        "填空题",
        "“我能打败情绪小怪兽”活动中，识别情绪的第一步是给情绪____。",
        "",
        "",
        "",
        "",
        "",
        "",
        "命名|起名字|取名字",
        1,
        "先命名情绪，才能接纳和调节情绪。",
        "儿童情绪管理",
        "",
    ],
    [
        "案例分析题",
        "小明（化名），10岁，父母在外务工，与祖母同住。近两个月上课注意力不集中，常与同学冲突。",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        6,
        "",
        "案例分析",
        "C1",
    ],
    [
        "单选题",
        "首先应当采取的措施是？",
        "立即批评教育",
        "与小明建立信任关系并了解情况",
        "通知父母马上回家",
        "调换班级",
        "",
        "",
        "B",
        2,
        "",
        "案例分析",
        "C1",
    ],
    [
        "简答题",
        "请为小明设计一个为期四周的支持计划（不少于100字）。",
        "",
        "",
        "",
        "",
        "",
        "",
        "关注情绪识别、同伴关系、与祖母的沟通、学校老师协作。",
        4,
        "",
        "案例分析",
        "C1",
    ],
]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _letters(answer: str) -> list[str]:
    answer = unicodedata.normalize("NFKC", answer).upper()
    return [ch for ch in answer if ch.isalpha()]


def _number(text: str) -> float:
    return float(unicodedata.normalize("NFKC", text).strip())


def template_bytes() -> bytes:
    """An XLSX template with the header, examples and an instructions sheet."""
    from openpyxl.styles import Font

    from lms.spreadsheets import Workbook, workbook_bytes

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "题库"
    sheet.append(TEMPLATE_HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in TEMPLATE_EXAMPLES:
        sheet.append(row)
    sheet.column_dimensions["B"].width = 60
    help_sheet = workbook.create_sheet("说明")
    for line in (__doc__ or "").strip().splitlines():
        help_sheet.append([line])
    return workbook_bytes(workbook)


def parse(data: bytes) -> tuple[list[ParsedQuestion], list[ImportIssue]]:
    """Questions from the first sheet of a workbook, and an issue per refused row."""
    if spreadsheet_import.kind_of(data) != spreadsheet_import.XLSX:
        return [], [ImportIssue(1, _("the file is not an Excel (.xlsx) workbook"))]
    try:
        lines = list(spreadsheet_import.iter_rows(data, max_rows=MAX_ROWS, raw=True))
    except SpreadsheetRejected as error:
        return [], [ImportIssue(1, " ".join(error.messages))]
    header = lines[0][1] if lines else None
    if not header or not any(value not in (None, "") for value in header):
        return [], [ImportIssue(1, _("the sheet is empty"))]
    columns = {}
    for index, title in enumerate(header):
        label = _text(title).lower()
        for key, names in HEADERS.items():
            if label in {n.lower() for n in names} and key not in columns:
                columns[key] = index
    missing = [key for key in ("type", "stem") if key not in columns]
    if missing:
        return [], [
            ImportIssue(1, _("the header row needs the columns 题型 (type) and 题干 (stem)"))
        ]
    questions: list[ParsedQuestion] = []
    issues: list[ImportIssue] = []
    cases: dict[str, ParsedQuestion] = {}
    for number, values in lines[1:]:
        cell = {
            key: _text(values[index]) if index < len(values) else ""
            for key, index in columns.items()
        }
        if not any(cell.values()):
            continue
        try:
            question = _row(number, cell)
        except ValueError as exc:
            issues.append(ImportIssue(number, str(exc)))
            continue
        case_id = cell.get("case", "")
        if question.qtype == "case":
            if not case_id:
                issues.append(ImportIssue(number, _("a case analysis needs a 案例编号 (case id)")))
                continue
            if case_id in cases:
                issues.append(
                    ImportIssue(number, _("case id %(id)s is used twice") % {"id": case_id})
                )
                continue
            cases[case_id] = question
            questions.append(question)
        elif case_id:
            case = cases.get(case_id)
            if case is None:
                issues.append(
                    ImportIssue(
                        number,
                        _("case id %(id)s has no case analysis row above it") % {"id": case_id},
                    )
                )
                continue
            case.parts.append(question)
        else:
            questions.append(question)
    for case_id, case in cases.items():
        case.default_mark = sum(part.default_mark for part in case.parts) or case.default_mark
        if not case.parts:
            issues.append(
                ImportIssue(case.line, _("case %(id)s has no sub-questions") % {"id": case_id})
            )
    return questions, issues


def _row(number: int, cell: dict) -> ParsedQuestion:
    raw_type = cell.get("type", "")
    qtype = TYPES.get(raw_type) or TYPES.get(raw_type.lower())
    if not qtype:
        raise ValueError(_("unknown question type “%(type)s”") % {"type": raw_type})
    stem = cell.get("stem", "")
    if not stem:
        raise ValueError(_("the question text (题干) is empty"))
    score_text = cell.get("score", "")
    try:
        score = _number(score_text) if score_text else 1.0
    except ValueError:
        raise ValueError(
            _("the score “%(score)s” is not a number") % {"score": score_text}
        ) from None
    if score < 0:
        raise ValueError(_("the score cannot be negative"))
    options = [(letter, cell.get(letter, "")) for letter in OPTION_LETTERS]
    options = [(letter, text) for letter, text in options if text]
    answer = cell.get("answer", "")
    question = ParsedQuestion(
        line=number,
        qtype=qtype,
        name=cell.get("name") or default_name(stem),
        stem=stem,
        stem_format="plain",
        general_feedback=cell.get("explanation", ""),
        category=cell.get("category", ""),
        default_mark=score,
    )
    if qtype in ("single", "multiple"):
        if len(options) < 2:
            raise ValueError(_("a choice question needs at least two options (A–F)"))
        letters = _letters(answer)
        known = {letter for letter, _t in options}
        if not letters:
            raise ValueError(_("the answer is empty"))
        unknown = [letter for letter in letters if letter not in known]
        if unknown:
            raise ValueError(
                _("the answer names option %(letter)s, which is empty") % {"letter": unknown[0]}
            )
        if qtype == "single" and len(set(letters)) != 1:
            raise ValueError(_("a single-choice question has exactly one right option"))
        right = set(letters)
        share = 1.0 / len(right)
        for letter, text in options:
            if qtype == "single":
                fraction = 1.0 if letter in right else 0.0
            else:
                fraction = share if letter in right else -1.0
            question.answers.append(ParsedAnswer(text=text, fraction=round(fraction, 7)))
    elif qtype == "truefalse":
        word = unicodedata.normalize("NFKC", answer).strip().upper()
        if word in TRUE_WORDS:
            value = True
        elif word in FALSE_WORDS:
            value = False
        else:
            raise ValueError(_("a true/false answer must be 对 or 错 (T or F)"))
        question.answers = [
            ParsedAnswer(text="True", fraction=1.0 if value else 0.0),
            ParsedAnswer(text="False", fraction=0.0 if value else 1.0),
        ]
    elif qtype == "shortanswer":
        accepted = [a.strip() for a in re.split(r"[|｜;；]", answer) if a.strip()]
        if not accepted:
            raise ValueError(_("give at least one accepted answer"))
        question.answers = [ParsedAnswer(text=a, fraction=1.0) for a in accepted]
    elif qtype == "numerical":
        question.answers = [_numerical(answer)]
    elif qtype == "matching":
        pairs = []
        for _letter, text in options:
            normalized = text.replace("→", "->")
            if "->" not in normalized:
                raise ValueError(_("matching options are written 'item -> match'"))
            item, _arrow, match = normalized.partition("->")
            pairs.append(ParsedAnswer(text=item.strip(), match_text=match.strip(), fraction=1.0))
        if sum(1 for p in pairs if p.text) < 2:
            raise ValueError(_("a matching question needs at least two pairs"))
        question.answers = pairs
    elif qtype == "essay":
        question.settings = {"grader_info": answer}
    return question


def _numerical(answer: str) -> ParsedAnswer:
    text = unicodedata.normalize("NFKC", answer).replace(" ", "")
    try:
        if ".." in text[1:]:
            low, _dots, high = text.partition("..")
            low_value, high_value = float(low), float(high)
            if high_value < low_value:
                raise ValueError
            middle = (low_value + high_value) / 2
            return ParsedAnswer(text=f"{middle:g}", fraction=1.0, tolerance=high_value - middle)
        for separator in ("±", "+-", ":"):
            if separator in text[1:]:
                value, _sep, tolerance = text.partition(separator)
                float(value)
                return ParsedAnswer(text=value, fraction=1.0, tolerance=abs(float(tolerance)))
        float(text)
        return ParsedAnswer(text=text, fraction=1.0)
    except ValueError:
        raise ValueError(
            _("the numerical answer “%(answer)s” should be a number, number±tolerance or low..high")
            % {"answer": answer}
        ) from None
