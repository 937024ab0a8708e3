"""The restore drill: back up, restore into a fresh place, and prove the copy is whole.

A backup nobody has restored is a hope, not a backup. The drill does what an
operator would do after losing the machine:

1. ``pg_dump --format=custom`` of the live database, and a tarball of the file
   roots (``MEDIA_ROOT`` and the private evidence roots beside it);
2. creates a fresh database, ``pg_restore``\\s the dump into it, and unpacks the
   tarball into a fresh directory;
3. compares the two: the row count of every table, the SHA-256 of every file,
   and that a certificate read from the restored database still produces a
   credential that verifies with the issuer's key and names the same holder.

It runs on a live site, while people keep writing. So the drill compares the copy with
what the backup itself saw, never with the live data a moment later: the row counts and
the certificate are read in one ``REPEATABLE READ`` transaction whose snapshot is
exported to ``pg_dump --snapshot`` (the dump and the counts see exactly the same rows),
and each file's SHA-256 is taken from the very bytes written into the tarball.

Only PostgreSQL is supported (that is what production runs). The drill database is
dropped at the end unless asked to keep it. Nothing here changes the live data.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, connections


class DrillError(Exception):
    """The drill could not run (missing tools, wrong database engine, a tool failed)."""


@dataclass
class DrillReport:
    """What the drill measured. ``ok`` is true only when nothing differs."""

    dump_bytes: int = 0
    archive_bytes: int = 0
    tables: int = 0
    rows: int = 0
    files: int = 0
    file_bytes: int = 0
    certificate: str = "none"
    seconds: dict[str, float] = field(default_factory=dict)
    mismatches: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "dump_bytes": self.dump_bytes,
            "archive_bytes": self.archive_bytes,
            "tables": self.tables,
            "rows": self.rows,
            "files": self.files,
            "file_bytes": self.file_bytes,
            "certificate": self.certificate,
            "seconds": {key: round(value, 3) for key, value in self.seconds.items()},
            "mismatches": self.mismatches,
        }


# --- file roots ---------------------------------------------------------------------


def file_roots() -> dict[str, Path]:
    """Every directory that holds uploaded or generated files, by a stable label.

    Roots nested inside another root are left out (the outer one's archive has them).
    """
    from lecturer_corps.storage import private_root as corps_private_root
    from practicum.storage import private_root as practicum_private_root

    candidates = {
        "media": Path(settings.MEDIA_ROOT),
        "private": practicum_private_root(),
        "private_lecturer_corps": corps_private_root(),
    }
    resolved = {label: path.resolve() for label, path in candidates.items()}
    roots = {}
    for label, path in resolved.items():
        nested = any(
            other != label and path != resolved[other] and path.is_relative_to(resolved[other])
            for other in resolved
        )
        duplicate = any(resolved[other] == path for other in list(roots))
        if not nested and not duplicate:
            roots[label] = path
    return roots


def file_checksums(roots: dict[str, Path]) -> dict[str, str]:
    """``label/relative/path`` → SHA-256 for every regular file under the roots."""
    sums = {}
    for label, root in roots.items():
        if not root.exists():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                digest = hashlib.sha256()
                with path.open("rb") as handle:
                    for chunk in iter(lambda handle=handle: handle.read(1 << 20), b""):
                        digest.update(chunk)
                sums[f"{label}/{path.relative_to(root).as_posix()}"] = digest.hexdigest()
    return sums


class _HashingReader:
    """A file object that hashes what tarfile reads from it."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def archive_files(roots: dict[str, Path], target: Path) -> tuple[dict[str, str], int]:
    """A gzip tarball with one top-level folder per root label.

    Returns ``label/relative/path`` → SHA-256 of the bytes archived, and their total
    size: what this backup holds, even if a file changes or appears a moment later.
    """
    sums, total = {}, 0
    with tarfile.open(target, "w:gz") as archive:
        for label, root in roots.items():
            if not root.exists():
                continue
            for path in [root, *sorted(root.rglob("*"))]:
                name = "/".join([label, *path.relative_to(root).parts])
                if path.is_symlink() or not (path.is_dir() or path.is_file()):
                    continue
                info = archive.gettarinfo(path, arcname=name)
                if path.is_dir():
                    archive.addfile(info)
                    continue
                with path.open("rb") as handle:
                    reader = _HashingReader(handle)
                    archive.addfile(info, reader)
                sums[name] = reader.digest.hexdigest()
                total += info.size
    return sums, total


def unpack_files(archive_path: Path, target: Path) -> dict[str, Path]:
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive_path, "r:gz") as archive:
        archive.extractall(target, filter="data")
    return {child.name: child for child in target.iterdir() if child.is_dir()}


