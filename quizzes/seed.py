"""Demo quizzes: a question bank, a short quiz in every seed course, a final exam per programme.

Idempotent: the bank is imported once (found by its questions' names), quizzes are
found by title, the quiz lessons by slug; a second run changes nothing.
Runs after the courses seed; without course pages it still seeds the bank and exams.
"""

from __future__ import annotations

import random
from pathlib import Path

from .gift import ParsedAnswer, ParsedQuestion
from .models import Attempt, Question, QuestionCategory, Quiz, QuizSlot
from .seed_translations import seed_question_translations
from .services import import_file, import_questions

BANK_FILE = Path(__file__).with_name("seed_bank.gift")
BANK_MARKER = "发展-学龄期任务"
CASES_CATEGORY = "题库/案例分析"
QUIZ_LESSON_SLUG = "course-quiz"

ALL_ITEMS = ["correctness", "marks", "feedback", "right_answer"]
REVIEW_AFTER = [f"{t}:{i}" for t in ("immediately", "later", "closed") for i in ALL_ITEMS]
# Final exams: the grade at once, the right answers only after the exam closes.
EXAM_REVIEW = [f"{t}:marks" for t in ("immediately", "later", "closed")] + [
    f"closed:{i}" for i in ALL_ITEMS
]


def _case(name, vignette, parts):
    question = ParsedQuestion(line=0, qtype="case", name=name, stem=vignette, stem_format="plain")
    for index, (qtype, stem, mark, answers, settings) in enumerate(parts):
        question.parts.append(
            ParsedQuestion(
                line=index,
                qtype=qtype,
                name=f"{name}（{index + 1}）",
                stem=stem,
                stem_format="plain",
                default_mark=mark,
                answers=[ParsedAnswer(text=t, fraction=f, feedback=fb) for t, f, fb in answers],
                settings=settings,
            )
        )
    question.default_mark = sum(part.default_mark for part in question.parts)
    return question


CASES = [
    _case(
        "案例-留守儿童情绪",
        "小林（化名），10岁，父母在外地务工，与奶奶同住。近两个月，班主任发现他上课常走神，"
        "两次因小事与同学推搡，作业经常不交。奶奶说他回家就玩手机，不愿说话。"
        "学校请你为小林提供心理支持。",
        [
            (
                "single",
                "与小林第一次见面时，你首先应该做的是？",
                2,
                [
                    ("批评他和同学推搡的行为", 0, "批评会让孩子关上心门。"),
                    ("建立信任关系，了解他自己怎么看最近的事", 1, "正确：先建立关系。"),
                    ("让他保证以后不再打架", 0, "过早要求承诺没有效果。"),
                    ("马上打电话让父母回家", 0, "需要先了解情况，再与家庭沟通。"),
                ],
                {},
            ),
            (
                "multiple",
                "下列哪些可能是小林行为变化的原因，需要进一步了解？",
                2,
                [
                    ("与父母分离带来的思念和失落", 0.34, ""),
                    ("在学校的同伴关系出现问题", 0.33, ""),
                    ("睡眠不足或使用手机过多", 0.33, ""),
                    ("他天生就是坏孩子", -1, "给孩子贴标签是错误的。"),
                ],
                {},
            ),
            (
                "essay",
                "请为小林设计一个为期四周的支持计划，写明每周的目标、方法和需要合作的人（150–400字）。",
                6,
                [],
                {
                    "min_words": 150,
                    "max_words": 400,
                    "grader_info": "要点：情绪识别与表达；同伴关系；与奶奶和父母的沟通（视频通话）；"
                    "与班主任协作；评估与转介的时机。每点约1分，结构清楚另加1分。",
                },
            ),
        ],
    ),
    _case(
        "案例-团体中的冲突",
        "你在社区带领一个10人的儿童情绪小组（8–11岁）。第三次活动中，两名孩子因为争抢彩笔"
        "吵了起来，其中一人哭着说\u201c我再也不来了\u201d，其他孩子开始起哄。",
        [
            (
                "single",
                "此时带领者最恰当的第一步是？",
                2,
                [
                    (
                        "暂停活动，先让大家安静下来，照顾哭泣的孩子",
                        1,
                        "正确：先保证安全和情绪稳定。",
                    ),
                    ("让两个孩子互相道歉后继续", 0, "情绪未平复时的道歉往往流于形式。"),
                    ("请起哄的孩子离开", 0, ""),
                    ("装作没看见，继续原计划", 0, ""),
                ],
                {},
            ),
            (
                "essay",
                "请说明你会如何把这次冲突转化为小组学习情绪管理的机会（100–300字）。",
                4,
                [],
                {
                    "min_words": 100,
                    "max_words": 300,
                    "grader_info": "要点：回到团体规则；情绪命名与温度计；换位思考；共同商定解决办法；事后个别跟进。",
                },
            ),
        ],
    ),
    _case(
        "案例-家长求助",
        "一位母亲在家长课堂后找到你：\u201c我儿子7岁，一写作业就磨蹭，我一催他就哭，"
        "最后我也忍不住吼他。我是不是一个失败的妈妈？\u201d",
        [
            (
                "single",
                "回应这位母亲时，首先应当？",
                2,
                [
                    ("共情她的疲惫和自责", 1, "正确：先接住家长的情绪。"),
                    ("告诉她吼孩子是错误的", 0, ""),
                    ("马上给出十条写作业的技巧", 0, "情绪被理解后，建议才听得进去。"),
                ],
                {},
            ),
            (
                "essay",
                "请给这位母亲提出三条具体、可操作的建议，并说明理由（100–300字）。",
                4,
                [],
                {
                    "min_words": 100,
                    "max_words": 300,
                    "grader_info": "参考：把作业分成小段并计时；描述性表扬；固定作业时间与环境；"
                    "家长先照顾自己的情绪（暂停法）。",
                },
            ),
        ],
    ),
]

