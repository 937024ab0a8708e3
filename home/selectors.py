"""Where each role goes from the home page."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from accounts import roles


@dataclass(frozen=True)
class Destination:
    title: str
    description: str
    url: str


@dataclass(frozen=True)
class ScopedText:
    """A description that names the coordinator's scope: the whole city, or their district."""

    city: str
    district: str

    def for_user(self, user) -> str:
        district = getattr(user, "coordinator_district", None)
        if district is None:
            return str(self.city)
        return str(self.district) % {"district": district.label}


# (role, URL name, title, description). URL names that an installed app does not
# provide are skipped, so a destination appears as soon as its page exists.
_DESTINATIONS = [
    (
        roles.TRAINEE,
        "courses:my_learning",
        _("My learning"),
        _("Your courses, progress and next lesson."),
    ),
    (
        roles.TRAINEE,
        "courses:catalogue",
        _("Course catalogue"),
        _("Browse the programmes and enrol."),
    ),
    (roles.TRAINEE, "quizzes:my_results", _("My quiz results"), _("Your attempts and grades.")),
    (
        roles.TRAINEE,
        "practicum:my_entries",
        _("My practicum"),
        _("Log practice hours and follow their review."),
    ),
    (
        roles.TRAINEE,
        "certification:my_certifications",
        _("My certification"),
        _("What you still need for each qualification."),
    ),
    (
        roles.LECTURER,
        "lecturer_corps:my_sessions",
        _("My sessions"),
        _("Assignments, availability and delivery reports."),
    ),
    (
        roles.SUPERVISOR,
        "practicum:review_queue",
        _("Review queue"),
        _("Practicum entries waiting for your review."),
    ),
    (
        roles.SUPERVISOR,
        "quizzes:grading_queue",
        _("Grading queue"),
        _("Essay and case-analysis answers to mark."),
    ),
    (
        roles.SUPERVISOR,
        "wagtailadmin_home",
        _("Author courses"),
        _("Write learning modules in the CMS; another expert reviews them before they go live."),
    ),
    (
        roles.COORDINATOR,
        "courses:cohort_list",
        _("Cohorts"),
        _("Training classes and their members' progress."),
    ),
    (
        roles.COORDINATOR,
        "lecturer_corps:request_list",
        _("Service requests"),
        _("Send certified lecturers to schools, communities, farms and townships."),
    ),
    (
        roles.COORDINATOR,
        "practicum:overview",
        _("Practicum overview"),
        _("Hours, waiting reviews and evaluations of the trainees in your scope."),
    ),
    (
        roles.COORDINATOR,
        "certification:manage",
        _("Certificates"),
        _("Approve, issue to a cohort, revoke, reissue; certificates expiring soon."),
    ),
    (
        roles.COORDINATOR,
        "reports:dashboard",
        _("Dashboard"),
        ScopedText(
            city=_("Figures for the whole city and the monthly report."),
            district=_("Figures for %(district)s and the monthly report."),
        ),
    ),
    (
        roles.COORDINATOR,
        "accounts:import_people",
        _("Import people"),
        _("Create or update accounts from a staff list."),
    ),
    (
        roles.LEADING_GROUP,
        "reports:dashboard",
        _("Dashboard"),
        _("The programme's figures for the whole city and the monthly reports."),
    ),
    (
        roles.SUPERVISOR,
        "supervision:sessions",
        _("Supervision sessions"),
        _("Record individual and group supervision; the hours go to your trainees."),
    ),
    (
        roles.TRAINEE,
        "supervision:sessions",
        _("Supervision received"),
        _("Supervision recorded for you: confirm it or dispute it."),
    ),
    (
        roles.COORDINATOR,
        "supervision:actions",
        _("Corrective actions"),
        ScopedText(
            city=_(
                "What the inspections asked to be put right anywhere in the city, and what is overdue."
            ),
            district=_(
                "What the inspections asked %(district)s to put right, and what is overdue."
            ),
        ),
    ),
    (
        roles.COORDINATOR,
        "supervision:publicity",
        _("Publicity returns"),
        ScopedText(
            city=_("Each unit's publicity of the month against the rule, in the whole city."),
            district=_("The publicity of each unit in %(district)s this month, against the rule."),
        ),
    ),
    (
        roles.LEADING_GROUP,
        "supervision:inspections",
        _("Inspections"),
        _("Record inspections, findings and corrective actions; verify them."),
    ),
    (
        roles.LEADING_GROUP,
        "supervision:stages",
        _("Programme stages"),
        _("Staged acceptance: criteria measured from the figures; sign-off."),
    ),
    (
        roles.SUPERVISOR,
        "safeguarding:list",
        _("Concerns about children"),
        _("Concerns sent to you: acknowledge, refer, close."),
    ),
    (
        roles.COORDINATOR,
        "safeguarding:list",
        _("Concerns about children"),
        ScopedText(
            city=_("Concerns raised anywhere in the city and what became of them."),
            district=_("Concerns raised in %(district)s and what became of them."),
        ),
    ),
    (
        roles.LEADING_GROUP,
        "safeguarding:list",
        _("Concerns about children"),
        _("Concerns escalated to the leading group."),
    ),
    (
        roles.ADMINISTRATOR,
        "safeguarding:list",
        _("Concerns about children"),
        _("Every concern raised, and each district's duty expert and escalation chain."),
    ),
    (
        roles.ADMINISTRATOR,
        "wagtailadmin_home",
        _("Administration"),
        _("Content, people, settings and the audit log."),
    ),
    (
        roles.ADMINISTRATOR,
        "accounts:import_people",
        _("Import people"),
        _("Create or update accounts from a staff list."),
    ),
]


def role_destinations(user) -> list[tuple[str, list[Destination]]]:
    """For each role the user holds, the pages that role works in (label, destinations)."""
    grouped = destinations_by_role(user)
    return [
        (str(roles.ROLE_LABELS[role]), grouped[role]) for role in roles.ALL_ROLES if role in grouped
    ]


def destinations_by_role(user) -> dict[str, list[Destination]]:
    """role code → the pages of that role the user may go to (roles the user holds only)."""
    codes = roles.role_codes(user)
    grouped: dict[str, list[Destination]] = {}
    for role, url_name, title, description in _DESTINATIONS:
        if role not in codes:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        if isinstance(description, ScopedText):
            description = description.for_user(user)
        grouped.setdefault(role, []).append(Destination(str(title), str(description), url))
    return grouped


@dataclass
class DashboardSection:
    """One role's part of the dashboard: what to do next (panels), then its pages."""

    role: str
    label: str
    panels: list = field(default_factory=list)
    destinations: list[Destination] = field(default_factory=list)


def dashboard_sections(user) -> tuple[list, list[DashboardSection]]:
    """(panels above the sections, one section per role the user holds, in role order).

    The panels are those the apps registered with ``lms.dashboard.register_panel``.
    """
    from lms.dashboard import panels_for

    codes = roles.role_codes(user)
    shown = panels_for(user, codes)
    pages = destinations_by_role(user)
    sections = [
        DashboardSection(
            role=role,
            label=str(roles.ROLE_LABELS[role]),
            panels=shown.get(role, []),
            destinations=pages.get(role, []),
        )
        for role in roles.ALL_ROLES
        if role in codes and (shown.get(role) or pages.get(role))
    ]
    return shown.get(None, []), sections
