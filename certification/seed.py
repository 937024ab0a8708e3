"""Demo data of certification: the two qualifications, their requirements and signatories,
and holders of each certificate (one revoked, one expired, one expiring soon).

Idempotent: types, requirements and signatories are updated in place; a holder who
already has a certificate of a type keeps it. Seeded certificates are created through
the same gap-free allocator as real ones; their PDFs are rendered on first download.
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


def _snapshot(code: str) -> dict:

    from .integrations import required_courses

    courses = required_courses(code, [])
    return {
        "certification": code,
        "seed": True,
        "courses": [
            {"id": c.id, "title": c.title, "class_hours": float(c.class_hours or 0)}
            for c in courses
        ],
        "class_hours": float(sum(c.class_hours or 0 for c in courses)),
        "exam_score": 84.5,
        "practicum": {"total_hours": 120.0, "direct_hours": 48.5},
        "final_evaluation": "passed",
        "requirements": [],
    }


def _seed_holders(types) -> int:
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=[h[0] for h in HOLDERS])
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
        with transaction.atomic():
            certificate = services._create_certificate(
                certification=certification,
                holder=holder,
                cycle=0,
                issued_by=coordinator,
                snapshot=_snapshot(code),
                valid_from=valid_from,
            )
            if certificate is None:
                continue
            Certificate.objects.filter(pk=certificate.pk).update(
                issued_at=timezone.make_aware(
                    datetime.datetime.combine(valid_from, datetime.time(10, 0))
                )
            )
            if how == "revoked":
                services._revoke(
                    certificate=certificate, revoked_by=coordinator, reason=REVOCATION_REASON
                )
        made += 1
    return made


def give_demo_certificate(*, certification, holder, valid_from):
    """A demo certificate for another app's seed (the lecturer corps' lecturers), made as
    the certification seed makes its own; None when one already exists for the cycle.
    Demo data only: ``seed_demo`` refuses production."""
    with transaction.atomic():
        return services._create_certificate(
            certification=certification,
            holder=holder,
            cycle=0,
            issued_by=None,
            snapshot={"seed": True},
            valid_from=valid_from,
        )
