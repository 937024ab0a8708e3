"""Fixtures shared by every test: users of each role, an API client, browser settings."""

import os

import pytest

from accounts import roles


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRACTICUM_PRIVATE_ROOT = tmp_path / "private"
    settings.LECTURER_CORPS_PRIVATE_ROOT = ""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def district(db):
    from tests.factories import DistrictFactory

    return DistrictFactory(code="gaochang", name="高昌区", name_en="Gaochang District")


@pytest.fixture
def other_district(db):
    from tests.factories import DistrictFactory

    return DistrictFactory(code="shanshan", name="鄯善县", name_en="Shanshan County")


@pytest.fixture
def trainee(db, district):
    from tests.factories import make_user

    return make_user(roles.TRAINEE, username="t_trainee", district=district)


@pytest.fixture
def other_trainee(db, district):
    from tests.factories import make_user

    return make_user(roles.TRAINEE, username="t_trainee_other", district=district)


@pytest.fixture
def lecturer(db, district):
    from tests.factories import make_user

    return make_user(roles.LECTURER, roles.TRAINEE, username="t_lecturer", district=district)


@pytest.fixture
def supervisor(db):
    from tests.factories import make_user

    return make_user(roles.SUPERVISOR, username="t_supervisor")


@pytest.fixture
def other_supervisor(db):
    from tests.factories import make_user

    return make_user(roles.SUPERVISOR, username="t_supervisor_other")


@pytest.fixture
def coordinator(db):
    """A city-wide coordinator."""
    from tests.factories import make_user

    return make_user(roles.COORDINATOR, username="t_coordinator")


@pytest.fixture
def district_coordinator(db, district):
    from tests.factories import make_user

    return make_user(roles.COORDINATOR, username="t_coord_district", coordinator_district=district)


@pytest.fixture
def other_district_coordinator(db, other_district):
    from tests.factories import make_user

    return make_user(
        roles.COORDINATOR, username="t_coord_other", coordinator_district=other_district
    )


@pytest.fixture
def administrator(db):
    from tests.factories import make_user

    return make_user(roles.ADMINISTRATOR, username="t_admin", is_staff=True)


@pytest.fixture
def api_client():
    """A test client whose ``.as_user(user)`` sends a bearer token for that user."""
    from django.test import Client
    from wagtail.models import APIToken

    class ApiClient(Client):
        def as_user(self, user):
            _token, key = APIToken.create_token(user=user, name="test")
            self.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
            return self

    return ApiClient()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """pytest-django's test database, with the migrated rows visible from every context.

    Django keeps the rows saved for serialized rollback on the connection object it
    created the test database with. A test running beside Playwright's event loop (the
    browser tests) gets another connection object for the same database (Django's
    connections are per context), which lacked them: such a test then started from an
    empty database and, ending with post_migrate, left content types under new ids for
    the next test. On the connection class, every connection object finds them.
    """
    from django.db import connections

    saved = {
        connection.alias: connection._test_serialized_contents
        for connection in connections.all()
        if getattr(connection, "_test_serialized_contents", None) is not None
    }
    if len(saved) > 1:
        raise pytest.UsageError(
            f"one database only can be serialized this way, not {sorted(saved)}"
        )
    for alias, contents in saved.items():
        type(connections[alias])._test_serialized_contents = contents
        _CANONICAL_CONTENT_TYPES[alias] = _content_types_in(contents)
    use_canonical_content_types()
    yield


# The content types the migrations made, by database: {alias: [(pk, app_label, model)]}.
_CANONICAL_CONTENT_TYPES: dict[str, list[tuple[int, str, str]]] = {}


def _content_types_in(serialized: str) -> list[tuple[int, str, str]]:
    import json

    return [
        (row["pk"], row["fields"]["app_label"], row["fields"]["model"])
        for row in json.loads(serialized)
        if row["model"] == "contenttypes.contenttype"
    ]


def use_canonical_content_types() -> None:
    """Fill ContentType's cache with the ids the migrations gave, which every restore writes.

    The cache must never be cold while the database has no content types (after a
    transactional test's flush, until the next one restores the rows): Wagtail's ``Task``
    asks for its content type in ``__init__``, so restoring a task (the course workflow's
    review task) with a cold cache created that content type under a new id, and the
    restore of the real row then collided with it (IntegrityError on django_content_type),
    or later tests read pages through a cache that mapped ids to the wrong models.
    """
    from django.contrib.contenttypes.models import ContentType

    if not _CANONICAL_CONTENT_TYPES:
        return
    ContentType.objects.clear_cache()
    for alias, rows in _CANONICAL_CONTENT_TYPES.items():
        for pk, app_label, model in rows:
            ContentType.objects._add_to_cache(
                alias, ContentType(pk=pk, app_label=app_label, model=model)
            )


@pytest.fixture(autouse=True)
def _canonical_content_types():
    """Each test starts with the content-type cache the restored rows agree with."""
    use_canonical_content_types()


TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server"}


def restore_migrated_rows_for_transactional_tests(items):
    """Every transactional test starts from the rows the migrations made (serialized rollback).

    A transactional test ends by emptying every table. Without serialized rollback, Django
    then re-creates content types and permissions (post_migrate) under new ids, while the
    other rows the migrations made (Wagtail's locale, root page and collection, the role
    groups' permissions, the practicum defaults) stay gone. Each such test then depended on
    which transactional test ran before it, and a serialized test after a plain one failed
    in set-up: restoring the saved content types collided with the re-created ones
    (IntegrityError on django_content_type). With serialized rollback on every transactional
    test, each starts from the same migrated rows, with the ids the content-type cache holds,
    and post_migrate is not run between them. (pytest-django runs all ordinary database
    tests, in whatever order, before the transactional ones, so those never see a flushed
    database.)
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None and marker.args:
            raise pytest.UsageError(f"{item.nodeid}: pass django_db options by keyword")
        options = dict(marker.kwargs) if marker is not None else {}
        transactional = (
            options.get("transaction")
            or options.get("reset_sequences")
            or TRANSACTIONAL_FIXTURES & set(getattr(item, "fixturenames", ()))
        )
        if transactional and not options.get("serialized_rollback"):
            options.update(transaction=True, serialized_rollback=True)
            item.add_marker(pytest.mark.django_db(**options), append=False)


def pytest_collection_modifyitems(config, items):
    """Transactional tests restore the migrated rows; browser tests need Chromium.

    Browser tests skip without Chromium, unless REQUIRE_BROWSER_TESTS makes that a failure.
    """
    restore_migrated_rows_for_transactional_tests(items)
    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if os.path.exists(chromium) or os.environ.get("REQUIRE_BROWSER_TESTS"):
        return
    skip = pytest.mark.skip(reason=f"Chromium not found at {chromium}")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def project_translations(settings):
    """Switch on the project's translation catalogues (off by default in tests)."""
    settings.LOCALE_PATHS = settings.PROJECT_LOCALE_PATHS
    yield
