"""Demo data of certification: the two qualifications, their requirements and signatories,
and holders of each certificate (one revoked, one expired, one expiring soon).

Every holder earns the certificate through the records the eligibility engine reads —
courses completed, exams passed and marked, practicum hours approved, a passed final
evaluation — dated before the certificate, and the engine issues it
(``earn_demo_certificate``): the reports' funnel and the PDFs' wording agree.

Idempotent: types, requirements and signatories are updated in place; a holder who
already has a certificate of a type keeps it. PDFs are rendered on first download.
"""

from __future__ import annotations

import datetime
import io
import math

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from . import services
from .models import (
    Certificate,
    CertificationType,
    IssueMode,
    IssueRequest,
    Requirement,
    RequirementKind,
    RequirementStage,
    Signatory,
)

AUTHORITY = (
    "吐鲁番市民政局",
    "Turpan Municipal Civil Affairs Bureau",
    "تۇرپان شەھەرلىك پۇقرالار ئىشلىرى ئىدارىسى",
)

TYPES = [
    {
        "code": "counsellor",
        "serial_prefix": "PC",
        "name": "心理咨询师",
        "name_en": "Psychological Counsellor",
        "name_ug": "پسىخولوگىيە مەسلىھەتچىسى",
        "description": "能够开展儿童团体心理辅导、一对一心理咨询与情绪疏导的心理咨询师。",
        "issue_mode": IssueMode.APPROVAL,
        "sort_order": 1,
    },
    {
        "code": "family_educator",
        "serial_prefix": "FE",
        "name": "家庭教育指导师",
        "name_en": "Family-Education Instructor",
        "name_ug": "ئائىلە تەربىيىسى يېتەكچىسى",
        "description": "能够为照料人讲授亲子沟通、情绪管理与养育技能的家庭教育指导师。",
        "issue_mode": IssueMode.AUTOMATIC,
        "sort_order": 2,
    },
]

# (kind, stage, minimum, label)
REQUIREMENTS = [
    (RequirementKind.COURSES_COMPLETED, RequirementStage.INITIAL, None, ""),
    (RequirementKind.QUIZZES_PASSED, RequirementStage.INITIAL, None, ""),
    (RequirementKind.PRACTICUM_HOURS, RequirementStage.INITIAL, None, ""),
    (RequirementKind.FINAL_EVALUATION, RequirementStage.INITIAL, None, ""),
    (RequirementKind.CONTINUING_EDUCATION, RequirementStage.RENEWAL, 20, ""),
    (RequirementKind.SESSIONS_DELIVERED, RequirementStage.RENEWAL, 6, ""),
]

SIGNATORIES = [("张伟", "吐鲁番市民政局局长", "Director, Turpan Civil Affairs Bureau")]

# username, type code, how (valid / expired / revoked / expiring), days since issue
HOLDERS = [
    ("lecturer", "counsellor", "valid", 200),
    ("lecturer", "family_educator", "valid", 150),
    ("lecturer_gc1", "counsellor", "valid", 320),
    ("lecturer_gc2", "family_educator", "valid", 300),
    ("lecturer_gc3", "counsellor", "expiring", None),
    ("lecturer_gc3", "family_educator", "valid", 90),
    ("lecturer_ss1", "family_educator", "valid", 260),
    ("lecturer_ss2", "counsellor", "valid", 240),
    ("lecturer_ss3", "family_educator", "expired", None),
    ("lecturer_ss4", "family_educator", "valid", 120),
    ("lecturer_ts1", "counsellor", "valid", 180),
    ("lecturer_ts2", "family_educator", "valid", 210),
    ("lecturer_ts3", "family_educator", "valid", 60),
    ("lecturer_ts4", "counsellor", "revoked", 400),
]

REVOCATION_REASON = "实践记录核查不实，证书撤销。"


def seed(stdout=None) -> None:
    types = {spec["code"]: _seed_type(spec) for spec in TYPES}
    made = _seed_holders(types)
    if stdout:
        stdout.write(
            f"  certification: {len(types)} qualifications, "
            f"{Certificate.objects.count()} certificates ({made} new)"
        )


def _seed_type(spec: dict) -> CertificationType:
    certification, _created = CertificationType.objects.update_or_create(
        code=spec["code"],
        defaults={
            **spec,
            "issuing_authority": AUTHORITY[0],
            "issuing_authority_en": AUTHORITY[1],
            "issuing_authority_ug": AUTHORITY[2],
            "validity_months": 36,
            "renewal_window_days": 90,
        },
    )
    for order, (kind, stage, minimum, label) in enumerate(REQUIREMENTS):
        Requirement.objects.update_or_create(
            certification=certification,
            kind=kind,
            stage=stage,
            defaults={"minimum": minimum, "label": label, "sort_order": order},
        )
    for order, (name, title, title_en) in enumerate(SIGNATORIES):
        signatory = Signatory.objects.filter(certification=certification, name=name).first()
        if signatory is None:
            signatory = Signatory(certification=certification, name=name, sort_order=order)
        signatory.title, signatory.title_en = title, title_en
        if not signatory.signature:
            signatory.signature.save(
                f"{certification.code}-{order}.png", signature_png(), save=False
            )
        signatory.save()
    return certification