# Final exams: (programme slug, title, [(category path under 题库, count)]).
EXAMS = {
    "foundation": (
        "公共基础课程结业考试",
        [("儿童发展", 3), ("伦理与儿童保护", 3), ("团体辅导", 3), ("案例分析", 1)],
    ),
    "counsellor": (
        "心理咨询师结业考试",
        [
            ("儿童发展", 3),
            ("伦理与儿童保护", 3),
            ("团体辅导", 3),
            ("情绪与沟通", 3),
            ("案例分析", 1),
        ],
    ),
    "family-education": (
        "家庭教育指导师结业考试",
        [
            ("儿童发展", 3),
            ("伦理与儿童保护", 3),
            ("家庭教育", 3),
            ("情绪与沟通", 3),
            ("案例分析", 1),
        ],
    ),
}
COURSE_DRAWS = {
    "foundation": [("儿童发展", 1), ("伦理与儿童保护", 1), ("团体辅导", 1)],
    "counsellor": [("情绪与沟通", 2), ("团体辅导", 1)],
    "family-education": [("家庭教育", 2), ("情绪与沟通", 1)],
}


def seed(stdout=None) -> None:
    _seed_bank()
    programmes, courses = _course_pages()
    exams = _seed_exams(programmes)
    course_quizzes = _seed_course_quizzes(courses)
    _seed_attempts(exams)
    translated = seed_question_translations()
    if stdout:
        stdout.write(
            f"  quizzes: {Question.objects.sources().count()} questions, {len(exams)} final "
            f"exams, {course_quizzes} course quizzes, {translated} questions translated"
        )


def seed_after_all(stdout=None) -> None:
    """The marking pool, once the practicum placements and the cohort exist.

    Demo supervisors then see and mark: ``supervisor`` their placements' trainees and
    the demo cohort; ``supervisor2`` their placements' trainees (``trainee2``'s exam).
    Idempotent (get or create).
    """
    from django.contrib.auth import get_user_model

    from courses.models import Cohort
    from courses.seed import COHORT_NAME

    from .models import MarkingAssignment

    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=["supervisor", "admin"])
    }
    cohort = Cohort.objects.filter(name=COHORT_NAME).first()
    if "supervisor" not in users or cohort is None:
        return
    MarkingAssignment.objects.get_or_create(
        supervisor=users["supervisor"],
        cohort=cohort,
        defaults={"assigned_by": users.get("admin"), "note": "2027 班的论述题与案例分析"},
    )
    if stdout:
        stdout.write(f"  marking pool: {MarkingAssignment.objects.count()} assignments")


def _seed_bank() -> None:
    if not Question.objects.filter(name=BANK_MARKER).exists():
        report = import_file(data=BANK_FILE.read_bytes(), fmt="gift", filename=BANK_FILE.name)
        if not report.ok:
            raise RuntimeError(f"seed bank refused: {report.errors}")
    missing = [case for case in CASES if not Question.objects.filter(name=case.name).exists()]
    if missing:
        base = QuestionCategory.get_or_create_path(CASES_CATEGORY)
        report = import_questions(parsed=missing, issues=[], base_category=base, source="seed")
        if not report.ok:
            raise RuntimeError(f"seed cases refused: {report.errors}")


