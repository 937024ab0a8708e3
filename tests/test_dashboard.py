"""The dashboard per role says what to do next (issue 17): the panels the apps register in
``lms.dashboard``, each with its counts and deadlines, in a fixed number of queries.

Each role's world is built small, the dashboard's queries are counted, the world is made
bigger (more courses, entries, trainees, offers…) and the count must not grow: no panel
reads per row. The count is also pinned with ``django_assert_max_num_queries``.
"""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from lms import dashboard as registry
from tests.factories import make_user

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _setup(client, settings):
    from django.utils import translation

    from practicum.defaults import install_defaults

    install_defaults()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def _dashboard(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home:dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def _queries(client, user) -> int:
    _dashboard(client, user)  # warm the caches that are the same for everyone (outlines)
    with CaptureQueriesContext(connection) as captured:
        _dashboard(client, user)
    return len(captured)


def _panel(html: str, name: str) -> str:
    """The HTML of one panel (``data-testid="panel-<name>"``)."""
    marker = f'data-testid="panel-{name}"'
    assert marker in html, f"panel {name} is not shown"
    start = html.index(marker)
    end = html.find('data-testid="panel-', start + len(marker))
    return html[start : end if end != -1 else None]


# --- the registry -----------------------------------------------------------------------


def test_panels_of_other_roles_are_not_built_and_an_empty_one_is_left_out(client, trainee):
    calls = []

    def coordinator_only(user):
        calls.append(user)
        return {"title": "never"}

    registry.register_panel("test.coordinator", role=roles.COORDINATOR, template="x.html")(
        coordinator_only
    )
    registry.register_panel("test.nothing", role=roles.TRAINEE, template="x.html")(
        lambda user: None
    )
    try:
        shown = registry.panels_for(trainee, roles.role_codes(trainee))
    finally:
        registry.unregister_panel("test.coordinator")
        registry.unregister_panel("test.nothing")
    assert calls == []
    names = [panel.name for panels in shown.values() for panel in panels]
    assert "test.nothing" not in names
    assert names  # the apps' own panels are there


def test_panels_come_in_their_order_and_above_the_sections_for_everyone(trainee):
    registry.register_panel("test.late", role=roles.TRAINEE, template="x.html", order=999)(
        lambda user: {"title": "late"}
    )
    registry.register_panel("test.early", role=roles.TRAINEE, template="x.html", order=-1)(
        lambda user: {"title": "early"}
    )
    try:
        shown = registry.panels_for(trainee, roles.role_codes(trainee))
    finally:
        registry.unregister_panel("test.late")
        registry.unregister_panel("test.early")
    names = [panel.name for panel in shown[roles.TRAINEE]]
    assert names[0] == "test.early" and names[-1] == "test.late"
    assert [panel.name for panel in shown[None]] == ["safeguarding.concerns"]


def test_every_app_with_work_for_a_role_registers_a_panel():
    names = {panel.name for panel in registry.registered_panels()}
    assert {
        "safeguarding.concerns",
        "courses.learning",
        "courses.shared_reflections",
        "quizzes.trainee",
        "quizzes.marking",
        "practicum.hours",
        "practicum.review",
        "practicum.evaluations",
        "certification.next_steps",
        "certification.coordinator",
        "lecturer_corps.offers",
        "lecturer_corps.sessions",
        "lecturer_corps.coordinator",
    } <= names


# --- trainee ------------------------------------------------------------------------------


def _trainee_world(trainee, supervisor, *, courses: int, entries: int):
    from certification.tests.factories import (
        ALL_INITIAL,
        CertificationTypeFactory,
        add_requirements,
    )
    from courses import services as course_services
    from courses.models import Enrolment
    from courses.tests import factories as course_factories
    from practicum.models import EntryState, Placement
    from practicum.tests.factories import EntryFactory
    from quizzes import services as quiz_services
    from quizzes.tests import factories as quiz_factories

    programme = course_factories.programme(title="心理咨询师")
    made = []
    for _index in range(courses):
        course = course_factories.course(programme, title=f"课程{next(_numbers)}", modules=(2,))
        course_services.enrol(user=trainee, course=course)
        made.append(course)
    # The first course has a deadline in three days and was worked in last.
    first = made[0]
    Enrolment.objects.filter(user=trainee, course=first).update(
        deadline=timezone.localdate() + datetime.timedelta(days=3),
        last_activity_at=timezone.now(),
    )
    course_services.complete_lesson(user=trainee, lesson=course_factories.lessons_of(first)[0])
    placement, _created = Placement.objects.get_or_create(
        trainee=trainee,
        supervisor=supervisor,
        qualification="counsellor",
        defaults={"start_date": timezone.localdate() - datetime.timedelta(days=60)},
    )
    states = [EntryState.APPROVED, EntryState.SUBMITTED, EntryState.RETURNED]
    for index in range(entries):
        EntryFactory(
            placement=placement,
            state=states[index % 3],
            submitted_at=timezone.now() - datetime.timedelta(days=2),
        )
    counsellor = CertificationTypeFactory()
    if not counsellor.requirements.exists():
        add_requirements(counsellor, *ALL_INITIAL)
    quiz = quiz_factories.quiz([quiz_factories.single()], title=f"小测{next(_numbers)}")
    quiz_services.start_attempt(user=trainee, quiz=quiz)
    return made


def test_the_trainee_sees_where_to_continue_progress_hours_and_what_is_missing(
    client, trainee, supervisor
):
    made = _trainee_world(trainee, supervisor, courses=2, entries=3)
    html = _dashboard(client, trainee)

    learning = _panel(html, "courses-learning")
    from courses.tests import factories as course_factories

    second_lesson = course_factories.lessons_of(made[0])[1]
    assert 'data-testid="continue-lesson"' in learning
    assert f'href="{second_lesson.url}"' in learning  # where she left off
    assert learning.count('data-testid="course-row"') == 2
    assert "3 days left" in learning

    hours = _panel(html, "practicum-hours")
    assert hours.count('data-testid="hours-line"') >= 3  # one bar per requirement
    assert "1 entry was returned to you for changes." in hours

    missing = _panel(html, "certification-next-steps")
    assert made[1].title in missing and f'href="{made[1].url}"' in missing

    assert "Finish your attempt" in _panel(html, "quizzes-trainee")
    assert 'data-testid="raise-concern"' in html


def test_the_trainee_dashboard_reads_in_a_fixed_number_of_queries(
    client, trainee, supervisor, django_assert_max_num_queries
):
    _trainee_world(trainee, supervisor, courses=1, entries=3)
    small = _queries(client, trainee)
    _trainee_world(trainee, supervisor, courses=4, entries=12)
    assert _queries(client, trainee) == small
    with django_assert_max_num_queries(45):
        _dashboard(client, trainee)


# --- supervising expert -------------------------------------------------------------------


def _supervisor_world(supervisor, *, trainees: int):
    from courses import services as course_services
    from courses.tests import factories as course_factories
    from practicum.models import CompetencyEvaluation, EntryState
    from practicum.tests.factories import EntryFactory, PlacementFactory
    from quizzes import services as quiz_services
    from quizzes.tests import factories as quiz_factories

    course = course_factories.course(modules=(1,), reflection_limit=200)
    lesson = course_factories.lessons_of(course)[0]
    quiz = quiz_factories.quiz([quiz_factories.essay()], title=f"论述{next(_numbers)}")
    today = timezone.localdate()
    for index in range(trainees):
        trainee = make_user(roles.TRAINEE, username=f"dash_t{next(_numbers)}")
        placement = PlacementFactory(
            trainee=trainee,
            supervisor=supervisor,
            start_date=today - datetime.timedelta(days=100),
            end_date=today + datetime.timedelta(days=10),  # the final evaluation is due
        )
        for days in (9, 3):
            EntryFactory(
                placement=placement,
                state=EntryState.SUBMITTED,
                submitted_at=timezone.now() - datetime.timedelta(days=days),
            )
        if index == 0:
            CompetencyEvaluation.objects.create(
                placement=placement,
                trainee=trainee,
                supervisor=supervisor,
                qualification=placement.qualification,
                stage="midterm",
            )
        course_services.enrol(user=trainee, course=course)
        course_services.save_reflection(
            user=trainee,
            lesson=lesson,
            block_id=course_factories.REFLECTION_BLOCK_ID,
            text="今天学会了倾听。",
            shared=True,
        )
        attempt = quiz_services.start_attempt(user=trainee, quiz=quiz)
        quiz_services.submit_attempt(
            user=trainee, attempt=attempt, answers={"1": {"text": "先建立信任关系。" * 5}}
        )


def test_the_supervisor_sees_entries_waiting_answers_evaluations_and_reflections(
    client, supervisor
):
    _supervisor_world(supervisor, trainees=2)
    html = _dashboard(client, supervisor)

    review = _panel(html, "practicum-review")
    assert "entries wait for your review" in review
    assert "The oldest has waited 9 days." in review
    assert review.count('data-testid="waiting-trainee"') == 2
    assert reverse("practicum:review_queue") in review

    marking = _panel(html, "quizzes-marking")
    assert "answers wait for your mark" in marking
    assert reverse("quizzes:grading_queue") in marking

    evaluations = _panel(html, "practicum-evaluations")
    assert evaluations.count('data-testid="evaluation-draft"') == 1
    assert evaluations.count('data-testid="evaluation-due"') == 2  # both finals are due

    reflections = _panel(html, "courses-shared-reflections")
    assert reverse("courses:shared_reflections") in reflections
    assert "2 shared in the last 14 days." in reflections


def test_the_supervisor_sees_only_their_own_trainees(client, supervisor, other_supervisor):
    _supervisor_world(other_supervisor, trainees=1)
    html = _dashboard(client, supervisor)
    assert 'data-testid="panel-practicum-review"' not in html
    assert 'data-testid="panel-quizzes-marking"' not in html
    assert 'data-testid="panel-courses-shared-reflections"' not in html


def test_the_supervisor_dashboard_reads_in_a_fixed_number_of_queries(
    client, supervisor, django_assert_max_num_queries
):
    _supervisor_world(supervisor, trainees=1)
    small = _queries(client, supervisor)
    _supervisor_world(supervisor, trainees=4)
    assert _queries(client, supervisor) == small
    with django_assert_max_num_queries(24):
        _dashboard(client, supervisor)


# --- coordinator --------------------------------------------------------------------------


def _coordinator_world(district, *, size: int):
    from certification.models import IssueRequest
    from lecturer_corps.models import (
        DeliveryReport,
        RequestStatus,
        ServiceRequest,
        SessionStatus,
    )
    from lecturer_corps.tests.factories import (
        certification_type,
        give_certificate,
        make_request,
        make_session,
    )
    from tests.factories import VenueFactory

    venue = VenueFactory(district=district, name=f"葡萄镇中心小学{next(_numbers)}")
    lecturer = make_user(roles.LECTURER, roles.TRAINEE, district=district)
    counsellor = certification_type("counsellor")
    for index in range(size):
        make_request(venue=venue, date=timezone.localdate() + datetime.timedelta(days=5 + index))
        offered = make_request(
            venue=venue, date=timezone.localdate() + datetime.timedelta(days=20 + index)
        )
        make_session(offered, lecturer, status=SessionStatus.PROPOSED)
        ServiceRequest.objects.filter(pk=offered.pk).update(status=RequestStatus.PROPOSED)
        held = make_request(
            venue=venue, date=timezone.localdate() - datetime.timedelta(days=3 + index)
        )
        session = make_session(held, lecturer, status=SessionStatus.DELIVERED)
        DeliveryReport.objects.create(
            session=session,
            filed_by=lecturer,
            filed_at=timezone.now() - datetime.timedelta(days=2 + index),
            children_count=12,
            actual_minutes=90,
        )
        holder = make_user(roles.TRAINEE, district=district)
        IssueRequest.objects.create(certification=counsellor, trainee=holder)
        give_certificate(
            make_user(roles.TRAINEE, district=district),
            expires_on=timezone.localdate() + datetime.timedelta(days=30 + index),
        )


def test_the_coordinator_sees_requests_offers_reports_and_certificates(
    client, district_coordinator, district
):
    _coordinator_world(district, size=2)
    html = _dashboard(client, district_coordinator)

    corps = _panel(html, "lecturer-corps-coordinator")
    assert 'data-testid="unassigned-requests"><span class="figure">2</span>' in corps
    assert 'data-testid="offers-waiting"><span class="figure">2</span>' in corps
    assert 'data-testid="reports-to-verify"><span class="figure">2</span>' in corps
    assert "The oldest report has waited" in corps

    certificates = _panel(html, "certification-coordinator")
    assert 'data-testid="pending-requests"><span class="figure">2</span>' in certificates
    assert 'data-testid="expiring-certificates"><span class="figure">2</span>' in certificates


def test_a_district_coordinator_sees_only_their_district(
    client, district_coordinator, other_district
):
    _coordinator_world(other_district, size=1)
    html = _dashboard(client, district_coordinator)
    assert 'data-testid="panel-lecturer-corps-coordinator"' not in html
    assert 'data-testid="panel-certification-coordinator"' not in html


def test_the_coordinator_dashboard_reads_in_a_fixed_number_of_queries(
    client, district_coordinator, district, django_assert_max_num_queries
):
    _coordinator_world(district, size=1)
    small = _queries(client, district_coordinator)
    _coordinator_world(district, size=4)
    assert _queries(client, district_coordinator) == small
    with django_assert_max_num_queries(21):
        _dashboard(client, district_coordinator)


# --- lecturer ------------------------------------------------------------------------------


def _lecturer_world(lecturer, district, *, size: int, first: int = 0):
    """Sessions for ``size`` lecturer days numbered from ``first``: worlds made with disjoint
    numbers never book the lecturer twice at once (PostgreSQL refuses that)."""
    from lecturer_corps.models import SessionStatus
    from lecturer_corps.tests.factories import make_request, make_session
    from tests.factories import VenueFactory

    venue = VenueFactory(
        district=district, name=f"葡萄镇中心小学{next(_numbers)}", address="葡萄镇建设路"
    )
    now = timezone.now()
    today = timezone.localdate()
    for index in range(first, first + size):
        day = 9 + 4 * index  # one lecturer is never booked twice at once
        soon = make_request(venue=venue, date=today + datetime.timedelta(days=day))
        make_session(
            soon,
            lecturer,
            status=SessionStatus.PROPOSED,
            response_deadline=now + datetime.timedelta(hours=5, minutes=index),
        )
        later = make_request(venue=venue, date=today + datetime.timedelta(days=day + 1))
        make_session(
            later,
            lecturer,
            status=SessionStatus.PROPOSED,
            response_deadline=now + datetime.timedelta(hours=40, minutes=index),
        )
        coming = make_request(
            venue=venue,
            date=today + datetime.timedelta(days=day + 2),
            notes="乡政府二楼会议室，需自带彩笔。",
        )
        make_session(coming, lecturer, status=SessionStatus.CONFIRMED)
        held = make_request(venue=venue, date=today - datetime.timedelta(days=2 + index))
        make_session(held, lecturer, status=SessionStatus.CONFIRMED)


def test_the_lecturer_sees_offers_with_their_deadline_and_the_next_sessions(
    client, lecturer, district
):
    _lecturer_world(lecturer, district, size=1)
    html = _dashboard(client, lecturer)

    offers = _panel(html, "lecturer-corps-offers")
    assert offers.count('data-testid="offer"') == 2
    assert offers.count('data-testid="reply-soon"') == 1  # only the one with 5 hours left
    assert "less than 5 hours left" in offers

    sessions = _panel(html, "lecturer-corps-sessions")
    assert sessions.count('data-testid="next-session"') == 1
    assert "乡政府二楼会议室，需自带彩笔。" in sessions
    assert "葡萄镇建设路" in sessions
    assert "1 session held: file its delivery report." in sessions
    # The lecturer is a trainee too: both sections are there.
    assert 'data-testid="role-lecturer"' in html and 'data-testid="role-trainee"' in html


def test_the_lecturer_dashboard_reads_in_a_fixed_number_of_queries(
    client, lecturer, district, django_assert_max_num_queries
):
    _lecturer_world(lecturer, district, size=1)
    small = _queries(client, lecturer)
    _lecturer_world(lecturer, district, size=3, first=1)
    assert _queries(client, lecturer) == small
    with django_assert_max_num_queries(26):
        _dashboard(client, lecturer)
