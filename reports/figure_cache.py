"""The figures of a period and scope, kept in the cache until the data behind them changes.

A figure group is cached under a key made of a *data version*, the period, the scope,
the language (labels are translated when a group is built) and, while the period is
still running, today's date (some figures are "as of today"). Groups that depend on
the current instant while their period runs (``GroupSpec.live``: review waiting times)
are never cached for a running period. So a cached group is exactly what building it
again would give, as long as the data version changes whenever data it counts changes.

The version changes on every write to a counted table. Writes are seen at the database
connection (an execute wrapper installed on every connection), not through model
signals, because the services of several apps write counted rows with
``QuerySet.update()``, ``bulk_create()`` and ``bulk_update()``, which send no signal:
finishing a quiz attempt, importing users, re-issuing certificates. An ``UPDATE`` that
sets only columns no figure reads (a log-in time, the last lesson opened) is ignored.

The version is bumped right after the statement (so the same transaction sees its own
writes) and again when the transaction commits (so a reader in another process that
built the figures from the data before the commit does not leave them cached under the
new version). Writes made outside Django (psql, another program) are not seen; cached
groups expire after ``REPORTS_FIGURES_CACHE_SECONDS`` (default 6 hours) in any case.

The version lives in the default cache, which must be shared by every process that
writes (Redis in production; the in-memory cache of ``make run`` serves one process,
with Celery tasks run eagerly). If the cache cannot be reached, figures are built live.
"""

from __future__ import annotations

import logging
import re
import time

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation

logger = logging.getLogger(__name__)

VERSION_KEY = "reports:figures:version"
DEFAULT_TIMEOUT = 6 * 60 * 60

# Every model a figure reads (the selectors' querysets, their joins and reference data).
COUNTED_MODELS = (
    "accounts.User",
    "auth.Group",
    "places.District",
    "wagtailcore.Page",  # a course or programme page going live or not
    "courses.Course",
    "courses.Programme",
    "courses.Enrolment",
    "quizzes.Quiz",
    "quizzes.Attempt",
    "quizzes.QuizGrade",
    "practicum.PracticumEntry",
    "practicum.ActivityType",
    "practicum.PracticumRequirement",
    "practicum.ActivityMinimum",
    "practicum.CompetencyEvaluation",
    "lecturer_corps.Venue",
    "lecturer_corps.ServiceRequest",
    "lecturer_corps.Session",
    "lecturer_corps.DeliveryReport",
    "lecturer_corps.LecturerProfile",
    "certification.Certificate",
    "certification.CertificationType",
    "reports.CoverageFigure",
)

# Columns no figure reads, updated often on their own (an UPDATE setting only these
# leaves the figures alone).
IGNORED_UPDATE_COLUMNS = {
    "accounts.User": {"last_login", "preferred_language"},
    "courses.Enrolment": {"last_lesson_id", "last_activity_at"},
    "quizzes.Attempt": {"last_page"},
    "certification.Certificate": {"pdf", "pdf_rendered_at"},
    "lecturer_corps.LecturerProfile": {"certificate_alerted_at"},
}

_WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
_SET_COLUMN = re.compile(r'"(\w+)"\s*=')
_tables: dict[str, frozenset[str]] | None = None


def counted_tables() -> dict[str, frozenset[str]]:
    """Table name → columns whose update alone does not count, for the installed models."""
    global _tables
    if _tables is None:
        tables = {}
        for label in COUNTED_MODELS:
            try:
                model = apps.get_model(label)
            except LookupError:
                continue
            tables[model._meta.db_table] = frozenset(IGNORED_UPDATE_COLUMNS.get(label, ()))
            for field in model._meta.local_many_to_many:  # e.g. a user's groups
                tables[field.remote_field.through._meta.db_table] = frozenset()
        _tables = tables
    return _tables


def changes_figures(sql: str) -> bool:
    """Whether an SQL statement may change a figure (conservative: when unsure, yes)."""
    if sql[:1] not in "IUDTiudt":  # SELECT, SAVEPOINT, RELEASE, … (the common case)
        return False
    if sql[:8].upper() == "TRUNCATE":
        return True
    match = _WRITE.match(sql)
    if match is None:
        return False
    ignored = counted_tables().get(match.group(2))
    if ignored is None:
        return False
    if match.group(1).upper() != "UPDATE" or not ignored:
        return True
    assignments = sql[match.end() :].split(" WHERE ", 1)[0]
    columns = set(_SET_COLUMN.findall(assignments))
    return not columns or not columns <= ignored


def watch_writes(execute, sql, params, many, context):
    """Execute wrapper: after a statement that writes counted rows, bump the data version."""
    result = execute(sql, params, many, context)
    if changes_figures(sql):
        bump_version()
        connection = context["connection"]
        if connection.in_atomic_block:
            transaction.on_commit(bump_version, using=connection.alias)
    return result


def install(connection, **kwargs) -> None:
    """Watch a database connection's writes (``connection_created`` receiver).

    Put first so that ``connection.execute_wrapper()`` blocks, which pop the last
    wrapper on exit, never remove it.
    """
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, watch_writes)


def bump_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # missing (evicted, or never set): a value never used before
        cache.set(VERSION_KEY, time.time_ns(), None)
    except Exception:  # the cache is down: nothing is served from it either
        logger.warning("reports.figure_cache.bump_failed", exc_info=True)


def data_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), None)
        version = cache.get(VERSION_KEY)
    return version


def _key(version, scope, spec) -> str:
    from .selectors import reference_day

    running = scope.period.end_at > timezone.now()
    clock = reference_day(scope).isoformat() if running else "final"
    language = translation.get_language() or settings.LANGUAGE_CODE
    return (
        f"reports:figures:{version}:{language}:{scope.period.code}:{scope.code}:{spec.key}:{clock}"
    )


def cacheable(scope, spec) -> bool:
    return not (spec.live and scope.period.end_at > timezone.now())


def figure_groups(scope, specs) -> list:
    """The groups of ``specs`` for the scope, from the cache where exact, else built."""
    try:
        version = data_version()
        keys = {spec.key: _key(version, scope, spec) for spec in specs if cacheable(scope, spec)}
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