def _course_pages():
    """Live programme and course pages, or empty lists when courses has none."""
    from courses.models import Course, Programme

    programmes = list(Programme.objects.live().order_by("path"))
    courses = list(Course.objects.live().originals().order_by("path"))
    return programmes, courses


def _quiz(title: str, draws, **fields) -> Quiz:
    quiz, _created = Quiz.objects.get_or_create(title=title, defaults=fields)
    if not quiz.slots.exists():
        for order, (path, count) in enumerate(draws):
            QuizSlot.objects.create(
                quiz=quiz,
                category=QuestionCategory.get_or_create_path(f"题库/{path}"),
                draw_count=count,
                sort_order=order,
            )
    return quiz


def _seed_exams(programmes) -> list[Quiz]:
    by_slug = {p.slug: p for p in programmes}
    exams = []
    for slug, (title, draws) in EXAMS.items():
        exams.append(
            _quiz(
                title,
                draws,
                intro="结业考试从题库中随机抽题，含一道案例分析题（由督导专家阅卷）。考试限时60分钟，可参加两次，取最高分。",
                page=by_slug.get(slug),
                time_limit_minutes=60,
                attempts_allowed=2,
                grading_method="highest",
                pass_mark=60,
                shuffle_questions=True,
                questions_per_page=5,
                review_options=EXAM_REVIEW,
            )
        )
    return exams


def _seed_course_quizzes(courses) -> int:
    from courses.models import Lesson, Module, Programme

    count = 0
    for course in courses:
        programme = Programme.objects.ancestor_of(course).first()
        draws = COURSE_DRAWS.get(programme.slug if programme else "", COURSE_DRAWS["foundation"])
        quiz = _quiz(
            f"小测：{course.title}",
            draws,
            intro="三道小题，检验本课程的关键知识。可以反复作答，取最高分。",
            page=course,
            time_limit_minutes=10,
            attempts_allowed=0,
            pass_mark=60,
            questions_per_page=3,
            review_options=REVIEW_AFTER,
        )
        count += 1
        module = Module.objects.child_of(course).order_by("-path").first()
        if module is None or Lesson.objects.child_of(module).filter(slug=QUIZ_LESSON_SLUG).exists():
            continue
        lesson = Lesson(
            title="课程小测",
            slug=QUIZ_LESSON_SLUG,
            estimated_minutes=10,
            # Completed only by passing the quiz (every lesson holding a quiz is). Optional:
            # the course completes without it, as the demo learners' courses did before
            # their quizzes were placed.
            requires_quiz_pass=True,
            is_optional=True,
            body=[
                {"type": "rich_text", "value": "<p>学完本课程后，用三道小题检验一下吧。</p>"},
                {"type": "quiz", "value": {"quiz": quiz.pk, "intro": "通过小测即完成本课。"}},
            ],
        )
        module.add_child(instance=lesson)
        lesson.save_revision().publish()
    return count


def _seed_attempts(exams) -> None:
    """A finished final exam for two demo trainees, its case analysis waiting for marking."""
    from django.contrib.auth import get_user_model

    from .services import start_attempt, submit_attempt

    rng = random.Random(2027)
    exam = next((e for e in exams if e.title == EXAMS["counsellor"][0]), None)
    if exam is None:
        return
    for username in ("trainee", "trainee2"):
        user = get_user_model().objects.filter(username=username).first()
        if user is None or Attempt.objects.filter(quiz=exam, user=user).exists():
            continue
        attempt = start_attempt(user=user, quiz=exam)
        answers = {}
        for slot in attempt.slots.all():
            data = slot.question_data
            if data["qtype"] in ("single", "multiple") and slot.layout.get("keys"):
                keys = slot.layout["keys"]
                answers[str(slot.number)] = (
                    {"choice": rng.choice(keys)}
                    if data["qtype"] == "single"
                    else {"choices": rng.sample(keys, 2)}
                )
            elif data["qtype"] == "truefalse":
                answers[str(slot.number)] = {"value": rng.random() < 0.7}
            elif data["qtype"] == "case":
                answers[str(slot.number)] = {
                    "parts": {
                        part_key: {
                            "text": "先与孩子建立信任关系，了解他的想法和感受，再与照料人和老师一起商量支持办法。"
                            * 4
                        }
                        for part_key, part in enumerate_parts(data)
                        if part["qtype"] == "essay"
                    }
                }
        submit_attempt(user=user, attempt=attempt, answers=answers)


