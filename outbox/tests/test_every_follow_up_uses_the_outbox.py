"""A guarantee kept in one place: application code hands work to Celery only through the
outbox (outbox/services.py), never with ``delay``/``apply_async``/``send_task`` directly,
so that a broker outage can neither fail a committed change nor lose its follow-up, and no
long wait sits in the broker as a countdown."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "accounts",
    "places",
    "audit",
    "home",
    "courses",
    "quizzes",
    "practicum",
    "certification",
    "lecturer_corps",
    "reports",
    "privacy",
    "lms",
]
PUBLISHING = {"delay", "delay_on_commit", "apply_async", "send_task", "apply_async_on_commit"}


def application_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = set(path.relative_to(ROOT).parts)
            if parts & {"tests", "migrations"}:
                continue
            yield path


def direct_publishing(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in PUBLISHING
        ):
            found.append(f"{node.lineno}: .{node.func.attr}(")
        elif isinstance(node, ast.keyword) and node.arg in {"countdown", "eta"}:
            found.append(f"{node.lineno}: {node.arg}=")
    return sorted(found, key=lambda use: int(use.split(":")[0]))


def test_the_walk_finds_direct_publishing():
    source = (
        "send_email.delay(1)\nx.delay_on_commit(2)\nt.apply_async((1,), countdown=60)\n"
        "app.send_task('a')\nenqueue(send_email, 1)\n"
    )
    assert direct_publishing(source) == [
        "1: .delay(",
        "2: .delay_on_commit(",
        "3: .apply_async(",
        "3: countdown=",
        "4: .send_task(",
    ]


def test_no_application_code_publishes_around_the_outbox():
    modules = list(application_modules())
    assert len(modules) > 100  # the walk found the apps' modules
    offenders = {
        str(path.relative_to(ROOT)): uses
        for path in modules
        if (uses := direct_publishing(path.read_text(encoding="utf-8")))
    }
    assert not offenders, f"follow-ups queued around the outbox: {offenders}"
