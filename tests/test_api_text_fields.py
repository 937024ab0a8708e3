"""Every text an API client sends is cleaned by a text-input policy (lms/textinput.py).

Walks the input models django-ninja builds for every operation (path, query, body and
form parameters, nested schemas too) and fails on a plain ``str`` field: a new field
must use ``api_text(...)`` (or a name from ``lms/api_types.py``), so NUL, control
characters, invisible-only and over-long text stop at the boundary.
"""

from __future__ import annotations

import types
import typing

import pydantic
from ninja import Router, Schema

from lms.textinput import policy_of


def _is_plain_text(annotation) -> bool:
    if annotation is str:
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_is_plain_text(arg) for arg in typing.get_args(annotation))
    return False


def _nested_models(annotation):
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _nested_models(arg)


def text_fields() -> tuple[list[str], int]:
    """The plain text fields of the API's input, and how many text fields have a policy."""
    from lms.api import api

    found, seen, guarded = [], set(), 0
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                pending = list(operation.models)
                while pending:
                    model = pending.pop()
                    if model in seen:
                        continue
                    seen.add(model)
                    for name, field in model.model_fields.items():
                        pending.extend(_nested_models(field.annotation))
                        if policy_of(field) is not None:
                            guarded += 1
                        elif _is_plain_text(field.annotation):
                            found.append(f"{operation.view_func.__module__}: {path} {name}")
    return found, guarded


def test_every_text_field_of_the_api_input_is_cleaned_by_a_policy():
    unguarded, guarded = text_fields()
    assert unguarded == []
    assert guarded >= 25  # reasons, notes, descriptions, codes, serials, usernames…


class LooseIn(Schema):
    note: str


loose_router = Router()


@loose_router.post("/loose-test")
def loose(request, payload: LooseIn):
    return {}


def test_the_walk_finds_a_plain_text_field():
    from lms.api import api

    api._routers.append(("", loose_router))
    try:
        assert any("loose-test note" in f for f in text_fields()[0])
    finally:
        api._routers.remove(("", loose_router))
