"""Rules every test file keeps: no test measures wall time or sleeps a fixed time.

A test that asserts on elapsed seconds, or waits a fixed time for something to happen,
passes on a quiet machine and fails on a loaded one (CI). Work is bounded by counts and
iteration limits instead; timings belong to bench/ scripts, which print figures. Waiting
for a real worker polls with ``time.monotonic()`` against a generous deadline (a guard
against a hang, not a budget), so that one clock stays allowed.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Clocks that measure how long something took, and fixed sleeps in the browser.
WALL_CLOCKS = {"perf_counter", "perf_counter_ns", "process_time", "time", "time_ns"}
FIXED_WAITS = {"wait_for_timeout"}


def files_with_tests():
    skip = {".venv", "node_modules", "bench", "staticfiles"}
    for path in sorted(ROOT.rglob("*.py")):
        parts = set(path.relative_to(ROOT).parts)
        if parts & skip:
            continue
        if "tests" in parts or path.name == "conftest.py":
            yield path


def wall_time_uses(source: str) -> list[str]:
    """Each use of a wall clock or a fixed browser wait in the source, as 'line: name'."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module == "time":
            found += [f"{node.lineno}: from time import {a.name}" for a in node.names]
        elif isinstance(node, ast.Attribute):
            owner = node.value.id if isinstance(node.value, ast.Name) else None
            if owner == "time" and node.attr in WALL_CLOCKS:
                found.append(f"{node.lineno}: time.{node.attr}")
            elif node.attr in FIXED_WAITS:
                found.append(f"{node.lineno}: {node.attr}")
    return found


def test_the_rule_finds_clocks_and_fixed_waits():
    source = (
        "import time\nfrom time import perf_counter\n"
        "started = time.perf_counter()\nnow = time.time()\npage.wait_for_timeout(300)\n"
        "deadline = time.monotonic() + 60\ntime.sleep(0.2)\n"
    )
    assert wall_time_uses(source) == [
        "2: from time import perf_counter",
        "3: time.perf_counter",
        "4: time.time",
        "5: wait_for_timeout",
    ]


def test_no_test_measures_wall_time():
    files = list(files_with_tests())
    assert len(files) > 100  # the walk found the apps' test modules
    offenders = {
        str(path.relative_to(ROOT)): uses
        for path in files
        if (uses := wall_time_uses(path.read_text(encoding="utf-8")))
    }
    assert not offenders, f"tests that measure wall time or wait a fixed time: {offenders}"
