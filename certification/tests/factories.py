"""Factories and a fake data source for certification tests."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory

from certification.models import (
    Certificate,
    CertificationType,
    IssueMode,
    Requirement,
    RequirementKind,
    RequirementStage,
)
from certification.sources import CourseInfo, PracticumLine, QuizInfo


class CertificationTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CertificationType
        django_get_or_create = ("code",)

    code = "counsellor"
    serial_prefix = "PC"
    name = "心理咨询师"
    name_en = "Psychological Counsellor"
    name_ug = "پسىخولوگىيە مەسلىھەتچىسى"
    issuing_authority = "吐鲁番市民政局"
    issuing_authority_en = "Turpan Municipal Civil Affairs Bureau"
    issuing_authority_ug = "تۇرپان شەھەرلىك پۇقرالار ئىشلىرى ئىدارىسى"
    validity_months = 36
    issue_mode = IssueMode.AUTOMATIC


def family_educator_type(**kwargs):
    return CertificationTypeFactory(
        code="family_educator",
        serial_prefix="FE",
        name="家庭教育指导师",
        name_en="Family-Education Instructor",
        name_ug="ئائىلە تەربىيىسى يېتەكچىسى",
        **kwargs,
    )


def add_requirements(certification, *kinds, stage=RequirementStage.INITIAL, minimum=None):
    for order, kind in enumerate(kinds):
        Requirement.objects.create(
            certification=certification,
            kind=kind,
            stage=stage,
            minimum=minimum,
            sort_order=order,
        )
    return certification


ALL_INITIAL = (
    RequirementKind.COURSES_COMPLETED,
    RequirementKind.QUIZZES_PASSED,
    RequirementKind.PRACTICUM_HOURS,
    RequirementKind.FINAL_EVALUATION,
)


class FakeSources:
    """In-memory stand-ins for the other apps; counts the calls so tests can pin them."""

    def __init__(self):
        self.courses = [
            CourseInfo(1, "儿童发展基础", 3),
            CourseInfo(2, "伦理、保密与儿童保护", 2),
            CourseInfo(3, "团体活动的组织", 4),
        ]
        self.completed: dict[int, dict[int, datetime.date]] = {}
        self.quizzes = [QuizInfo(10, "心理咨询师结业考试", 60)]
        self.grades: dict[int, dict[int, tuple]] = {}
        self.practicum: dict[int, list[PracticumLine]] = {}
        self.evaluations: dict[int, str] = {}
        self.ce_hours: dict[int, Decimal] = {}
        self.attended: dict[int, Decimal] = {}  # face-to-face class hours
        self.calls = 0

    def user_ids(self, users):
        return list(users.order_by("pk").values_list("pk", flat=True))

    def required_courses(self, certification, targets):
        self.calls += 1
        return [c for c in self.courses if not targets or c.id in targets]

    def course_completions(self, users, course_ids):
        self.calls += 1
        return self.completed

    def required_quizzes(self, certification, targets):
        self.calls += 1
        return self.quizzes

    def quiz_grades(self, users, quiz_ids):
        self.calls += 1
        return self.grades

    def practicum_lines(self, users, qualification):
        self.calls += 1
        return self.practicum

    def final_evaluations(self, users, qualification):
        self.calls += 1
        return self.evaluations

    def continuing_education_hours(self, users, windows):
        self.calls += 1
        return self.ce_hours

    def class_hours(self, users, *, requirement_id, course_ids, windows):
        self.calls += 1
        return self.attended

    # helpers for tests
    def make_eligible(self, user):
        self.completed[user.pk] = {c.id: datetime.date(2027, 3, 1) for c in self.courses}
        self.grades[user.pk] = {10: (86.0, True)}
        self.practicum[user.pk] = [
            PracticumLine("total", "total hours", Decimal("100"), Decimal("100"), True),
            PracticumLine("direct", "direct hours", Decimal("42.5"), Decimal("40"), True),
        ]
        self.evaluations[user.pk] = "passed"
        self.attended[user.pk] = Decimal("12")


def make_certificate(holder, certification=None, **kwargs) -> Certificate:
    """A certificate issued through the service with every requirement faked as met."""
    from django.db import transaction

    from certification import services

    certification = certification or CertificationTypeFactory()
    with transaction.atomic():
        return _create(services, certification, holder, kwargs)


def _create(services, certification, holder, kwargs):
    return services._create_certificate(
        certification=certification,
        holder=holder,
        cycle=kwargs.pop("cycle", 0),
        issued_by=kwargs.pop("issued_by", None),
        snapshot=kwargs.pop(
            "snapshot",
            {
                "courses": [{"id": 1, "title": "儿童发展基础", "class_hours": 3}],
                "class_hours": 12,
                "exam_score": 86,
                "practicum": {"total_hours": 120, "direct_hours": 45.5},
                "requirements": [],
            },
        ),
        valid_from=kwargs.pop("valid_from", datetime.date.today()),
        **kwargs,
    )
