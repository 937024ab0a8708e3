"""Bulk import of people from the staff lists a bureau hands over (CSV or XLSX).

``import_people`` is the one entry point: the upload page, the Wagtail admin menu
item and ``manage.py import_users`` all call it. It guarantees:

* every row is checked before anything is written, and the report names the
  file's own line number (header = line 1) and column of every problem;
* all or nothing: one bad row and the database is left exactly as it was;
* people already known by e-mail, mobile or username are updated, never
  duplicated; empty cells leave the stored value as it is;
* new people get an unusable password and an invitation to choose one, sent
  once the import has committed;
* one audit record (``accounts.import``) carrying counts only.

Who may do what: administrators (and the command line, which has no actor)
may import anyone with any role but administrator; coordinators may import
trainees and lecturers, only within their district when they have one, and may
not change the accounts of staff roles.
"""

from __future__ import annotations

import re
import secrets
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _

from audit.services import record
from lms import spreadsheet_import
from lms.spreadsheet_import import SpreadsheetRejected
from places.models import District, Township

from . import roles
from .models import Language, System, User
from .permissions import can_import_people, coordinator_scope

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# Excel files often carry formatting far below the data: stop after this many
# blank rows in a row rather than walk a million empty ones.
MAX_TRAILING_BLANK_ROWS = 1000
# The header may sit below a title row ("XX单位人员名单"); look this far for it.
HEADER_SEARCH_ROWS = 5
MAX_COLUMNS = 100
# New people's invitations are queued in batches: one Celery message per batch.
INVITATION_BATCH = 100
# PostgreSQL advisory-lock key that serialises imports ("people" in ASCII).
IMPORT_LOCK_KEY = 0x70656F706C65

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LIST_SEPARATORS = re.compile(r"[、,，;；/\s]+")
IMPORTABLE_ROLES = (roles.TRAINEE, roles.LECTURER, roles.SUPERVISOR, roles.COORDINATOR)
# Roles only an administrator may grant.
ADMINISTRATOR_GRANTED_ROLES = frozenset({roles.SUPERVISOR, roles.COORDINATOR})


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # the Chinese header of the downloadable template
    aliases: tuple[str, ...]
    example: str


COLUMNS = (
    Column("username", "用户名", ("username", "账号", "帐号", "登录名", "用户名称"), ""),
    Column(
        "real_name", "姓名", ("real_name", "real name", "name", "真实姓名", "full name"), "李娜"
    ),
    Column(
        "email",
        "邮箱",
        ("email", "e-mail", "电子邮箱", "电子邮件", "邮件", "邮箱地址", "mail"),
        "lina@example.org",
    ),
    Column(
        "mobile",
        "手机",
        ("mobile", "mobile phone", "phone", "手机号", "手机号码", "联系电话", "电话"),
        "13800000000",
    ),
    Column(
        "employer_unit",
        "工作单位",
        ("employer_unit", "employer unit", "employer", "unit", "单位", "所在单位"),
        "高昌区民政局",
    ),
    Column("system", "系统", ("system", "所属系统"), "民政"),
    Column(
        "district", "区县", ("district", "county", "区/县", "县区", "县/区", "所在区县"), "高昌区"
    ),
    Column("township", "乡镇", ("township", "town", "乡镇/街道", "街道", "所在乡镇"), "葡萄镇"),
    Column("languages", "语言", ("languages", "language", "使用语言", "语种"), "普通话、维吾尔语"),
    Column("job_title", "职务", ("job_title", "job title", "岗位"), "社会工作者"),
    Column("roles", "角色", ("roles", "role"), "学员"),
    Column(
        "coordinator_scope",
        "协调范围",
        ("coordinator_scope", "coordinator scope", "coordinator district"),
        "",
    ),
)
COLUMNS_BY_FIELD = {column.field: column for column in COLUMNS}
# Columns a bureau's list often has that the import ignores on purpose.
IGNORED_HEADERS = ("序号", "no", "no.", "#", "备注", "remarks", "notes", "note")

