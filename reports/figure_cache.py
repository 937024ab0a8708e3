"""The figures of a period and scope, kept in the cache until the data behind them changes.

A figure group is cached under a key made of the *data versions* of the tables it reads
(``GroupSpec.reads``), the period, the scope, the language (labels are translated when a
group is built) and, while the period is still running, today's date (some figures are
"as of today"). Groups that depend on the current instant while their period runs
(``GroupSpec.live``: review waiting times) are never cached for a running period. So a
cached group is exactly what building it again would give, as long as a table's version
changes whenever its data changes; a write rebuilds only the groups that read the table
(a finished quiz attempt: the quiz group).

A table's version changes on every write to it. Writes are seen at the database
connection (an execute wrapper installed on every connection), not through model
signals, because the services of several apps write counted rows with
``QuerySet.update()``, ``bulk_create()`` and ``bulk_update()``, which send no signal:
finishing a quiz attempt, approving entries in bulk, importing users. An ``UPDATE`` that
sets only columns no figure reads (a log-in time, the last lesson opened) is ignored.

A version is bumped right after the statement (so the same transaction sees its own
writes), again when the transaction commits (so a reader in another process that
built the figures from the data before the commit does not leave them cached under the
new version) and when it, or a savepoint, is rolled back (so figures built from the
rows rolled back are not served). Hand-written SQL is recognised too: a schema-qualified
table, comments or spaces before the keyword, and ``WITH …`` statements that change
data (which count for every counted table they name). Writes made outside Django (psql,
another program) are not seen; cached groups expire after
``REPORTS_FIGURES_CACHE_SECONDS`` (default 6 hours) in any case.

The versions live in the default cache, which must be shared by every process that
writes (Redis in production; the in-memory cache of ``make run`` serves one process,
with Celery tasks run eagerly). If the cache cannot be reached, figures are built live.

``REPORTS_FIGURES_CACHE = False`` switches the cache off: every group is built from the
database on every load. Writes still bump the versions, so figures cached before the
switch are never served stale once it is turned back on. (Compared with django-cachalot
on the reports bench: ``docs/decisions.md``.)
"""

from __future__ import annotations

import hashlib
import logging
import re
import time

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

logger = logging.getLogger(__name__)

VERSION_KEY = "reports:figures:version:{table}"
DEFAULT_TIMEOUT = 6 * 60 * 60

# Columns no figure reads, updated often on their own (an UPDATE setting only these
# leaves the figures alone).
IGNORED_UPDATE_COLUMNS = {
    "accounts.User": {"last_login", "preferred_language"},
    "courses.Enrolment": {"last_lesson_id", "last_activity_at"},
    "quizzes.Attempt": {"last_page"},
    "certification.Certificate": {"pdf", "pdf_rendered_at"},
    "lecturer_corps.LecturerProfile": {"certificate_alerted_at"},
}

# The statement's own table: the name after INSERT INTO / UPDATE / DELETE FROM / MERGE
# INTO, quoted or not, schema-qualified or not.
_WRITE = re.compile(
    r'(INSERT\s+INTO|UPDATE|DELETE\s+FROM|MERGE\s+INTO)\s+(?:"?\w+"?\.)?"?(\w+)"?',
    re.IGNORECASE,
)
_SET_COLUMN = re.compile(r'"(\w+)"\s*=')
# What may precede the first keyword: spaces, comments, an opening parenthesis.
_LEADING = re.compile(r"(?:\s+|/\*.*?\*/|--[^\n]*(?:\n|$)|\()+", re.DOTALL)
_DATA_CHANGE = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)
EVERY_TABLE = "*"
_tables: dict[str, frozenset[str]] | None = None
_table_names: re.Pattern | None = None
_group_tables: dict[str, tuple[str, ...]] = {}


def _model_tables(label: str) -> list[str]:
    try:
        model = apps.get_model(label)
    except LookupError:
        return []
    tables = [model._meta.db_table]
    for field in model._meta.local_many_to_many:  # e.g. a user's groups
        tables.append(field.remote_field.through._meta.db_table)
    return tables


