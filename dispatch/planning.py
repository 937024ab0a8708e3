"""Planning a month: copy the recurring requests forward, import requests from a spreadsheet.

**Copy-forward.** The requests of a month marked recurring (``PlannedRequest.recurring``:
asked for "every month" by a venue, imported with the monthly column, or marked by a
coordinator) are copied to the next month on the same weekday of the same week (the
second Tuesday stays the second Tuesday; a fifth one becomes the month's last), at the
same time, for the same venue, topic, audience, language and size. A copy names its
original (``copied_from``, one copy per original), so copying a month twice makes
nothing new. Cancelled or moved requests are not copied. Each copy is made by the
corps' own ``create_service_request`` (its checks, its audit row); a request that can no
longer be made (the date has passed, the venue was closed) is reported, not copied.

**Import.** A CSV or XLSX file of requests (the template: ``template_bytes``), read by
``lms.spreadsheet_import`` (size and zip parts checked before parsing, rows streamed,
row limit). Every row is checked first; one problem anywhere and nothing is written, and
the report names each problem with the file's line number (header = line 1). Then all
requests are made in one transaction.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Language
from audit.services import record
from lecturer_corps import services as corps_services
from lecturer_corps.models import RequestStatus, ServiceRequest
from lecturer_corps.topics import TOPICS, Audience
from lms import spreadsheet_import
from lms.age_bands import AgeBand
from lms.date_horizon import check_within_horizon
from lms.textinput import LABEL, NOTE, TextPolicy
from places.models import Venue

from . import permissions
from .models import PlannedRequest, RequestSource, first_of_month, last_of_month, next_month

# --- copy-forward --------------------------------------------------------------------------


def same_place_next_month(day: datetime.date) -> datetime.date:
    """The same weekday of the same week of the next month (its last such day when the
    next month has no fifth one)."""
    nth = (day.day - 1) // 7  # 0 = first Monday/Tuesday/… of the month
    following = next_month(day)
    first_match = following + datetime.timedelta(days=(day.weekday() - following.weekday()) % 7)
    candidate = first_match + datetime.timedelta(weeks=nth)
    while candidate > last_of_month(following):
        candidate -= datetime.timedelta(weeks=1)
    return candidate


@dataclass
class CopyItem:
    original: ServiceRequest
    date: datetime.date
    problem: str = ""
    copy: ServiceRequest | None = None


@dataclass
class CopyReport:
    month: datetime.date
    items: list[CopyItem] = field(default_factory=list)
    already_copied: int = 0
    dry_run: bool = False

    @property
    def to_copy(self) -> list[CopyItem]:
        return [item for item in self.items if not item.problem]

    @property
    def problems(self) -> list[CopyItem]:
        return [item for item in self.items if item.problem]

    @property
    def copied(self) -> int:
        return sum(1 for item in self.items if item.copy is not None)


def copy_forward(*, actor, month: datetime.date, dry_run: bool = False, today=None) -> CopyReport:
    """Copy ``month``'s recurring requests in the actor's scope to the next month.

    A coordinator (district coordinators: their district's requests). ``dry_run`` only
    says what would be copied. Otherwise atomic: the copies, their plan rows and one audit
    row (besides each request's own) are written together; a request the corps' service
    refuses is reported with its reason and the others are copied.
    """
    scope = permissions.check_coordinator(actor)
    today = today or timezone.localdate()
    first = first_of_month(month)
    originals = (
        ServiceRequest.objects.in_scope(scope)
        .filter(
            date__gte=first,
            date__lte=last_of_month(first),
            plan__recurring=True,
        )
        .exclude(status__in=(RequestStatus.CANCELLED, RequestStatus.RESCHEDULED))
        .select_related("venue", "copied_to")
        .order_by("starts_at", "pk")
    )
    report = CopyReport(month=first, dry_run=dry_run)
    for original in originals:
        if getattr(original, "copied_to", None) is not None:
            report.already_copied += 1
            continue
        day = same_place_next_month(original.date)
        item = CopyItem(original=original, date=day)
        if day < today:
            item.problem = _("%(date)s has passed.") % {"date": day.isoformat()}
        elif not original.venue.is_active:
            item.problem = _("The venue is no longer active.")
        report.items.append(item)
    if dry_run:
        return report
    with transaction.atomic():
        for item in report.to_copy:
            original = item.original
            try:
                with transaction.atomic():
                    check_within_horizon(item.date)
                    (copy,) = corps_services.create_service_request(
                        actor=actor,
                        venue=original.venue,
                        topic=original.topic,
                        audience=original.audience,
                        age_band=original.age_band,
                        expected_size=original.expected_size,
                        language=original.language,
                        date=item.date,
                        start_time=original.start_time,
                        end_time=original.end_time,
                        class_hours=original.class_hours,
                        lecturers_needed=original.lecturers_needed,
                        notes=original.notes,
                    )
                    PlannedRequest.objects.create(
                        service_request=copy,
                        source=RequestSource.COPY,
                        recurring=True,
                        copied_from=original,
                    )
            except ValidationError as exc:
                item.problem = " ".join(exc.messages)
                continue
            item.copy = copy
        record(
            "dispatch.plan.copy_forward",
            actor=actor,
            changes={
                "month": f"{first:%Y-%m}",
                "copied": report.copied,
                "problems": len(report.problems),
                "already_copied": report.already_copied,
            },
        )
    return report


# --- import ------------------------------------------------------------------------------------

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000

HEADERS = {
    "venue": ("venue", "场所", "场所名称"),
    "district": ("district", "区县", "区/县"),
    "topic": ("topic", "主题", "课程主题"),
    "audience": ("audience", "对象", "服务对象"),
    "age_band": ("age_band", "age band", "年龄段"),
    "expected_size": ("expected_size", "size", "人数", "预计人数"),
    "language": ("language", "语言", "授课语言"),
    "date": ("date", "日期"),
    "start_time": ("start", "start_time", "开始", "开始时间"),
    "end_time": ("end", "end_time", "结束", "结束时间"),
    "class_hours": ("class_hours", "class hours", "课时"),
    "lecturers_needed": ("lecturers_needed", "lecturers", "讲师人数"),
    "monthly": ("monthly", "every month", "每月", "每月重复"),
    "notes": ("notes", "备注"),
}
REQUIRED = ("venue", "topic", "expected_size", "language", "date", "start_time", "end_time")
TEMPLATE_HEADERS = (
    "场所",
    "区县",
    "主题",
    "对象",
    "年龄段",
    "人数",
    "语言",
    "日期",
    "开始",
    "结束",
    "课时",
    "讲师人数",
    "每月重复",
    "备注",
)
AUDIENCE_ALIASES = {
    Audience.CHILDREN: ("children", "儿童"),
    Audience.CAREGIVERS: ("caregivers", "照护者", "家长"),
    Audience.TEACHERS: ("teachers", "教师"),
}
LANGUAGE_ALIASES = {
    Language.MANDARIN: ("zh", "普通话", "汉语", "mandarin"),
    Language.UYGHUR: ("ug", "维吾尔语", "uyghur"),
}
YES = {"yes", "y", "true", "1", "是", "每月", "√"}
NO = {"", "no", "n", "false", "0", "否"}
NOTES_POLICY = NOTE
VENUE_NAME = TextPolicy(200, purpose=LABEL)


@dataclass
class ImportReport:
    created: list[ServiceRequest] = field(default_factory=list)
    checked: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def _time(raw: str) -> datetime.time:
    raw = raw.strip()
    for pattern in ("%H:%M", "%H:%M:%S", "%H.%M", "%H：%M"):
        try:
            return datetime.datetime.strptime(raw, pattern).time()
        except ValueError:
            continue
    raise ValueError(raw)


def _date(raw: str) -> datetime.date:
    raw = raw.strip().replace("/", "-").replace(".", "-")
    return datetime.date.fromisoformat(raw)


def _read_rows(upload) -> list[tuple[int, list[str]]]:
    data = spreadsheet_import.read_upload(upload, MAX_BYTES)
    return list(spreadsheet_import.iter_rows(data, max_rows=MAX_ROWS))


def import_requests(*, actor, upload, dry_run: bool = False, today=None) -> ImportReport:
    """Check every row of ``upload``, then create all its service requests in one
    transaction (or none). A coordinator; venues of their scope only. ``dry_run`` checks
    and creates nothing. A file that cannot be read at all raises ``ValidationError``."""
    scope = permissions.check_coordinator(actor)
    today = today or timezone.localdate()
    report = ImportReport(dry_run=dry_run)
    rows = _read_rows(upload)
    filled = [(line, cells) for line, cells in rows if any(c.strip() for c in cells)]
    if not filled:
        report.errors.append((1, _("The file is empty.")))
        return report
    header_line, header = filled[0]
    header = [cell.strip().lower() for cell in header]
    columns = {}
    for name, aliases in HEADERS.items():
        for position, title in enumerate(header):
            if title in aliases:
                columns[name] = position
                break
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        report.errors.append(
            (header_line, _("Missing columns: %(columns)s") % {"columns": ", ".join(missing)})
        )
        return report

    venues: dict[str, list[Venue]] = {}
    for venue in Venue.objects.active().in_scope(scope).select_related("district"):
        venues.setdefault(venue.name, []).append(venue)
    topics = {t.code.lower(): t for t in TOPICS} | {t.title: t for t in TOPICS}
    audiences = {alias: code for code, names in AUDIENCE_ALIASES.items() for alias in names}
    languages = {alias: code for code, names in LANGUAGE_ALIASES.items() for alias in names}
    planned, seen = [], set()
    for line, row in filled[1:]:

        def cell(name, row=row):
            position = columns.get(name)
            return row[position].strip() if position is not None and position < len(row) else ""

        problems = []
        venue = None
        name = cell("venue")
        try:
            VENUE_NAME.clean(name)
        except ValidationError as exc:
            problems.append(_("venue: %(why)s") % {"why": " ".join(exc.messages)})
        candidates = venues.get(name, [])
        if cell("district"):
            wanted = cell("district").lower()
            candidates = [
                v
                for v in candidates
                if wanted in {v.district.code.lower(), v.district.name.lower(), (v.district.name_en or "").lower()}
            ]  # fmt: skip
        if name and not candidates:
            problems.append(_("no active venue “%(name)s” in your scope") % {"name": name})
        elif len(candidates) > 1:
            problems.append(
                _("several venues are called “%(name)s”: add the district") % {"name": name}
            )
        elif candidates:
            venue = candidates[0]
        topic = topics.get(cell("topic")) or topics.get(cell("topic").lower())
        if topic is None:
            problems.append(_("unknown topic “%(value)s”") % {"value": cell("topic")})
        audience = (
            audiences.get(cell("audience").lower())
            if cell("audience")
            else (topic.audience if topic else None)
        )
        if audience is None:
            problems.append(_("unknown audience “%(value)s”") % {"value": cell("audience")})
        age_band = cell("age_band").replace("–", "-").replace("岁", "")
        if age_band and age_band not in AgeBand.values:
            problems.append(_("unknown age band “%(value)s”") % {"value": cell("age_band")})
        language = languages.get(cell("language").lower())
        if language is None:
            problems.append(_("unknown language “%(value)s”") % {"value": cell("language")})
        numbers = {}
        for name_of, default, low, high in (
            ("expected_size", None, 1, 10000),
            ("class_hours", 2, 2, 4),
            ("lecturers_needed", 1, 1, 3),
        ):
            raw = cell(name_of)
            if not raw and default is not None:
                numbers[name_of] = default
                continue
            try:
                value = float(raw)
                if not value.is_integer() or not low <= value <= high:
                    raise ValueError
                numbers[name_of] = int(value)
            except ValueError:
                problems.append(
                    _("%(field)s must be a whole number from %(low)d to %(high)d")
                    % {"field": name_of, "low": low, "high": high}
                )
        day = start = end = None
        try:
            day = _date(cell("date"))
        except ValueError:
            problems.append(_("“%(value)s” is not a date (YYYY-MM-DD)") % {"value": cell("date")})
        for name_of in ("start_time", "end_time"):
            try:
                value = _time(cell(name_of))
            except ValueError:
                problems.append(
                    _("%(field)s “%(value)s” is not a time (HH:MM)")
                    % {"field": name_of, "value": cell(name_of)}
                )
                continue
            if name_of == "start_time":
                start = value
            else:
                end = value
        monthly = cell("monthly").lower()
        if monthly not in YES | NO:
            problems.append(_("monthly must be yes or no"))
        try:
            notes = NOTES_POLICY.clean(cell("notes"))
        except ValidationError as exc:
            problems.append(_("notes: %(why)s") % {"why": " ".join(exc.messages)})
            notes = ""
        if day is not None:
            if day < today:
                problems.append(_("%(date)s is in the past") % {"date": day.isoformat()})
            else:
                try:
                    check_within_horizon(day)
                except ValidationError as exc:
                    problems.append(" ".join(exc.messages))
        parsed = (venue, topic, audience, language, day, start, end)
        if all(value is not None for value in parsed) and len(numbers) == 3:
            candidate = ServiceRequest(
                venue=venue,
                topic=topic.code,
                audience=audience,
                age_band=age_band if audience == Audience.CHILDREN else "",
                expected_size=numbers["expected_size"],
                language=language,
                date=day,
                start_time=start,
                end_time=end,
                class_hours=numbers["class_hours"],
                lecturers_needed=numbers["lecturers_needed"],
                notes=notes,
            )
            candidate.compute_times()
            try:
                candidate.full_clean(exclude=["created_by", "rescheduled_to", "series"])
            except ValidationError as exc:
                problems.extend(
                    f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
                    for name, messages in exc.message_dict.items()
                )
            key = (venue.pk, topic.code, day, start)
            if key in seen:
                problems.append(_("the same request appears twice in the file"))
            seen.add(key)
        if problems:
            report.errors.append((line, "; ".join(problems)))
            continue
        planned.append((candidate, monthly in YES))
    report.checked = len(planned)
    if report.errors or dry_run:
        return report
    with transaction.atomic():
        for candidate, monthly in planned:
            (created,) = corps_services.create_service_request(
                actor=actor,
                venue=candidate.venue,
                topic=candidate.topic,
                audience=candidate.audience,
                age_band=candidate.age_band,
                expected_size=candidate.expected_size,
                language=candidate.language,
                date=candidate.date,
                start_time=candidate.start_time,
                end_time=candidate.end_time,
                class_hours=candidate.class_hours,
                lecturers_needed=candidate.lecturers_needed,
                notes=candidate.notes,
            )
            PlannedRequest.objects.create(
                service_request=created, source=RequestSource.IMPORT, recurring=monthly
            )
            report.created.append(created)
        record(
            "dispatch.plan.import",
            actor=actor,
            changes={"created": len(report.created)},
        )
    return report


def template_bytes() -> bytes:
    """The import template: the header row, and a sheet explaining each column with the
    topics' codes and titles."""
    from openpyxl.styles import Font

    from lms.spreadsheets import Workbook, workbook_bytes

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "服务需求"
    sheet.append(list(TEMPLATE_HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in ("H", "I", "J"):
        for row in range(2, MAX_ROWS + 2):
            sheet[f"{column}{row}"].number_format = "@"  # dates and times stay text
    sheet.freeze_panes = "A2"
    help_sheet = workbook.create_sheet(_("Help"))
    help_sheet.append([_("Column"), _("Required"), _("What to write")])
    explanations = [
        ("场所", True, _("The venue's name exactly as in the venue list.")),
        ("区县", False, _("The venue's district, when two venues share a name.")),
        ("主题", True, _("The topic's code (child_01…) or its title; see below.")),
        ("对象", False, _("儿童, 照护者 or 教师; empty = the topic's own audience.")),
        ("年龄段", False, _("0-5, 6-11 or 12-17; required for children.")),
        ("人数", True, _("Participants expected.")),
        ("语言", True, _("普通话 or 维吾尔语.")),
        ("日期", True, _("YYYY-MM-DD.")),
        ("开始", True, _("HH:MM.")),
        ("结束", True, _("HH:MM; 45 minutes per class hour at least.")),
        ("课时", False, _("2 to 4; empty = 2.")),
        ("讲师人数", False, _("1 to 3; empty = 1.")),
        ("每月重复", False, _("是 to copy it to the next month; empty = no.")),
        ("备注", False, _("Practical details; never a child's name.")),
    ]
    for header, required, text in explanations:
        help_sheet.append([header, _("yes") if required else _("no"), text])
    help_sheet.append([])
    help_sheet.append([_("Topic code"), _("Title"), _("Audience")])
    for topic in TOPICS:
        help_sheet.append([topic.code, topic.title, str(Audience(topic.audience).label)])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    return workbook_bytes(workbook)