def enumerate_parts(data):
    return [(f"p{index}", part) for index, part in enumerate(data.get("parts") or [])]


# --- Passing an exam, for the demo's certificate holders -----------------------------------

GOOD_ESSAY = (
    "首先与孩子建立信任关系，耐心倾听他的想法和感受，用温和的语言帮助他说出情绪。"
    "然后与照料人和班主任沟通，了解孩子在家和在校的情况，共同商定支持办法，"
    "例如固定的陪伴时间、可以做到的小目标和及时的鼓励。"
    "活动中遵守保密原则，不在集体面前谈论孩子的家庭情况；"
    "发现安全风险时及时报告并转介。最后定期回访，根据孩子的变化调整方案，"
    "并在督导中反思自己的做法。"
)


def good_response(data: dict, layout: dict) -> dict | None:
    """The response a well-prepared trainee gives: the right option(s), the right text or
    number, every pair matched, and a considered essay (marked by a person)."""
    from . import grading

    qtype = data["qtype"]
    answers = data.get("answers") or []
    if qtype == "case":
        parts = {
            part.key: good_response(part.data, layout.get(part.key, {}))
            for part in grading.parts_of(data)
        }
        return {"parts": {key: value for key, value in parts.items() if value}}
    if qtype in ("single", "multiple"):
        by_index = dict(zip(layout.get("order", []), layout.get("keys", []), strict=False))
        if qtype == "single":
            best = max(range(len(answers)), key=lambda i: answers[i]["fraction"])
            return {"choice": by_index[best]}
        return {"choices": [by_index[i] for i, a in enumerate(answers) if a["fraction"] > 0]}
    if qtype == "truefalse":
        return {"value": bool(answers) and answers[0]["fraction"] >= 1}
    if qtype in ("shortanswer", "numerical"):
        best = max(answers, key=lambda a: a["fraction"])
        text = best["text"].replace("*", "")
        return {"text": text} if qtype == "shortanswer" else {"value": text.split(":")[0]}
    if qtype == "matching":
        keys = dict(zip(layout.get("choices", []), layout.get("choice_keys", []), strict=False))
        return {
            "pairs": {
                item_key: keys[answers[index]["match_text"]]
                for item_key, index in zip(
                    layout.get("item_keys", []), layout.get("items", []), strict=False
                )
            }
        }
    if qtype == "essay":
        return {"text": GOOD_ESSAY}
    return None


def pass_exam_for_demo(*, user, quiz: Quiz, grader, submitted_at) -> Attempt:
    """A passed attempt at ``quiz`` by ``user``, submitted at ``submitted_at`` and its
    essays marked by ``grader`` a few days later: the attempt services grade it, and the
    marks are recorded as ``services.mark_slot`` records them (its permission check needs
    a grader with two-factor set up, which the demo's staff have only under the dev
    settings). Demo data only (``seed_demo`` refuses production). Idempotent: a user who
    passed keeps their grade."""
    import datetime

    from . import grading
    from .models import QuizGrade
    from .services import _record_marks, start_attempt, submit_attempt

    if QuizGrade.objects.filter(user=user, quiz=quiz, passed=True).exists():
        return Attempt.objects.filter(user=user, quiz=quiz).order_by("-number").first()
    started = submitted_at - datetime.timedelta(minutes=40)
    attempt = start_attempt(user=user, quiz=quiz, now=started)
    answers = {
        str(slot.number): good_response(slot.question_data, slot.layout)
        for slot in attempt.slots.all()
    }
    submit_attempt(user=user, attempt=attempt, answers=answers, now=submitted_at)
    marked = submitted_at + datetime.timedelta(days=3)
    for slot in attempt.slots.filter(needs_manual=True).order_by("number"):
        maxima = grading.part_max(slot.question_data, slot.max_mark)
        marks = {
            key: (value if (slot.marks or {}).get(key) is None else slot.marks[key])
            for key, value in maxima.items()
        }
        _record_marks(
            grader=grader, slot=slot, marks=marks, comment="要点齐全，结构清楚。", now=marked
        )
    attempt.refresh_from_db()
    if not QuizGrade.objects.filter(user=user, quiz=quiz, passed=True).exists():
        raise RuntimeError(f"demo exam not passed: {quiz.title} by {user.username}")
    return attempt