def signature_png() -> ContentFile:
    """A hand-drawn-looking stroke (demo only; real signatures are uploaded in the admin)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (360, 110), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    points = [
        (20 + x * 3.2, 60 + 22 * math.sin(x / 6.0) * math.cos(x / 17.0) - x * 0.08)
        for x in range(100)
    ]
    draw.line(points, fill=(20, 40, 90, 255), width=4, joint="curve")
    draw.line([(60, 88), (300, 80)], fill=(20, 40, 90, 255), width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return ContentFile(buffer.getvalue())


# Who supervised the holders' practicum and marked their exams, by district.
SUPERVISOR_BY_DISTRICT = {
    "gaochang": "supervisor",
    "shanshan": "supervisor2",
    "toksun": "supervisor2",
}


def _seed_holders(types) -> int:
    users = {
        u.username: u
        for u in get_user_model()
        .objects.filter(username__in=[h[0] for h in HOLDERS])
        .select_related("district")
    }
    coordinator = get_user_model().objects.filter(username="coordinator").first()
    today = timezone.localdate()
    made = 0
    for username, code, how, days in HOLDERS:
        holder, certification = users.get(username), types[code]
        if holder is None:
            continue
        if Certificate.objects.filter(holder=holder, certification=certification).exists():
            continue
        if how == "expired":
            valid_from = today - datetime.timedelta(days=3 * 365 + 40)
        elif how == "expiring":
            valid_from = today - datetime.timedelta(days=3 * 365 - 45)
        else:
            valid_from = today - datetime.timedelta(days=days)
        certificate = earn_demo_certificate(
            holder=holder, certification=certification, valid_from=valid_from
        )
        if certificate is None:
            continue
        if how == "revoked":
            services._revoke(
                certificate=certificate, revoked_by=coordinator, reason=REVOCATION_REASON
            )
        made += 1
    return made


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def earn_demo_certificate(*, holder, certification, valid_from):
    """The certificate ``holder`` earns, valid from ``valid_from``, through the records the
    eligibility engine reads — never made by hand:

    - every required course completed (``courses.seed.complete_courses_for_demo``),
      the last one four months before;
    - the practicum finished with its hours approved and a passed final evaluation
      signed by the holder's supervising expert (``practicum.seed.complete_practicum_for_demo``);
    - every required exam passed, its case analysis marked by that expert
      (``quizzes.seed.pass_exam_for_demo``);
    - then the engine decides (``services.issue_certificate``, which refuses anyone not
      eligible): an approval type is first requested and approved by the city
      coordinator, an automatic type is issued by the system.

    The snapshot printed on the PDF is the engine's. Returns None when the holder already
    has a certificate of this type (kept as it is). Demo data only (``seed_demo`` refuses
    production)."""
    from courses.models import Course
    from courses.seed import complete_courses_for_demo
    from practicum.seed import complete_practicum_for_demo
    from quizzes.models import Quiz
    from quizzes.seed import pass_exam_for_demo

    from .integrations import required_courses, required_quizzes

    if Certificate.objects.filter(holder=holder, certification=certification).exists():
        return None
    staff = {
        u.username: u
        for u in get_user_model().objects.filter(
            username__in=["supervisor", "supervisor2", "coordinator"]
        )
    }
    district = getattr(holder.district, "code", "")
    supervisor = staff.get(SUPERVISOR_BY_DISTRICT.get(district, "supervisor")) or staff.get(
        "supervisor"
    )
    approver = staff.get("coordinator")
    code = certification.code

    course_ids = [course.id for course in required_courses(code, [])]
    courses = Course.objects.filter(pk__in=course_ids).order_by("path")
    complete_courses_for_demo(
        user=holder, courses=courses, finished_at=_at(valid_from - datetime.timedelta(days=120), 11)
    )
    complete_practicum_for_demo(
        trainee=holder,
        qualification=code,
        supervisor=supervisor,
        finished_on=valid_from - datetime.timedelta(days=20),
    )
    for offset, info in enumerate(required_quizzes(code, [])):
        pass_exam_for_demo(
            user=holder,
            quiz=Quiz.objects.get(pk=info.id),
            grader=supervisor,
            submitted_at=_at(valid_from - datetime.timedelta(days=60 - 3 * offset), 9),
        )

    approval = certification.issue_mode == IssueMode.APPROVAL
    if approval:
        issue_request = services.request_approval(trainee=holder, certification=certification)
        IssueRequest.objects.filter(pk=issue_request.pk).update(
            created_at=_at(valid_from - datetime.timedelta(days=10), 15)
        )
    with transaction.atomic():
        certificate = services.issue_certificate(
            trainee=holder,
            certification=certification,
            issued_by=None,
            valid_from=valid_from,
            notify=False,
        )
        issued_at = _at(valid_from, 10)
        Certificate.objects.filter(pk=certificate.pk).update(
            issued_at=issued_at, issued_by=approver if approval else None
        )
        IssueRequest.objects.filter(certificate=certificate).update(
            decided_at=issued_at, decided_by=approver
        )
    certificate.refresh_from_db()
    return certificate