SYSTEM_ALIASES = {
    System.CIVIL_AFFAIRS: ("civil_affairs", "civil affairs", "民政", "民政系统", "民政局"),
    System.EDUCATION: ("education", "教育", "教育系统", "教育局", "教育局系统"),
    System.OTHER: ("other", "其他", "其它"),
}
LANGUAGE_ALIASES = {
    Language.MANDARIN: (
        "zh",
        "zh-hans",
        "mandarin",
        "chinese",
        "普通话",
        "汉语",
        "中文",
        "国语",
        "国家通用语言",
    ),
    Language.UYGHUR: ("ug", "uyghur", "uighur", "维吾尔语", "维语", "维吾尔文"),
}
ROLE_ALIASES = {
    roles.TRAINEE: ("trainee", "学员", "培训学员"),
    roles.LECTURER: ("lecturer", "讲师"),
    roles.SUPERVISOR: ("supervisor", "supervising expert", "督导", "督导专家", "心理督导专家"),
    roles.COORDINATOR: ("coordinator", "协调员", "协调人"),
    roles.ADMINISTRATOR: ("administrator", "admin", "管理员", "系统管理员"),
}
OTHER_DISTRICT_ALIASES = ("other", "其他", "其它")
WHOLE_CITY_ALIASES = ("city", "whole city", "全市", "市级")

# Fields copied from a row onto the user as they are (after checking).
PROFILE_FIELDS = (
    "real_name",
    "email",
    "mobile",
    "employer_unit",
    "system",
    "district",
    "township",
    "languages",
    "job_title",
)


def normalise(text: str) -> str:
    """Compare names loosely: case, spaces, underscores, hyphens, '*' and '(…)' don't matter."""
    text = re.sub(r"[（(].*?[)）]", "", str(text))
    return re.sub(r"[\s_\-*＊:：]", "", text).lower()


def _lookup(aliases: dict, *, with_labels: dict | None = None) -> dict[str, str]:
    """alias → code, including the translated labels of the codes in every language."""
    table = {normalise(alias): code for code, names in aliases.items() for alias in names}
    for code, label in (with_labels or {}).items():
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                table.setdefault(normalise(str(label)), code)
    return table


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file. ``line`` is None for a problem with the file as a whole."""

    line: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = _("line %(line)d") % {"line": self.line} if self.line else _("file")
        if self.column:
            where = f"{where}, {self.column}"
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invited: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        counts = {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}
        if not self.ok:
            return _("%(count)d problem(s) found. Nothing was imported.") % {
                "count": len(self.errors)
            }
        if self.dry_run:
            return (
                _(
                    "Check passed: %(created)d would be created, %(updated)d updated, "
                    "%(unchanged)d unchanged. Nothing was changed."
                )
                % counts
            )
        return _("Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.") % (
            counts
        )

    def as_text(self) -> str:
        lines = [str(problem) for problem in self.errors]
        lines += [_("warning: %(problem)s") % {"problem": p} for p in self.warnings]
        lines.append(self.summary())
        return "\n".join(lines)


class FileRejected(Exception):
    """The file as a whole cannot be imported (too big, unreadable, wrong format)."""


# --------------------------------------------------------------------------- reading


@dataclass
class Table:
    kind: str  # "csv" or "xlsx"
    header_line: int
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line number in the file, cells)


def read_table(fileobj, filename: str) -> Table:
    """Read the header and the non-blank rows, keeping each row's line number in the file."""
    try:
        return _read_table(fileobj, filename)
    except SpreadsheetRejected as error:
        raise FileRejected(" ".join(error.messages)) from error


def _read_table(fileobj, filename: str) -> Table:
    data = spreadsheet_import.read_upload(fileobj, MAX_FILE_BYTES)
    if not data.strip():
        raise FileRejected(_("The file is empty."))
    name = (filename or "").lower()
    if name.endswith(".xls"):
        raise FileRejected(_("Old Excel files (.xls) are not read. Save the list as XLSX or CSV."))
    kind = spreadsheet_import.kind_of(data)
    if kind == "csv" and name.endswith(".xlsx"):
        raise FileRejected(_("The file could not be read as an Excel (XLSX) workbook."))
    # Rows with content up to the header are searched for it (HEADER_SEARCH_ROWS) and
    # count towards the reader's limit, so MAX_ROWS is checked again below.
    rows_iter = spreadsheet_import.iter_rows(
        data,
        max_rows=MAX_ROWS,
        header_rows=HEADER_SEARCH_ROWS,
        max_columns=MAX_COLUMNS,
        max_blank_run=MAX_TRAILING_BLANK_ROWS,
    )
    known = _header_lookup()

    header_line, header, rows, blank_run, seen = 0, [], [], 0, 0
    for line, cells in rows_iter:
        if not any(cells):
            blank_run += 1
            if blank_run > MAX_TRAILING_BLANK_ROWS and header:
                break
            continue
        blank_run = 0
        if not header:
            seen += 1
            if any(normalise(cell) in known for cell in cells):
                header_line, header = line, cells
            elif seen >= HEADER_SEARCH_ROWS:
                break
            continue
        rows.append((line, cells))
        if len(rows) > MAX_ROWS:
            raise FileRejected(
                _("The file has more than %(max)s rows. Split it into smaller files.")
                % {"max": f"{MAX_ROWS:,}"}
            )
    if not header:
        raise FileRejected(
            _("No header row found. The first row must name the columns, e.g. %(names)s.")
            % {"names": "、".join(column.header for column in COLUMNS[:4])}
        )
    return Table(kind=kind, header_line=header_line, header=header, rows=rows)


