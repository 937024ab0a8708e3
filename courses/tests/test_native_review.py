"""Translations awaiting review by a native speaker (issue 16): the flag in the page
editor, and clearing it."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.models import Locale, PageLogEntry

from accounts import roles
from courses import seed
from courses.curriculum import ETHICS
from courses.models import Course, NativeReview
from courses.native_review import CLEARED
from courses.seed_translations import seed_translations
from courses.translation import TRANSLATOR_GROUP
from tests.factories import PASSWORD, make_user

from . import factories

pytestmark = pytest.mark.django_db

FLAG = "Awaiting review by a native speaker"


@pytest.fixture
def translated(db):
    """The ethics course's seeded Uyghur draft, with translators set up as the seed does."""
    course = factories.course(slug=ETHICS, modules=(2, 1), reflection_limit=200)
    seed_translations({ETHICS: course})
    seed.ensure_authoring_setup(factories.catalogue())
    uyghur = Locale.objects.get(language_code="ug")
    return course, Course.objects.get(translation_key=course.translation_key, locale=uyghur)


@pytest.fixture
def translator(db):
    user = make_user(username="ug_translator")
    user.groups.add(Group.objects.get(name=TRANSLATOR_GROUP))
    return user


def edit_page(client, page) -> str:
    response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_translation_shows_the_flag_in_the_page_editor(client, translated, translator):
    original, translation = translated
    client.force_login(translator)

    html = edit_page(client, translation)

    assert FLAG in html
    assert reverse("courses_native_review_clear", args=[translation.pk]) in html
    assert FLAG not in edit_page(client, original)


def test_an_editor_clears_the_flag_and_nothing_is_published(client, translated, translator):
    _original, translation = translated
    assert client.login(username=translator.username, password=PASSWORD)
    url = reverse("courses_native_review_clear", args=[translation.pk])

    confirm = client.get(url)
    assert confirm.status_code == 200 and "Mark as reviewed" in confirm.content.decode()
    assert NativeReview.objects.get(page=translation).reviewed_at is None  # GET changes nothing

    response = client.post(url)

    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[translation.pk])
    assert NativeReview.objects.get(page=translation).reviewed_at is not None
    entry = PageLogEntry.objects.get(page=translation, action=CLEARED)
    assert entry.user_id == translator.pk
    translation.refresh_from_db()
    assert translation.live is False
    assert FLAG not in edit_page(client, translation)


def test_who_may_not_edit_the_page_cannot_clear_the_flag(client, translated):
    _original, translation = translated
    url = reverse("courses_native_review_clear", args=[translation.pk])
    # An admin user with no right on the course pages.
    outsider = make_user(username="admin_only")
    outsider.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    trainee = make_user(roles.TRAINEE, username="ug_trainee")

    client.force_login(outsider)
    response = client.post(url)  # Wagtail's admin turns a refusal into its home page
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    client.force_login(trainee)  # no admin access: Wagtail turns them away
    assert client.post(url).status_code in (302, 403)
    assert NativeReview.objects.get(page=translation).reviewed_at is None
    assert not PageLogEntry.objects.filter(action=CLEARED).exists()
