"""Checks of the seed curriculum data against the content contract and the domain.

Plain data checks: no database is needed.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from courses.curriculum import PROGRAMMES

DOMAIN_MD = Path(__file__).resolve().parents[3] / "shared" / "DOMAIN.md"

BLOCK_KEYS = {
    "callout": {"kind", "text"},
    "activity_plan": {
        "title",
        "objectives",
        "age_band",
        "group_size",
        "duration_minutes",
        "materials",
        "steps",
        "safety_notes",
        "debrief_questions",
    },
    "case_study": {"title", "vignette", "questions"},
    "reflection_prompt": {"prompt", "max_length"},
    "video": {"embed_url", "caption"},
}
STEP_KEYS = {"title", "minutes", "description"}
COURSE_KEYS = {
    "slug",
    "title",
    "summary",
    "objectives",
    "class_hours",
    "navigation",
    "self_enrol",
    "prerequisites",
    "modules",
}
PROGRAMME_KEYS = {"slug", "title", "title_en", "qualifications", "summary", "courses"}
ALLOWED_TAGS = {"p", "h3", "h4", "ul", "ol", "li", "strong", "em"}
MINUTES_PER_CLASS_HOUR = 45

PHONE_NUMBER = re.compile(r"(?<!\d)\d{11}(?!\d)")
ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dXx])")
ANONYMOUS_PERSON = re.compile(r"小[A-Z]|某|一位")


def _courses():
    return [course for programme in PROGRAMMES for course in programme["courses"]]


def _programme(slug):
    return next(programme for programme in PROGRAMMES if programme["slug"] == slug)


def _lessons(course):
    return [lesson for module in course["modules"] for lesson in module["lessons"]]


def _blocks(course):
    return [block for lesson in _lessons(course) for block in lesson["body"]]


def _blocks_of(block_type):
    return [
        (course, value)
        for course in _courses()
        for kind, value in _blocks(course)
        if kind == block_type
    ]


def _strings(value):
    """Every string inside a nested structure of dicts, lists and tuples."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _domain_table(marker):
    """Titles listed under ``marker`` (e.g. "(表1)") in DOMAIN.md: lines "1. title — note"."""
    if not DOMAIN_MD.exists():
        pytest.skip(f"{DOMAIN_MD} is absent: the domain tables cannot be compared")
    lines = DOMAIN_MD.read_text(encoding="utf-8").splitlines()
    start = next(index for index, line in enumerate(lines) if marker in line)
    titles = []
    for line in lines[start + 1 :]:
        match = re.match(r"^\s*\d+\.\s+(.+?)\s+—\s+", line)
        if match:
            titles.append(match.group(1))
        elif titles:
            break
    return titles


class _TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []
        self.open = []
        self.attributes = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.open.append(tag)
        self.attributes.extend(attrs)

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()


def _plain_text(lesson):
    text = "".join(_strings([value for _kind, value in lesson["body"]]))
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", text))


def test_there_are_three_programmes_in_contract_order():
    assert [programme["slug"] for programme in PROGRAMMES] == [
        "foundation",
        "counsellor",
        "family-education",
    ]
    assert [programme["title"] for programme in PROGRAMMES] == [
        "公共基础课程",
        "心理咨询师",
        "家庭教育指导师",
    ]


def test_programmes_have_exactly_the_contract_keys_and_qualifications():
    for programme in PROGRAMMES:
        assert set(programme) == PROGRAMME_KEYS, programme["slug"]
        assert programme["summary"].strip()
    assert _programme("foundation")["qualifications"] == ["counsellor", "family_educator"]
    assert _programme("counsellor")["qualifications"] == ["counsellor"]
    assert _programme("family-education")["qualifications"] == ["family_educator"]


def test_course_counts_are_three_ten_and_six():
    assert [len(programme["courses"]) for programme in PROGRAMMES] == [3, 10, 6]


