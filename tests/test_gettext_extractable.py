"""Every translatable string can be found by makemessages.

xgettext does not read inside f-strings, so ``f"{_('target %(percent)s%%')}"`` is never
extracted: the string stays English in every language (the reports chart's "target 80%"
did). A call to a gettext function must sit outside any f-string.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIP_PARTS = {".venv", "node_modules", "staticfiles", "migrations", "tests", "bench", "var"}
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy"}


def gettext_calls_in_fstrings(source: str) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.JoinedStr):
            for inner in ast.walk(node):
                if (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Name)
                    and inner.func.id in GETTEXT
                ):
                    lines.append(inner.lineno)
    return lines


def test_the_check_finds_a_gettext_call_inside_an_fstring():
    assert gettext_calls_in_fstrings("x = f\"<t>{escape(_('target %(p)s'))}</t>\"") == [1]
    assert gettext_calls_in_fstrings("label = _('target')\nx = f'<t>{label}</t>'") == []


def test_no_gettext_call_inside_an_fstring():
    found = []
    for path in ROOT.rglob("*.py"):
        if SKIP_PARTS & set(path.relative_to(ROOT).parts):
            continue
        for line in gettext_calls_in_fstrings(path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(ROOT)}:{line}")
    assert not found, "gettext inside an f-string (makemessages cannot see it): " + ", ".join(found)