def _header_lookup() -> dict[str, str]:
    table = {}
    for column in COLUMNS:
        table[normalise(column.header)] = column.field
        table[normalise(column.field)] = column.field
        for alias in column.aliases:
            table[normalise(alias)] = column.field
        if column.field not in PROFILE_FIELDS:
            continue
        label = User._meta.get_field(column.field).verbose_name
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                table.setdefault(normalise(str(label)), column.field)
    return table


# --------------------------------------------------------------------------- checking


@dataclass
class RowPlan:
    """One valid row: who it is (an existing user or a new one) and what changes."""

    line: int
    user: User | None
    values: dict = field(default_factory=dict)
    changes: dict = field(default_factory=dict)
    username: str = ""
    add_roles: set[str] = field(default_factory=set)
    coordinator_scope: District | None | bool = False  # False = leave as it is


class Checker:
    """Checks every row against the file, the database and the importer's permissions."""

    def __init__(self, table: Table, *, actor, report: ImportReport):
        self.table = table
        self.actor = actor
        self.report = report
        self.is_administrator = actor is None or roles.has_role(actor, roles.ADMINISTRATOR)
        self.scope = None
        if not self.is_administrator:
            self.scope = coordinator_scope(actor)
        self.columns: dict[str, int] = {}
        self.labels: dict[str, str] = {}
        self.districts = list(District.objects.all())
        self.townships_by_name: dict[str, list[Township]] = defaultdict(list)
        for township in Township.objects.all():
            for name in {normalise(township.name), normalise(township.name_en or "")} - {""}:
                self.townships_by_name[name].append(township)
        self.district_lookup = self._district_lookup()
        self.system_lookup = _lookup(SYSTEM_ALIASES, with_labels=dict(System.choices))
        self.language_lookup = _lookup(LANGUAGE_ALIASES, with_labels=dict(Language.choices))
        self.role_lookup = _lookup(ROLE_ALIASES, with_labels=roles.ROLE_LABELS)

    # -- helpers
    def error(self, line, field_name, message):
        self.report.errors.append(Problem(line, self.label(field_name), str(message)))

    def label(self, field_name: str) -> str:
        if not field_name:
            return ""
        return self.labels.get(field_name) or COLUMNS_BY_FIELD[field_name].header

    def _district_lookup(self) -> dict[str, District | None]:
        table: dict[str, District | None] = {}
        for district in self.districts:
            for name in (district.code, district.name, district.name_en, district.name_ug):
                if name:
                    table[normalise(name)] = district
            short = re.sub(r"(区|县|市)$", "", district.name)
            if len(short) >= 2:
                table.setdefault(normalise(short), district)
        for alias in OTHER_DISTRICT_ALIASES:
            table.setdefault(normalise(alias), None)
        return table

    # -- the header
    def check_header(self) -> bool:
        """Map the columns; report unknown, repeated and missing ones.

        Returns whether the rows can be checked (the required columns are there),
        so that one upload reports header and row problems together.
        """
        known = _header_lookup()
        ignored = {normalise(name) for name in IGNORED_HEADERS}
        line = self.table.header_line
        blank_columns = []
        for index, text in enumerate(self.table.header):
            key = normalise(text)
            if not key:
                blank_columns.append(index)
                continue
            field_name = known.get(key)
            if field_name is None:
                if key not in ignored:
                    self.report.errors.append(
                        Problem(
                            line,
                            text,
                            _("Unknown column. Known columns: %(names)s.")
                            % {"names": "、".join(column.header for column in COLUMNS)},
                        )
                    )
                continue
            if field_name in self.columns:
                self.report.errors.append(
                    Problem(line, text, _("This column appears twice in the header row."))
                )
                continue
            self.columns[field_name] = index
            self.labels[field_name] = text
        for index in blank_columns:
            if any(index < len(cells) and cells[index] for _line, cells in self.table.rows):
                self.report.errors.append(
                    Problem(
                        line,
                        _("column %(number)d") % {"number": index + 1},
                        _("This column has values but no name in the header row."),
                    )
                )
        usable = True
        if "real_name" not in self.columns:
            self.error(line, "real_name", _("The column of real names is missing."))
            usable = False
        if "email" not in self.columns and "mobile" not in self.columns:
            self.error(line, "", _("An e-mail or a mobile phone column is needed."))
            usable = False
        return usable

    # -- the rows
    def values(self, cells: list[str]) -> dict[str, str]:
        return {
            name: (cells[index] if index < len(cells) else "")
            for name, index in self.columns.items()
        }

    def check(self) -> list[RowPlan]:
        if not self.check_header():
            return []
        parsed = []
        for line, cells in self.table.rows:
            parsed.append(self.parse_row(line, self.values(cells)))
        self.check_duplicates_in_file(parsed)
        self.match_existing(parsed)
        for plan in parsed:
            if plan is not None:
                self.check_permissions(plan)
                self.compute_changes(plan)
        return [plan for plan in parsed if plan is not None]

    def parse_row(self, line: int, raw: dict[str, str]) -> RowPlan | None:
        """Check one row's own values; None when any is wrong (the errors are reported)."""
        before = len(self.report.errors)
        plan = RowPlan(line=line, user=None)
        self.parse_identity(plan, raw)
        self.parse_profile(plan, raw)
        self.parse_place(line, raw, plan.values)
        self.parse_roles(plan, raw)
        return plan if len(self.report.errors) == before else None

    def parse_identity(self, plan: RowPlan, raw: dict[str, str]) -> None:
        """Real name, and what recognises the person: e-mail, mobile, username."""
        line, values = plan.line, plan.values
        real_name = raw.get("real_name", "")
        if not real_name:
            self.error(line, "real_name", _("A real name is required."))
        elif len(real_name) > 100:
            self.error(line, "real_name", _("At most 100 characters."))
        else:
            values["real_name"] = real_name

        email = raw.get("email", "").lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                self.error(
                    line,
                    "email",
                    _("“%(value)s” is not a valid e-mail address.") % {"value": email},
                )
            else:
                values["email"] = email

        mobile = raw.get("mobile", "")
        if mobile:
            digits = re.sub(r"[\s\-()（）]", "", mobile)
            digits = re.sub(r"^(\+?86)(?=1\d{10}$)", "", digits)
            if MOBILE_RE.match(digits):
                values["mobile"] = digits
            else:
                self.error(
                    line,
                    "mobile",
                    _("“%(value)s” is not an 11-digit mainland mobile number.") % {"value": mobile},
                )
        if not email and not mobile:
            self.error(
                line,
                "email" if "email" in self.columns else "mobile",
                _("Give an e-mail address or a mobile number, so the person can be recognised."),
            )

        username = raw.get("username", "")
        if username:
            try:
                User.username_validator(username)
                if len(username) > 150:
                    raise ValidationError("too long")
            except ValidationError:
                self.error(
                    line,
                    "username",
                    _("A username may hold letters, digits and @ . + - _ only (150 at most)."),
                )
            else:
                plan.username = username

    def parse_profile(self, plan: RowPlan, raw: dict[str, str]) -> None:
        """Employer unit, job title, system and languages."""
        line, values = plan.line, plan.values
        for name, limit in (("employer_unit", 200), ("job_title", 100)):
            text = raw.get(name, "")
            if len(text) > limit:
                self.error(line, name, _("At most %(limit)d characters.") % {"limit": limit})
            elif text:
                values[name] = text

        if raw.get("system"):
            system = self.system_lookup.get(normalise(raw["system"]))
            if system is None:
                self.error(
                    line,
                    "system",
                    _("Unknown system “%(value)s”. Use 民政, 教育 or 其他.")
                    % {"value": raw["system"]},
                )
            else:
                values["system"] = system

        if raw.get("languages"):
            codes = []
            for part in LIST_SEPARATORS.split(raw["languages"]):
                code = self.language_lookup.get(normalise(part)) if part else ""
                if code is None:
                    self.error(
                        line,
                        "languages",
                        _("Unknown language “%(value)s”. Use 普通话 or 维吾尔语.")
                        % {"value": part},
                    )
                elif code and code not in codes:
                    codes.append(code)
            values["languages"] = codes

    def parse_roles(self, plan: RowPlan, raw: dict[str, str]) -> None:
        """Roles to add (never removed by an import) and a coordinator's scope."""
        line = plan.line
        for part in LIST_SEPARATORS.split(raw.get("roles", "")):
            if not part:
                continue
            code = self.role_lookup.get(normalise(part))
            if code is None:
                self.error(
                    line,
                    "roles",
                    _("Unknown role “%(value)s”. Use 学员, 讲师, 督导专家 or 协调员.")
                    % {"value": part},
                )
            elif code not in IMPORTABLE_ROLES:
                self.error(
                    line,
                    "roles",
                    _("The role “%(role)s” cannot be given by an import.")
                    % {"role": roles.ROLE_LABELS.get(code, code)},
                )
            else:
                plan.add_roles.add(code)

        if raw.get("coordinator_scope"):
            key = normalise(raw["coordinator_scope"])
            if key in {normalise(alias) for alias in WHOLE_CITY_ALIASES}:
                plan.coordinator_scope = None
            elif self.district_lookup.get(key) is not None:
                plan.coordinator_scope = self.district_lookup[key]
            else:
                self.error(
                    line,
                    "coordinator_scope",
                    _("Unknown district “%(value)s”.") % {"value": raw["coordinator_scope"]},
                )

    def parse_place(self, line: int, raw: dict[str, str], values: dict) -> None:
        district_text, township_text = raw.get("district", ""), raw.get("township", "")
        district: District | None = None
        district_given = False
        if district_text:
            key = normalise(district_text)
            if key not in self.district_lookup:
                names = "、".join(d.name for d in self.districts) or "—"
                self.error(
                    line,
                    "district",
                    _("Unknown district or county “%(value)s”. Known: %(names)s, 其他.")
                    % {"value": district_text, "names": names},
                )
                return
            district, district_given = self.district_lookup[key], True
            values["district"] = district
        if not township_text:
            if district_given:
                values["township"] = None  # a new district: the old township no longer fits
            return
        candidates = self.townships_by_name.get(normalise(township_text), [])
        if district_given:
            if district is None:
                self.error(
                    line, "township", _("A township needs one of the districts or counties.")
                )
                return
            matching = [t for t in candidates if t.district_id == district.pk]
            if not matching:
                self.error(
                    line,
                    "township",
                    _("There is no township “%(township)s” in %(district)s.")
                    % {"township": township_text, "district": district.name},
                )
                return
            values["township"] = matching[0]
            return
        if len(candidates) == 1:
            values["township"] = candidates[0]
            values["district"] = next(
                d for d in self.districts if d.pk == candidates[0].district_id
            )
        elif not candidates:
            self.error(
                line, "township", _("Unknown township “%(value)s”.") % {"value": township_text}
            )
        else:
            self.error(
                line, "district", _("Several districts have this township: give the district.")
            )

    def check_duplicates_in_file(self, plans: list[RowPlan | None]) -> None:
        seen: dict[tuple[str, str], int] = {}
        for plan in plans:
            if plan is None:
                continue
            keys = [
                ("email", plan.values.get("email", "")),
                ("mobile", plan.values.get("mobile", "")),
                ("username", plan.username.lower()),
            ]
            for name, value in keys:
                if not value:
                    continue
                first = seen.setdefault((name, value), plan.line)
                if first != plan.line:
                    self.error(
                        plan.line,
                        name,
                        _("The same value is already on line %(line)d.") % {"line": first},
                    )

    def match_existing(self, plans: list[RowPlan | None]) -> None:
        """Find each row's existing user by e-mail, mobile or username, in a few queries."""
        from allauth.account.models import EmailAddress

        live = [plan for plan in plans if plan is not None]
        emails = {p.values["email"] for p in live if p.values.get("email")}
        mobiles = {p.values["mobile"] for p in live if p.values.get("mobile")}
        usernames = {p.username.lower() for p in live if p.username}

        by_email: dict[str, set[int]] = defaultdict(set)
        by_mobile: dict[str, set[int]] = defaultdict(set)
        by_username: dict[str, int] = {}
        for chunk in _chunks(sorted(emails)):
            for pk, email in (
                User.objects.annotate(email_lower=Lower("email"))
                .filter(email_lower__in=chunk)
                .values_list("pk", "email_lower")
            ):
                by_email[email].add(pk)
            for pk, email in (
                EmailAddress.objects.annotate(email_lower=Lower("email"))
                .filter(email_lower__in=chunk)
                .values_list("user_id", "email_lower")
            ):
                by_email[email].add(pk)
        for chunk in _chunks(sorted(mobiles)):
            for pk, mobile in User.objects.filter(mobile__in=chunk).values_list("pk", "mobile"):
                by_mobile[mobile].add(pk)
        for chunk in _chunks(sorted(usernames)):
            for pk, username in (
                User.objects.annotate(username_lower=Lower("username"))
                .filter(username_lower__in=chunk)
                .values_list("pk", "username_lower")
            ):
                by_username[username] = pk

        wanted = set().union(*by_email.values(), *by_mobile.values(), by_username.values())
        users = {}
        for chunk in _chunks(sorted(wanted)):
            users.update(
                (user.pk, user)
                for user in User.objects.filter(pk__in=chunk).prefetch_related("groups")
            )

        claimed: dict[int, int] = {}  # user pk → first line that matched them
        for plan in live:
            found: dict[int, list[str]] = defaultdict(list)
            for pk in by_email.get(plan.values.get("email", ""), ()):
                found[pk].append("email")
            for pk in by_mobile.get(plan.values.get("mobile", ""), ()):
                found[pk].append("mobile")
            if plan.username and plan.username.lower() in by_username:
                found[by_username[plan.username.lower()]].append("username")
            if len(found) > 1:
                described = "; ".join(
                    _("%(fields)s of %(username)s")
                    % {
                        "fields": "、".join(self.label(name) for name in names),
                        "username": users[pk].username,
                    }
                    for pk, names in found.items()
                )
                self.error(
                    plan.line,
                    "",
                    _("This row matches two different people: %(people)s.") % {"people": described},
                )
                continue
            if not found:
                continue
            pk = next(iter(found))
            first = claimed.setdefault(pk, plan.line)
            if first != plan.line:
                self.error(
                    plan.line,
                    "",
                    _("This row is the same person as line %(line)d.") % {"line": first},
                )
                continue
            plan.user = users[pk]

    def check_permissions(self, plan: RowPlan) -> None:
        if self.is_administrator:
            if plan.coordinator_scope is not False and not (
                roles.COORDINATOR in plan.add_roles
                or (plan.user and roles.COORDINATOR in _role_codes(plan.user))
            ):
                self.error(
                    plan.line,
                    "coordinator_scope",
                    _("A coordinator scope is only for people with the coordinator role."),
                )
            return
        user = plan.user
        if user is not None and (
            user.is_superuser or user.is_staff or _role_codes(user) & roles.STAFF_ROLES
        ):
            self.error(
                plan.line,
                "",
                _(
                    "This person holds a staff role; only an administrator may change their "
                    "account."
                ),
            )
            return
        held = _role_codes(user) if user else frozenset()
        for code in sorted((plan.add_roles & ADMINISTRATOR_GRANTED_ROLES) - held):
            self.error(
                plan.line,
                "roles",
                _("Only an administrator may give the role “%(role)s”.")
                % {"role": roles.ROLE_LABELS[code]},
            )
        if plan.coordinator_scope is not False:
            self.error(
                plan.line,
                "coordinator_scope",
                _("Only an administrator may set a coordinator scope."),
            )
        if self.scope is not None:
            if "district" in plan.values:
                district_id = getattr(plan.values["district"], "pk", None)
            else:
                district_id = user.district_id if user else None
            if user is not None and user.district_id != self.scope.pk:
                self.error(
                    plan.line,
                    "district",
                    _("This person belongs to another district; you coordinate %(scope)s only.")
                    % {"scope": self.scope.name},
                )
            elif district_id != self.scope.pk:
                self.error(
                    plan.line,
                    "district",
                    _("You may only import people of %(scope)s.") % {"scope": self.scope.name},
                )

    def compute_changes(self, plan: RowPlan) -> None:
        user = plan.user
        if user is None:
            plan.changes = dict(plan.values)
            return
        for name, value in plan.values.items():
            if name in ("district", "township"):
                # Compare keys: loading each person's district would cost a query a row.
                changed = getattr(user, f"{name}_id") != getattr(value, "pk", None)
            elif name == "email":
                changed = (user.email or "").lower() != value
            else:
                changed = getattr(user, name) != value
            if changed:
                plan.changes[name] = value
        missing_roles = plan.add_roles - _role_codes(user)
        if missing_roles:
            plan.changes["roles"] = sorted(missing_roles)
        if plan.coordinator_scope is not False and user.coordinator_district_id != getattr(
            plan.coordinator_scope, "pk", None
        ):
            plan.changes["coordinator_district"] = plan.coordinator_scope


