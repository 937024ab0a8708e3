"""Dependencies point one way (issue 13): the rules import-linter cannot see.

import-linter (``make test`` runs ``lint-imports``; contracts in ``pyproject.toml``)
keeps the layers, function-level imports included. These tests add what it cannot
see: calls into another app's private (underscored) names, imports hidden behind
``importlib`` or ``lms.optional.app_module``, and ``apps.is_installed`` guards for apps
that are always installed. Tests and migrations are not walked.
"""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
APPS = sorted(
    name
    for name in settings.INSTALLED_APPS
    if "." not in name and (ROOT / name).is_dir() and name != "lms"
)
# Discovery of each app's urls, API router, beat schedule, seed and scale data may ask
# for modules by name; nothing else does.
DISCOVERY = {
    "lms/urls.py",
    "lms/api.py",
    "lms/celery.py",
    "lms/optional.py",
    "lms/text_fields/__init__.py",  # finds each app's text_fields.py declarations
} | {f"home/management/commands/{name}.py" for name in ("seed_demo", "seed_scale")}


def _modules():
    for package in [*APPS, "lms"]:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if {"tests", "migrations"} & set(relative.parts):
                continue
            yield package, relative.as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _imported_apps(tree, own):
    """{local name: module} for names bound to another app's modules or members."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] in APPS and node.module.split(".")[0] != own:
                for alias in node.names:
                    names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in APPS and alias.name.split(".")[0] != own:
                    names[alias.asname or alias.name.split(".")[0]] = alias.name
    return names


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and name != "_meta"


def test_no_app_uses_another_apps_private_names():
    found = []
    for package, path, tree in _modules():
        imported = _imported_apps(tree, package)
        for module in imported.values():
            if _private(module.rsplit(".", 1)[-1]):
                found.append(f"{path}: imports {module}")
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in imported
                and _private(node.attr)
            ):
                found.append(f"{path}:{node.lineno}: {node.value.id}.{node.attr}")
    assert found == [], "cross-app calls of private names:\n" + "\n".join(found)


def test_no_hidden_imports_or_installed_guards_outside_discovery():
    found = []
    for _package, path, tree in _modules():
        if path in DISCOVERY:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "is_installed":
                found.append(f"{path}:{node.lineno}: apps.is_installed")
            if isinstance(node, ast.ImportFrom) and node.module in ("lms.optional", "importlib"):
                found.append(f"{path}:{node.lineno}: from {node.module} import …")
            if isinstance(node, ast.Import) and any(a.name == "importlib" for a in node.names):
                found.append(f"{path}:{node.lineno}: import importlib")
    assert found == [], "imports hidden from import-linter:\n" + "\n".join(found)


def test_the_walk_sees_every_app():
    # A guard against a walk that silently looks at nothing.
    assert {"accounts", "certification", "courses", "lecturer_corps", "practicum"} <= set(APPS)
    assert sum(1 for _ in _modules()) > 100
