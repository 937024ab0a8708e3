"""The dashboard's certification panels (``lms.dashboard``).

Trainee (and holder): for each qualification, how many requirements are met, the next
missing steps with links (the checklist's plan), the claim when everything is met, and
a certificate's expiry and renewal. Coordinator: requests waiting for approval and
certificates expiring soon in their scope. Fixed query counts (tests/test_dashboard.py).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.permissions import coordinator_scope
from lms.dashboard import register_panel

from . import selectors

STEPS_SHOWN = 4
EXPIRING_DAYS = 90


def next_steps_panel(user) -> dict | None:
    """What is still missing for each certificate, named, with where to do it: the
    eligibility engine's checklist (one evaluation per qualification)."""
    checklists = selectors.checklists(user)
    if not checklists:
        return None
    today = timezone.localdate()
    rows = []
    for checklist in checklists:
        missing = [step for result in checklist.results for step in result.missing_steps]
        certificate = checklist.certificate
        rows.append(
            {
                "checklist": checklist,
                "steps": missing[:STEPS_SHOWN],
                "more": max(len(missing) - STEPS_SHOWN, 0),
                "expires_in": (certificate.expires_on - today).days
                if certificate is not None and certificate.expires_on
                else None,
            }
        )
    return {
        "title": _("Towards your certificate"),
        "rows": rows,
        "count": sum(1 for row in rows if row["checklist"].can_claim),
    }


def coordinator_panel(user) -> dict | None:
    """Requests waiting for approval and certificates expiring within ``EXPIRING_DAYS``
    (two counts and the next three to expire: three queries)."""
    district = coordinator_scope(user)
    pending = selectors.pending_requests(district).count()
    expiring = selectors.expiring_soon(district, days=EXPIRING_DAYS)
    soonest = list(expiring[:3])
    if not pending and not soonest:
        return None
    expiring_count = expiring.count()
    return {
        "title": _("Certificates"),
        "pending": pending,
        "expiring": expiring_count,
        "soonest": soonest,
        "days": EXPIRING_DAYS,
        "count": pending,
    }


def register() -> None:
    """Called from ``CertificationConfig.ready``."""
    register_panel(
        "certification.next_steps",
        role=roles.TRAINEE,
        template="certification/panels/next_steps.html",
        order=40,
    )(next_steps_panel)
    register_panel(
        "certification.coordinator",
        role=roles.COORDINATOR,
        template="certification/panels/coordinator.html",
        order=40,
    )(coordinator_panel)