def _role_codes(user) -> frozenset[str]:
    return frozenset(group.name for group in user.groups.all()) & set(roles.ALL_ROLES)


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --------------------------------------------------------------------------- writing


def _generate_usernames(plans: list[RowPlan]) -> None:
    """Give new people without a username one made from their e-mail (or 'user').

    One query finds which plain candidates are taken; only a base already in use
    costs one more query to find its free numbered variants.
    """
    taken = {p.username.lower() for p in plans if p.username}
    bases: dict[str, list[RowPlan]] = defaultdict(list)
    for plan in plans:
        if plan.user is None and not plan.username:
            local = plan.values.get("email", "").split("@", 1)[0]
            base = re.sub(r"[^a-z0-9._-]", "", local.lower())[:30]
            bases[base if len(base) >= 3 else "user"].append(plan)
    in_use = set()
    for chunk in _chunks(sorted(bases)):
        in_use |= set(
            User.objects.annotate(username_lower=Lower("username"))
            .filter(username_lower__in=chunk)
            .values_list("username_lower", flat=True)
        )
    for base, waiting in bases.items():
        if base in in_use:
            taken |= {
                name.lower()
                for name in User.objects.filter(username__istartswith=base).values_list(
                    "username", flat=True
                )
            }
        number = 1
        for plan in waiting:
            candidate = base if number == 1 else f"{base}{number}"
            while candidate in taken:
                number += 1
                candidate = f"{base}{number}"
            taken.add(candidate)
            plan.username = candidate


