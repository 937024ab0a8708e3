import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def _seeded_module(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo site, seeded once for this module; each test runs in a savepoint inside."""
    media = tmp_path_factory.mktemp("seed-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def seeded(_seeded_module, db):
    return None


def test_seed_demo_is_idempotent(seeded):
    counts = (User.objects.count(),)
    call_command("seed_demo", stdout=io.StringIO())
    assert (User.objects.count(),) == counts


def test_seed_demo_creates_every_demo_login(seeded):
    names = set(User.objects.values_list("username", flat=True))
    assert {
        "trainee",
        "trainee2",
        "lecturer",
        "supervisor",
        "supervisor2",
        "coordinator",
        "coordinator_shanshan",
        "admin",
    } <= names
    assert User.objects.get(username="coordinator_shanshan").coordinator_district.code == "shanshan"
    assert User.objects.get(username="coordinator").coordinator_district is None


def test_demo_supervisors_each_have_answers_to_mark_in_their_own_scope(seeded):
    """Placements and the marking pool give each demo supervisor essays to mark, and only
    their own trainees' (quizzes.permissions)."""
    from quizzes.models import AttemptSlot
    from quizzes.permissions import markable_slots
    from tests.factories import enable_two_factor

    waiting = AttemptSlot.objects.filter(needs_manual=True)
    scopes = {}
    for username in ("supervisor", "supervisor2"):
        user = User.objects.get(username=username)
        enable_two_factor(user)
        scopes[username] = set(
            markable_slots(user, waiting).values_list("attempt__user__username", flat=True)
        )
    assert scopes["supervisor"] == {"trainee", "trainee2"}  # placement + the cohort pool
    assert scopes["supervisor2"] == {"trainee2"}  # placement only


def test_demo_course_pages_are_moderated(seeded):
    from wagtail.models import GroupPagePermission

    from courses.models import Lesson
    from courses.moderation import IndependentReviewTask

    assert not GroupPagePermission.objects.filter(permission__codename="publish_page").exists()
    workflow = Lesson.objects.first().get_workflow()
    assert isinstance(workflow.tasks.get().specific, IndependentReviewTask)


def test_seed_demo_refuses_production(settings):
    from django.core.management.base import CommandError

    settings.ENVIRONMENT = "production"
    with pytest.raises(CommandError):
        call_command("seed_demo")


def test_home_page_is_chinese_by_default(client, seeded):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans" dir="ltr">' in html


def test_language_switch_to_uyghur_is_rtl(client, seeded):
    client.post("/i18n/setlang/", {"language": "ug", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="ug" dir="rtl">' in html


def test_language_switch_to_english(client, seeded):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "Log in" in html


def test_language_choice_is_remembered_on_profile(client, seeded):
    user = User.objects.get(username="trainee")
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "ug", "next": "/"})
    user.refresh_from_db()
    assert user.preferred_language == "ug"


def test_dashboard_tells_each_role_where_to_go(client, seeded):
    client.force_login(User.objects.get(username="admin"))
    response = client.get("/dashboard/")
    assert response.status_code == 200
    urls = [item.url for _label, items in response.context["destinations"] for item in items]
    assert "/accounts/people/import/" in urls


def test_dashboard_requires_login(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302


def test_healthz_reports_dependencies(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] in ("ok", "eager")
    assert body["version"]


def test_healthz_reports_a_broker_outage_without_failing(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == "error"
    assert response.json()["status"] == "degraded"


def test_system_package_check_warns_when_missing(monkeypatch):
    from home import checks, system_packages

    monkeypatch.setattr(
        system_packages, "missing", lambda: {"harfbuzz_subset": "libharfbuzz-subset0"}
    )
    warnings = checks.check_system_packages()
    assert warnings and "libharfbuzz-subset0" in warnings[0].hint