# --- database -----------------------------------------------------------------------


def _database_settings(alias: str = "default") -> dict:
    database = connections[alias].settings_dict
    if connections[alias].vendor != "postgresql":
        raise DrillError("The restore drill needs PostgreSQL (DATABASE_URL=postgres://…).")
    return database


def _tool_environment(database: dict) -> dict[str, str]:
    environment = dict(os.environ)
    if database.get("PASSWORD"):
        environment["PGPASSWORD"] = str(database["PASSWORD"])
    return environment


def _connection_arguments(database: dict) -> list[str]:
    arguments = []
    if database.get("HOST"):
        arguments += ["--host", str(database["HOST"])]
    if database.get("PORT"):
        arguments += ["--port", str(database["PORT"])]
    if database.get("USER"):
        arguments += ["--username", str(database["USER"])]
    return arguments


def _run(command: list[str], database: dict) -> None:
    tool = command[0]
    if shutil.which(tool) is None:
        raise DrillError(f"{tool} is not installed (Debian: postgresql-client).")
    result = subprocess.run(
        command, env=_tool_environment(database), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise DrillError(f"{tool} failed: {result.stderr.strip()[:2000]}")


def dump_database(database: dict, target: Path, *, snapshot: str | None = None) -> None:
    _run(
        [
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            *([f"--snapshot={snapshot}"] if snapshot else []),
            "--file",
            str(target),
            *_connection_arguments(database),
            "--dbname",
            database["NAME"],
        ],
        database,
    )


@dataclass
class Snapshot:
    """What the dump holds: every table's row count and the newest current certificate."""

    counts: dict[str, int]
    certificate: object | None  # certification.models.Certificate, unsaved


def dump_in_snapshot(database: dict, target: Path) -> Snapshot:
    """``pg_dump`` and the counts it is checked against, from one database snapshot.

    A read-only ``REPEATABLE READ`` transaction exports its snapshot
    (``pg_export_snapshot()``), counts every table's rows and reads the newest current
    certificate in it, and stays open while ``pg_dump --snapshot`` dumps that same
    snapshot. Writes that land meanwhile are in neither, so a live site passes.
    """
    from psycopg import IsolationLevel

    from certification.models import Certificate

    with connect_to(database, database["NAME"]) as live:
        live.isolation_level = IsolationLevel.REPEATABLE_READ
        live.read_only = True
        snapshot_id = live.execute("SELECT pg_export_snapshot()").fetchone()[0]
        counts = table_row_counts(live.cursor())
        newest = Certificate.objects.current().order_by("-pk").values_list("verification_code")
        sql, params = newest[:1].query.sql_with_params()
        row = live.execute(sql, params).fetchone()
        certificate = fetch_instance(live, Certificate, verification_code=row[0]) if row else None
        dump_database(database, target, snapshot=snapshot_id)
        live.rollback()
    return Snapshot(counts=counts, certificate=certificate)


def _maintenance_sql(database: dict, statement) -> None:
    """Run one statement (a ``psycopg.sql`` composition) on the ``postgres`` database."""
    import psycopg

    with psycopg.connect(
        dbname="postgres",
        host=database.get("HOST") or None,
        port=database.get("PORT") or None,
        user=database.get("USER") or None,
        password=database.get("PASSWORD") or None,
        autocommit=True,
    ) as maintenance:
        maintenance.execute(statement)


def create_database(database: dict, name: str) -> None:
    from psycopg import sql

    drop_database(database, name)
    _maintenance_sql(
        database,
        sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(
            sql.Identifier(name)
        ),
    )


def drop_database(database: dict, name: str) -> None:
    from psycopg import sql

    _maintenance_sql(
        database,
        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)),
    )


def restore_database(database: dict, dump: Path, name: str) -> None:
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            *_connection_arguments(database),
            "--dbname",
            name,
            str(dump),
        ],
        database,
    )


def table_row_counts(cursor) -> dict[str, int]:
    """The exact row count of every table in the ``public`` schema (any DB-API cursor)."""
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def connect_to(database: dict, name: str):
    """A plain psycopg connection to another database on the same server."""
    import psycopg

    return psycopg.connect(
        dbname=name,
        host=database.get("HOST") or None,
        port=database.get("PORT") or None,
        user=database.get("USER") or None,
        password=database.get("PASSWORD") or None,
    )


