"""Demo data for safeguarding: each district's duty supervising expert and the default
escalation chain (duty expert → coordinators → leading group). No demo concerns: a
concern is about a real child, and the demo shows the way to raise one instead.

Idempotent: each district's arrangement is set to the same values.
"""

from __future__ import annotations

from accounts.models import User
from places.models import District

from .models import DEFAULT_CHAIN, SafeguardingArrangement

# district code → the demo supervising expert on duty there
DUTY_EXPERTS = {"gaochang": "supervisor2", "shanshan": "supervisor", "toksun": "supervisor"}


def seed(stdout=None) -> None:
    experts = {u.username: u for u in User.objects.filter(username__in=DUTY_EXPERTS.values())}
    for district in District.objects.filter(code__in=DUTY_EXPERTS):
        SafeguardingArrangement.objects.update_or_create(
            district=district,
            defaults={
                "duty_expert": experts.get(DUTY_EXPERTS[district.code]),
                "step_1": DEFAULT_CHAIN[0],
                "step_2": DEFAULT_CHAIN[1],
                "step_3": DEFAULT_CHAIN[2],
            },
        )
    if stdout is not None:
        stdout.write("  safeguarding: duty experts and escalation chains set")
