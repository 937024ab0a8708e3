"""scripts/backup.sh archives the folders the application's settings name, not its own guess."""

import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATABASE_URL = os.environ.get("DATABASE_URL", "")

pytestmark = pytest.mark.skipif(
    not DATABASE_URL.startswith("postgres") or shutil.which("pg_dump") is None,
    reason="needs PostgreSQL and pg_dump; run with DATABASE_URL=postgres://…",
)


def test_backup_archives_the_private_folder_the_settings_name(tmp_path):
    site = tmp_path / "site"
    (site / "media" / "certificates").mkdir(parents=True)
    (site / "media" / "certificates" / "one.pdf").write_bytes(b"%PDF certificate")
    (site / "evidence-per-settings" / "practicum").mkdir(parents=True)
    (site / "evidence-per-settings" / "practicum" / "photo.png").write_bytes(b"evidence")
    # Where the script used to look when PRACTICUM_PRIVATE_ROOT was not in its environment.
    (site / "private").mkdir()
    (site / "private" / "stale.txt").write_bytes(b"not the application's folder")
    maintenance_database = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"MEDIA_ROOT", "PRACTICUM_PRIVATE_ROOT", "LECTURER_CORPS_PRIVATE_ROOT"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tests.backup_settings",
        BACKUP_TEST_SITE=str(site),
        DATABASE_URL=maintenance_database,
        MEDIA_ROOT=str(site / "media"),
        BACKUP_DIR=str(tmp_path / "backups"),
    )
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "backup.sh")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert '"backup": "ok"' in result.stdout
    archive = next((tmp_path / "backups").glob("files-*.tgz"))
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    assert "media/certificates/one.pdf" in names
    assert "evidence-per-settings/practicum/photo.png" in names
    assert not any(name.startswith("private") for name in names)
    assert next((tmp_path / "backups").glob("lms-*.dump")).stat().st_size > 0


def test_backup_stops_when_the_settings_refuse_to_load(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "lms.settings.production",
        "DATABASE_URL": DATABASE_URL,
        "BACKUP_DIR": str(tmp_path / "backups"),
    }
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "backup.sh")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert "Refusing to start" in result.stderr
    assert not (tmp_path / "backups").exists()
