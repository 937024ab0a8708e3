from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

STATES = {
    "valid": (_("Valid"), "ok"),
    "expired": (_("Expired"), "warn"),
    "revoked": (_("Revoked"), "bad"),
    "superseded": (_("Replaced by a newer version"), "bad"),
    "anonymised": (_("Revoked, holder anonymised"), "bad"),
    "not_yet_valid": (_("Not yet valid"), "warn"),
    "unknown": (_("Unknown"), "bad"),
    "met": (_("Done"), "ok"),
    "missing": (_("Missing"), "warn"),
    "pending": (_("Pending"), "warn"),
    "unavailable": (_("Not available"), "bad"),
    "eligible": (_("Eligible"), "ok"),
    "not_eligible": (_("Not eligible"), "warn"),
    "certified": (_("Certified"), "ok"),
}


@register.inclusion_tag("certification/includes/state_badge.html")
def state_badge(state):
    label, tone = STATES.get(state, (state, ""))
    return {"label": label, "tone": tone}