def group_tables(spec) -> tuple[str, ...]:
    """The tables a figure group reads, from its ``reads`` (installed models only)."""
    if spec.key not in _group_tables:
        _group_tables[spec.key] = tuple(
            sorted({table for label in spec.reads for table in _model_tables(label)})
        )
    return _group_tables[spec.key]


def counted_tables() -> dict[str, frozenset[str]]:
    """Every table a group reads → the columns whose update alone changes no figure."""
    global _tables
    if _tables is None:
        from .selectors import GROUPS

        tables = {}
        for label in sorted({label for spec in GROUPS for label in spec.reads}):
            for index, table in enumerate(_model_tables(label)):
                ignored = IGNORED_UPDATE_COLUMNS.get(label, ()) if index == 0 else ()
                tables[table] = frozenset(ignored)
        _tables = tables
    return _tables


def _named_tables(sql: str) -> frozenset[str]:
    """The counted tables whose names appear in the statement (as whole names)."""
    global _table_names
    if _table_names is None:
        names = "|".join(sorted(counted_tables(), key=len, reverse=True))
        _table_names = re.compile(rf"(?<!\w)({names})(?!\w)", re.IGNORECASE)
    return frozenset(name.lower() for name in _table_names.findall(sql))


def written_tables(sql: str) -> frozenset[str]:
    """The counted tables an SQL statement may write (``EVERY_TABLE`` for TRUNCATE).

    Conservative: an UPDATE is ignored only when every column it sets is listed in
    ``IGNORED_UPDATE_COLUMNS``; a write the patterns cannot take apart (``WITH …``
    data-modifying statements) counts for every counted table it names.
    """
    first = sql[:1]
    if first in " \t\r\n(/-":  # hand-written SQL: spaces, comments before the keyword
        leading = _LEADING.match(sql)
        sql = sql[leading.end() :] if leading else sql
        first = sql[:1]
    if first not in "IUDTMWiudtmw":  # SELECT, SAVEPOINT, RELEASE, … (the common case)
        return frozenset()
    keyword = sql[:8].upper()
    if keyword == "TRUNCATE":
        return frozenset({EVERY_TABLE})
    if keyword.startswith("WITH"):
        return _named_tables(sql) if _DATA_CHANGE.search(sql) else frozenset()
    match = _WRITE.match(sql)
    if match is None:
        return frozenset()
    table = match.group(2).lower()
    ignored = counted_tables().get(table)
    if ignored is None:
        return frozenset()
    if match.group(1).upper() != "UPDATE" or not ignored:
        return frozenset({table})
    assignments = sql[match.end() :].split(" WHERE ", 1)[0]
    columns = set(_SET_COLUMN.findall(assignments))
    return frozenset({table}) if not columns or not columns <= ignored else frozenset()


def changes_figures(sql: str) -> bool:
    """Whether an SQL statement may change a figure."""
    return bool(written_tables(sql))


_WRITTEN = "_reports_figure_tables_written"


def watch_writes(execute, sql, params, many, context):
    """Execute wrapper: after a statement that writes a counted table, bump its version
    (and, inside a transaction, again once it commits)."""
    result = execute(sql, params, many, context)
    tables = written_tables(sql)
    for table in tables:
        bump_version(table)
    if tables:
        connection = context["connection"]
        if connection.in_atomic_block:
            connection.__dict__.setdefault(_WRITTEN, set()).update(tables)
    return result


