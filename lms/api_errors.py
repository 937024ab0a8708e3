"""The API's error responses, as its OpenAPI schema documents them.

Every error is ``{"detail": <message>, "code": <stable code>}`` (the exception
handlers in ``lms/api.py``). Some errors can come from any operation of a kind;
``document_error_responses`` adds them to the schema once for all:

* 401 and 403 — every operation that needs authentication (no or a bad token;
  a role or two-factor refusal);
* 404 — every operation with a path parameter (no such object, or not yours);
* 422 — every operation that takes parameters or a body (not valid for the schema);
* 400 — every write (a service refused the data: Django's ``ValidationError``).

Errors only some operations give (409 for a state conflict, 400 from a query
check, 429) are declared by the operation itself with
``openapi_extra=error_responses(409)``. Schemathesis checks the result in CI
(``tests/test_api_fuzz.py``): an undocumented status fails it.
"""

from __future__ import annotations

ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {
        "detail": {"type": "string", "title": "Detail"},
        "code": {"type": "string", "title": "Code"},
    },
    "required": ["detail", "code"],
}
ERROR_REF = {"$ref": "#/components/schemas/Error"}

DESCRIPTIONS = {
    400: "The data was refused (`invalid` and more specific codes).",
    401: "Not authenticated (`not_authenticated`).",
    403: "Not allowed (`permission_denied`, `two_factor_required` and more specific codes).",
    404: "No such object, or not one the caller may see (`not_found`).",
    409: "The object is not in a state that allows this (`invalid_state` and more).",
    422: "The request does not match the schema (`invalid_request`).",
    429: "Too many requests (`rate_limited`).",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def error_response(status: int) -> dict:
    return {
        "description": DESCRIPTIONS[status],
        "content": {"application/json": {"schema": ERROR_REF}},
    }


def error_responses(*statuses: int) -> dict:
    """``openapi_extra`` for an operation that gives these error statuses."""
    return {"responses": {status: error_response(status) for status in statuses}}


def document_error_responses(schema: dict) -> dict:
    """Add the errors every operation of a kind can give, and the Error schema."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            statuses = set()
            if operation.get("security"):
                statuses |= {401, 403}
            parameters = operation.get("parameters", [])
            if any(p.get("in") == "path" for p in parameters):
                statuses.add(404)
            if parameters or operation.get("requestBody"):
                statuses.add(422)
            if method in WRITE_METHODS:
                statuses.add(400)
            responses = operation.setdefault("responses", {})
            present = {int(code) for code in responses if str(code).isdigit()}
            for status in sorted(statuses - present):
                responses[status] = error_response(status)
    return schema