def _apply(plans: list[RowPlan], report: ImportReport) -> list[int]:
    """Write the checked plans; returns the primary keys of new people to invite."""
    from allauth.account.models import EmailAddress

    groups = {code: Group.objects.get_or_create(name=code)[0] for code in IMPORTABLE_ROLES}
    new_users, changed_users, changed_fields = [], [], set()
    role_links: list[tuple[User, str]] = []
    email_changes: list[User] = []

    for plan in plans:
        if plan.user is None:
            user = User(username=plan.username, system=System.OTHER, languages=[])
            for name, value in plan.values.items():
                setattr(user, name, value)
            if plan.coordinator_scope is not False:
                user.coordinator_district = plan.coordinator_scope
            # What set_unusable_password() stores, without 40 calls to secrets.choice a row.
            user.password = UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)
            new_users.append(user)
            for code in plan.add_roles or {roles.TRAINEE}:
                role_links.append((user, code))
            continue
        if not plan.changes:
            continue
        user = plan.user
        for name, value in plan.changes.items():
            if name == "roles":
                role_links.extend((user, code) for code in value)
            else:
                setattr(user, name, value)
                changed_fields.add(name)
        if "email" in plan.changes:
            email_changes.append(user)
        changed_users.append(user)

    User.objects.bulk_create(new_users, batch_size=500)
    if changed_users and changed_fields:
        User.objects.bulk_update(changed_users, sorted(changed_fields), batch_size=500)
    Through = User.groups.through
    Through.objects.bulk_create(
        [Through(user_id=user.pk, group_id=groups[code].pk) for user, code in role_links],
        batch_size=1000,
        ignore_conflicts=True,
    )
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user_id=user.pk, email=user.email, primary=True, verified=False)
            for user in new_users
            if user.email
        ],
        batch_size=1000,
    )
    for user in email_changes:
        # The address on file changed: it is unverified until the person confirms it.
        EmailAddress.objects.filter(user=user).exclude(email__iexact=user.email).filter(
            primary=True
        ).delete()
        if user.email:
            EmailAddress.objects.update_or_create(
                user=user,
                email=user.email,
                defaults={"primary": True, "verified": False},
            )
    report.created = len(new_users)
    return [user.pk for user in new_users if user.email]


