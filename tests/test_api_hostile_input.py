"""Hostile input on every API operation: never a 5xx, every refusal ``{detail, code}``.

The operations come from ``/api/v1/openapi.json``, so a new operation is covered
the day it is added. Against the demo site, as an administrator (who passes most
permission checks and so reaches the deepest code), a trainee (their own attempts and
entries) and a lecturer (their own sessions), each path parameter, query parameter and
body field (JSON and multipart, nested ones too) is given, one at a time, hostile
values while the rest of the request stays sensible:

* integers one past the database's range (2^63), far beyond it, negative, zero;
* NUL, other control characters, a right-to-left override, a lone surrogate (JSON);
* a 1 MB string, text of zero-width spaces only;
* dates far ahead (9999-12-31) and far back (0001-01-01).

Every response must be below 500, and every 4xx a JSON object with ``detail`` and
``code``. Afterwards no text column of the project's models holds a control character
(the sweep looks for U+0001 and ESC: one rule refuses them with NUL, and SQLite's LIKE
cannot look for NUL; on PostgreSQL a NUL that got through would have been a 500). It
runs on SQLite by default and on PostgreSQL with ``DATABASE_URL`` set (CI does both);
nothing in it is skipped.
"""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Iterator
from urllib.parse import quote, urlencode

import pytest

pytestmark = pytest.mark.django_db

BEYOND = 2**63  # one past the largest value a database integer column holds
ONE_MB = "x" * 1_000_000
HOSTILE_INTEGERS = [BEYOND, 2**64 + 7, 10**30, -1, -(2**63) - 1, 0]
HOSTILE_TEXTS = [
    "a\x00b",
    "\x00",
    "line\x01\x02\x1b[31mred",
    "\x7f\x85",
    "\u202eevil",
    "\u200b\u200b\u2060",
    ONE_MB,
    "9999-12-31",
    "0001-01-01",
]
HOSTILE_JSON_ONLY = ["\ud800"]  # a lone surrogate: valid JSON, not encodable in a URL
HOSTILE_VALUES = HOSTILE_INTEGERS + HOSTILE_TEXTS
CONTROL_MARK = "\x01"  # sent in HOSTILE_TEXTS; must never be stored
ROLES = {"administrator": "admin", "trainee": "trainee", "lecturer": "lecturer"}


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, "PNG")
    return out.getvalue()


def real_path_values(username: str) -> dict[str, str]:
    """Identifiers from the demo data, the caller's own where it matters."""
    from certification.models import Certificate
    from courses.models import Lesson
    from lecturer_corps.models import ServiceRequest, Session
    from practicum.models import PracticumEntry
    from quizzes.models import Attempt, Quiz

    certificate = Certificate.objects.order_by("pk").first()
    lesson = Lesson.objects.live().order_by("pk").first()
    attempt = (
        Attempt.objects.filter(user__username=username).order_by("pk").first()
        or Attempt.objects.order_by("pk").first()
    )
    entry = (
        PracticumEntry.objects.filter(trainee__username=username).order_by("-pk").first()
        or PracticumEntry.objects.order_by("-pk").first()
    )
    session = (
        Session.objects.filter(lecturer__username=username).order_by("pk").first()
        or Session.objects.order_by("pk").first()
    )
    return {
        "course_id": str(lesson.get_parent().get_parent().pk),
        "lesson_id": str(lesson.pk),
        "quiz_id": str(Quiz.objects.order_by("pk").first().pk),
        "attempt_id": str(attempt.pk),
        "entry_id": str(entry.pk),
        "serial": certificate.serial,
        "code": certificate.verification_code,
        "request_id": str(ServiceRequest.objects.order_by("pk").first().pk),
        "session_id": str(session.pk),
    }


class Schema:
    """The OpenAPI document, with ``$ref`` resolved on demand."""

    def __init__(self, document: dict):
        self.document = document

    def resolve(self, schema: dict) -> dict:
        while "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            schema = self.document["components"]["schemas"][name]
        return schema

    def sample(self, schema: dict, depth: int = 0):
        """A sensible value for ``schema`` (the request around each hostile value)."""
        import datetime

        schema = self.resolve(schema)
        for key in ("anyOf", "oneOf", "allOf"):
            if key in schema:
                options = [s for s in schema[key] if self.resolve(s).get("type") != "null"]
                return self.sample(options[0], depth) if options else None
        if "enum" in schema:
            return schema["enum"][0]
        if "const" in schema:
            return schema["const"]
        if "default" in schema and schema["default"] is not None:
            return schema["default"]
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            if depth > 3:
                return {}
            return {
                name: self.sample(prop, depth + 1)
                for name, prop in schema.get("properties", {}).items()
            }
        if kind == "array":
            return [self.sample(schema.get("items", {}), depth + 1)]
        if kind == "integer":
            return max(1, schema.get("minimum", 1))
        if kind == "number":
            return 1.0
        if kind == "boolean":
            return False
        if kind == "string":
            fmt = schema.get("format")
            tomorrow = datetime.date.today() + datetime.timedelta(days=7)
            if fmt == "date":
                return tomorrow.isoformat()
            if fmt == "date-time":
                return f"{tomorrow.isoformat()}T10:00:00+08:00"
            if "pattern" in schema and "HH:MM" in schema.get("description", ""):
                return "10:00"
            return "团体辅导 text"
        return "text"


