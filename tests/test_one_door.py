"""One door: a guarded write gives the same refusal and the same audit row from every
entry point — the service called directly (as commands and tasks do), the site's pages,
the API and the Wagtail admin (``lms.one_door``).

``GUARDED_WRITES`` is the registry the tests walk: every service a ``Door`` exposes to the
admin must have an entry here (``test_every_door_service_is_in_the_registry``), and every
Wagtail viewset or snippet for one of the project's models must be behind a door
(``test_every_admin_viewset_of_a_project_model_is_behind_a_door``), so a new write or a
new viewset that escapes the services fails here by name.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.contrib import admin as django_admin
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory

from audit.models import AuditLog
from lms import one_door
from tests.factories import VenueFactory

pytestmark = pytest.mark.django_db

PROJECT_APPS = {
    "accounts",
    "audit",
    "certification",
    "classes",
    "courses",
    "home",
    "lecturer_corps",
    "outbox",
    "places",
    "practicum",
    "privacy",
    "quizzes",
    "reports",
    "safeguarding",
    "supervision",
}

# Viewsets that still write with Wagtail's plain actions. This list may only shrink: a
# viewset put behind a door must leave it, and a new viewset must come with its door.
NOT_YET_BEHIND_A_DOOR: set[str] = set()


@dataclass
class Case:
    """One guarded write: who may, who may not, and how each entry point asks for it."""

    model: type
    verb: str  # "create", "update" or "delete": the door's service
    action: str  # the audit code the service writes
    setup: Callable  # (fixtures) -> dict of what the ways need
    allowed: str  # fixture name of a user the service lets through
    refused: str  # fixture name of a user the service refuses
    service: Callable  # (ctx, actor) -> None
    admin: Callable | None = None  # (ctx) -> (path, data) to POST in the Wagtail admin
    api: Callable | None = None  # (ctx) -> (path, json) to POST to the API
    page: Callable | None = None  # (ctx) -> (path, data) to POST to a page
    changes_keys: set[str] = field(default_factory=set)
    multipart: bool = False  # the API operation takes a form (with a file), not JSON


def _venue_fields(district, **extra):
    return {
        "name": "第九十九小学",
        "venue_type": "school",
        "capacity": 40,
        "district": district.pk,
        "address": "",
        "contact_name": "",
        "contact_phone": "",
        "notes": "",
        "is_active": "on",
        **extra,
    }


def _venue_setup(f):
    venue = VenueFactory(district=f["district"])
    venue.refresh_from_db()  # the factory's floats, as the database keeps them
    return {"district": f["district"], "venue": venue}


def _cohort_setup(f):
    from courses.models import Cohort

    cohort = Cohort.objects.create(
        name="2025 春季班",
        starts_on=datetime.date(2025, 3, 1),
        ends_on=datetime.date(2025, 6, 30),
        district=f["district"],
    )
    return {"district": f["district"], "cohort": cohort}


def _cohort_fields(district, name="2025 秋季班"):
    return {
        "name": name,
        "starts_on": "2025-09-01",
        "ends_on": "2025-12-31",
        "district": district.pk,
        "programme": "",
    }


def _profile_setup(f):
    from lecturer_corps.models import LecturerProfile

    profile = LecturerProfile.objects.create(user=f["lecturer"], district=f["district"])
    return {"district": f["district"], "profile": profile}


def _enrolment_setup(f):
    from courses.models import Enrolment
    from courses.tests.factories import course as make_course

    course = make_course(modules=(1,))
    enrolment = Enrolment.objects.create(user=f["trainee"], course=course)
    return {"enrolment": enrolment}


def _create_venue(ctx, actor):
    from lecturer_corps import services

    services.create_venue(
        actor=actor, name="第九十九小学", venue_type="school", district_id=ctx["district"].pk
    )


def _update_venue(ctx, actor):
    from lecturer_corps import services

    venue = ctx["venue"]
    venue.capacity = 99
    services.update_venue(actor=actor, venue=venue, changed=["capacity"])


def _delete_venue(ctx, actor):
    from lecturer_corps import services

    services.delete_venue(actor=actor, venue=ctx["venue"])


def _create_cohort(ctx, actor):
    from courses import services

    services.create_cohort(
        actor=actor,
        name="2025 秋季班",
        starts_on=datetime.date(2025, 9, 1),
        ends_on=datetime.date(2025, 12, 31),
        district=ctx["district"],
    )


def _update_cohort(ctx, actor):
    from courses import services

    cohort = ctx["cohort"]
    cohort.name = "改名"
    services.update_cohort(actor=actor, cohort=cohort, changed=["name"])


def _delete_cohort(ctx, actor):
    from courses import services

    services.delete_cohort(actor=actor, cohort=ctx["cohort"])


def _update_profile(ctx, actor):
    from lecturer_corps import services

    profile = ctx["profile"]
    profile.monthly_cap = 7
    services.save_profile(actor=actor, profile=profile)


def _set_deadline(ctx, actor):
    from courses import services

    enrolment = ctx["enrolment"]
    enrolment.deadline = datetime.date(2030, 1, 1)
    services.set_enrolment_deadline(actor=actor, enrolment=enrolment, changed=["deadline"])


def _profile_form(ctx):
    return {
        "is_active": "on",
        "topics": "[]",
        "languages": "[]",
        "district": ctx["district"].pk,
        "township": "",
        "latitude": "",
        "longitude": "",
        "monthly_cap": 7,
        "max_travel_km": 30,
        "weekly_availability": 127,
        "preferred_venue_types": "[]",
    }


VENUE = "/cms/snippets/places/venue"
PROFILE = "/cms/snippets/lecturer_corps/lecturerprofile"
COHORT = "/cms/cohorts"
ENROLMENT = "/cms/enrolments"

GUARDED_WRITES: dict[str, Case] = {
    "lecturer_corps.venue.create": Case(
        model=None,
        verb="create",
        action="lecturer_corps.venue.create",
        setup=lambda f: {"district": f["district"]},
        allowed="district_coordinator",
        refused="other_district_coordinator",
        service=_create_venue,
        admin=lambda ctx: (f"{VENUE}/add/", _venue_fields(ctx["district"])),
        api=lambda ctx: (
            "/api/v1/venues",
            {"name": "第九十九小学", "venue_type": "school", "district_id": ctx["district"].pk},
        ),
    ),
    "lecturer_corps.venue.update": Case(
        model=None,
        verb="update",
        action="lecturer_corps.venue.update",
        setup=_venue_setup,
        allowed="district_coordinator",
        refused="other_district_coordinator",
        service=_update_venue,
        admin=lambda ctx: (
            f"{VENUE}/edit/{ctx['venue'].pk}/",
            _venue_fields(ctx["district"], name=ctx["venue"].name, capacity=99),
        ),
        changes_keys={"fields"},
    ),
    "lecturer_corps.venue.delete": Case(
        model=None,
        verb="delete",
        action="lecturer_corps.venue.delete",
        setup=_venue_setup,
        allowed="district_coordinator",
        refused="other_district_coordinator",
        service=_delete_venue,
        admin=lambda ctx: (f"{VENUE}/delete/{ctx['venue'].pk}/", {}),
    ),
    "lecturer_corps.profile.update": Case(
        model=None,
        verb="update",
        action="lecturer_corps.profile.update",
        setup=_profile_setup,
        allowed="district_coordinator",
        refused="other_district_coordinator",
        service=_update_profile,
        admin=lambda ctx: (f"{PROFILE}/edit/{ctx['profile'].pk}/", _profile_form(ctx)),
        changes_keys={"topics", "languages", "monthly_cap", "active"},
    ),
    "courses.cohort.create": Case(
        model=None,
        verb="create",
        action="courses.cohort.create",
        setup=lambda f: {"district": f["district"]},
        allowed="district_coordinator",
        refused="other_district_coordinator",
        service=_create_cohort,
        admin=lambda ctx: (f"{COHORT}/new/", _cohort_fields(ctx["district"])),
        page=lambda ctx: ("/learn/cohorts/new/", _cohort_fields(ctx["district"])),
        changes_keys={"district"},
    ),
    "courses.cohort.update": Case(
        model=None,
        verb="update",
        action="courses.cohort.update",
        setup=_cohort_setup,
        allowed="district_coordinator",
        refused="other_district_coordinator",
        service=_update_cohort,
        admin=lambda ctx: (
            f"{COHORT}/edit/{ctx['cohort'].pk}/",
            _cohort_fields(ctx["district"], name="改名"),
        ),
        changes_keys={"fields", "district"},
    ),
    "courses.cohort.delete": Case(
        model=None,
        verb="delete",
        action="courses.cohort.delete",
        setup=_cohort_setup,
        allowed="district_coordinator",
        refused="other_district_coordinator",
        service=_delete_cohort,
        admin=lambda ctx: (f"{COHORT}/delete/{ctx['cohort'].pk}/", {}),
        changes_keys={"members"},
    ),
    "courses.enrolment.deadline": Case(
        model=None,
        verb="update",
        action="courses.enrolment.deadline",
        setup=_enrolment_setup,
        allowed="district_coordinator",
        refused="other_district_coordinator",
        service=_set_deadline,
        admin=lambda ctx: (
            f"{ENROLMENT}/edit/{ctx['enrolment'].pk}/",
            {"deadline": "2030-01-01"},
        ),
        changes_keys={"deadline"},
    ),
}


# --- the practicum's rules (administrators) -----------------------------------------------

SNIPPETS = "/cms/snippets"


def _inline(prefix: str, initial: int = 0) -> dict:
    """The management form of an empty inline panel (Wagtail's child formset)."""
    return {
        f"{prefix}-TOTAL_FORMS": initial,
        f"{prefix}-INITIAL_FORMS": initial,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }


def _activity_type_fields(**extra):
    return {
        "code": "play_therapy",
        "name": "游戏治疗",
        "name_en": "Play therapy",
        "service_kind": "direct",
        "description": "",
        "sort_order": 90,
        "is_active": "on",
        **extra,
    }


def _rubric_fields(**extra):
    return {
        "code": "cultural_humility",
        "name": "文化谦逊",
        "name_en": "",
        **{f"descriptor_{n}": f"等级 {n}" for n in range(1, 6)},
        "sort_order": 90,
        "is_active": "on",
        **extra,
    }


def _requirement_fields(**extra):
    return {
        "qualification": "family_educator",
        "total_hours": "50.0",
        "min_direct_hours": "20.0",
        "min_supervision_hours": "5.0",
        "notes": "",
        **_inline("activity_minimums"),
        **extra,
    }


def _rule_setup(kind):
    """A rule of ``kind`` nothing uses yet (the family educator requirement, made afresh)."""

    def setup(f):
        from practicum.models import ActivityType, PracticumRequirement, RubricItem

        PracticumRequirement.objects.filter(qualification="family_educator").delete()
        if kind == "practicumrequirement":
            rule = PracticumRequirement.objects.create(
                qualification="family_educator", total_hours=50
            )
        elif kind == "activitytype":
            rule = ActivityType.objects.create(code="play_therapy", name="游戏治疗")
        elif kind == "rubricitem":
            rule = RubricItem.objects.create(
                code="cultural_humility",
                name="文化谦逊",
                **{f"descriptor_{n}": f"等级 {n}" for n in range(1, 6)},
            )
        else:
            return {}
        return {"rule": rule}

    return setup


def _create_rule(kind):
    def service(ctx, actor):
        from practicum import models, services

        rule = {
            "practicumrequirement": lambda: models.PracticumRequirement(
                qualification="family_educator", total_hours=50
            ),
            "activitytype": lambda: models.ActivityType(code="play_therapy", name="游戏治疗"),
            "rubricitem": lambda: models.RubricItem(
                code="cultural_humility",
                name="文化谦逊",
                **{f"descriptor_{n}": f"等级 {n}" for n in range(1, 6)},
            ),
        }[kind]()
        services.create_rule(actor=actor, rule=rule)

    return service


def _update_rule(ctx, actor):
    from practicum import services

    rule = ctx["rule"]
    rule.sort_order = 91 if hasattr(rule, "sort_order") else 0
    if hasattr(rule, "total_hours"):
        rule.total_hours = 60
    services.update_rule(actor=actor, rule=rule, changed=["sort_order"])


def _delete_rule(ctx, actor):
    from practicum import services

    services.delete_rule(actor=actor, rule=ctx["rule"])


_RULE_FORMS = {
    "practicumrequirement": _requirement_fields,
    "activitytype": _activity_type_fields,
    "rubricitem": _rubric_fields,
}

for _kind, _form in _RULE_FORMS.items():
    _base = f"{SNIPPETS}/practicum/{_kind}"
    _changed = {"total_hours": "60.0"} if _kind == "practicumrequirement" else {"sort_order": 91}
    GUARDED_WRITES[f"practicum.{_kind}.create"] = Case(
        model=None,
        verb="create",
        action=f"practicum.{_kind}.create",
        setup=_rule_setup("none" if _kind != "practicumrequirement" else "cleared"),
        allowed="administrator",
        refused="district_coordinator",
        service=_create_rule(_kind),
        admin=lambda ctx, _base=_base, _form=_form: (f"{_base}/add/", _form()),
        changes_keys={"code"},
    )
    GUARDED_WRITES[f"practicum.{_kind}.update"] = Case(
        model=None,
        verb="update",
        action=f"practicum.{_kind}.update",
        setup=_rule_setup(_kind),
        allowed="administrator",
        refused="district_coordinator",
        service=_update_rule,
        admin=lambda ctx, _base=_base, _form=_form, _changed=_changed: (
            f"{_base}/edit/{ctx['rule'].pk}/",
            _form(**_changed),
        ),
        changes_keys={"code", "fields"},
    )
    GUARDED_WRITES[f"practicum.{_kind}.delete"] = Case(
        model=None,
        verb="delete",
        action=f"practicum.{_kind}.delete",
        setup=_rule_setup(_kind),
        allowed="administrator",
        refused="district_coordinator",
        service=_delete_rule,
        admin=lambda ctx, _base=_base: (f"{_base}/delete/{ctx['rule'].pk}/", {}),
        changes_keys={"code"},
    )


# --- the question bank, quizzes and the marking pool --------------------------------------


def _bank_setup(f):
    from quizzes.tests import factories as qf

    category = qf.category("门槛题库")
    question = qf.question("essay", cat=category, name="论述题")
    quiz = qf.quiz([question], title="期末考试")
    spare = qf.category("空分类")
    return {
        "category": category,
        "question": question,
        "quiz": quiz,
        "slot": quiz.slots.get(),
        "spare": spare,
        "loose": qf.question("essay", cat=category, name="未用的题"),
    }


def _category_fields(**extra):
    return {"name": "新分类", "parent": "", "description": "", **extra}


def _question_fields(ctx, **extra):
    return {
        "qtype": "essay",
        "category": ctx["category"].pk,
        "name": "新论述题",
        "stem": "请论述。",
        "default_mark": 1,
        "stem_format": "plain",
        "general_feedback": "",
        "shuffle_choices": "on",
        "width_insensitive": "on",
        "min_words": "",
        "max_words": "",
        "max_chars": "",
        "grader_info": "",
        "case": "",
        "sort_order": 0,
        "tags": "",
        "is_active": "on",
        **_inline("answers"),
        **extra,
    }


def _quiz_fields(ctx, slot=None, **extra):
    fields = {
        "title": "新测验",
        "intro": "",
        "page": "",
        "is_available": "on",
        "open_at": "",
        "close_at": "",
        "time_limit_minutes": "",
        "grace_seconds": 30,
        "attempts_allowed": 0,
        "grading_method": "highest",
        "pass_mark": 60,
        "shuffle_choices": "on",
        "questions_per_page": 5,
        **_inline("slots", initial=1 if slot else 0),
        "slots-TOTAL_FORMS": 1,
        "slots-0-id": slot.pk if slot else "",
        "slots-0-question": ctx["question"].pk,
        "slots-0-category": "",
        "slots-0-draw_count": 1,
        "slots-0-include_subcategories": "on",
        "slots-0-mark": "",
        "slots-0-ORDER": 1,
        "slots-0-DELETE": "",
        **extra,
    }
    return fields


def _bank_service(verb, kind):
    def service(ctx, actor):
        from quizzes import models, services

        if verb == "create":
            item = {
                "questioncategory": lambda: models.QuestionCategory(name="新分类"),
                "question": lambda: models.Question(
                    qtype="essay", category=ctx["category"], name="新论述题", stem="请论述。"
                ),
                "quiz": lambda: models.Quiz(title="新测验"),
            }[kind]()
        else:
            item = {
                "questioncategory": ctx["spare"],
                "question": ctx["loose"],
                "quiz": ctx["quiz"],
            }[kind]
        name = {"questioncategory": "category"}.get(kind, kind)
        if verb == "delete":
            if kind == "quiz":
                item.attempts.all().delete()
            getattr(services, f"delete_{name}")(actor=actor, **{name: item})
            return
        if verb == "update":
            if kind == "quiz":
                item.title = "改名"
            else:
                item.name = "改名"
        getattr(services, f"save_{name}")(
            actor=actor, **{name: item}, **({"changed": ["name"]} if verb == "update" else {})
        )

    return service


QUIZZES = f"{SNIPPETS}/quizzes"
_BANK_ADMIN = {
    ("questioncategory", "create"): lambda ctx: (
        f"{QUIZZES}/questioncategory/add/",
        _category_fields(),
    ),
    ("questioncategory", "update"): lambda ctx: (
        f"{QUIZZES}/questioncategory/edit/{ctx['spare'].pk}/",
        _category_fields(name="改名"),
    ),
    ("questioncategory", "delete"): lambda ctx: (
        f"{QUIZZES}/questioncategory/delete/{ctx['spare'].pk}/",
        {},
    ),
    ("question", "create"): lambda ctx: (f"{QUIZZES}/question/add/", _question_fields(ctx)),
    ("question", "update"): lambda ctx: (
        f"{QUIZZES}/question/edit/{ctx['loose'].pk}/",
        _question_fields(ctx, name="改名"),
    ),
    ("question", "delete"): lambda ctx: (f"{QUIZZES}/question/delete/{ctx['loose'].pk}/", {}),
    ("quiz", "create"): lambda ctx: (f"{QUIZZES}/quiz/add/", _quiz_fields(ctx)),
    ("quiz", "update"): lambda ctx: (
        f"{QUIZZES}/quiz/edit/{ctx['quiz'].pk}/",
        _quiz_fields(ctx, slot=ctx["slot"], title="改名"),
    ),
    ("quiz", "delete"): lambda ctx: (f"{QUIZZES}/quiz/delete/{ctx['quiz'].pk}/", {}),
}
_BANK_CHANGES = {
    ("questioncategory", "create"): {"parent"},
    ("questioncategory", "update"): {"parent", "fields"},
    ("question", "create"): {"version", "category"},
    ("question", "update"): {"version", "category", "fields", "new_version"},
    ("quiz", "create"): {"page"},
    ("quiz", "update"): {"page", "fields"},
}
for (_kind, _verb), _admin in _BANK_ADMIN.items():
    GUARDED_WRITES[f"quizzes.{_kind}.{_verb}"] = Case(
        model=None,
        verb=_verb,
        action=f"quizzes.{_kind}.{_verb}",
        setup=_bank_setup,
        allowed="supervisor",
        refused="district_coordinator",
        service=_bank_service(_verb, _kind),
        admin=_admin,
        changes_keys=_BANK_CHANGES.get((_kind, _verb), set()),
    )


def _pool_setup(f):
    from quizzes.models import MarkingAssignment

    supervisor = f["fixture"]("other_supervisor")
    assignment = MarkingAssignment.objects.create(supervisor=supervisor, trainee=f["trainee"])
    return {"supervisor": supervisor, "trainee": f["trainee"], "assignment": assignment}


def _assign(ctx, actor):
    from quizzes import services

    services.assign_marking(
        actor=actor, supervisor=ctx["supervisor"], trainee=ctx["lecturer"], note=""
    )


def _revoke(ctx, actor):
    from quizzes import services

    services.revoke_marking(actor=actor, assignment=ctx["assignment"])


GUARDED_WRITES["quizzes.marking_pool.assign"] = Case(
    model=None,
    verb="create",
    action="quizzes.marking_pool.assign",
    setup=lambda f: {**_pool_setup(f), "lecturer": f["lecturer"]},
    allowed="administrator",
    refused="supervisor",
    service=_assign,
    admin=lambda ctx: (
        "/cms/marking_pool/new/",
        {
            "supervisor": ctx["supervisor"].pk,
            "trainee": ctx["lecturer"].pk,
            "cohort": "",
            "note": "",
        },
    ),
    changes_keys={"supervisor", "trainee", "cohort"},
)
GUARDED_WRITES["quizzes.marking_pool.revoke"] = Case(
    model=None,
    verb="delete",
    action="quizzes.marking_pool.revoke",
    setup=_pool_setup,
    allowed="administrator",
    refused="supervisor",
    service=_revoke,
    admin=lambda ctx: (f"/cms/marking_pool/delete/{ctx['assignment'].pk}/", {}),
    changes_keys={"supervisor", "trainee", "cohort"},
)


# --- certification types, requirements, signatories (administrators) ---------------------


def _png() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (8, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def _certification_setup(f):
    from certification.models import CertificationType, Requirement, Signatory

    certification = CertificationType.objects.create(
        code="school_counsellor",
        serial_prefix="SC",
        name="学校心理辅导员",
        name_en="School counsellor",
        issuing_authority="市教育局",
        issuing_authority_en="City Education Bureau",
    )
    requirement = Requirement.objects.create(certification=certification, kind="courses_completed")
    from django.core.files.base import ContentFile

    signatory = Signatory(certification=certification, name="王局长", title="局长")
    signatory.signature.save("signature.png", ContentFile(_png()))
    return {"certification": certification, "requirement": requirement, "signatory": signatory}


def _type_fields(**extra):
    return {
        "code": "youth_worker",
        "serial_prefix": "YW",
        "name": "青少年工作者",
        "name_en": "Youth worker",
        "name_ug": "",
        "description": "",
        "issuing_authority": "市教育局",
        "issuing_authority_en": "City Education Bureau",
        "issuing_authority_ug": "",
        "validity_months": 36,
        "renewal_window_days": 90,
        "issue_mode": "approval",
        "is_active": "on",
        "sort_order": 5,
        **extra,
    }


def _requirement_form(ctx, **extra):
    return {
        "certification": ctx["certification"].pk,
        "stage": "initial",
        "kind": "quizzes_passed",
        "minimum": "",
        "targets": "[]",
        "label": "",
        "sort_order": 0,
        **extra,
    }


def _signatory_form(ctx, **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {
        "certification": ctx["certification"].pk,
        "name": "李主任",
        "title": "主任",
        "title_en": "",
        "signature": SimpleUploadedFile("signature.png", _png(), content_type="image/png"),
        "sort_order": 0,
        **extra,
    }


def _certification_service(kind, verb):
    def service(ctx, actor):
        from django.core.files.base import ContentFile

        from certification import models, services

        if kind == "certificationtype":
            if verb == "create":
                item = models.CertificationType(
                    **{
                        k: v
                        for k, v in _type_fields().items()
                        if k not in ("is_active", "name_ug", "issuing_authority_ug")
                    }
                )
            else:
                item = ctx["certification"]
                item.name = "改名"
            services.save_certification_type(
                actor=actor,
                certification=item,
                **({"changed": ["name"]} if verb == "update" else {}),
            )
            return
        if verb == "delete":
            services.delete_type_part(actor=actor, part=ctx[kind])
            return
        if verb == "create" and kind == "requirement":
            item = models.Requirement(certification=ctx["certification"], kind="quizzes_passed")
        elif verb == "create":
            item = models.Signatory(certification=ctx["certification"], name="李主任", title="主任")
            item.signature.save("signature.png", ContentFile(_png()), save=False)
        else:
            item = ctx[kind]
            item.sort_order = 3
        services.save_type_part(
            actor=actor, part=item, **({"changed": ["sort_order"]} if verb == "update" else {})
        )

    return service


_CERTIFICATION_ADMIN = {
    ("certificationtype", "create"): lambda ctx: ("/cms/certification_types/new/", _type_fields()),
    ("certificationtype", "update"): lambda ctx: (
        f"/cms/certification_types/edit/{ctx['certification'].pk}/",
        _type_fields(code="school_counsellor", serial_prefix="SC", name="改名"),
    ),
    ("requirement", "create"): lambda ctx: (
        "/cms/certification_requirements/new/",
        _requirement_form(ctx),
    ),
    ("requirement", "update"): lambda ctx: (
        f"/cms/certification_requirements/edit/{ctx['requirement'].pk}/",
        _requirement_form(ctx, kind="courses_completed", sort_order=3),
    ),
    ("requirement", "delete"): lambda ctx: (
        f"/cms/certification_requirements/delete/{ctx['requirement'].pk}/",
        {},
    ),
    ("signatory", "create"): lambda ctx: (
        "/cms/certification_signatories/new/",
        _signatory_form(ctx),
    ),
    ("signatory", "update"): lambda ctx: (
        f"/cms/certification_signatories/edit/{ctx['signatory'].pk}/",
        _signatory_form(ctx, name="王局长", title="局长", sort_order=3),
    ),
    ("signatory", "delete"): lambda ctx: (
        f"/cms/certification_signatories/delete/{ctx['signatory'].pk}/",
        {},
    ),
}
for (_kind, _verb), _admin in _CERTIFICATION_ADMIN.items():
    _key = "code" if _kind == "certificationtype" else "certification"
    GUARDED_WRITES[f"certification.{_kind}.{_verb}"] = Case(
        model=None,
        verb=_verb,
        action=f"certification.{_kind}.{_verb}",
        setup=_certification_setup,
        allowed="administrator",
        refused="district_coordinator",
        service=_certification_service(_kind, _verb),
        admin=_admin,
        changes_keys={_key, "fields"} if _verb == "update" else {_key},
    )


# --- safeguarding arrangements (administrators) ----------------------------------------------


def _arrangement_setup(f):
    from safeguarding.models import SafeguardingArrangement

    expert = f["fixture"]("supervisor")
    arrangement = SafeguardingArrangement.objects.create(district=f["district"], duty_expert=expert)
    return {"district": f["district"], "expert": expert, "arrangement": arrangement}


def _arrangement_form(ctx, **extra):
    return {
        "district": ctx["district"].pk,
        "duty_expert": ctx["expert"].pk,
        "urgent_hours": 4,
        "other_hours": 24,
        "step_1": "duty_expert",
        "step_2": "coordinators",
        "step_3": "leading_group",
        **extra,
    }


def _create_arrangement(ctx, actor):
    from safeguarding import services
    from safeguarding.models import SafeguardingArrangement

    services.create_arrangement(
        actor=actor,
        instance=SafeguardingArrangement(district=ctx["district"], duty_expert=ctx["expert"]),
    )


def _update_arrangement(ctx, actor):
    from safeguarding import services

    arrangement = ctx["arrangement"]
    arrangement.urgent_hours = 2
    services.update_arrangement(actor=actor, instance=arrangement, changed=["urgent_hours"])


def _delete_arrangement(ctx, actor):
    from safeguarding import services

    services.delete_arrangement(actor=actor, instance=ctx["arrangement"])


ARRANGEMENTS = "/cms/safeguarding-arrangements"
_ARRANGEMENT_KEYS = {"district", "duty_expert", "urgent_hours", "other_hours", "chain"}
GUARDED_WRITES["safeguarding.arrangement.create"] = Case(
    model=None,
    verb="create",
    action="safeguarding.arrangement.create",
    setup=lambda f: {"district": f["district"], "expert": f["fixture"]("supervisor")},
    allowed="administrator",
    refused="district_coordinator",
    service=_create_arrangement,
    admin=lambda ctx: (f"{ARRANGEMENTS}/new/", _arrangement_form(ctx)),
    changes_keys=_ARRANGEMENT_KEYS,
)
GUARDED_WRITES["safeguarding.arrangement.update"] = Case(
    model=None,
    verb="update",
    action="safeguarding.arrangement.update",
    setup=_arrangement_setup,
    allowed="administrator",
    refused="district_coordinator",
    service=_update_arrangement,
    admin=lambda ctx: (
        f"{ARRANGEMENTS}/edit/{ctx['arrangement'].pk}/",
        _arrangement_form(ctx, urgent_hours=2),
    ),
    changes_keys={"fields", *_ARRANGEMENT_KEYS},
)
GUARDED_WRITES["safeguarding.arrangement.delete"] = Case(
    model=None,
    verb="delete",
    action="safeguarding.arrangement.delete",
    setup=_arrangement_setup,
    allowed="administrator",
    refused="district_coordinator",
    service=_delete_arrangement,
    admin=lambda ctx: (f"{ARRANGEMENTS}/delete/{ctx['arrangement'].pk}/", {}),
    changes_keys={"district"},
)


# --- districts and townships (administrators) and people (the Users pages) -----------------


def _places_setup(f):
    from places.models import District, Township

    district = District.objects.create(code="toksun", name="托克逊县", sort_order=9)
    township = Township.objects.create(
        district=district, name="伊拉湖镇", latitude="42.79", longitude="88.65"
    )
    return {"district": district, "township": township}


def _place_form(kind, ctx, **extra):
    if kind == "district":
        fields = {
            "code": "new_county",
            "name": "新县",
            "name_en": "",
            "name_ug": "",
            "sort_order": 10,
        }
    else:
        fields = {
            "district": ctx["district"].pk,
            "name": "新镇",
            "name_en": "",
            "latitude": "42.80000",
            "longitude": "88.60000",
        }
    return {**fields, **extra}


def _place_service(kind, verb):
    def service(ctx, actor):
        from accounts import services
        from places.models import District, Township

        if verb == "delete":
            if kind == "district":
                ctx["township"].delete()
            services.delete_place(actor=actor, place=ctx[kind])
            return
        if verb == "create":
            place = (
                District(code="new_county", name="新县")
                if kind == "district"
                else Township(
                    district=ctx["district"], name="新镇", latitude="42.8", longitude="88.6"
                )
            )
            services.save_place(actor=actor, place=place)
            return
        place = ctx[kind]
        place.name_en = "Renamed"
        services.save_place(actor=actor, place=place, changed=["name_en"])

    return service


def _place_admin(kind, verb):
    base = "/cms/districts" if kind == "district" else "/cms/townships"

    def admin(ctx):
        if verb == "create":
            return f"{base}/new/", _place_form(kind, ctx)
        if verb == "delete":
            if kind == "district":
                ctx["township"].delete()
            return f"{base}/delete/{ctx[kind].pk}/", {}
        current = (
            {"code": "toksun", "name": "托克逊县"} if kind == "district" else {"name": "伊拉湖镇"}
        )
        return f"{base}/edit/{ctx[kind].pk}/", _place_form(kind, ctx, name_en="Renamed", **current)

    return admin


for _kind in ("district", "township"):
    for _verb in ("create", "update", "delete"):
        GUARDED_WRITES[f"places.{_kind}.{_verb}"] = Case(
            model=None,
            verb=_verb,
            action=f"places.{_kind}.{_verb}",
            setup=_places_setup,
            allowed="administrator",
            refused="district_coordinator",
            service=_place_service(_kind, _verb),
            admin=_place_admin(_kind, _verb),
            changes_keys={"name", "fields"} if _verb == "update" else {"name"},
        )


def _person_form(person=None, **extra):
    data = {
        "username": person.username if person else "new_trainee",
        "email": person.email if person else "new.trainee@example.org",
        "first_name": "新",
        "last_name": "学员",
        "is_active": "on",
    }
    if person is None:
        data.update(password1="Gx7!mQ2#long-enough", password2="Gx7!mQ2#long-enough")
    return {**data, **extra}


def _create_person(ctx, actor):
    from accounts import services
    from accounts.models import User

    services.create_person(
        actor=actor, person=User(username="new_trainee", email="new.trainee@example.org")
    )


def _update_person(ctx, actor):
    from accounts import services

    person = ctx["trainee"]
    person.first_name = "新"
    services.update_person(actor=actor, person=person, changed=["first_name"])


GUARDED_WRITES["accounts.user.create"] = Case(
    model=None,
    verb="create",
    action="accounts.user.create",
    setup=lambda f: {"district": f["district"]},
    allowed="district_coordinator",
    refused="supervisor",
    service=_create_person,
    admin=lambda ctx: ("/cms/users/new/", _person_form()),
    changes_keys={"roles", "district"},
)
GUARDED_WRITES["accounts.user.update"] = Case(
    model=None,
    verb="update",
    action="accounts.user.update",
    setup=lambda f: {"trainee": f["trainee"]},
    allowed="district_coordinator",
    refused="other_district_coordinator",
    service=_update_person,
    admin=lambda ctx: (f"/cms/users/edit/{ctx['trainee'].pk}/", _person_form(ctx["trainee"])),
    changes_keys={"fields"},
)


# --- face-to-face classes (coordinators of the class's district) ----------------------------


def _class_times(days=30):
    import datetime

    from django.utils import timezone

    starts = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    starts += datetime.timedelta(days=days)
    return starts, starts + datetime.timedelta(hours=3)


def _class_setup(f):
    from classes.models import TrainingClass
    from tests.factories import make_user

    trainer = make_user("lecturer", username="door_trainer")
    starts, ends = _class_times()
    training_class = TrainingClass.objects.create(
        title="团体辅导面授",
        district=f["district"],
        address="高昌区培训中心",
        hours=3,
        starts_at=starts,
        ends_at=ends,
        trainer=trainer,
        capacity=20,
    )
    return {"district": f["district"], "trainer": trainer, "class": training_class}


def _class_new_setup(f):
    from tests.factories import make_user

    return {"district": f["district"], "trainer": make_user("lecturer", username="door_trainer")}


def _class_admin_form(ctx, **extra):
    starts, ends = _class_times()
    return {
        "title": "团体辅导面授",
        "audience": "open",
        "cohort": "",
        "course": "",
        "requirement": "",
        "hours": "3",
        "district": ctx["district"].pk,
        "venue": "",
        "address": "高昌区培训中心",
        "starts_at": starts.strftime("%Y-%m-%d %H:%M"),
        "ends_at": ends.strftime("%Y-%m-%d %H:%M"),
        "trainer": ctx["trainer"].pk,
        "capacity": 20,
        "notes": "",
        **extra,
    }


def _class_page_form(ctx):
    starts, _ends = _class_times()
    return {
        "title": "团体辅导面授",
        "day": starts.date().isoformat(),
        "start_time": "09:00",
        "end_time": "12:00",
        "venue": "",
        "address": "高昌区培训中心",
        "trainer": ctx["trainer"].pk,
        "capacity": 20,
        "audience": "open",
        "cohort": "",
        "district": ctx["district"].pk,
        "course": "",
        "requirement": "",
        "hours": "3",
        "notes": "",
    }


def _class_api_body(ctx):
    starts, ends = _class_times()
    return {
        "title": "团体辅导面授",
        "audience": "open",
        "hours": "3",
        "district_id": ctx["district"].pk,
        "address": "高昌区培训中心",
        "starts_at": starts.isoformat(),
        "ends_at": ends.isoformat(),
        "trainer_id": ctx["trainer"].pk,
        "capacity": 20,
    }


def _create_class(ctx, actor):
    from classes import services
    from classes.models import TrainingClass

    starts, ends = _class_times()
    services.create_class(
        actor=actor,
        instance=TrainingClass(
            title="团体辅导面授",
            district=ctx["district"],
            address="高昌区培训中心",
            hours=3,
            starts_at=starts,
            ends_at=ends,
            trainer=ctx["trainer"],
            capacity=20,
        ),
    )


def _update_class(ctx, actor):
    from classes import services

    training_class = ctx["class"]
    training_class.capacity = 30
    services.update_class(actor=actor, instance=training_class, changed=["capacity"])


def _delete_class(ctx, actor):
    from classes import services

    services.delete_class(actor=actor, instance=ctx["class"])


CLASSES = "/cms/training-classes"
_CLASS_KEYS = {"district", "trainer", "capacity", "starts_at", "audience"}
GUARDED_WRITES["classes.class.create"] = Case(
    model=None,
    verb="create",
    action="classes.class.create",
    setup=_class_new_setup,
    allowed="district_coordinator",
    refused="other_district_coordinator",
    service=_create_class,
    admin=lambda ctx: (f"{CLASSES}/new/", _class_admin_form(ctx)),
    api=lambda ctx: ("/api/v1/classes", _class_api_body(ctx)),
    page=lambda ctx: ("/classes/manage/new/", _class_page_form(ctx)),
    changes_keys=_CLASS_KEYS,
)
GUARDED_WRITES["classes.class.update"] = Case(
    model=None,
    verb="update",
    action="classes.class.update",
    setup=_class_setup,
    allowed="district_coordinator",
    refused="other_district_coordinator",
    service=_update_class,
    admin=lambda ctx: (f"{CLASSES}/edit/{ctx['class'].pk}/", _class_admin_form(ctx, capacity=30)),
    changes_keys={"fields", *_CLASS_KEYS},
)
GUARDED_WRITES["classes.class.delete"] = Case(
    model=None,
    verb="delete",
    action="classes.class.delete",
    setup=_class_setup,
    allowed="district_coordinator",
    refused="other_district_coordinator",
    service=_delete_class,
    admin=lambda ctx: (f"{CLASSES}/delete/{ctx['class'].pk}/", {}),
    changes_keys=_CLASS_KEYS,
)


# --- dispatch planning: tariffs and budgets (city-wide coordinators) -----------------------

TARIFF = f"{SNIPPETS}/dispatch/tariff"
BUDGET = f"{SNIPPETS}/dispatch/budget"


def _tariff_setup(f):
    import datetime

    from dispatch.tests.factories import make_tariff

    tariff = make_tariff(effective_from=datetime.date(2099, 1, 1), bands=((None, "50"),))
    return {"tariff": tariff, "band": tariff.bands.get()}


def _tariff_form(ctx=None, **extra):
    band = ctx["band"] if ctx else None
    return {
        "name": "2099 标准",
        "effective_from": "2099-01-01",
        "fee_per_class_hour": "120.00",
        "basis": "distance",
        "unknown_location_subsidy": "10.00",
        **_inline("bands", 1 if band else 0),
        "bands-TOTAL_FORMS": 1,
        "bands-0-id": band.pk if band else "",
        "bands-0-ORDER": "1",
        "bands-0-DELETE": "",
        "bands-0-up_to": "",
        "bands-0-subsidy": "60.00",
        **extra,
    }


def _create_tariff(ctx, actor):
    import datetime
    from decimal import Decimal

    from dispatch import costs
    from dispatch.models import Tariff, TravelBand

    tariff = Tariff(
        name="2099 标准",
        effective_from=datetime.date(2099, 1, 1),
        fee_per_class_hour=Decimal("120"),
    )
    tariff.bands = [TravelBand(up_to=None, subsidy=Decimal("60"))]
    costs.save_tariff(actor=actor, tariff=tariff)


def _update_tariff(ctx, actor):
    from decimal import Decimal

    from dispatch import costs

    tariff = ctx["tariff"]
    tariff.fee_per_class_hour = Decimal("130")
    costs.save_tariff(actor=actor, tariff=tariff, changed=["fee_per_class_hour"])


def _delete_tariff(ctx, actor):
    from dispatch import costs

    costs.delete_tariff(actor=actor, tariff=ctx["tariff"])


def _budget_setup(f):
    import datetime
    from decimal import Decimal

    from dispatch.models import Budget

    budget = Budget.objects.create(
        district=f["district"], month=datetime.date(2031, 5, 1), amount=Decimal("1000")
    )
    return {"district": f["district"], "budget": budget}


def _budget_form(ctx, **extra):
    return {
        "district": ctx["district"].pk,
        "month": "2031-06-01",
        "amount": "1500.00",
        **extra,
    }


def _create_budget(ctx, actor):
    import datetime
    from decimal import Decimal

    from dispatch import costs
    from dispatch.models import Budget

    costs.save_budget(
        actor=actor,
        budget=Budget(
            district=ctx["district"], month=datetime.date(2031, 6, 1), amount=Decimal("1500")
        ),
    )


def _update_budget(ctx, actor):
    from decimal import Decimal

    from dispatch import costs

    budget = ctx["budget"]
    budget.amount = Decimal("1200")
    costs.save_budget(actor=actor, budget=budget, changed=["amount"])


def _delete_budget(ctx, actor):
    from dispatch import costs

    costs.delete_budget(actor=actor, budget=ctx["budget"])


_TARIFF_KEYS = {"from", "fee_per_class_hour", "basis", "bands"}
GUARDED_WRITES["dispatch.tariff.create"] = Case(
    model=None,
    verb="create",
    action="dispatch.tariff.create",
    setup=lambda f: {},
    allowed="coordinator",
    refused="district_coordinator",
    service=_create_tariff,
    admin=lambda ctx: (f"{TARIFF}/add/", _tariff_form()),
    changes_keys=_TARIFF_KEYS,
)
GUARDED_WRITES["dispatch.tariff.update"] = Case(
    model=None,
    verb="update",
    action="dispatch.tariff.update",
    setup=_tariff_setup,
    allowed="coordinator",
    refused="district_coordinator",
    service=_update_tariff,
    admin=lambda ctx: (f"{TARIFF}/edit/{ctx['tariff'].pk}/", _tariff_form(ctx)),
    changes_keys=_TARIFF_KEYS,
)
GUARDED_WRITES["dispatch.tariff.delete"] = Case(
    model=None,
    verb="delete",
    action="dispatch.tariff.delete",
    setup=_tariff_setup,
    allowed="coordinator",
    refused="district_coordinator",
    service=_delete_tariff,
    admin=lambda ctx: (f"{TARIFF}/delete/{ctx['tariff'].pk}/", {}),
    changes_keys={"from"},
)
GUARDED_WRITES["dispatch.budget.create"] = Case(
    model=None,
    verb="create",
    action="dispatch.budget.create",
    setup=lambda f: {"district": f["district"]},
    allowed="coordinator",
    refused="district_coordinator",
    service=_create_budget,
    admin=lambda ctx: (f"{BUDGET}/add/", _budget_form(ctx)),
    changes_keys={"district", "month", "amount"},
)
GUARDED_WRITES["dispatch.budget.update"] = Case(
    model=None,
    verb="update",
    action="dispatch.budget.update",
    setup=_budget_setup,
    allowed="coordinator",
    refused="district_coordinator",
    service=_update_budget,
    admin=lambda ctx: (
        f"{BUDGET}/edit/{ctx['budget'].pk}/",
        _budget_form(ctx, month="2031-05-01", amount="1200.00"),
    ),
    changes_keys={"district", "month", "amount"},
)
GUARDED_WRITES["dispatch.budget.delete"] = Case(
    model=None,
    verb="delete",
    action="dispatch.budget.delete",
    setup=_budget_setup,
    allowed="coordinator",
    refused="district_coordinator",
    service=_delete_budget,
    admin=lambda ctx: (f"{BUDGET}/delete/{ctx['budget'].pk}/", {}),
    changes_keys={"district", "month"},
)


# --- supervision: units, the publicity rule, the programme's stages; reports' targets -------


def _unit_setup(f):
    from supervision.models import Unit

    unit = Unit.objects.create(name="高昌区教育局", kind="education", district=f["district"])
    return {"district": f["district"], "unit": unit}


def _unit_form(ctx, **extra):
    return {
        "name": "高昌区教育局",
        "kind": "education",
        "district": ctx["district"].pk,
        "township": "",
        "is_active": "on",
        **extra,
    }


def _create_unit(ctx, actor):
    from supervision import services
    from supervision.models import Unit

    services.create_unit(
        actor=actor,
        instance=Unit(name="高昌区教育局", kind="education", district=ctx["district"]),
        related={"reporters": []},
    )


def _update_unit(ctx, actor):
    from supervision import services

    unit = ctx["unit"]
    unit.kind = "other"
    services.update_unit(actor=actor, instance=unit, changed=["kind"], related={"reporters": []})


def _rule_instance_setup(f):
    from supervision.models import PublicityRule

    return {"rule": PublicityRule.objects.create(applies_from=datetime.date(2026, 1, 1))}


def _create_publicity_rule(ctx, actor):
    from supervision import services
    from supervision.models import PublicityRule

    services.create_publicity_rule(
        actor=actor, instance=PublicityRule(applies_from=datetime.date(2026, 1, 1))
    )


def _update_publicity_rule(ctx, actor):
    from supervision import services

    rule = ctx["rule"]
    rule.min_items = 6
    services.update_publicity_rule(actor=actor, instance=rule, changed=["min_items"])


def _stage_setup(f):
    from supervision.models import Stage, StageCriterion

    stage = Stage.objects.create(
        name="第一阶段", starts_on=datetime.date(2026, 1, 1), due_on=datetime.date(2026, 6, 30)
    )
    criterion = StageCriterion.objects.create(stage=stage, measure="certified", target=10)
    return {"stage": stage, "criterion": criterion}


def _stage_form(ctx=None, **extra):
    criterion = (ctx or {}).get("criterion")
    return {
        "name": "第一阶段",
        "sort_order": 0,
        "starts_on": "2026-01-01",
        "due_on": "2026-06-30",
        "description": "",
        "criteria-TOTAL_FORMS": 1,
        "criteria-INITIAL_FORMS": 1 if criterion else 0,
        "criteria-MIN_NUM_FORMS": 1,
        "criteria-MAX_NUM_FORMS": 1000,
        "criteria-0-id": criterion.pk if criterion else "",
        "criteria-0-ORDER": 1,
        "criteria-0-DELETE": "",
        "criteria-0-measure": "certified",
        "criteria-0-target": "10",
        "criteria-0-district": "",
        **extra,
    }


def _create_stage(ctx, actor):
    from supervision import services
    from supervision.models import Stage, StageCriterion

    stage = Stage(
        name="第一阶段", starts_on=datetime.date(2026, 1, 1), due_on=datetime.date(2026, 6, 30)
    )
    stage.criteria = [StageCriterion(measure="certified", target=10)]
    services.create_stage(actor=actor, instance=stage)


def _update_stage(ctx, actor):
    from supervision import services

    stage = ctx["stage"]
    stage.name = "第一阶段（调整）"
    services.update_stage(actor=actor, instance=stage, changed=["name"])


def _delete_stage(ctx, actor):
    from supervision import services

    services.delete_stage(actor=actor, instance=ctx["stage"])


def _target_setup(f):
    from reports.models import CoverageTarget

    return {"target": CoverageTarget.objects.create(first_year=2026)}


def _target_form(**extra):
    return {"first_year": 2026, "years": 5, "children": 4000, "coverage_percent": 80, **extra}


def _create_target(ctx, actor):
    from reports import services
    from reports.models import CoverageTarget

    services.create_target(actor=actor, instance=CoverageTarget(first_year=2026))


def _update_target(ctx, actor):
    from reports import services

    target = ctx["target"]
    target.children = 4500
    services.update_target(actor=actor, instance=target, changed=["children"])


UNITS = "/cms/supervision-units"
RULES = "/cms/supervision-publicity-rule"
STAGES = "/cms/supervision-stages"
TARGETS = "/cms/programme-targets"
_UNIT_KEYS = {"district", "kind", "reporters"}
_RULE_KEYS = {"min_forms", "min_items"}
_TARGET_KEYS = {"first_year", "years", "children", "coverage_percent"}
GUARDED_WRITES["supervision.unit.create"] = Case(
    model=None,
    verb="create",
    action="supervision.unit.create",
    setup=lambda f: {"district": f["district"]},
    allowed="district_coordinator",
    refused="other_district_coordinator",
    service=_create_unit,
    admin=lambda ctx: (f"{UNITS}/new/", _unit_form(ctx)),
    changes_keys=_UNIT_KEYS,
)
GUARDED_WRITES["supervision.unit.update"] = Case(
    model=None,
    verb="update",
    action="supervision.unit.update",
    setup=_unit_setup,
    allowed="district_coordinator",
    refused="other_district_coordinator",
    service=_update_unit,
    admin=lambda ctx: (f"{UNITS}/edit/{ctx['unit'].pk}/", _unit_form(ctx, kind="other")),
    changes_keys={"fields", *_UNIT_KEYS},
)
GUARDED_WRITES["supervision.publicity_rule.create"] = Case(
    model=None,
    verb="create",
    action="supervision.publicity_rule.create",
    setup=lambda f: {},
    allowed="administrator",
    refused="district_coordinator",
    service=_create_publicity_rule,
    admin=lambda ctx: (
        f"{RULES}/new/",
        {"applies_from": "2026-01-01", "min_forms": 3, "min_items": 5},
    ),
    changes_keys=_RULE_KEYS,
)
GUARDED_WRITES["supervision.publicity_rule.update"] = Case(
    model=None,
    verb="update",
    action="supervision.publicity_rule.update",
    setup=_rule_instance_setup,
    allowed="administrator",
    refused="district_coordinator",
    service=_update_publicity_rule,
    admin=lambda ctx: (
        f"{RULES}/edit/{ctx['rule'].pk}/",
        {"applies_from": "2026-01-01", "min_forms": 3, "min_items": 6},
    ),
    changes_keys={"fields", *_RULE_KEYS},
)
GUARDED_WRITES["supervision.stage.create"] = Case(
    model=None,
    verb="create",
    action="supervision.stage.create",
    setup=lambda f: {},
    allowed="administrator",
    refused="district_coordinator",
    service=_create_stage,
    admin=lambda ctx: (f"{STAGES}/new/", _stage_form()),
    changes_keys={"criteria"},
)
GUARDED_WRITES["supervision.stage.update"] = Case(
    model=None,
    verb="update",
    action="supervision.stage.update",
    setup=_stage_setup,
    allowed="administrator",
    refused="district_coordinator",
    service=_update_stage,
    admin=lambda ctx: (
        f"{STAGES}/edit/{ctx['stage'].pk}/",
        _stage_form(ctx, name="第一阶段（调整）"),
    ),
    changes_keys={"fields", "criteria"},
)
GUARDED_WRITES["supervision.stage.delete"] = Case(
    model=None,
    verb="delete",
    action="supervision.stage.delete",
    setup=_stage_setup,
    allowed="administrator",
    refused="district_coordinator",
    service=_delete_stage,
    admin=lambda ctx: (f"{STAGES}/delete/{ctx['stage'].pk}/", {}),
    changes_keys={"name"},
)
GUARDED_WRITES["reports.target.create"] = Case(
    model=None,
    verb="create",
    action="reports.target.create",
    setup=lambda f: {},
    allowed="administrator",
    refused="district_coordinator",
    service=_create_target,
    admin=lambda ctx: (f"{TARGETS}/new/", _target_form()),
    changes_keys=_TARGET_KEYS,
)
GUARDED_WRITES["reports.target.update"] = Case(
    model=None,
    verb="update",
    action="reports.target.update",
    setup=_target_setup,
    allowed="administrator",
    refused="district_coordinator",
    service=_update_target,
    admin=lambda ctx: (f"{TARGETS}/edit/{ctx['target'].pk}/", _target_form(children=4500)),
    changes_keys={"fields", *_TARGET_KEYS},
)


# --- supervision's writes in the site and the API (no admin door): a corrective action's
# evidence and a unit's publicity, each a form with an optional file -------------------------


@pytest.fixture
def leading_group(db):
    from accounts import roles
    from tests.factories import make_user

    return make_user(roles.LEADING_GROUP, username="door_leader")


def _action_setup(f):
    from accounts import roles
    from supervision import services
    from supervision.models import Unit
    from tests.factories import make_user

    today = datetime.date.today()
    leader = make_user(roles.LEADING_GROUP, username="door_inspector")
    unit = Unit.objects.create(name="高昌区民政局", kind="civil_affairs", district=f["district"])
    inspection = services.record_inspection(actor=leader, date=today, unit=unit)
    finding = services.add_finding(
        actor=leader,
        inspection=inspection,
        text="三月活动记录不完整。",
        required="补齐三月全部活动记录。",
        owner=f["fixture"]("district_coordinator"),
        deadline=today + datetime.timedelta(days=7),
    )
    return {"action": finding.corrective_action}


def _submit_evidence(ctx, actor):
    from supervision import services

    services.submit_evidence(actor=actor, action=ctx["action"], note="已补齐三月记录。")


def _publicity_setup(f):
    from supervision.models import Unit

    unit = Unit.objects.create(name="高昌区民政局", kind="civil_affairs", district=f["district"])
    return {"unit": unit, "today": datetime.date.today()}


def _add_publicity(ctx, actor):
    from supervision import services

    services.add_publicity_item(
        actor=actor,
        unit=ctx["unit"],
        period=ctx["today"].replace(day=1),
        form="article",
        title="关爱困境儿童宣传周",
        published_on=ctx["today"],
        link="https://example.org/a",
    )


def _publicity_fields(ctx, **extra):
    return {
        "form": "article",
        "title": "关爱困境儿童宣传周",
        "published_on": ctx["today"].isoformat(),
        "link": "https://example.org/a",
        **extra,
    }


GUARDED_WRITES["supervision.action.evidence"] = Case(
    model=None,
    verb="update",
    action="supervision.action.evidence",
    setup=_action_setup,
    allowed="district_coordinator",  # the owner
    refused="administrator",  # sees every action; the owner's side sends evidence
    service=_submit_evidence,
    api=lambda ctx: (
        f"/api/v1/supervision/actions/{ctx['action'].pk}/evidence",
        {"note": "已补齐三月记录。"},
    ),
    page=lambda ctx: (
        f"/supervision/actions/{ctx['action'].pk}/evidence/",
        {"note": "已补齐三月记录。"},
    ),
    changes_keys={"file", "late"},
    multipart=True,
)
GUARDED_WRITES["supervision.publicity.add"] = Case(
    model=None,
    verb="create",
    action="supervision.publicity.add",
    setup=_publicity_setup,
    allowed="district_coordinator",
    refused="leading_group",  # sees every unit's return; reports none
    service=_add_publicity,
    api=lambda ctx: (
        f"/api/v1/supervision/units/{ctx['unit'].pk}/publicity",
        _publicity_fields(ctx, period=f"{ctx['today']:%Y-%m}"),
    ),
    page=lambda ctx: (
        f"/supervision/publicity/{ctx['unit'].pk}/{ctx['today']:%Y-%m}/",
        _publicity_fields(ctx),
    ),
    changes_keys={"unit", "period", "form"},
    multipart=True,
)


def _models():
    from courses.models import Cohort, Enrolment
    from lecturer_corps.models import LecturerProfile
    from places.models import Venue
    from supervision.models import CorrectiveAction, PublicityItem

    return {
        "lecturer_corps.venue": Venue,
        "lecturer_corps.profile": LecturerProfile,
        "courses.cohort": Cohort,
        "courses.enrolment": Enrolment,
        "supervision.action": CorrectiveAction,
        "supervision.publicity": PublicityItem,
    }


def _model_of(code: str):
    """The model whose door writes the audit code ``code`` (its services' codes)."""
    for model, door in one_door.DOORS.items():
        if code in door.log_actions():
            return model
    return _models()[code.rsplit(".", 1)[0]]


# --- the registry covers every door and every viewset ------------------------------------


def _project_viewsets():
    """(model, viewset) for every Wagtail viewset and snippet of the project's models."""
    from wagtail.admin.viewsets import viewsets
    from wagtail.admin.viewsets.model import ModelViewSet
    from wagtail.snippets.models import get_snippet_models

    found = []
    viewsets.populate()
    for viewset in viewsets.viewsets:
        model = getattr(viewset, "model", None)
        if isinstance(viewset, ModelViewSet) and model._meta.app_label in PROJECT_APPS:
            found.append((model, viewset))
    for model in get_snippet_models():
        if model._meta.app_label in PROJECT_APPS:
            found.append((model, model.snippet_viewset))
    return found


def _pending(model) -> bool:
    return model._meta.app_label in NOT_YET_BEHIND_A_DOOR or (
        model._meta.label_lower in NOT_YET_BEHIND_A_DOOR
    )


def test_every_admin_viewset_of_a_project_model_is_behind_a_door():
    escaping = [
        f"{model._meta.label} ({type(viewset).__name__})"
        for model, viewset in _project_viewsets()
        if not _pending(model)
        and (model not in one_door.DOORS or not isinstance(viewset, one_door.DoorViewSetMixin))
    ]
    assert not escaping, f"admin viewsets writing past the services: {escaping}"


def test_the_not_yet_list_only_shrinks():
    """A model put behind a door must leave NOT_YET_BEHIND_A_DOOR (so the list stays true)."""
    stale = [m._meta.label for m in one_door.DOORS if _pending(m)]
    assert not stale, f"behind a door now; remove from NOT_YET_BEHIND_A_DOOR: {stale}"


def test_every_door_service_is_in_the_registry():
    missing = []
    for model, door in one_door.DOORS.items():
        if _pending(model):
            continue
        for verb in ("create", "update", "delete"):
            if getattr(door, verb) is None:
                continue
            if not any(
                _model_of(code) is model and case.verb == verb
                for code, case in GUARDED_WRITES.items()
            ):
                missing.append(f"{model._meta.label}.{verb}")
    assert not missing, f"guarded writes without a parity case: {missing}"


def test_every_door_permission_policy_is_the_doors():
    from wagtail.permissions import policy_registry

    for model, door in one_door.DOORS.items():
        policy = policy_registry.get_by_type(model)
        assert isinstance(policy, one_door.DoorPermissionPolicy) and policy.door is door


def test_no_project_model_is_writable_in_the_django_admin(admin_user):
    """Domain models are read-only in the Django admin, even for superusers."""
    request = RequestFactory().get("/django-admin/")
    request.user = admin_user
    writable = []
    for model, model_admin in django_admin.site._registry.items():
        if model._meta.app_label not in PROJECT_APPS or _pending(model):
            continue
        for name in ("add", "change", "delete"):
            check = getattr(model_admin, f"has_{name}_permission")
            allowed = check(request) if name == "add" else check(request, None)
            if allowed:
                writable.append(f"{model._meta.label}.{name}")
    assert not writable, f"writable in the Django admin: {writable}"


# --- parity: the same refusal and the same audit row from every entry point -----------------


@pytest.fixture
def fixtures(request, district, other_district, trainee, lecturer):
    return {
        "district": district,
        "other_district": other_district,
        "trainee": trainee,
        "lecturer": lecturer,
        "fixture": request.getfixturevalue,
    }


def _ways(case: Case):
    ways = ["service", "admin"] if case.admin else ["service"]
    if case.api:
        ways.append("api")
    if case.page:
        ways.append("page")
    return ways


def _refused(response) -> bool:
    """403, or the Wagtail admin's own refusal: back to the dashboard with its message."""
    return response.status_code == 403 or (
        response.status_code == 302 and response.headers["Location"] == "/cms/"
    )


def _run(way: str, case: Case, ctx, actor, api_client) -> int | None:
    if way == "service":
        case.service(ctx, actor)
        return None
    if way == "api":
        path, body = case.api(ctx)
        if case.multipart:
            return api_client.as_user(actor).post(path, body).status_code
        return (
            api_client.as_user(actor).post(path, body, content_type="application/json").status_code
        )
    client = Client(raise_request_exception=False)
    client.force_login(actor)
    path, data = case.admin(ctx) if way == "admin" else case.page(ctx)
    response = client.post(path, data)
    return 403 if _refused(response) else response.status_code


PARITY = [(code, way) for code, case in GUARDED_WRITES.items() for way in _ways(case)]


@pytest.mark.parametrize(("code", "way"), PARITY)
def test_a_refused_write_is_refused_the_same_way_everywhere(code, way, fixtures, api_client):
    case = GUARDED_WRITES[code]
    ctx = case.setup(fixtures)
    actor = fixtures["fixture"](case.refused)
    before = AuditLog.objects.count()
    if way == "service":
        with pytest.raises(PermissionDenied):
            _run(way, case, ctx, actor, api_client)
    else:
        status = _run(way, case, ctx, actor, api_client)
        # Pages offer only the districts in scope, so there the refusal is the form's.
        assert status in ((403, 200) if way == "page" else (403,)), status
    assert AuditLog.objects.count() == before


@pytest.mark.parametrize(("code", "way"), PARITY)
def test_an_allowed_write_leaves_the_same_audit_row_everywhere(
    code, way, fixtures, api_client, settings
):
    case = GUARDED_WRITES[code]
    ctx = case.setup(fixtures)
    actor = fixtures["fixture"](case.allowed)
    status = _run(way, case, ctx, actor, api_client)
    assert status in (None, 200, 201, 302), status
    rows = list(AuditLog.objects.filter(action=case.action))
    assert len(rows) == 1, f"{way}: {[r.action for r in AuditLog.objects.all()]}"
    row = rows[0]
    assert row.actor == actor
    assert row.object_type == _model_of(code)._meta.label_lower
    assert set(row.changes) == case.changes_keys


def test_the_admin_history_shows_the_audit_rows_of_a_door_model(
    client, district_coordinator, district
):
    """One history: the venue's page in the admin lists the events the audit log holds."""
    from wagtail.log_actions import registry as log_registry

    client.force_login(district_coordinator)
    client.post(f"{VENUE}/add/", _venue_fields(district))
    venue = _models()["lecturer_corps.venue"].objects.get()
    client.post(f"{VENUE}/edit/{venue.pk}/", _venue_fields(district, capacity=12))
    audit = list(AuditLog.objects.for_object(venue).order_by("pk").values_list("action", flat=True))
    wagtail = list(
        log_registry.get_logs_for_instance(venue).order_by("pk").values_list("action", flat=True)
    )
    assert audit == wagtail == ["lecturer_corps.venue.create", "lecturer_corps.venue.update"]
    response = client.get(f"{VENUE}/history/{venue.pk}/")
    assert response.status_code == 200


def test_what_wagtail_logs_itself_reaches_the_audit_log(administrator):
    """The other half of one history: Wagtail's own log entries are copied to the audit log."""
    from wagtail.log_actions import log

    log(administrator, "wagtail.edit", user=administrator)
    row = AuditLog.objects.get(action="wagtail.edit")
    assert (row.actor, row.object_id) == (administrator, str(administrator.pk))


def test_the_admin_lists_and_opens_only_rows_in_scope(
    client, district_coordinator, district, other_district
):
    mine, theirs = VenueFactory(district=district), VenueFactory(district=other_district)
    client.force_login(district_coordinator)
    listing = client.get(f"{VENUE}/").content.decode()
    assert mine.name in listing and theirs.name not in listing
    assert _refused(client.get(f"{VENUE}/edit/{theirs.pk}/"))
    assert client.get(f"{VENUE}/edit/{mine.pk}/").status_code == 200


def test_a_used_venue_cannot_be_deleted_from_the_admin(client, district_coordinator, district):
    from lecturer_corps.tests.factories import make_request

    venue = VenueFactory(district=district)
    make_request(venue=venue)
    client.force_login(district_coordinator)
    response = client.post(f"{VENUE}/delete/{venue.pk}/", {})
    assert response.status_code in (200, 302)
    assert type(venue).objects.filter(pk=venue.pk).exists()
    assert not AuditLog.objects.filter(action="lecturer_corps.venue.delete").exists()


def test_a_door_registered_after_the_log_registry_scanned_still_labels_its_codes():
    """The Users door is imported with the admin's URLs, sometimes after Wagtail's log
    registry has scanned its hooks; its audit codes must be registered all the same."""
    from django.contrib.auth import get_user_model
    from wagtail.log_actions import registry as log_registry

    log_registry.scan_for_actions()
    import accounts.wagtail_users  # noqa: F401  (registers the Users door, as the admin's URLs do)

    door = one_door.door_for(get_user_model())
    codes = list(door.log_actions())
    for code in codes:
        log_registry.formatters.pop(code, None)
    one_door.register(door)
    assert all(log_registry.action_exists(code) for code in codes)
