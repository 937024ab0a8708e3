"""Production settings: `check --deploy` is clean and nothing secret has a default."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "lms.settings.production",
    "DJANGO_SECRET_KEY": "k3Jx9vQ2-production-like-secret-key-with-enough-entropy-0123456789",
    "ALLOWED_HOSTS": "lms.example.gov.cn",
    "SITE_URL": "https://lms.example.gov.cn",
    "DATABASE_URL": "postgres://lms@127.0.0.1:5432/lms",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp+tls://user:pw@smtp.example.gov.cn:587",
}


def run_manage(*args, env):
    # Start from this environment minus anything a test run may have set for itself
    # (the browser tests allow async-unsafe ORM use, which check --deploy warns about).
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in PRODUCTION_ENV and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_has_no_warnings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