def install(connection, **kwargs) -> None:
    """Watch a database connection's writes (``connection_created`` receiver).

    The wrapper goes first so that ``connection.execute_wrapper()`` blocks, which pop
    the last wrapper on exit, never remove it. The second bump, after the commit, wraps
    the connection's ``commit`` rather than using ``transaction.on_commit``, so that it
    adds nothing to the callbacks other code (and its tests) register and count. A
    rollback (of the transaction or of a savepoint) bumps the tables written so far
    too: figures built inside the transaction saw rows that are now gone.
    """
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, watch_writes)
    if "commit" not in connection.__dict__:
        commit = connection.commit

        def commit_and_bump():
            commit()
            for table in connection.__dict__.pop(_WRITTEN, ()):
                bump_version(table)

        connection.commit = commit_and_bump
    if "rollback" not in connection.__dict__:
        rollback = connection.rollback

        def rollback_and_bump():
            rollback()
            for table in connection.__dict__.pop(_WRITTEN, ()):
                bump_version(table)

        connection.rollback = rollback_and_bump
    if "savepoint_rollback" not in connection.__dict__:
        savepoint_rollback = connection.savepoint_rollback

        def savepoint_rollback_and_bump(sid):
            savepoint_rollback(sid)
            for table in connection.__dict__.get(_WRITTEN, ()):
                bump_version(table)

        connection.savepoint_rollback = savepoint_rollback_and_bump


def bump_version(table: str) -> None:
    """A new version for a table (for ``EVERY_TABLE``: for every counted table)."""
    tables = list(counted_tables()) if table == EVERY_TABLE else [table]
    for name in tables:
        key = VERSION_KEY.format(table=name)
        try:
            cache.incr(key)
        except ValueError:  # missing (evicted, or never set): a value never used before
            cache.set(key, time.time_ns(), None)
        except Exception:  # the cache is down: nothing is served from it either
            logger.warning("reports.figure_cache.bump_failed", exc_info=True)
            return


def data_versions(tables) -> dict[str, int]:
    """The current version of each table (one cache round trip once all are set)."""
    keys = {table: VERSION_KEY.format(table=table) for table in tables}
    found = cache.get_many(list(keys.values())) if keys else {}
    versions = {}
    for table, key in keys.items():
        if key not in found:
            cache.add(key, time.time_ns(), None)
            found[key] = cache.get(key)
        versions[table] = found[key]
    return versions


def data_version(table: str) -> int:
    return data_versions([table])[table]


def _key(versions: dict, scope, spec) -> str:
    from .selectors import reference_day

    running = scope.period.end_at > timezone.now()
    clock = reference_day(scope).isoformat() if running else "final"
    language = translation.get_language() or settings.LANGUAGE_CODE
    data = ",".join(f"{table}={versions[table]}" for table in group_tables(spec))
    digest = hashlib.sha1(data.encode(), usedforsecurity=False).hexdigest()[:20]
    return (
        f"reports:figures:{spec.key}:{scope.period.code}:{scope.code}:{language}:{clock}:{digest}"
    )


def cacheable(scope, spec) -> bool:
    """Whether the group's key says all it depends on (a group that names no tables
    it reads is never cached)."""
    return bool(spec.reads) and not (spec.live and scope.period.end_at > timezone.now())


def enabled() -> bool:
    """Whether figure groups are kept in the cache (``REPORTS_FIGURES_CACHE``, default on)."""
    return getattr(settings, "REPORTS_FIGURES_CACHE", True)


def figure_groups(scope, specs) -> list:
    """The groups of ``specs`` for the scope, from the cache where exact, else built."""
    if not enabled():
        return [spec.build(scope) for spec in specs]
    try:
        cached_specs = [spec for spec in specs if cacheable(scope, spec)]
        versions = data_versions({t for spec in cached_specs for t in group_tables(spec)})
        keys = {spec.key: _key(versions, scope, spec) for spec in cached_specs}
        found = cache.get_many(list(keys.values())) if keys else {}
    except Exception:
        logger.warning("reports.figure_cache.unavailable", exc_info=True)
        return [spec.build(scope) for spec in specs]
    groups, missing = [], {}
    for spec in specs:
        key = keys.get(spec.key)
        group = found.get(key) if key else None
        if group is None:
            group = spec.build(scope)
            if key:
                missing[key] = group
        groups.append(group)
    if missing:
        timeout = getattr(settings, "REPORTS_FIGURES_CACHE_SECONDS", DEFAULT_TIMEOUT)
        try:
            cache.set_many(missing, timeout)
        except Exception:
            logger.warning("reports.figure_cache.unavailable", exc_info=True)
    return groups
