import logging

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from lms import __version__

from .selectors import role_destinations

logger = logging.getLogger(__name__)


@login_required
def dashboard(request):
    """The signed-in landing page: each of the user's roles and where it works."""
    return render(request, "home/dashboard.html", {"destinations": role_destinations(request.user)})


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


@never_cache
def healthz(request):
    """Liveness and dependencies: 200 when the database and broker answer, else 503."""
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(value in ("ok", "eager") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "version": __version__, **checks},
        status=200 if healthy else 503,
    )


def page_not_found(request, exception=None):
    """404: JSON under /api/, the site's page elsewhere."""
    if request.path.startswith("/api/"):
        from django.utils.translation import gettext as _

        return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
    return render(request, "404.html", status=404)


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
