"""The installable site: manifest, service worker at the root, offline page, its words."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from offline import pages
from offline.views import PRECACHE_STATIC

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]


@pytest.fixture
def translated(settings):
    """The project's own catalogues (test settings switch them off)."""
    from django.utils import translation
    from django.utils.translation import trans_real

    settings.LOCALE_PATHS = settings.PROJECT_LOCALE_PATHS
    trans_real._translations = {}
    trans_real._default = None
    translation.deactivate()
    yield
    trans_real._translations = {}
    trans_real._default = None


# --- manifest ------------------------------------------------------------------------


def test_the_manifest_makes_the_site_installable(client):
    response = client.get("/manifest.webmanifest?lang=en")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    data = json.loads(response.content)
    assert data["name"] == "Talent Pool LMS" and data["short_name"] == "Talent Pool"
    assert data["lang"] == "en" and data["dir"] == "ltr"
    assert data["start_url"] == reverse("home:dashboard") and data["scope"] == "/"
    assert data["id"] == "/" and data["display"] == "standalone"
    assert data["theme_color"] == "#0b5c8e" and data["background_color"]
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in data["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in data["icons"]:
        assert icon["src"].startswith(settings.STATIC_URL)


def test_the_icons_are_real_pngs_of_their_stated_size(client):
    from django.contrib.staticfiles import finders
    from PIL import Image

    data = json.loads(client.get("/manifest.webmanifest").content)
    for icon in data["icons"]:
        if icon["type"] != "image/png":
            continue
        path = finders.find(icon["src"].removeprefix(settings.STATIC_URL))
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert f"{image.width}x{image.height}" == icon["sizes"]


def test_the_manifest_speaks_the_language_of_its_link(client, translated):
    chinese = json.loads(client.get("/manifest.webmanifest?lang=zh-hans").content)
    uyghur = json.loads(client.get("/manifest.webmanifest?lang=ug").content)
    english = json.loads(client.get("/manifest.webmanifest?lang=en").content)
    assert chinese["name"] == "人才库培训平台" and chinese["lang"] == "zh-hans"
    assert uyghur["dir"] == "rtl" and uyghur["lang"] == "ug"
    assert uyghur["name"] != english["name"]
    # An unknown language falls back to the default, never an error.
    fallback = json.loads(client.get("/manifest.webmanifest?lang=xx").content)
    assert fallback["lang"] == settings.LANGUAGE_CODE


def test_every_page_links_the_manifest_in_its_language_and_loads_no_inline_script(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ug"
    html = client.get(reverse("account_login")).content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest?lang=ug">' in html
    assert '<meta name="theme-color" content="#0b5c8e">' in html
    register = re.search(r"<script src=\"([^\"]+register[^\"]*\.js)\"([^>]*)>", html)
    assert register, "the service worker registration script"
    assert " defer" in register.group(2)
    assert 'data-client="/static/js/offline/offline.js"' in register.group(2)
    for attributes in re.findall(r"<script([^>]*)>", html):
        assert "src=" in attributes or 'type="application/json"' in attributes


# --- the service worker ------------------------------------------------------------------


def test_the_worker_is_served_from_the_root_for_the_whole_site(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    assert response["ETag"]
    body = response.content.decode()
    assert body.startswith("self.OFFLINE_CONFIG = {")
    assert 'self.addEventListener("fetch"' in body


def test_the_worker_answers_304_when_unchanged(client):
    first = client.get("/sw.js")
    again = client.get("/sw.js", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again["Service-Worker-Allowed"] == "/" and again["Cache-Control"] == "no-cache"


def test_the_worker_is_under_the_same_strict_policy(client):
    policy = client.get("/sw.js")["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy
        and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )


def test_the_worker_knows_the_hashed_static_files_and_each_languages_offline_page(client):
    body = client.get("/sw.js").content.decode()
    config = json.loads(body.split("\n", 1)[0].removeprefix("self.OFFLINE_CONFIG = ").rstrip(";"))
    assert len(config["precache"]) == len(PRECACHE_STATIC)
    assert set(config["offlinePages"]) == set(LANGUAGES)
    assert set(config["client"]) == set(LANGUAGES)
    assert config["networkOnly"][0] == "/api/"
    assert "/quizzes/" in config["networkOnly"]
    assert re.fullmatch(r"[0-9a-f]{16}", config["version"])
    for url in config["precache"] + list(config["offlinePages"].values()):
        assert url.startswith("/"), url


def test_every_precached_static_file_exists():
    from django.contrib.staticfiles import finders

    for name in PRECACHE_STATIC:
        assert finders.find(name), name


@pytest.mark.parametrize("name, pattern", pages.KEPT_PAGES)
def test_each_kept_page_pattern_matches_its_url(name, pattern):
    args = [7] if name == "lecturer_corps:report_create" else []
    assert re.match(pattern, reverse(name, args=args)), (name, pattern)


def test_the_completion_pattern_matches_the_lesson_form():
    path = reverse(pages.LESSON_COMPLETE_NAME, args=[42])
    assert re.match(pages.LESSON_COMPLETE_PATTERN, path).group(1) == "42"


# --- the offline page and its words ---------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_offline_page_exists_in_each_language(client, language):
    response = client.get(reverse("offline:page", args=[language]))
    assert response.status_code == 200
    html = response.content.decode()
    direction = "rtl" if language == "ug" else "ltr"
    assert f'<html lang="{language}" dir="{direction}">' in html
    assert "data-offline-saved" in html and "data-offline-queue" in html
    assert response["Content-Language"] == language


def test_the_offline_page_is_translated(client, translated):
    html = client.get(reverse("offline:page", args=["zh-hans"])).content.decode()
    assert "人才库培训平台" in html


def test_the_offline_page_holds_nothing_personal(client, trainee):
    client.force_login(trainee)
    response = client.get(reverse("offline:page", args=["en"]))
    html = response.content.decode()
    assert trainee.username not in html and "Log out" not in html
    assert response["Cache-Control"] == "private, max-age=0"


def test_fetching_the_offline_page_leaves_the_persons_messages_for_their_next_page(client, trainee):
    """The worker fetches the offline page in the background: a message waiting for the
    person ("signed in") must still be shown on their next real page."""
    from tests.factories import PASSWORD

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("account_login"), {"login": trainee.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert (
        "Successfully signed in"
        not in client.get(reverse("offline:page", args=["en"])).content.decode()
    )
    assert (
        "Successfully signed in" in client.get(response["Location"], follow=True).content.decode()
    )


def test_an_unknown_language_has_no_offline_page(client):
    assert client.get("/offline/xx/").status_code == 404
    assert client.get("/offline/xx/client.json").status_code == 404


def test_the_clients_words_and_settings_come_in_each_language(client, translated):
    english = client.get("/offline/en/client.json").json()  # offline.js asks by this path
    assert english["css"] == "/static/css/offline.css"
    assert english["token"] == reverse("offline:csrf_token")
    assert english["words"]["save"] == "Save for offline"
    assert "%(count)s" in english["words"]["logout_text"]
    chinese = client.get(reverse("offline:client", args=["zh-hans"])).json()["words"]
    assert set(chinese) == set(english["words"])


def test_the_registration_script_registers_the_worker_at_the_root():
    from django.contrib.staticfiles import finders

    source = Path(finders.find("js/offline/register.js")).read_text(encoding="utf-8")
    assert 'register("/sw.js", { scope: "/" })' in source
    assert reverse("offline:service_worker") == "/sw.js"
    assert len(source.encode()) < 2500  # on every page: keep it small


def test_a_fresh_csrf_token_for_sending_queued_drafts(client):
    response = client.get(reverse("offline:csrf_token"))
    assert response.status_code == 200 and len(response.json()["csrfToken"]) >= 32
    assert "no-store" in response["Cache-Control"]


# --- Background Sync and the queue script -------------------------------------------


def worker_config_of(client) -> dict:
    body = client.get("/sw.js").content.decode()
    return json.loads(body.split("\n", 1)[0].removeprefix("self.OFFLINE_CONFIG = ").rstrip(";"))


def test_the_worker_and_the_client_share_one_queue_script(client):
    from offline.views import QUEUE_SCRIPT

    config = worker_config_of(client)
    queue = f"{settings.STATIC_URL}{QUEUE_SCRIPT}"
    assert config["queueScript"] == queue and queue in config["precache"]
    assert config["tokenUrl"] == reverse("offline:csrf_token")
    assert client.get("/offline/en/client.json").json()["queue"] == queue
    assert "importScripts(CONFIG.queueScript)" in client.get("/sw.js").content.decode()


def test_a_changed_queue_script_makes_a_new_worker_version(client, monkeypatch):
    from offline import views

    first = worker_config_of(client)["version"]
    real = views.worker_source
    monkeypatch.setattr(
        views,
        "worker_source",
        lambda name=views.WORKER_SOURCE: (
            real(name) + ("\n// v2" if name == views.QUEUE_SCRIPT else "")
        ),
    )
    assert worker_config_of(client)["version"] != first


def test_the_offline_site_names_no_other_host(client):
    """Everything the offline site needs is served by the site itself (issue 20, item 6):
    the worker's files, the manifest's icons, the client's settings; and the scripts ask
    for no absolute address."""
    from django.contrib.staticfiles import finders

    addresses = json.dumps(
        [
            worker_config_of(client),
            client.get("/manifest.webmanifest").json(),
            client.get("/offline/en/client.json").json()["css"],
        ]
    )
    assert "//" not in addresses
    for name in ("sw.js", "queue.js", "offline.js", "register.js"):
        source = Path(finders.find(f"js/offline/{name}")).read_text(encoding="utf-8")
        assert not re.search(r"""["'`](https?:)?//""", source), name
