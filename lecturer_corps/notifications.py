"""What each kind of notification says, rendered in the reader's language.

A notification stores a ``kind`` and plain ``params`` (names, dates, codes; never
anything about a child). Its text is produced here when it is shown in the site (in
the page's language) or e-mailed (in the recipient's ``preferred_language``), so a
Uyghur-speaking lecturer reads it in Uyghur even when a Mandarin-speaking
coordinator's action caused it.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from .topics import TOPICS_BY_CODE

SESSION_PROPOSED = "session_proposed"
SESSION_ACCEPTED = "session_accepted"
SESSION_DECLINED = "session_declined"
SESSION_EXPIRED = "session_expired"
REQUEST_CONFIRMED = "request_confirmed"
REQUEST_UNFILLED = "request_unfilled"
SESSION_CANCELLED = "session_cancelled"
SESSION_RESCHEDULED = "session_rescheduled"
REPORT_FILED = "report_filed"
REPORT_VERIFIED = "report_verified"
REPORT_RETURNED = "report_returned"
REPORT_CONFIRMED_BY_VENUE = "report_confirmed_by_venue"
REPORT_DISPUTED_BY_VENUE = "report_disputed_by_venue"
CERTIFICATE_AFFECTS_SESSIONS = "certificate_affects_sessions"


def session_params(session_or_request, **extra) -> dict:
    """The plain facts a notification about a session or request needs."""
    request = getattr(session_or_request, "request", session_or_request)
    params = {
        "topic": request.topic,
        "venue": request.venue.name,
        "date": request.date.isoformat(),
        "start": request.start_time.strftime("%H:%M"),
        "end": request.end_time.strftime("%H:%M"),
        "request_id": request.pk,
        "address": request.venue.address,
    }
    params.update(extra)
    return params


def _topic(params) -> str:
    topic = TOPICS_BY_CODE.get(params.get("topic", ""))
    return topic.title if topic else params.get("topic", "")


def render(kind: str, params: dict) -> tuple[str, str]:
    """(title, body) of a notification in the active language."""
    facts = {
        "topic": _topic(params),
        "venue": params.get("venue", ""),
        "date": params.get("date", ""),
        "start": params.get("start", ""),
        "end": params.get("end", ""),
        "lecturer": params.get("lecturer", ""),
        "reason": params.get("reason", ""),
        "deadline": params.get("deadline", ""),
        "count": params.get("count", 0),
        "new_date": params.get("new_date", ""),
        "person_times": params.get("person_times", 0),
        "address": params.get("address", ""),
    }
    when = _("%(date)s %(start)s–%(end)s") % facts
    facts["when"] = when
    if kind == SESSION_PROPOSED:
        return (
            _("New assignment: %(topic)s") % facts,
            _(
                "You are proposed to lead “%(topic)s” at %(venue)s on %(when)s. "
                "Please accept or decline by %(deadline)s."
            )
            % facts
            + (" " + _("Address: %(address)s") % facts if facts["address"] else ""),
        )
    if kind == SESSION_ACCEPTED:
        return (
            _("%(lecturer)s accepted") % facts,
            _("%(lecturer)s accepted “%(topic)s” at %(venue)s on %(when)s.") % facts,
        )
    if kind == SESSION_DECLINED:
        return (
            _("%(lecturer)s declined") % facts,
            _(
                "%(lecturer)s declined “%(topic)s” at %(venue)s on %(when)s: %(reason)s. "
                "The request is open again and the next candidate has been proposed if "
                "there is one."
            )
            % facts,
        )
    if kind == SESSION_EXPIRED:
        return (
            _("No answer from %(lecturer)s") % facts,
            _(
                "%(lecturer)s did not answer in time for “%(topic)s” at %(venue)s on "
                "%(when)s. The request is open again and the next candidate has been "
                "proposed if there is one."
            )
            % facts,
        )
    if kind == REQUEST_CONFIRMED:
        return (
            _("Confirmed: %(topic)s on %(date)s") % facts,
            _("“%(topic)s” at %(venue)s on %(when)s is confirmed.") % facts,
        )
    if kind == REQUEST_UNFILLED:
        return (
            _("No lecturer left for %(topic)s on %(date)s") % facts,
            _(
                "No other allowed lecturer is left for “%(topic)s” at %(venue)s on "
                "%(when)s. Change the request or ask a lecturer directly."
            )
            % facts,
        )
    if kind == SESSION_CANCELLED:
        return (
            _("Cancelled: %(topic)s on %(date)s") % facts,
            _("“%(topic)s” at %(venue)s on %(when)s is cancelled: %(reason)s") % facts,
        )
    if kind == SESSION_RESCHEDULED:
        return (
            _("Moved: %(topic)s to %(new_date)s") % facts,
            _(
                "“%(topic)s” at %(venue)s is moved from %(when)s to %(new_date)s. "
                "Please answer the new proposal."
            )
            % facts,
        )
    if kind == REPORT_FILED:
        return (
            _("Delivery report to verify") % facts,
            _(
                "%(lecturer)s filed the delivery report of “%(topic)s” at %(venue)s on "
                "%(date)s (%(person_times)s person-times)."
            )
            % facts,
        )
    if kind == REPORT_VERIFIED:
        return (
            _("Delivery report verified") % facts,
            _(
                "Your report of “%(topic)s” at %(venue)s on %(date)s is verified; the "
                "session counts toward your certificate renewal."
            )
            % facts,
        )
    if kind == REPORT_RETURNED:
        return (
            _("Delivery report returned for correction") % facts,
            _(
                "Your report of “%(topic)s” at %(venue)s on %(date)s was returned for "
                "correction: %(reason)s. Correct it and file it again."
            )
            % facts,
        )
    if kind == REPORT_CONFIRMED_BY_VENUE:
        return (
            _("The venue confirmed the delivery report") % facts,
            _(
                "%(venue)s confirmed the counts of “%(topic)s” on %(date)s "
                "(%(person_times)s person-times); the session is verified."
            )
            % facts,
        )
    if kind == REPORT_DISPUTED_BY_VENUE:
        return (
            _("The venue disputes a delivery report") % facts,
            _(
                "%(venue)s says the counts of “%(topic)s” on %(date)s by %(lecturer)s are "
                "not right: %(reason)s. Check the report and return it for correction if "
                "needed."
            )
            % facts,
        )
    if kind == CERTIFICATE_AFFECTS_SESSIONS:
        sessions = "; ".join(
            f"{item.get('date', '')} {item.get('venue', '')}" for item in params.get("sessions", [])
        )
        facts["sessions"] = sessions
        return (
            _("%(lecturer)s has no valid certificate for coming sessions") % facts,
            _(
                "%(lecturer)s will not hold a valid certificate on the date of %(count)s "
                "coming session(s): %(sessions)s. Assign another lecturer."
            )
            % facts,
        )
    renderer = _other_kinds.get(kind)
    if renderer is not None:
        return renderer(params)
    return kind, ""


# Kinds that apps above the corps send through ``services.notify`` (e.g. dispatch's venue
# requests), each with its own ``render(params) -> (title, body)`` in the active language.
_other_kinds: dict = {}


def register_kind(kind: str, renderer) -> None:
    """Let an app above send notifications of ``kind``, rendered by ``renderer(params)``
    (called in the reader's language, like the kinds above). Call it from ``ready()``."""
    _other_kinds[kind] = renderer
