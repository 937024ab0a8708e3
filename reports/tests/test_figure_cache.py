"""Cached figures stay exact: any write to a counted table shows on the next load."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import roles
from lecturer_corps.delivery import verify_delivery_report
from lecturer_corps.models import DeliveryReport, SessionStatus
from lecturer_corps.tests.factories import make_request, make_session
from practicum.models import EntryState
from practicum.services import bulk_approve
from practicum.tests.factories import EntryFactory, PlacementFactory
from reports import figure_cache, selectors
from reports.periods import Period, Scope
from tests.factories import VenueFactory, make_user

from .test_query_counts import DASHBOARD_CACHED_QUERIES


@pytest.fixture
def last_month():
    """A finished month (its figures are cached; "now" is after its end)."""
    return Period.current().previous()


def _headline(response, figure: str) -> str:
    match = re.search(
        rf'data-figure="{re.escape(figure)}"><span class="value">([^<]*)</span>',
        response.content.decode(),
    )
    assert match, figure
    return match.group(1)


def _without_tokens(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", response.content.decode())


def _dashboard(client, period):
    response = client.get("/reports/", {"period": period.code})
    assert response.status_code == 200
    return response


def test_a_second_load_uses_the_cache_and_shows_the_same_page(
    client, coordinator, district, last_month, django_assert_max_num_queries
):
    client.force_login(coordinator)
    first = _dashboard(client, last_month)
    with django_assert_max_num_queries(DASHBOARD_CACHED_QUERIES):
        second = _dashboard(client, last_month)
    assert _without_tokens(second) == _without_tokens(first)


def test_a_newly_verified_delivery_report_shows_on_the_next_load(
    client, coordinator, district, lecturer, last_month
):
    venue = VenueFactory(district=district, capacity=200)
    service_request = make_request(venue=venue, date=last_month.start + dt.timedelta(days=9))
    session = make_session(service_request, lecturer, status=SessionStatus.DELIVERED)
    report = DeliveryReport.objects.create(
        session=session, filed_by=lecturer, actual_minutes=90, children_count=37
    )
    client.force_login(coordinator)
    assert _headline(_dashboard(client, last_month), "person_times.children") == "0"

    verify_delivery_report(actor=coordinator, report=report)

    response = _dashboard(client, last_month)
    assert _headline(response, "person_times.children") == "37"
    assert _headline(response, "person_times.sessions") == "1"


def test_a_practicum_entry_approved_in_bulk_shows_on_the_next_load(
    client, coordinator, supervisor, district, last_month
):
    placement = PlacementFactory(
        trainee=make_user(roles.TRAINEE, district=district), supervisor=supervisor
    )
    entry = EntryFactory(
        placement=placement,
        date=last_month.start + dt.timedelta(days=3),
        minutes=150,
        state=EntryState.SUBMITTED,
        submitted_at=last_month.start_at + dt.timedelta(days=4),
    )
    client.force_login(coordinator)
    assert _headline(_dashboard(client, last_month), "practicum.approved_hours") == "0"

    # bulk_update: one UPDATE statement, no model signal.
    assert bulk_approve(entry_ids=[entry.pk], reviewer=supervisor) == (1, 0)

    assert _headline(_dashboard(client, last_month), "practicum.approved_hours") == "2.5"


def test_the_api_summary_and_the_report_content_see_the_change_too(
    api_client, coordinator, district, last_month
):
    from reports.services import build_report_content

    api_client.as_user(coordinator)
    scope = Scope(last_month)

    def registered():
        groups = api_client.get("/api/v1/reports/summary", {"period": last_month.code}).json()
        talent = next(g for g in groups["groups"] if g["key"] == "talent_pool")
        return talent["headlines"][0]["value"]

    before = registered()
    groups, _highlights = build_report_content(scope)
    make_user(roles.TRAINEE, district=district, date_joined=last_month.start_at)
    assert registered() == before + 1
    groups, _highlights = build_report_content(Scope(last_month))
    talent = next(g for g in groups if g.key == "talent_pool")
    assert talent.headlines[0].value == before + 1


def test_a_running_month_never_caches_waiting_times_measured_now(db):
    running = Scope(Period.current())
    finished = Scope(Period.current().previous())
    practicum = next(s for s in selectors.available_groups() if s.key == "practicum")
    others = [s for s in selectors.available_groups() if not s.live]
    assert not figure_cache.cacheable(running, practicum)
    assert figure_cache.cacheable(finished, practicum)
    assert all(figure_cache.cacheable(running, spec) for spec in others)
    # As-of-today figures of a running month are kept for today only.
    spec = others[0]
    versions = figure_cache.data_versions(figure_cache.group_tables(spec))
    today = timezone.localdate().isoformat()
    assert f":{today}:" in figure_cache._key(versions, running, spec)
    assert ":final:" in figure_cache._key(versions, finished, spec)


def test_the_practicum_group_of_a_running_month_is_built_on_every_load(db, district):
    scope = Scope(Period.current())
    selectors.dashboard_figures(scope)
    with CaptureQueriesContext(connection) as queries:
        selectors.dashboard_figures(Scope(Period.current()))
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "practicum_practicumentry" in sql
    assert "lecturer_corps_deliveryreport" not in sql


def test_writes_that_change_figures_are_recognised():
    changes = figure_cache.changes_figures
    assert changes('INSERT INTO "lecturer_corps_deliveryreport" ("session_id") VALUES (%s)')
    assert changes('DELETE FROM "practicum_practicumentry" WHERE "id" = %s')
    assert changes('UPDATE "accounts_user" SET "is_active" = %s WHERE "id" = %s')
    assert changes('UPDATE "accounts_user" SET "last_login" = %s, "district_id" = %s WHERE 1')
    assert changes('TRUNCATE "accounts_user", "practicum_practicumentry"')
    assert changes('INSERT INTO "accounts_user_groups" ("user_id", "group_id") VALUES (1, 2)')
    assert changes('MERGE INTO "reports_registercount" AS c USING v ON c.id = v.id')


def test_hand_written_writes_are_recognised():
    """Raw SQL as people write it (the django-cachalot comparison found these missed)."""
    written = figure_cache.written_tables
    assert written("UPDATE public.quizzes_attempt SET passed = false") == {"quizzes_attempt"}
    assert written('\n    UPDATE "quizzes_attempt" SET passed = false') == {"quizzes_attempt"}
    assert written("/* fix */ DELETE FROM practicum_practicumentry WHERE id = 1") == {
        "practicum_practicumentry"
    }
    assert written("-- fix\nupdate Quizzes_Attempt set passed = false") == {"quizzes_attempt"}
    assert written(
        "WITH picked AS (SELECT id FROM quizzes_attempt WHERE grade < 60) "
        "UPDATE courses_enrolment SET state = 'x' FROM picked"
    ) == {"quizzes_attempt", "courses_enrolment"}
    assert written('WITH g AS (DELETE FROM "accounts_user_groups" RETURNING 1) SELECT 1') == {
        "accounts_user_groups"
    }


def test_hand_written_reads_and_other_tables_are_ignored():
    written = figure_cache.written_tables
    assert written('WITH x AS (SELECT 1) SELECT * FROM "quizzes_attempt"') == frozenset()
    assert written('WITH x AS (SELECT 1) UPDATE "audit_auditlog" SET action = 1') == frozenset()
    assert written('  SELECT 1 FROM "quizzes_attempt"') == frozenset()
    assert written("UPDATE public.audit_auditlog SET action = 1") == frozenset()
    assert written("-") == frozenset()


def test_a_hand_written_cte_update_through_django_bumps_its_table(db):
    before = figure_cache.data_version("quizzes_attempt")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH picked AS (SELECT id FROM quizzes_attempt)
            UPDATE quizzes_attempt SET passed = passed WHERE id IN (SELECT id FROM picked)
            """
        )
    assert figure_cache.data_version("quizzes_attempt") > before


