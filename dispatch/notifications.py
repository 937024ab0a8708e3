"""What dispatch's notifications say, rendered in the reader's language.

They are sent with the corps' ``services.notify`` (in-site at once, e-mail through the
outbox) and rendered by the corps' notification pages and e-mails, which ask
``lecturer_corps.notifications.render``; ``signals.connect`` registers these kinds there.
Params are plain facts (a topic code, a venue name, dates), never anything about a child.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from lecturer_corps.topics import TOPICS_BY_CODE

VENUE_REQUEST_SUBMITTED = "dispatch_venue_request_submitted"
VENUE_REQUEST_ACCEPTED = "dispatch_venue_request_accepted"
VENUE_REQUEST_CHANGES = "dispatch_venue_request_changes"
VENUE_REQUEST_DECLINED = "dispatch_venue_request_declined"
VENUE_CONTACT_ACCOUNT = "dispatch_venue_contact_account"
PRIOR_RECORDED = "dispatch_prior_qualification_recorded"
PRIOR_DECIDED = "dispatch_prior_qualification_decided"


def venue_request_params(venue_request, **extra) -> dict:
    params = {
        "topic": venue_request.topic,
        "venue": venue_request.venue.name,
        "dates": ", ".join(venue_request.dates or []),
        "venue_request_id": venue_request.pk,
    }
    params.update(extra)
    return params


def _facts(params: dict) -> dict:
    topic = TOPICS_BY_CODE.get(params.get("topic", ""))
    return {
        "topic": topic.title if topic else params.get("topic", ""),
        "venue": params.get("venue", ""),
        "dates": params.get("dates", ""),
        "message": params.get("message", ""),
        "title": params.get("title", ""),
        "holder": params.get("holder", ""),
    }


def render_submitted(params):
    facts = _facts(params)
    return (
        _("A venue asks for a session: %(topic)s") % facts,
        _("%(venue)s asks for “%(topic)s” on %(dates)s. Accept it into planning, ask for "
          "changes or decline it.") % facts,
    )  # fmt: skip


def render_accepted(params):
    facts = _facts(params)
    return (
        _("Your request is accepted: %(topic)s") % facts,
        _("“%(topic)s” on %(dates)s is accepted into planning; you will see the lecturer "
          "here once one has agreed.") % facts,
    )  # fmt: skip


def render_changes(params):
    facts = _facts(params)
    return (
        _("Please change your request: %(topic)s") % facts,
        _("The coordinator asks you to change your request for “%(topic)s” on %(dates)s: "
          "%(message)s") % facts,
    )  # fmt: skip


def render_declined(params):
    facts = _facts(params)
    return (
        _("Your request is declined: %(topic)s") % facts,
        _("Your request for “%(topic)s” on %(dates)s is declined: %(message)s") % facts,
    )


def render_account(params):
    facts = _facts(params)
    return (
        _("You can ask for sessions for %(venue)s") % facts,
        _("Your account now answers for %(venue)s: ask for sessions and follow them on "
          "the venue's page.") % facts,
    )  # fmt: skip


def render_prior_recorded(params):
    facts = _facts(params)
    return (
        _("A qualification from elsewhere to check") % facts,
        _("%(holder)s's qualification “%(title)s” is waiting for approval.") % facts,
    )


def render_prior_decided(params):
    facts = _facts(params)
    if params.get("approved"):
        return (
            _("Your qualification is recognised") % facts,
            _("“%(title)s” is recognised: you may be sent to teach the topics it covers "
              "until it expires.") % facts,
        )  # fmt: skip
    return (
        _("Your qualification is not recognised") % facts,
        _("“%(title)s” is not recognised: %(message)s") % facts,
    )


RENDERERS = {
    VENUE_REQUEST_SUBMITTED: render_submitted,
    VENUE_REQUEST_ACCEPTED: render_accepted,
    VENUE_REQUEST_CHANGES: render_changes,
    VENUE_REQUEST_DECLINED: render_declined,
    VENUE_CONTACT_ACCOUNT: render_account,
    PRIOR_RECORDED: render_prior_recorded,
    PRIOR_DECIDED: render_prior_decided,
}