def _serialise_imports() -> None:
    """One import at a time (PostgreSQL): a double-clicked upload must not create people twice.

    The lock is held until the transaction ends. SQLite serialises writers itself.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])


def import_people(fileobj, *, filename: str, dry_run: bool, actor=None):
    """Check a staff list and, unless ``dry_run``, import it all or nothing.

    ``actor`` is the person importing (None on the command line, which acts as an
    administrator). Raises ``PermissionDenied`` if the actor may not import people
    at all; every other problem is reported in the returned ``ImportReport``.
    """
    if actor is not None and not can_import_people(actor):
        raise PermissionDenied(_("Only coordinators and administrators may import people."))
    report = ImportReport(dry_run=dry_run)
    try:
        table = read_table(fileobj, filename)
    except FileRejected as exc:
        report.errors.append(Problem(None, "", str(exc)))
        return report
    report.rows = len(table.rows)
    if not table.rows:
        report.errors.append(Problem(None, "", _("The file has a header row but no people.")))
        return report

    from outbox.services import enqueue

    from .tasks import send_invitations

    with transaction.atomic():
        if not dry_run:
            _serialise_imports()
        # Checked inside the transaction (after the lock), so a second upload of the
        # same list sees the people the first one created and updates them instead.
        plans = Checker(table, actor=actor, report=report).check()
        report.errors.sort(key=lambda problem: problem.line or 0)
        if report.errors:
            return report
        report.created = sum(1 for plan in plans if plan.user is None)
        report.updated = sum(1 for plan in plans if plan.user is not None and plan.changes)
        report.unchanged = sum(1 for plan in plans if plan.user is not None and not plan.changes)
        report.warnings.extend(
            Problem(
                plan.line,
                "",
                _(
                    "No e-mail address: this person gets no invitation; an administrator "
                    "must set their password."
                ),
            )
            for plan in plans
            if plan.user is None and not plan.values.get("email")
        )
        if dry_run:
            return report

        _generate_usernames(plans)
        invite = _apply(plans, report)
        record(
            "accounts.import",
            actor=actor,
            changes={
                "rows": report.rows,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "invited": len(invite),
                "format": table.kind,
            },
        )
        for chunk in _chunks(invite, INVITATION_BATCH):
            enqueue(send_invitations, chunk)
    report.invited = len(invite)
    return report


# --------------------------------------------------------------------------- the template


def build_import_template() -> bytes:
    """An XLSX file with the Chinese header row, one example row and a sheet of help."""
    from openpyxl.styles import Font

    from lms.spreadsheets import Workbook, workbook_bytes

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "人员名单"
    sheet.append([column.header for column in COLUMNS])
    sheet.append([column.example for column in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(
            12, len(column.example) * 2 + 2
        )
    # Mobile numbers stay text, so Excel does not turn them into 1.38E+10.
    mobile_letter = sheet.cell(row=1, column=[c.field for c in COLUMNS].index("mobile") + 1)
    for row in range(2, 5002):
        sheet[f"{mobile_letter.column_letter}{row}"].number_format = "@"
    sheet.freeze_panes = "A2"

    help_sheet = workbook.create_sheet(_("Help"))
    help_sheet.append([_("Column"), _("Required"), _("What to write")])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    explanations = {
        "username": _("Optional; made from the e-mail address when empty."),
        "real_name": _("The person's real name."),
        "email": _("E-mail or mobile is required; new people are invited by e-mail."),
        "mobile": _("11-digit mainland mobile number."),
        "employer_unit": _("Where the person works."),
        "system": _("民政, 教育 or 其他."),
        "district": _("高昌区, 鄯善县, 托克逊县 or 其他."),
        "township": _("A township of the district."),
        "languages": _("普通话, 维吾尔语; several separated by 、"),
        "job_title": _("The person's job."),
        "roles": _("学员, 讲师, 督导专家, 协调员; empty = 学员 for new people."),
        "coordinator_scope": _("Administrators only: the district a coordinator covers, or 全市."),
    }
    for column in COLUMNS:
        required = column.field == "real_name" or column.field in ("email", "mobile")
        help_sheet.append(
            [column.header, _("yes") if required else _("no"), str(explanations[column.field])]
        )
    help_sheet.append([])
    help_sheet.append(
        [_("Empty cells leave what is stored unchanged for people already in the system.")]
    )
    help_sheet.column_dimensions["A"].width = 14
    help_sheet.column_dimensions["C"].width = 70
    return workbook_bytes(workbook)