def test_foundation_course_titles():
    assert [course["title"] for course in _programme("foundation")["courses"]] == [
        "儿童发展基础",
        "伦理、保密与儿童保护",
        "团体活动的组织与带领",
    ]


def test_counsellor_course_titles_match_table_1_of_the_domain():
    expected = _domain_table("(表1)")
    assert len(expected) == 10
    assert [course["title"] for course in _programme("counsellor")["courses"]] == expected


def test_family_education_course_titles_match_table_2_of_the_domain():
    expected = _domain_table("(表2)")
    assert len(expected) == 6
    assert [course["title"] for course in _programme("family-education")["courses"]] == expected


def test_courses_have_exactly_the_contract_keys():
    for course in _courses():
        assert set(course) == COURSE_KEYS, course["slug"]
        assert course["self_enrol"] is True, course["slug"]
        assert course["summary"].strip(), course["slug"]
        for module in course["modules"]:
            assert set(module) == {"title", "lessons"}, course["slug"]
            for lesson in module["lessons"]:
                assert set(lesson) == {"title", "estimated_minutes", "body"}, course["slug"]
                assert isinstance(lesson["estimated_minutes"], int)
                assert 1 <= lesson["estimated_minutes"] <= 30, lesson["title"]


def test_class_hours_are_between_two_and_four():
    for course in _courses():
        assert course["class_hours"] in (2, 3, 4), course["slug"]


def test_each_course_has_two_to_five_objectives():
    for course in _courses():
        assert 2 <= len(course["objectives"]) <= 5, course["slug"]
        assert all(objective.strip() for objective in course["objectives"]), course["slug"]


def test_each_course_has_a_module_and_at_least_two_lessons():
    for course in _courses():
        assert course["modules"], course["slug"]
        assert all(module["lessons"] for module in course["modules"]), course["slug"]
        assert len(_lessons(course)) >= 2, course["slug"]


def test_each_course_has_an_activity_plan_a_case_study_and_a_reflection_prompt():
    for course in _courses():
        kinds = {kind for kind, _value in _blocks(course)}
        assert {"activity_plan", "case_study", "reflection_prompt"} <= kinds, course["slug"]


def test_navigation_is_free_for_foundation_and_sequential_elsewhere():
    for programme in PROGRAMMES:
        expected = "free" if programme["slug"] == "foundation" else "sequential"
        for course in programme["courses"]:
            assert course["navigation"] == expected, course["slug"]


def test_blocks_are_known_types_with_exactly_the_contract_keys():
    for course in _courses():
        for kind, value in _blocks(course):
            if kind == "rich_text":
                assert isinstance(value, str) and value.strip(), course["slug"]
            else:
                assert kind in BLOCK_KEYS, (course["slug"], kind)
                assert set(value) == BLOCK_KEYS[kind], (course["slug"], kind)


def test_callouts_are_tips_or_warnings():
    for course, callout in _blocks_of("callout"):
        assert callout["kind"] in ("tip", "warning"), course["slug"]
        assert callout["text"].strip(), course["slug"]


def test_activity_plan_steps_have_the_contract_keys_and_add_up_to_the_duration():
    for course, plan in _blocks_of("activity_plan"):
        assert 4 <= len(plan["steps"]) <= 7, plan["title"]
        for step in plan["steps"]:
            assert set(step) == STEP_KEYS, plan["title"]
            assert isinstance(step["minutes"], int) and step["minutes"] > 0, plan["title"]
        assert sum(step["minutes"] for step in plan["steps"]) == plan["duration_minutes"], (
            course["slug"],
            plan["title"],
        )


def test_activity_plans_fit_the_class_hours_of_their_course():
    for course, plan in _blocks_of("activity_plan"):
        assert plan["duration_minutes"] <= course["class_hours"] * MINUTES_PER_CLASS_HOUR, course[
            "slug"
        ]


