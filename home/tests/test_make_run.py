"""`make run` writes the address it serves on into links: SITE_URL follows PORT unless given.

QR codes, verification links, credential ids and e-mails are built from SITE_URL; before,
`PORT=8100 make run` still wrote http://127.0.0.1:8000 into them.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _run_commands(**env) -> list[str]:
    """The manage.py commands `make run` would run (make -n prints, runs nothing)."""
    environment = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "PORT")}
    environment.update(env)
    result = subprocess.run(
        ["make", "-n", "run"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return [
        line
        for line in result.stdout.splitlines()
        if "manage.py migrate" in line
        or "manage.py seed_demo" in line
        or "manage.py runserver" in line
    ]


def test_site_url_follows_port():
    commands = _run_commands(PORT="8100")
    assert len(commands) == 3
    for command in commands:
        assert command.startswith("SITE_URL=http://127.0.0.1:8100 "), command
    assert commands[-1].endswith("runserver 127.0.0.1:8100")


def test_the_default_port_gives_the_default_address():
    for command in _run_commands():
        assert command.startswith("SITE_URL=http://127.0.0.1:8000 "), command


def test_a_given_site_url_is_kept():
    commands = _run_commands(PORT="8100", SITE_URL="https://lms.example.gov.cn")
    for command in commands:
        assert command.startswith("SITE_URL=https://lms.example.gov.cn "), command


def test_links_are_built_from_the_site_url_make_run_passes():
    """The address make run passes reaches a certificate's verification link."""
    (command,) = [c for c in _run_commands(PORT="8100") if "seed_demo" in c]
    site_url = re.match(r"SITE_URL=(\S+) ", command).group(1)
    environment = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    environment.update(SITE_URL=site_url, DJANGO_SETTINGS_MODULE="lms.settings.dev")
    script = (
        "import django; django.setup()\n"
        "from certification.models import Certificate\n"
        "print(Certificate(verification_code='abc').verification_url())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.strip().splitlines()[-1] == "http://127.0.0.1:8100/verify/abc/"