def fetch_instance(restored_db, model, **filters):
    """One row of ``model`` read from the restored database, as an unsaved instance."""
    quote = connection.ops.quote_name
    fields = model._meta.concrete_fields
    columns = ", ".join(quote(field.column) for field in fields)
    conditions = " AND ".join(f"{quote(model._meta.get_field(key).column)} = %s" for key in filters)
    row = restored_db.execute(
        f"SELECT {columns} FROM {quote(model._meta.db_table)} WHERE {conditions} LIMIT 1",
        list(filters.values()),
    ).fetchone()
    return None if row is None else model.from_db(None, [field.attname for field in fields], row)


# --- comparisons --------------------------------------------------------------------


def compare_counts(source: dict[str, int], restored: dict[str, int]) -> list[str]:
    problems = []
    for table in sorted(source.keys() | restored.keys()):
        if table not in restored:
            problems.append(f"table {table}: missing after restore")
        elif table not in source:
            problems.append(f"table {table}: only in the restored database")
        elif source[table] != restored[table]:
            problems.append(f"table {table}: {source[table]} rows, {restored[table]} restored")
    return problems


def compare_checksums(source: dict[str, str], restored: dict[str, str]) -> list[str]:
    problems = []
    for name in sorted(source.keys() | restored.keys()):
        if name not in restored:
            problems.append(f"file {name}: missing after restore")
        elif name not in source:
            problems.append(f"file {name}: only in the restored files")
        elif source[name] != restored[name]:
            problems.append(f"file {name}: checksum differs")
    return problems


def check_certificate(restored_db, original) -> tuple[str, list[str]]:
    """A certificate read from the restored database still yields a credential that verifies.

    ``original`` is the newest current certificate as the dump's snapshot saw it; the
    same row is read from the restored database, its credential signed and verified
    with the issuer's key set.
    """
    from certification import credentials
    from certification.models import Certificate, CertificationType

    if original is None:
        return "none", []
    restored = fetch_instance(
        restored_db, Certificate, verification_code=original.verification_code
    )
    if restored is None:
        return original.display_serial, [f"certificate {original.display_serial}: not restored"]
    restored.certification = fetch_instance(
        restored_db, CertificationType, id=restored.certification_id
    )
    problems = []
    claims = credentials.verify(credentials.signed_credential(restored))
    if claims["credentialSubject"]["name"] != original.holder_name:
        problems.append(f"certificate {original.display_serial}: holder differs")
    if restored.state != original.state:
        problems.append(
            f"certificate {original.display_serial}: {original.state} became {restored.state}"
        )
    return original.display_serial, problems


# --- the drill ----------------------------------------------------------------------


def run_drill(workdir: Path, *, keep: bool = False) -> DrillReport:
    """Dump, restore into ``<database>_drill`` and ``workdir/restored``, and compare.

    Needs PostgreSQL and the ``pg_dump``/``pg_restore`` client tools. Raises
    ``DrillError`` if it cannot run; returns a report whose ``mismatches`` list
    everything that differs.
    """
    database = _database_settings()
    report = DrillReport()
    workdir.mkdir(parents=True, exist_ok=True)
    dump_path = workdir / "database.dump"
    archive_path = workdir / "files.tgz"
    drill_name = f"{database['NAME']}_drill"[:63]

    def timed(step: str, function, *args):
        started = time.perf_counter()
        result = function(*args)
        report.seconds[step] = time.perf_counter() - started
        return result

    connection.ensure_connection()
    roots = file_roots()
    snapshot = timed("dump_database", dump_in_snapshot, database, dump_path)
    source_sums, archived_bytes = timed("archive_files", archive_files, roots, archive_path)
    report.dump_bytes = dump_path.stat().st_size
    report.archive_bytes = archive_path.stat().st_size

    timed("create_database", create_database, database, drill_name)
    try:
        timed("restore_database", restore_database, database, dump_path, drill_name)
        restored_roots = timed("unpack_files", unpack_files, archive_path, workdir / "restored")
        started = time.perf_counter()
        source_counts = snapshot.counts
        with connect_to(database, drill_name) as restored_db:
            restored_counts = table_row_counts(restored_db.cursor())
            report.certificate, problems = check_certificate(restored_db, snapshot.certificate)
        restored_sums = file_checksums(restored_roots)
        report.mismatches += compare_counts(source_counts, restored_counts)
        report.mismatches += compare_checksums(source_sums, restored_sums)
        report.mismatches += problems
        report.seconds["compare"] = time.perf_counter() - started

        report.tables = len(source_counts)
        report.rows = sum(source_counts.values())
        report.files = len(source_sums)
        report.file_bytes = archived_bytes
    finally:
        if not keep:
            drop_database(database, drill_name)
    report.seconds["total"] = sum(report.seconds.values())
    return report
