"""The JSON API at /api/v1/.

Every app that offers endpoints has an ``api.py`` with a ``router``; they are
mounted here. Authentication is a session (with CSRF) or a bearer token.
Every error is JSON: ``{"detail": <message>, "code": <stable code>}``.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import SessionAuth
from wagtail.api.v3.auth import BearerTokenAuth as WagtailBearerTokenAuth

from lms import __version__, ratelimit, textinput
from lms.api_errors import document_error_responses
from lms.optional import app_module

logger = logging.getLogger(__name__)

# Apps whose ``api.router`` is mounted, in this order. An app without api.py is skipped.
API_APPS = [
    "accounts",
    "courses",
    "quizzes",
    "practicum",
    "certification",
    "lecturer_corps",
    "classes",
    "dispatch",
    "safeguarding",
    "supervision",
    "reports",
]


class ApiError(Exception):
    """An error the API reports to the client as it is: status, stable code, message."""

    def __init__(self, status: int, code: str, message: str, **extra):
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


class BearerTokenAuth(WagtailBearerTokenAuth):
    """``Authorization: Bearer <token>`` with a personal token (Wagtail's APIToken).

    ``request.auth`` is the user, as with session authentication.

    A client address that keeps sending wrong tokens is refused (429) for the rest of
    the window (``API_TOKEN_FAILURE_RATE``), so tokens cannot be guessed at speed.
    """

    def authenticate(self, request, token):
        address = ratelimit.client_address(request)
        rate = settings.API_TOKEN_FAILURE_RATE
        if ratelimit.exceeded("api-token-failure", address, rate):
            raise ApiError(
                429,
                "rate_limited",
                _("Too many requests with a wrong token; wait a minute and try again."),
            )
        api_token = super().authenticate(request, token)
        if api_token is None:
            ratelimit.hit("api-token-failure", address, rate)
            return None
        return api_token.user


class LmsNinjaAPI(NinjaAPI):
    """The NinjaAPI whose OpenAPI schema also documents the errors every operation can give."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return document_error_responses(schema)


api = LmsNinjaAPI(
    title="Talent Pool LMS API",
    version="1",
    description=(
        "JSON API of the Talent Pool LMS. Authenticate with the session cookie "
        "(send the CSRF token on writes) or with `Authorization: Bearer <token>`."
    ),
    urls_namespace="api",
    auth=[BearerTokenAuth(), SessionAuth(csrf=True)],
)


def error_response(request, status: int, code: str, message: str, **extra):
    return api.create_response(request, {"detail": message, "code": code, **extra}, status=status)


@api.exception_handler(ApiError)
def on_api_error(request, exc: ApiError):
    return error_response(request, exc.status, exc.code, exc.message, **exc.extra)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return error_response(request, 401, "not_authenticated", _("Log in or send a valid token."))


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    from accounts.permissions import TwoFactorRequired

    code = "two_factor_required" if isinstance(exc, TwoFactorRequired) else "permission_denied"
    message = str(exc) or _("You do not have permission to do this.")
    return error_response(request, 403, code, message)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error_response(request, 404, "not_found", _("Not found."))


@api.exception_handler(ValidationError)
def on_django_validation_error(request, exc: ValidationError):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    first = next(iter(errors.values()))[0] if errors else _("Invalid input.")
    return error_response(request, 400, "invalid", str(first), errors=errors)


def schema_error_detail(errors: list[dict]) -> str:
    """The message of a 422: the first refused text field and why, else a general one."""
    for error in errors:
        if str(error.get("type", "")).startswith(textinput.API_ERROR_PREFIX):
            names = [part for part in error.get("loc", ())[1:] if isinstance(part, str)]
            message = str(error.get("msg", ""))
            return f"{names[-1]}: {message}" if names else message
    return _("The request is not valid.")


@api.exception_handler(NinjaValidationError)
def on_schema_validation_error(request, exc: NinjaValidationError):
    return error_response(
        request, 422, "invalid_request", schema_error_detail(exc.errors), errors=exc.errors
    )


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    code = {403: "permission_denied", 404: "not_found", 405: "method_not_allowed"}.get(
        exc.status_code, "error"
    )
    return error_response(request, exc.status_code, code, str(exc))


@api.exception_handler(Exception)
def on_unexpected(request, exc):
    logger.exception("api.unhandled", extra={"path": request.path})
    return error_response(request, 500, "server_error", _("Something went wrong on our side."))


@api.get("/version", auth=None, tags=["system"])
def version(request):
    """The running version of the product."""
    return {"version": __version__}


for app_label in API_APPS:
    module = app_module(app_label, "api")
    if module is not None:
        api.add_router("", module.router)
