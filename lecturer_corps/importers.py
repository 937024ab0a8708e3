"""Venue import from CSV or XLSX: every row checked first, then all or nothing.

Columns (Chinese or English headers, any order; header on the first line):
名称/name, 类型/type (学校 社区 农场 乡镇 or school community farm township),
区县/district, 乡镇/township, 地址/address, 纬度/latitude, 经度/longitude,
联系人/contact_name, 联系电话/contact_phone, 容纳人数/capacity, 备注/notes.
A venue already known by district and name is updated, never duplicated. The
report names the file's line number (header = line 1) of every problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import record
from lms import spreadsheet_import
from lms.textinput import LABEL, TextPolicy
from places.models import District, Township, Venue, VenueType

from . import permissions

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# Each cell's text is refused (with the line) rather than cut when it breaks these rules.
CELL_TEXT = {
    "name": TextPolicy(200, purpose=LABEL, required=False),
    "address": TextPolicy(300, purpose=LABEL, required=False),
    "contact_name": TextPolicy(100, purpose=LABEL, required=False),
    "contact_phone": TextPolicy(30, purpose=LABEL, required=False),
    "notes": TextPolicy(2000, multiline=True, required=False),
}

HEADERS = {
    "name": ("name", "名称", "场所名称", "venue"),
    "venue_type": ("type", "venue_type", "类型", "场所类型"),
    "district": ("district", "区县", "区/县", "county"),
    "township": ("township", "乡镇", "乡镇/街道", "town"),
    "address": ("address", "地址"),
    "latitude": ("latitude", "纬度", "lat"),
    "longitude": ("longitude", "经度", "lon", "lng"),
    "contact_name": ("contact_name", "contact", "联系人"),
    "contact_phone": ("contact_phone", "phone", "联系电话", "电话"),
    "capacity": ("capacity", "容纳人数", "容量"),
    "notes": ("notes", "备注"),
}
REQUIRED = ("name", "venue_type", "district")
TYPE_ALIASES = {
    VenueType.SCHOOL: ("school", "学校"),
    VenueType.COMMUNITY: ("community", "社区"),
    VenueType.FARM: ("farm", "农场"),
    VenueType.TOWNSHIP: ("township", "乡镇", "乡镇政府"),
}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def _read_rows(upload) -> list[list[str]]:
    """The rows of the file (header first), read by ``lms.spreadsheet_import``: size and
    zip parts checked before parsing, streamed, refused past ``MAX_ROWS``."""
    data = spreadsheet_import.read_upload(upload, MAX_BYTES)
    return [cells for _line, cells in spreadsheet_import.iter_rows(data, max_rows=MAX_ROWS)]


def import_venues(*, actor, upload, dry_run: bool = False) -> ImportReport:
    """Check every row, then create or update all venues in one transaction (or none)."""
    scope = permissions.check_coordinator(actor)
    report = ImportReport(dry_run=dry_run)
    rows = _read_rows(upload)
    if not rows:
        report.errors.append((1, _("The file is empty.")))
        return report
    header = [cell.strip().lower() for cell in rows[0]]
    columns = {}
    for field_name, aliases in HEADERS.items():
        for position, title in enumerate(header):
            if title in aliases:
                columns[field_name] = position
                break
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        report.errors.append(
            (1, _("Missing columns: %(columns)s") % {"columns": ", ".join(missing)})
        )
        return report
    if len(rows) - 1 > MAX_ROWS:
        report.errors.append((1, _("At most %(n)d rows at a time.") % {"n": MAX_ROWS}))
        return report
    districts = {}
    for district in District.objects.all():
        for key in (district.code, district.name, district.name_en):
            if key:
                districts[key.lower()] = district
    townships = {(t.district_id, t.name): t for t in Township.objects.all()}
    types = {alias: code for code, aliases in TYPE_ALIASES.items() for alias in aliases}
    planned, seen = [], set()
    for line, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue

        def cell(name, row=row):
            position = columns.get(name)
            return row[position].strip() if position is not None and position < len(row) else ""

        problems = []
        name = cell("name")
        if not name:
            problems.append(_("the name is empty"))
        venue_type = types.get(cell("venue_type").lower())
        if venue_type is None:
            problems.append(_("unknown type “%(value)s”") % {"value": cell("venue_type")})
        district = districts.get(cell("district").lower())
        if district is None:
            problems.append(_("unknown district “%(value)s”") % {"value": cell("district")})
        elif scope is not None and district.pk != scope.pk:
            problems.append(_("%(district)s is outside your scope") % {"district": district})
        township = None
        if cell("township") and district is not None:
            township = townships.get((district.pk, cell("township")))
            if township is None:
                problems.append(_("unknown township “%(value)s”") % {"value": cell("township")})
        coordinates = []
        for name_of in ("latitude", "longitude"):
            raw = cell(name_of)
            try:
                coordinates.append(Decimal(raw).quantize(Decimal("0.00001")) if raw else None)
            except InvalidOperation:
                problems.append(_("%(field)s is not a number") % {"field": name_of})
                coordinates.append(None)
        latitude, longitude = coordinates
        if latitude is not None and not -90 <= latitude <= 90:
            problems.append(_("latitude must be between -90 and 90"))
        if longitude is not None and not -180 <= longitude <= 180:
            problems.append(_("longitude must be between -180 and 180"))
        capacity = None
        if cell("capacity"):
            try:
                capacity = int(float(cell("capacity")))
                if capacity < 1:
                    raise ValueError
            except ValueError:
                problems.append(_("capacity must be a whole number above 0"))
        for field_name, policy in CELL_TEXT.items():
            try:
                policy.clean(cell(field_name))
            except ValidationError as error:
                problems.append(f"{field_name}: {' '.join(error.messages)}")
        key = (district.pk if district else None, name)
        if name and district and key in seen:
            problems.append(_("the same venue appears twice in the file"))
        seen.add(key)
        if problems:
            report.errors.append((line, "; ".join(problems)))
            continue
        if township is not None and latitude is None and township.latitude is not None:
            latitude, longitude = township.latitude, township.longitude
        planned.append(
            (
                district,
                name,
                {
                    "venue_type": venue_type,
                    "township": township,
                    "address": cell("address"),
                    "latitude": latitude,
                    "longitude": longitude,
                    "contact_name": cell("contact_name"),
                    "contact_phone": cell("contact_phone"),
                    "capacity": capacity,
                    "notes": cell("notes"),
                },
            )
        )
    if report.errors or dry_run:
        if dry_run and not report.errors:
            existing = {(d, n) for d, n in Venue.objects.values_list("district_id", "name")}
            report.updated = sum(1 for d, n, _f in planned if (d.pk, n) in existing)
            report.created = len(planned) - report.updated
        return report
    with transaction.atomic():
        for district, name, fields in planned:
            _venue, created = Venue.objects.update_or_create(
                district=district, name=name, defaults=fields
            )
            if created:
                report.created += 1
            else:
                report.updated += 1
        record(
            "lecturer_corps.venue.import",
            actor=actor,
            changes={"created": report.created, "updated": report.updated},
        )
    return report
