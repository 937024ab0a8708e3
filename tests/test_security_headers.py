"""Security headers on every response, a script policy without 'unsafe-inline', safe cookies."""

import json

import pytest

from home.tests.test_deploy import PRODUCTION_ENV, run_manage

PUBLIC_PAGES = [
    "/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/verify/NO-SUCH-CODE/",
    "/certification/issuer/",
    "/.well-known/jwks.json",
    "/api/v1/version",
    "/api/v1/openapi.json",
    "/api/v1/docs",
    "/healthz",
    "/no-such-page/",
]
TRAINEE_PAGES = [
    "/dashboard/",
    "/accounts/profile/",
    "/learn/",
    "/learn/my/",
    "/practicum/",
    "/quizzes/results/",
    "/certification/",
    "/api/v1/me",
]


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_common_headers(response):
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = policy(response)
    assert "'unsafe-inline'" not in csp.get("default-src", [])
    assert "'unsafe-eval'" not in csp["script-src"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    return csp


def assert_strict(response):
    csp = assert_common_headers(response)
    assert response["X-Frame-Options"] == "DENY"
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"]
    assert [s for s in csp["script-src"] if not s.startswith("'nonce-")] == ["'self'"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_responses_carry_the_security_headers(client, path):
    response = client.get(path)
    assert response.status_code in (200, 404), path
    assert_strict(response)


@pytest.mark.parametrize("path", TRAINEE_PAGES)
def test_logged_in_responses_carry_the_security_headers(client, trainee, path):
    client.force_login(trainee)
    response = client.get(path)
    assert response.status_code == 200, path
    assert_strict(response)


def test_posts_and_redirects_carry_the_headers_too(client, trainee):
    response = client.post("/accounts/login/", {"login": "nobody", "password": "wrong-password"})
    assert response.status_code == 200
    assert_strict(response)
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert_strict(response)


@pytest.mark.parametrize("path", ["/django-admin/", "/django-admin/accounts/user/"])
def test_django_admin_runs_under_the_strict_policy(client, administrator, path):
    client.force_login(administrator)
    response = client.get(path)
    assert response.status_code == 200
    assert_strict(response)


@pytest.mark.parametrize("path", ["/cms/", "/cms/account/"])
def test_wagtail_admin_has_the_documented_relaxed_script_policy(client, administrator, path):
    # Wagtail's admin writes inline scripts (date pickers, inline panels) and frames its
    # own previews: only there may scripts be inline (docs/decisions.md).
    client.force_login(administrator)
    response = client.get(path)
    assert response.status_code == 200
    csp = assert_common_headers(response)
    assert csp["script-src"] == ["'self'", "'unsafe-inline'"]
    assert csp["frame-ancestors"] == ["'self'"]
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.urls("tests.csp_urls")
def test_an_inline_script_runs_only_with_the_request_nonce(client):
    response = client.get("/nonce/")
    nonce = response.content.decode().split('nonce="')[1].split('"')[0]
    assert len(nonce) >= 16
    assert f"'nonce-{nonce}'" in policy(response)["script-src"]
    assert "'unsafe-inline'" not in policy(response)["script-src"]
    # A fresh nonce for every response.
    assert f"'nonce-{nonce}'" not in client.get("/nonce/")["Content-Security-Policy"]


def test_templates_have_no_inline_scripts_or_event_handlers():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    templates = [
        path
        for path in root.glob("**/templates/**/*.html")
        if ".venv" not in path.parts and "node_modules" not in path.parts
    ]
    assert len(templates) > 50
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)(?![^>]*application/json)")
    handler = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
    offenders = [
        str(path.relative_to(root))
        for path in templates
        if inline_script.search(text := path.read_text())
        or handler.search(text)
        or "javascript:" in text
    ]
    assert offenders == []


def test_hsts_is_sent_over_https_with_production_values(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    response = client.get("/healthz", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "Strict-Transport-Security" not in client.get("/healthz")  # never over plain HTTP


def test_session_and_csrf_cookies_are_http_only_and_secure_with_production_flags(
    client, trainee, settings
):
    from tests.factories import PASSWORD

    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.CSRF_COOKIE_HTTPONLY = True
    page = client.get("/accounts/login/")
    csrf = page.cookies["csrftoken"]
    assert csrf["httponly"] and csrf["secure"] and csrf["samesite"] == "Lax"
    response = client.post(
        "/accounts/login/", {"login": trainee.username, "password": PASSWORD}, secure=True
    )
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["secure"] and session["samesite"] == "Lax"


def test_production_settings_are_secure():
    script = (
        "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k)"
        " for k in ['SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'CSRF_COOKIE_SECURE',"
        " 'CSRF_COOKIE_HTTPONLY', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS',"
        " 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_CONTENT_TYPE_NOSNIFF', 'X_FRAME_OPTIONS',"
        " 'SECURE_REFERRER_POLICY', 'DEBUG', 'WAGTAIL_PASSWORD_RESET_ENABLED']}))"
    )
    result = run_manage("shell", "-c", script, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_REFERRER_POLICY": "same-origin",
        "DEBUG": False,
        "WAGTAIL_PASSWORD_RESET_ENABLED": False,
    }