def test_session_plans_fill_the_class_hours_of_activity_and_caregiver_courses():
    for slug in ("counsellor", "family-education"):
        for course in _programme(slug)["courses"]:
            plans = [value for kind, value in _blocks(course) if kind == "activity_plan"]
            hours = course["class_hours"]
            assert any(
                (hours - 1) * MINUTES_PER_CLASS_HOUR < plan["duration_minutes"] for plan in plans
            ), course["slug"]


def test_activity_plans_are_complete():
    for course, plan in _blocks_of("activity_plan"):
        assert plan["title"].strip() and plan["safety_notes"].strip(), course["slug"]
        assert plan["objectives"] and plan["materials"], course["slug"]
        assert plan["debrief_questions"], course["slug"]
        assert re.search(r"\d", plan["age_band"]), course["slug"]
        assert re.search(r"\d", plan["group_size"]), course["slug"]


def test_case_studies_have_two_to_four_questions_and_anonymous_people():
    for course, case in _blocks_of("case_study"):
        assert 2 <= len(case["questions"]) <= 4, course["slug"]
        assert ANONYMOUS_PERSON.search(case["vignette"]), (course["slug"], case["title"])


def test_reflection_prompts_have_a_positive_max_length():
    for course, prompt in _blocks_of("reflection_prompt"):
        assert prompt["prompt"].strip(), course["slug"]
        assert isinstance(prompt["max_length"], int) and prompt["max_length"] > 0


def test_slugs_are_unique_and_ascii():
    slugs = [programme["slug"] for programme in PROGRAMMES] + [
        course["slug"] for course in _courses()
    ]
    assert len(slugs) == len(set(slugs))
    for slug in slugs:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug), slug


def test_prerequisites_reference_existing_courses():
    slugs = {course["slug"] for course in _courses()}
    for course in _courses():
        assert course["slug"] not in course["prerequisites"], course["slug"]
        assert set(course["prerequisites"]) <= slugs, course["slug"]


def test_foundation_courses_have_no_prerequisites_and_the_others_require_ethics():
    ethics = _programme("foundation")["courses"][1]["slug"]
    for course in _programme("foundation")["courses"]:
        assert course["prerequisites"] == [], course["slug"]
    for slug in ("counsellor", "family-education"):
        for course in _programme(slug)["courses"]:
            assert ethics in course["prerequisites"], course["slug"]


def test_prerequisites_form_no_cycle():
    requires = {course["slug"]: course["prerequisites"] for course in _courses()}
    done, visiting = set(), set()

    def visit(slug):
        assert slug not in visiting, f"prerequisite cycle through {slug}"
        if slug in done:
            return
        visiting.add(slug)
        for required in requires[slug]:
            visit(required)
        visiting.discard(slug)
        done.add(slug)

    for slug in requires:
        visit(slug)


def test_no_text_contains_a_phone_or_id_number():
    for text in _strings(PROGRAMMES):
        assert not PHONE_NUMBER.search(text), text
        assert not ID_NUMBER.search(text), text


def test_rich_text_uses_only_allowed_tags_properly_closed():
    for course, html in _blocks_of("rich_text"):
        parser = _TagCollector()
        parser.feed(html)
        parser.close()
        assert set(parser.tags) <= ALLOWED_TAGS, (course["slug"], set(parser.tags))
        assert parser.attributes == [], course["slug"]
        assert parser.open == [], (course["slug"], parser.open)


def test_text_outside_rich_text_carries_no_markup():
    for course in _courses():
        for kind, value in _blocks(course):
            if kind != "rich_text":
                for text in _strings(value):
                    assert "<" not in text and ">" not in text, (course["slug"], text)


def test_each_lesson_is_short_enough_to_read_on_a_phone():
    for course in _courses():
        for lesson in _lessons(course):
            length = len(_plain_text(lesson))
            assert 300 <= length <= 950, (course["slug"], lesson["title"], length)