def test_reads_and_writes_no_figure_reads_are_ignored():
    changes = figure_cache.changes_figures
    assert not changes('SELECT COUNT(*) FROM "practicum_practicumentry"')
    assert not changes('SAVEPOINT "s1"')
    assert not changes('INSERT INTO "audit_auditlog" ("action") VALUES (%s)')
    assert not changes('UPDATE "accounts_user" SET "last_login" = %s WHERE "id" = %s')
    assert not changes(
        'UPDATE "courses_enrolment" SET "last_lesson_id" = %s, "last_activity_at" = %s '
        'WHERE "courses_enrolment"."id" = %s'
    )


def test_logging_in_keeps_the_cached_figures(client, coordinator, db):
    before = figure_cache.data_version("accounts_user")
    client.force_login(coordinator)  # UPDATE accounts_user SET last_login
    assert figure_cache.data_version("accounts_user") == before
    make_user(roles.TRAINEE)
    assert figure_cache.data_version("accounts_user") > before


def test_each_group_says_whether_the_report_compares_it(db):
    scope = Scope(Period.current().previous())
    for spec in selectors.available_groups():
        group = spec.build(scope)
        assert spec.compared == any(h.compare for h in group.headlines), spec.key


def test_without_a_cache_the_figures_are_built_live(db, district, last_month, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(figure_cache.cache, "get", down)
    groups = selectors.dashboard_figures(Scope(last_month))
    assert [g.key for g in groups] == [s.key for s in selectors.available_groups()]


def test_every_table_a_group_reads_is_in_its_key(db, district, last_month):
    """A group reading a table its ``reads`` does not name would serve stale figures."""
    for scope in (Scope(last_month), Scope(last_month, district)):
        for spec in selectors.available_groups():
            with CaptureQueriesContext(connection) as queries:
                spec.build(scope)
            read = {
                table
                for query in queries.captured_queries
                for table in re.findall(r'(?:FROM|JOIN) "(\w+)"', query["sql"])
            }
            assert read, spec.key
            assert read <= set(figure_cache.group_tables(spec)), spec.key
            assert read <= set(figure_cache.counted_tables()), spec.key


def test_a_write_rebuilds_only_the_groups_that_read_its_table(db, district, last_month):
    from reports.models import RegisterCount

    selectors.dashboard_figures(Scope(last_month))
    RegisterCount.objects.create(
        year=last_month.start.year, district=district, category="orphan", children=50
    )
    with CaptureQueriesContext(connection) as queries:
        groups = selectors.dashboard_figures(Scope(last_month))
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "reports_registercount" in sql
    assert "practicum_practicumentry" not in sql and "quizzes_attempt" not in sql
    coverage = next(g for g in groups if g.key == "coverage")
    assert next(h for h in coverage.headlines if h.key == "children_known").value == 50


def test_a_group_that_names_no_tables_is_never_cached(db, last_month):
    from dataclasses import replace

    spec = replace(selectors.available_groups()[0], reads=())
    assert not figure_cache.cacheable(Scope(last_month), spec)


@pytest.mark.django_db(transaction=True)
def test_a_write_in_a_transaction_bumps_the_version_again_when_it_commits():
    from django.db import transaction

    with transaction.atomic():
        make_user(roles.TRAINEE)
        during = figure_cache.data_version("accounts_user")
        assert connection.in_atomic_block
    assert figure_cache.data_version("accounts_user") > during


def test_watching_writes_registers_no_on_commit_callbacks(db, django_capture_on_commit_callbacks):
    """Other code (and its tests) count their own on-commit callbacks."""
    with django_capture_on_commit_callbacks() as callbacks:
        make_user(roles.TRAINEE)
    assert callbacks == []


def test_switched_off_every_load_builds_the_groups_and_writes_still_bump(db, last_month, settings):
    """``REPORTS_FIGURES_CACHE = False`` serves nothing from the cache; turned back on, a
    group cached before the switch is not served after a write made while it was off."""
    from dataclasses import replace

    builds = []
    talent = next(s for s in selectors.available_groups() if s.key == "talent_pool")

    def counted_build(scope):
        builds.append(scope.period.code)
        return talent.build(scope)

    spec = replace(talent, build=counted_build)
    scope = Scope(last_month)
    figure_cache.figure_groups(scope, [spec])
    figure_cache.figure_groups(scope, [spec])
    assert len(builds) == 1  # on: the second load is served from the cache

    settings.REPORTS_FIGURES_CACHE = False
    figure_cache.figure_groups(scope, [spec])
    figure_cache.figure_groups(scope, [spec])
    assert len(builds) == 3  # off: built on every load
    make_user(roles.TRAINEE, date_joined=last_month.start_at)

    settings.REPORTS_FIGURES_CACHE = True
    (group,) = figure_cache.figure_groups(scope, [spec])
    assert len(builds) == 4
    assert group.headlines[0].value == talent.build(scope).headlines[0].value


def _registered(scope) -> int:
    (talent,) = selectors.dashboard_figures(scope, keys=["talent_pool"])
    return talent.headlines[0].value


def test_figures_built_before_a_savepoint_rollback_are_not_served_after(db, district, last_month):
    from django.db import transaction

    scope = Scope(last_month)
    before = _registered(scope)
    with transaction.atomic():
        make_user(roles.TRAINEE, district=district, date_joined=last_month.start_at)
        assert _registered(scope) == before + 1  # built and cached inside
        transaction.set_rollback(True)
    assert _registered(scope) == before


@pytest.mark.django_db(transaction=True)
def test_figures_built_before_a_rollback_are_not_served_after(district, last_month):
    from django.db import transaction

    scope = Scope(last_month)
    before = _registered(scope)
    with transaction.atomic():
        make_user(roles.TRAINEE, district=district, date_joined=last_month.start_at)
        assert _registered(scope) == before + 1
        transaction.set_rollback(True)
    assert not connection.in_atomic_block
    assert _registered(scope) == before
