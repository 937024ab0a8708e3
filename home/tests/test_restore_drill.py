"""The restore drill: dump, restore into a fresh database and directory, compare.

The drill itself needs PostgreSQL (pg_dump/pg_restore) and runs in the PostgreSQL CI
run; the comparisons it relies on are tested everywhere.
"""

import os

import pytest
from django.core.management import CommandError, call_command

from home import restore_drill


def postgres_drill(test):
    """PostgreSQL CI run only; skipped before any database set-up elsewhere.

    Transactional, so that the rows are committed and pg_dump (another process) sees them.
    """
    for mark in (
        pytest.mark.django_db(transaction=True),
        pytest.mark.skipif(
            not os.environ.get("DATABASE_URL", "").startswith("postgres"),
            reason="needs PostgreSQL (pg_dump, pg_restore); run with DATABASE_URL=postgres://…",
        ),
        pytest.mark.postgres,
    ):
        test = mark(test)
    return test


@pytest.fixture
def file_storage(settings, tmp_path):
    """Real files on disk (the tests' default storage keeps them in memory)."""
    settings.MEDIA_ROOT = tmp_path / "site" / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.CERT_SIGNING_KEY = ""
    settings.CERT_SIGNING_KEY_FILE = str(tmp_path / "keys" / "cert-signing-key.pem")
    return settings.MEDIA_ROOT


@pytest.fixture
def small_site(file_storage):
    """A few people, a certificate with its PDF and a practicum evidence file."""
    from django.core.files.base import ContentFile

    from accounts import roles
    from certification.tests.factories import make_certificate
    from practicum.storage import private_storage
    from tests.factories import make_user

    holder = make_user(roles.TRAINEE, roles.LECTURER, username="drill_holder")
    make_user(roles.COORDINATOR, username="drill_coordinator")
    certificate = make_certificate(holder)
    certificate.pdf.save("drill.pdf", ContentFile(b"%PDF-1.4 drill certificate"), save=True)
    private_storage.save("practicum/1/evidence.png", ContentFile(b"\x89PNG evidence"))
    return certificate


@postgres_drill
def test_drill_restores_every_row_file_and_certificate(small_site, tmp_path, capsys):
    call_command("restore_drill", workdir=str(tmp_path / "drill"))

    output = capsys.readouterr().out
    assert "Restore drill passed." in output
    assert '"certificate": "' + small_site.display_serial + '"' in output
    assert '"files": 2' in output
    assert (tmp_path / "drill" / "database.dump").stat().st_size > 0
    assert (tmp_path / "drill" / "restored" / "private" / "practicum" / "1").is_dir()


@postgres_drill
def test_drill_fails_when_the_restored_copy_differs(small_site, tmp_path, monkeypatch):
    """A restore that loses a file is reported, and the command exits non-zero."""
    unpack = restore_drill.unpack_files

    def lossy_unpack(archive_path, target):
        roots = unpack(archive_path, target)
        next((roots["media"] / "certificates").iterdir()).unlink()
        return roots

    monkeypatch.setattr(restore_drill, "unpack_files", lossy_unpack)
    with pytest.raises(CommandError, match="difference"):
        call_command("restore_drill", workdir=str(tmp_path / "drill"))


def test_drill_refuses_sqlite(db, settings):
    from django.db import connection

    if connection.vendor == "postgresql":
        pytest.skip("this run uses PostgreSQL")
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("restore_drill")


def test_row_counts_that_differ_are_reported():
    problems = restore_drill.compare_counts(
        {"accounts_user": 3, "audit_auditlog": 9, "courses_enrolment": 1},
        {"accounts_user": 3, "audit_auditlog": 8},
    )
    assert problems == [
        "table audit_auditlog: 9 rows, 8 restored",
        "table courses_enrolment: missing after restore",
    ]


def test_file_checksums_that_differ_are_reported(tmp_path):
    source, restored = tmp_path / "a", tmp_path / "b"
    for root in (source, restored):
        (root / "certificates").mkdir(parents=True)
    (source / "certificates" / "one.pdf").write_bytes(b"one")
    (restored / "certificates" / "one.pdf").write_bytes(b"One")
    (source / "certificates" / "two.pdf").write_bytes(b"two")

    problems = restore_drill.compare_checksums(
        restore_drill.file_checksums({"media": source}),
        restore_drill.file_checksums({"media": restored}),
    )
    assert problems == [
        "file media/certificates/one.pdf: checksum differs",
        "file media/certificates/two.pdf: missing after restore",
    ]


def test_file_roots_include_private_evidence_once(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    roots = restore_drill.file_roots()
    assert roots == {"media": tmp_path / "media", "private": tmp_path / "private"}


@postgres_drill
def test_drill_passes_while_the_site_keeps_writing(small_site, tmp_path, capsys):
    """Rows and files written during the drill are in neither the backup nor its check."""
    import threading

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.db import connection

    from audit.models import AuditLog
    from audit.services import record

    stop, written = threading.Event(), []

    def keep_writing():
        try:
            while not stop.is_set():
                record("drill.live_write", changes={"n": len(written)})
                default_storage.save(f"live/{len(written)}.txt", ContentFile(b"written live"))
                written.append(1)
        finally:
            connection.close()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        while len(written) < 20:  # the site is busy before the drill starts
            stop.wait(0.05)
        before = len(written)
        call_command("restore_drill", workdir=str(tmp_path / "drill"))
        during = len(written) - before
    finally:
        stop.set()
        writer.join()

    output = capsys.readouterr().out
    assert "Restore drill passed." in output
    assert during > 0
    assert AuditLog.objects.filter(action="drill.live_write").count() == len(written)


@postgres_drill
def test_snapshot_counts_are_the_dumps_own(small_site, tmp_path):
    """With no writes, the snapshot's counts are the live ones, and its certificate the newest."""
    from django.db import connection

    database = restore_drill._database_settings()
    snapshot = restore_drill.dump_in_snapshot(database, tmp_path / "db.dump")
    with connection.cursor() as cursor:
        assert snapshot.counts == restore_drill.table_row_counts(cursor)
    assert snapshot.counts["accounts_user"] >= 2
    assert snapshot.certificate.verification_code == small_site.verification_code
