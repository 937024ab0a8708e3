import contextlib
import logging

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from accounts import roles
from lms import __version__

from .selectors import dashboard_sections

logger = logging.getLogger(__name__)


@login_required
def dashboard(request):
    """The signed-in landing page: for each of the user's roles what to do next (the
    panels the apps register in ``lms.dashboard``), then that role's pages. Panels for
    everyone (safeguarding's "raise a concern", concerns waiting) stand above the roles."""
    general, sections = dashboard_sections(request.user)
    return render(
        request,
        "home/dashboard.html",
        {
            "general_panels": general,
            "has_roles": bool(roles.role_codes(request.user)),
            "sections": sections,
            "destinations": [(section.label, section.destinations) for section in sections],
        },
    )


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001  (any failure means "down")
        logger.warning("healthz.database", extra={"error": str(exc)})
        return "error"
    return "ok"


def _check_broker() -> str:
    from django.conf import settings

    from lms.celery import app

    if settings.CELERY_TASK_ALWAYS_EAGER or settings.CELERY_BROKER_URL.startswith("memory"):
        return "eager"
    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001
        logger.warning("healthz.broker", extra={"error": str(exc)})
        return "error"
    return "ok"


def _check_cache() -> str:
    """The cache (Redis in production) stores and returns a value: rate limits depend on it."""
    from django.core.cache import cache

    try:
        cache.set("healthz", "ok", timeout=10)
        if cache.get("healthz") != "ok":
            raise RuntimeError("the cache did not return the value it was given")
    except Exception as exc:  # noqa: BLE001
        logger.warning("healthz.cache", extra={"error": str(exc)})
        return "error"
    return "ok"


def _check_media() -> str:
    """Uploads can be written: a small file is saved to and removed from default storage."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    try:
        name = default_storage.save("healthz/probe.txt", ContentFile(b"ok"))
        default_storage.delete(name)
    except Exception as exc:  # noqa: BLE001
        logger.warning("healthz.media", extra={"error": str(exc)})
        return "error"
    return "ok"


WORKER_CACHE_KEY = "healthz:workers"


def _check_workers() -> str:
    """How many Celery workers answer a ping ("eager" when tasks run in-process).

    Informational: a web process can serve pages without workers (mail and PDFs wait in
    the queue), so the load balancer should not take it out of rotation for that. The
    answer is cached for 30 seconds so that frequent probes do not flood the broker.
    """
    from django.conf import settings
    from django.core.cache import cache

    from lms.celery import app

    if settings.CELERY_TASK_ALWAYS_EAGER or settings.CELERY_BROKER_URL.startswith("memory"):
        return "eager"
    cached = cache.get(WORKER_CACHE_KEY)
    if cached is not None:
        return cached
    try:
        replies = app.control.ping(timeout=0.5) or []
        answer = f"{len(replies)} answering" if replies else "none answering"
    except Exception as exc:  # noqa: BLE001
        logger.warning("healthz.workers", extra={"error": str(exc)})
        answer = "error"
    with contextlib.suppress(Exception):  # the cache check reports a broken cache
        cache.set(WORKER_CACHE_KEY, answer, timeout=30)
    return answer


def _check_outbox() -> dict | str:
    """Follow-ups waiting in the outbox: unsent, due now, age of the oldest due one."""
    from outbox.services import backlog

    try:
        return backlog()
    except Exception as exc:  # noqa: BLE001
        logger.warning("healthz.outbox", extra={"error": str(exc)})
        return "error"


@never_cache
def healthz(request):
    """Liveness and dependencies: 503 when the database, cache or media storage fails
    (a request needs them), else 200. A broker outage is reported (``broker``: "error",
    ``status``: "degraded") but keeps 200: follow-ups wait in the outbox, which the page
    reports too (``outbox``), and pages keep working. ``workers`` tells how many Celery
    workers answer a ping (see ``_check_workers``)."""
    checks = {
        "database": _check_database(),
        "cache": _check_cache(),
        "media": _check_media(),
    }
    healthy = all(value == "ok" for value in checks.values())
    checks["broker"] = _check_broker()
    checks["workers"] = _check_workers() if checks["broker"] != "error" else "unknown"
    checks["outbox"] = _check_outbox() if checks["database"] == "ok" else "unknown"
    status = "error" if not healthy else "degraded" if checks["broker"] == "error" else "ok"
    return JsonResponse(
        {"status": status, "version": __version__, **checks},
        status=200 if healthy else 503,
    )


def page_not_found(request, exception=None):
    """404: JSON under /api/, the site's page elsewhere."""
    if request.path.startswith("/api/"):
        from django.utils.translation import gettext as _

        return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
    return render(request, "404.html", status=404)


def bad_request(request, exception=None):
    """400 for a request Django itself refuses (a suspicious host, path or redirect):
    ``{detail, code}`` under /api/, the site's page elsewhere."""
    if request.path.startswith("/api/"):
        from django.utils.translation import gettext as _

        return JsonResponse(
            {"detail": _("The request is not valid."), "code": "bad_request"}, status=400
        )
    from django.views.defaults import bad_request as default_bad_request

    return default_bad_request(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": "Something went wrong on our side.", "code": "server_error"}, status=500
        )
    return render(request, "500.html", status=500)


def admin_login_redirect(request):
    """The Wagtail and Django admin log-in pages go through allauth.

    One log-in path means one set of rate limits and the two-factor step for everyone.
    """
    from django.contrib.auth.views import redirect_to_login
    from django.urls import reverse

    next_url = request.GET.get("next") or "/cms/"
    return redirect_to_login(next_url, login_url=reverse("account_login"))
