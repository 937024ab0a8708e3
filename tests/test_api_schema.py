"""The OpenAPI schema tells the truth about errors, times and schema names (found by fuzzing)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    from lms.api import api

    return api.get_openapi_schema(path_prefix="")


def _responses(schema, method, path):
    return {int(code): body for code, body in schema["paths"][path][method]["responses"].items()}


def test_errors_every_operation_of_a_kind_can_give_are_documented(schema):
    entry = _responses(schema, "patch", "/practicum/entries/{entry_id}")
    assert {200, 400, 401, 403, 404, 422} <= set(entry)
    assert entry[404]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail", "code"]
    # No authentication, no parameters: nothing to add.
    assert set(_responses(schema, "get", "/version")) == {200}
    # Authenticated, no parameters: only 401 and 403.
    assert set(_responses(schema, "get", "/me")) == {200, 401, 403}


def test_operation_specific_errors_are_declared_by_the_operation(schema):
    assert 409 in _responses(schema, "post", "/practicum/entries/{entry_id}/review")
    assert 409 in _responses(schema, "put", "/attempts/{attempt_id}/answers")
    assert {400, 404} <= set(_responses(schema, "get", "/reports/summary"))


def test_practicum_summary_has_its_own_schema(schema):
    """Two schemas called SummaryOut made /me/practicum/summary document the reports summary."""
    ok = _responses(schema, "get", "/me/practicum/summary")[200]
    ref = ok["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "qualifications" in schema["components"]["schemas"][ref]["properties"]


def test_wall_clock_times_are_documented_without_an_offset(schema):
    for name in ("EntryOut", "ServiceRequestOut"):
        start = schema["components"]["schemas"][name]["properties"]["start_time"]
        variants = start.get("anyOf", [start])
        assert all(v.get("format") != "time" for v in variants)
        assert any("pattern" in v for v in variants)


def test_practicum_entry_time_with_an_offset_is_refused(api_client, trainee):
    from practicum.defaults import install_defaults

    install_defaults()
    response = api_client.as_user(trainee).post(
        "/api/v1/practicum/entries",
        {
            "date": "2026-01-05",
            "start_time": "09:00+08:00",
            "end_time": "11:00",
            "activity_type": "group_counselling",
            "description": "团体辅导",
        },
        content_type="application/json",
    )
    assert response.status_code == 422


def test_no_two_response_schemas_share_a_name():
    """The OpenAPI document keeps one component per name: two schemas called alike (the
    lecturer corps' and supervision's ``SessionOut``) documented one operation with the
    other's fields. Every schema class an operation answers with has a name of its own."""
    import typing

    import pydantic

    from lms.api import api

    def models(annotation, seen):
        """Every schema class in ``annotation``, and in its fields, at any depth."""
        if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
            if annotation in seen:
                return
            seen.add(annotation)
            yield annotation
            for field in annotation.model_fields.values():
                yield from models(field.annotation, seen)
        for arg in typing.get_args(annotation):
            yield from models(arg, seen)

    by_name: dict[str, set[str]] = {}
    seen: set[type] = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for response in (operation.response_models or {}).values():
                    for model in models(response, seen):
                        by_name.setdefault(model.__name__, set()).add(
                            f"{model.__module__}.{model.__qualname__}"
                        )
    assert len(by_name) >= 20
    assert {name: found for name, found in by_name.items() if len(found) > 1} == {}