def leaf_paths(value, prefix=()) -> Iterator[tuple]:
    """Every place in a sample body a hostile value can go (fields, list items)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield (*prefix, key)
            yield from leaf_paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield (*prefix, index)
            yield from leaf_paths(inner, (*prefix, index))


def replaced(body, path: tuple, value):
    body = copy.deepcopy(body)
    target = body
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return body


def operations(schema: Schema) -> Iterator[tuple[str, str, dict]]:
    for path, methods in schema.document["paths"].items():
        for method, operation in methods.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield method, path, operation


def hostile_requests(schema: Schema, path: str, operation: dict, real: dict):
    """(label, url, body kind, body) for one operation: one hostile value at a time."""
    parameters = operation.get("parameters", [])
    path_params = [p["name"] for p in parameters if p["in"] == "path"]
    query_params = [p for p in parameters if p["in"] == "query"]
    baseline_path = {name: real.get(name, "1") for name in path_params}
    baseline_query = {
        p["name"]: schema.sample(p.get("schema", {})) for p in query_params if p.get("required")
    }

    def url(path_values, query):
        built = path
        for name, value in path_values.items():
            built = built.replace("{" + name + "}", quote(str(value), safe=""))
        query = {k: v for k, v in query.items() if v is not None}
        return "/api/v1" + built + ("?" + urlencode(query) if query else "")

    content = operation.get("requestBody", {}).get("content", {})
    kind, body = None, None
    if "application/json" in content:
        kind = "json"
        body = schema.sample(content["application/json"]["schema"])
    elif "multipart/form-data" in content:
        kind = "multipart"
        body = schema.sample(content["multipart/form-data"]["schema"])
    good_url = url(baseline_path, baseline_query)

    for name in path_params:
        for value in HOSTILE_VALUES:
            yield (
                f"path {name}={str(value)[:20]!r}",
                url({**baseline_path, name: value}, baseline_query),
                kind,
                body,
            )
    for param in query_params:
        for value in HOSTILE_VALUES:
            query = {**baseline_query, param["name"]: value}
            yield (
                f"query {param['name']}={str(value)[:20]!r}",
                url(baseline_path, query),
                kind,
                body,
            )
    if kind is None:
        return
    for place in leaf_paths(body):
        values = HOSTILE_VALUES + (HOSTILE_JSON_ONLY if kind == "json" else [])
        if kind == "multipart" and len(place) > 1:
            continue
        for value in values:
            label = f"body {'.'.join(map(str, place))}={str(value)[:20]!r}"
            yield label, good_url, kind, replaced(body, place, value)
    if kind == "json":
        for value in [*HOSTILE_VALUES, [ONE_MB], None]:
            yield f"whole body {str(value)[:20]!r}", good_url, kind, value


def send(client, method: str, url: str, kind: str | None, body):
    if kind == "json":
        return getattr(client, method)(url, json.dumps(body), content_type="application/json")
    if kind == "multipart":
        data = {k: ("" if v is None else str(v)) for k, v in body.items() if k != "sign_in_sheet"}
        upload = io.BytesIO(_png())
        upload.name = "sheet.png"
        data["sign_in_sheet"] = upload
        return getattr(client, method)(url, data)
    return getattr(client, method)(url)


def refusal_problem(response) -> str | None:
    """What is wrong with a response: a 5xx, or a 4xx that is not ``{detail, code}``."""
    if response.status_code >= 500:
        return f"{response.status_code}"
    if response.status_code >= 400:
        try:
            data = json.loads(response.content)
        except ValueError:
            return f"{response.status_code} without a JSON body"
        if not isinstance(data, dict) or not isinstance(data.get("detail"), str):
            return f"{response.status_code} without detail: {str(data)[:200]}"
        if not isinstance(data.get("code"), str):
            return f"{response.status_code} without code: {str(data)[:200]}"
    return None


def stored_control_characters() -> list[str]:
    """Text columns of the project's own models that hold a control character."""
    from pathlib import Path

    from django.apps import apps
    from django.conf import settings
    from django.db import models

    marks = [CONTROL_MARK, "\x1b"]
    found = []
    for config in apps.get_app_configs():
        if Path(config.path).parent != Path(settings.BASE_DIR):
            continue  # Django's, Wagtail's and other libraries' apps
        for model in config.get_models():
            for field in model._meta.concrete_fields:
                if not isinstance(field, models.CharField | models.TextField):
                    continue
                for mark in marks:
                    rows = model._default_manager.filter(**{f"{field.name}__contains": mark})
                    if rows.exists():
                        found.append(f"{model._meta.label}.{field.name} holds {mark!r}")
    return found


def test_every_api_operation_refuses_hostile_input_without_a_server_error(settings):
    from django.core.management import call_command
    from django.test import Client
    from wagtail.models import APIToken

    from accounts.models import User
    from tests.factories import enable_two_factor

    call_command("seed_demo", stdout=io.StringIO())
    settings.MFA_WAIVED_USERNAMES = frozenset()
    anonymous = Client()
    schema = Schema(anonymous.get("/api/v1/openapi.json").json())
    clients = {}
    for role, username in ROLES.items():
        user = User.objects.get(username=username)
        if role == "administrator":
            enable_two_factor(user)
        token = APIToken.create_token(user=user, name="hostile")[1]
        clients[role] = (Client(HTTP_AUTHORIZATION=f"Bearer {token}"), real_path_values(username))

    problems: list[str] = []
    sent = 0
    operation_count = 0
    for method, path, operation in operations(schema):
        operation_count += 1
        for role, (client, real) in clients.items():
            for label, url, kind, body in hostile_requests(schema, path, operation, real):
                response = send(client, method, url, kind, body)
                sent += 1
                problem = refusal_problem(response)
                if problem:
                    problems.append(f"{method.upper()} {path} as {role}, {label}: {problem}")

    stored = stored_control_characters()
    print(
        f"\nhostile input: {operation_count} operations, {sent} requests, {len(problems)} problems"
    )
    assert operation_count > 30
    assert not problems, "\n".join(problems[:60])
    assert not stored, "\n".join(stored)
