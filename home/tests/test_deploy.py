"""Production settings: `check --deploy` is clean, nothing secret has a default, and a
missing required setting stops manage.py, gunicorn and Celery with one clear line."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.rsa import generate_private_key
from joserfc.jwk import OKPKey

ROOT = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = ROOT / "deploy" / "lms.env.example"
REFUSAL_EXIT_STATUS = 4


def _pem(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


SIGNING_KEY_PEM = _pem(Ed25519PrivateKey.generate())
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "lms.settings.production",
    "DJANGO_SECRET_KEY": "k3Jx9vQ2-production-like-secret-key-with-enough-entropy-0123456789",
    "ALLOWED_HOSTS": "lms.example.gov.cn",
    "SITE_URL": "https://lms.example.gov.cn",
    "CERT_SIGNING_KEY": SIGNING_KEY_PEM,
    "DATABASE_URL": "postgres://lms@127.0.0.1:5432/lms",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "CACHE_URL": "redis://127.0.0.1:6380/0",
    "EMAIL_URL": "smtp+tls://user:pw@smtp.example.gov.cn:587",
    "PRACTICUM_PRIVATE_ROOT": "/srv/talent-pool-lms/private",
}
# Every name the production settings may read, so that none leaks in from the test run.
READ_NAMES_PATTERN = re.compile(
    r"""(?:env\.\w+|required\.\w+)\(\s*"([A-Z][A-Z0-9_]+)"(?:,\s*"([A-Z][A-Z0-9_]+)")?"""
)


def settings_read_names() -> set[str]:
    names = set()
    for module in ("base.py", "production.py"):
        source = (ROOT / "lms" / "settings" / module).read_text()
        for match in READ_NAMES_PATTERN.finditer(source):
            names.update(name for name in match.groups() if name)
    return names


def example_sections() -> tuple[list[str], list[str]]:
    """(required names, optional names) from deploy/lms.env.example."""
    required, optional, section = [], [], None
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.startswith("# --- Required"):
            section = required
        elif line.startswith("# --- Optional"):
            section = optional
        elif section is not None and (match := re.match(r"#? ?([A-Z][A-Z0-9_]+)=", line)):
            section.append(match.group(1))
    return required, optional


def clean_environment(env: dict) -> dict:
    # Start from this environment minus anything the settings read (and what a test run
    # sets for itself: the browser tests allow async-unsafe ORM use, which check --deploy
    # warns about).
    drop = settings_read_names() | set(PRODUCTION_ENV) | {"DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in drop}
    return {**clean, **env}


def run(command, *, env, timeout=120):
    return subprocess.run(
        command,
        cwd=ROOT,
        env=clean_environment(env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_manage(*args, env):
    return run([sys.executable, "manage.py", *args], env=env)


def without(*names, **changes) -> dict:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k not in names}
    env.update(changes)
    return env


def assert_refused(result, *expected: str) -> str:
    """Exit status 4, nothing on stdout, one line on stderr that names each problem."""
    assert result.returncode == REFUSAL_EXIT_STATUS, result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Refusing to start (lms.settings.production): ")
    for text in expected:
        assert text in lines[0]
    assert "Traceback" not in result.stderr
    return lines[0]


def test_check_deploy_has_no_warnings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_signing_key_file_form_is_honoured(tmp_path):
    key_file = tmp_path / "cert-signing-key.pem"
    key_file.write_text(SIGNING_KEY_PEM)
    env = without("CERT_SIGNING_KEY", CERT_SIGNING_KEY_FILE=str(key_file))
    probe = "from certification.credentials import jwks; print(jwks()['keys'][0]['kid'])"
    result = run_manage("shell", "-c", probe, env=env)
    assert result.returncode == 0, result.stderr
    expected = OKPKey.import_key(SIGNING_KEY_PEM.encode()).thumbprint()
    assert result.stdout.strip().splitlines()[-1] == expected


@pytest.mark.parametrize("name", sorted(set(PRODUCTION_ENV) - {"DJANGO_SETTINGS_MODULE"}))
def test_production_refuses_to_start_without_each_required_setting(name):
    expected = (
        "CERT_SIGNING_KEY or CERT_SIGNING_KEY_FILE is not set"
        if name == "CERT_SIGNING_KEY"
        else f"{name} is not set"
    )
    line = assert_refused(run_manage("check", "--deploy", env=without(name)), expected)
    assert line.count(" is not set") == 1


def test_an_empty_secret_key_is_refused():
    result = run_manage("check", env=without(DJANGO_SECRET_KEY=""))
    assert_refused(result, "DJANGO_SECRET_KEY is empty")


def test_a_site_url_without_a_scheme_is_refused():
    result = run_manage("check", env=without(SITE_URL="lms.example.gov.cn"))
    assert_refused(result, "SITE_URL must start with https://")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "No such file or directory"),
        ("not a key", "is not an Ed25519 private key in PEM"),
        (_pem(generate_private_key(public_exponent=65537, key_size=2048)), "not an Ed25519"),
    ],
)
def test_an_unusable_signing_key_file_is_refused(tmp_path, content, expected):
    key_file = tmp_path / "key.pem"
    if content is not None:
        key_file.write_text(content)
    env = without("CERT_SIGNING_KEY", CERT_SIGNING_KEY_FILE=str(key_file))
    assert_refused(run_manage("check", env=env), "CERT_SIGNING_KEY_FILE", expected)


def test_both_forms_of_the_signing_key_are_refused(tmp_path):
    key_file = tmp_path / "key.pem"
    key_file.write_text(SIGNING_KEY_PEM)
    env = without(CERT_SIGNING_KEY_FILE=str(key_file))
    assert_refused(run_manage("check", env=env), "set only one of CERT_SIGNING_KEY and")


def test_private_files_inside_media_root_are_refused():
    env = without(
        MEDIA_ROOT="/srv/talent-pool-lms/media",
        PRACTICUM_PRIVATE_ROOT="/srv/talent-pool-lms/media/private",
    )
    assert_refused(run_manage("check", env=env), "PRACTICUM_PRIVATE_ROOT", "inside MEDIA_ROOT")


def test_private_files_in_a_world_writable_folder_are_refused(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    env = without(PRACTICUM_PRIVATE_ROOT=str(shared / "private"))
    assert_refused(run_manage("check", env=env), f"inside world-writable {shared}")
    corps = without(LECTURER_CORPS_PRIVATE_ROOT=str(shared / "corps"))
    assert_refused(run_manage("check", env=corps), "LECTURER_CORPS_PRIVATE_ROOT")


def test_celery_worker_refuses_with_the_same_line():
    celery = Path(sys.executable).with_name("celery")
    result = run([str(celery), "-A", "lms", "worker"], env=without("SITE_URL"), timeout=60)
    assert_refused(result, "SITE_URL is not set")


def test_gunicorn_stops_instead_of_respawning_workers():
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "lms.wsgi", "--bind", "127.0.0.1:0", "--workers", "2"]
    result = run(command, env=without("DJANGO_SECRET_KEY"), timeout=60)
    assert result.returncode == REFUSAL_EXIT_STATUS
    refusals = [line for line in result.stderr.splitlines() if line.startswith("Refusing")]
    assert refusals and all("DJANGO_SECRET_KEY is not set" in line for line in refusals)
    # The master refuses before any worker starts (gunicorn.conf.py), so no worker
    # race can turn the refusal into gunicorn's own traceback and exit status 1.
    assert "Booting worker" not in result.stderr
    assert "Traceback" not in result.stderr


def test_env_example_names_only_settings_that_exist():
    required, optional = example_sections()
    read = settings_read_names()
    assert set(required) | set(optional) <= read
    # CERT_SIGNING_KEY is the inline alternative to the example's file form.
    assert set(required) == set(PRODUCTION_ENV) - {"DJANGO_SETTINGS_MODULE", "CERT_SIGNING_KEY"} | {
        "CERT_SIGNING_KEY_FILE"
    }


def test_private_files_do_not_follow_media_root(tmp_path):
    """A MEDIA_ROOT in a shared folder no longer takes private evidence beside it."""
    probe = (
        "from practicum.storage import private_root as p;"
        "from lecturer_corps.storage import private_root as c;"
        "print(p()); print(c())"
    )
    env = {"DJANGO_SETTINGS_MODULE": "lms.settings.dev", "MEDIA_ROOT": str(tmp_path / "media")}
    result = run_manage("shell", "-c", probe, env=env)
    assert result.returncode == 0, result.stderr
    practicum, corps = result.stdout.strip().splitlines()[-2:]
    assert practicum == str(ROOT / "var" / "private")
    assert corps == str(ROOT / "var" / "private" / "lecturer_corps")
    assert not practicum.startswith(str(tmp_path))
