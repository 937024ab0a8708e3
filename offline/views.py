"""The installable site: web app manifest, service worker, offline page, a fresh CSRF token.

- ``/manifest.webmanifest?lang=<code>``: the manifest in one of the site's languages (the
  browser fetches a manifest without cookies, so the page names its language in the link).
- ``/sw.js``: the service worker. Its code is the static file ``js/offline/sw.js``; this
  view serves it from the site root (a worker controls only pages under its own path) with
  ``Service-Worker-Allowed: /`` and ``Cache-Control: no-cache``, after one line of
  configuration: the static files to keep (by their hashed names), the offline page of
  each language and the pages kept for drafting offline (``offline.pages``). No inline
  script anywhere: the Content-Security-Policy stays ``script-src 'self'``.
- ``/offline/<lang>/``: the page shown when something not saved is opened with no network.
- ``/offline/<lang>/client.json``: the offline client's words and settings (and the
  address of ``queue.js``, which sends what waits on the phone, page and worker alike).
- ``/offline/token/``: a CSRF token for sending queued drafts from a page that was kept
  on the phone (its own token may belong to an earlier session).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse, HttpResponseNotModified, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import pages
from . import strings as offline_strings

THEME_COLOUR = "#0b5c8e"  # the site's --brand
BACKGROUND_COLOUR = "#f6f7f9"  # the site's --bg
WORKER_SOURCE = "js/offline/sw.js"
# Sending what waits on the phone, shared by the worker (importScripts) and offline.js.
QUEUE_SCRIPT = "js/offline/queue.js"

# Static files the worker keeps from its installation on: what every page and the offline
# page need. Everything else the site serves from /static/ is kept as it is first used.
PRECACHE_STATIC = (
    "css/site.css",
    "css/courses.css",
    "css/practicum.css",
    "css/lecturer_corps.css",
    "css/offline.css",
    "js/site.js",
    "js/form-errors.js",
    "js/offline/register.js",
    "js/offline/offline.js",
    QUEUE_SCRIPT,
    "favicon.svg",
    "favicon.ico",
    "icons/icon-192.png",
)


def _language(code: str | None) -> str:
    codes = [language for language, _name in settings.LANGUAGES]
    return code if code in codes else settings.LANGUAGE_CODE


@require_GET
def manifest(request):
    """The web app manifest in the language the link names (``?lang=``)."""
    language = _language(request.GET.get("lang"))
    with translation.override(language):
        data = {
            "id": "/",
            "name": _("Talent Pool LMS"),
            "short_name": pgettext("app name under its home-screen icon", "Talent Pool"),
            "description": _("Training and certification for social-psychological service workers"),
            "lang": language,
            "dir": "rtl" if translation.get_language_bidi() else "ltr",
            "start_url": reverse("home:dashboard"),
            "scope": "/",
            "display": "standalone",
            "theme_color": THEME_COLOUR,
            "background_color": BACKGROUND_COLOUR,
            "icons": [
                {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
                {
                    "src": static("icons/maskable-192.png"),
                    "sizes": "192x192",
                    "type": "image/png",
                    "purpose": "maskable",
                },
                {
                    "src": static("icons/maskable-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "maskable",
                },
                {"src": static("favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
            ],
        }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json; charset=utf-8"
    response["Cache-Control"] = "public, max-age=86400"
    return response


def worker_config() -> dict:
    """What the worker needs to know that only the server knows (hashed static names)."""
    languages = [code for code, _name in settings.LANGUAGES]
    return {
        "staticUrl": settings.STATIC_URL,
        "mediaUrl": settings.MEDIA_URL,
        "precache": [static(name) for name in PRECACHE_STATIC],
        "offlinePages": {code: reverse("offline:page", args=[code]) for code in languages},
        "client": {code: reverse("offline:client", args=[code]) for code in languages},
        "defaultLanguage": settings.LANGUAGE_CODE,
        "keptPages": [pattern for _name, pattern in pages.KEPT_PAGES],
        "completePattern": pages.LESSON_COMPLETE_PATTERN,
        "queueScript": static(QUEUE_SCRIPT),
        "tokenUrl": reverse("offline:csrf_token"),
        "networkOnly": ["/api/", reverse("offline:csrf_token"), "/accounts/", "/cms/", "/quizzes/"],
    }


def worker_source(name: str = WORKER_SOURCE) -> str:
    path = finders.find(name)
    if not path:
        raise Http404
    return Path(path).read_text(encoding="utf-8")


@require_GET
def service_worker(request):
    """The service worker at the site root, so that it may control every page."""
    config = worker_config()
    source = worker_source()
    # The version follows the script it imports too (its name is not hashed in development).
    imported = worker_source(QUEUE_SCRIPT)
    version = hashlib.sha256(
        (json.dumps(config, sort_keys=True) + source + imported).encode()
    ).hexdigest()
    config["version"] = version[:16]
    body = f"self.OFFLINE_CONFIG = {json.dumps(config, sort_keys=True)};\n{source}"
    etag = f'"{version[:32]}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["ETag"] = etag
    response["Service-Worker-Allowed"] = "/"
    # Browsers check for a new worker on navigations; no-cache makes them ask every time
    # (a 304 when nothing changed), so a deployment reaches phones on their next visit.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline_page(request, lang: str):
    """What the worker shows for a page not saved on the phone when there is no network.

    Rendered for nobody in particular (the worker fetches it once per language when it
    installs): no personal navigation, and the person's pending messages are left alone.
    """
    codes = [code for code, _name in settings.LANGUAGES]
    if lang not in codes:
        raise Http404
    with translation.override(lang):
        response = render(
            request,
            "offline/offline.html",
            {"user": AnonymousUser(), "messages": [], "is_offline_page": True},
        )
    # Private: the page carries the language form's CSRF token. The worker keeps its copy.
    response["Cache-Control"] = "private, max-age=0"
    response["Content-Language"] = lang
    return response


@require_GET
def client_settings(request, lang: str):
    """What the offline client (offline.js) needs, in one language: its words
    (``offline.strings``), its stylesheet, the queue's script and where to ask for a CSRF
    token. One request, kept by the worker, so pages carry nothing of it (the lesson page
    stays light)."""
    codes = [code for code, _name in settings.LANGUAGES]
    if lang not in codes:
        raise Http404
    with translation.override(lang):
        data = {
            "css": static("css/offline.css"),
            "queue": static(QUEUE_SCRIPT),
            "token": reverse("offline:csrf_token"),
            "words": offline_strings.strings(),
        }
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "public, max-age=3600"
    return response


@never_cache
@require_GET
def csrf_token(request):
    """A CSRF token for the session this request belongs to (queued drafts send it)."""
    return JsonResponse({"csrfToken": get_token(request)})
