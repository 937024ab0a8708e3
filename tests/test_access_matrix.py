"""The access-control matrix: every URL pattern and every API operation, with every role.

The world is the demo site (``seed_demo``) built once for the module, plus a few
objects the seed does not make. Object URLs are filled with objects that belong
to "the first" actors: the trainee ``trainee`` (Gaochang District), the
supervisor ``supervisor``, the lecturer ``lecturer`` and the Gaochang District.
Every request runs in a savepoint that is rolled back, so a request that
changes something does not change the world for the next one.

Each row of ``PAGES`` and ``API`` names the expected status for the nine roles,
in the order of ``ROLES``:

    L    302 to the log-in page          R    any other redirect (e.g. 2FA set-up)
    200, 400, 401, 403, 404, 405, 422    that status

A URL pattern or API operation without a row fails ``test_every_route_has_a_rule``
with its name: a new route needs a rule before it ships.

Set ``MATRIX_DUMP=1`` to print the observed rows (to write the table for a new route).
"""

from __future__ import annotations

import datetime
import io
import os
import re

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

ROLES = (
    "anonymous",
    "trainee",
    "other_trainee",
    "lecturer",
    "supervisor",
    "other_supervisor",
    "district_coordinator",
    "other_district_coordinator",
    "administrator",
)
USERNAMES = {
    "trainee": "trainee",  # Gaochang District
    "other_trainee": "trainee2",  # Shanshan County, supervised by supervisor2
    "lecturer": "lecturer",  # Gaochang District; holds certificates, gives sessions
    "supervisor": "supervisor",  # supervises trainee and lecturer
    "other_supervisor": "supervisor2",
    "district_coordinator": "matrix_coord_gaochang",  # made here: scope Gaochang
    "other_district_coordinator": "coordinator_shanshan",  # scope Shanshan
    "administrator": "admin",
}

# URL prefixes walked by other means: the Wagtail admin and Django admin (a few
# representative rows in ADMIN_PAGES) and the API (walked from its OpenAPI schema).
EXCLUDED_PREFIXES = ("cms/", "django-admin/", "api/v1/")


# --------------------------------------------------------------------------- the world


class World:
    """Users by role and the objects that belong to the first trainee, supervisor, district."""


def build_world() -> World:
    from allauth.mfa.models import Authenticator
    from wagtail.models import APIToken

    from accounts import roles
    from accounts.models import User
    from certification.models import BulkIssueJob, Certificate, IssueRequest
    from courses.models import Cohort, Enrolment, Lesson
    from lecturer_corps.models import (
        DeliveryReport,
        LecturerProfile,
        ServiceRequest,
        Session,
        UnavailablePeriod,
    )
    from lecturer_corps.services import create_calendar_token
    from places.models import District
    from practicum.models import (
        CompetencyEvaluation,
        EntryAttachment,
        EntryState,
        Placement,
        PracticumEntry,
    )
    from quizzes.models import Attempt, AttemptSlot, AttemptState
    from reports.models import MonthlyReport
    from tests.factories import enable_two_factor, make_user

    call_command("seed_demo", stdout=io.StringIO())
    w = World()
    w.gaochang = District.objects.get(code="gaochang")
    make_user(
        roles.COORDINATOR,
        username=USERNAMES["district_coordinator"],
        coordinator_district=w.gaochang,
        district=w.gaochang,
    )
    w.users = {role: User.objects.get(username=name) for role, name in USERNAMES.items()}
    for user in w.users.values():
        if roles.role_codes(user) & roles.STAFF_ROLES and not Authenticator.objects.filter(
            user=user
        ):
            enable_two_factor(user)
    w.tokens = {
        role: APIToken.create_token(user=user, name="matrix")[1] for role, user in w.users.items()
    }
    trainee, lecturer = w.users["trainee"], w.users["lecturer"]
    w.api_token = APIToken.objects.filter(user=trainee).first()

    entries = PracticumEntry.objects.filter(trainee=trainee).order_by("pk")
    w.entry_draft = entries.filter(state=EntryState.DRAFT).first()
    w.entry_submitted = entries.filter(state=EntryState.SUBMITTED).first()
    w.entry_approved = entries.filter(state=EntryState.APPROVED).first()
    w.attachment = EntryAttachment.objects.create(
        entry=w.entry_draft,
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="evidence.pdf"),
        content_type="application/pdf",
        size=15,
        original_name="evidence.pdf",
    )
    w.placement = Placement.objects.filter(trainee=trainee).first()
    w.evaluation = CompetencyEvaluation.objects.filter(trainee=trainee).first()

    w.attempt = Attempt.objects.filter(user=trainee).first()
    w.quiz = w.attempt.quiz
    # The marking page is addressed by the answer (slot), not by the attempt.
    w.slot = (
        AttemptSlot.objects.filter(attempt__user=trainee, attempt__state=AttemptState.FINISHED)
        .order_by("pk")
        .first()
    )
    enrolment = Enrolment.objects.filter(user=trainee).select_related("course").first()
    w.course = enrolment.course
    w.lesson = Lesson.objects.descendant_of(w.course).live().first()
    module = w.lesson.get_parent()
    programme = w.course.get_parent()
    w.lesson_kwargs = {
        "programme": programme.slug,
        "course": w.course.slug,
        "module": module.slug,
        "lesson": w.lesson.slug,
    }
    w.cohort = Cohort.objects.first()

    w.certificate = Certificate.objects.filter(holder=lecturer, status="active").first()
    w.certification = w.certificate.certification
    w.issue_request = IssueRequest.objects.create(
        certification=w.certification, trainee=trainee, status="pending"
    )
    w.job = BulkIssueJob.objects.create(
        certification=w.certification,
        title="matrix",
        created_by=w.users["district_coordinator"],
        scope_district=w.gaochang,
    )

    sessions = Session.objects.filter(lecturer=lecturer).order_by("pk")
    w.session_proposed = sessions.filter(status="proposed").first()
    w.session_confirmed = sessions.filter(status="confirmed").first()
    w.delivery_report = (
        DeliveryReport.objects.filter(session__lecturer=lecturer).order_by("pk").first()
    )
    w.service_request = (
        ServiceRequest.objects.filter(venue__district=w.gaochang, status="requested")
        .order_by("pk")
        .first()
    )
    w.unavailable = UnavailablePeriod.objects.create(
        profile=LecturerProfile.objects.get(user=lecturer),
        starts_on=timezone.localdate() + datetime.timedelta(days=400),
        ends_on=timezone.localdate() + datetime.timedelta(days=401),
    )
    _token, w.calendar_secret = create_calendar_token(actor=lecturer)
    w.monthly_report = MonthlyReport.objects.first()
    from places.models import Venue
    from safeguarding.services import raise_concern

    w.concern = raise_concern(
        actor=trainee,
        category="abuse_neglect",
        urgency="urgent",
        what_seen="一名约10岁的女孩手臂上有淤青。",
        venue=Venue.objects.filter(district=w.gaochang).order_by("pk").first(),
    )
    from classes.models import Booking, TrainingClass
    from classes.seed import OPEN_TITLE

    # The open class of Gaochang, trained by the lecturer, with the trainee booked.
    w.training_class = TrainingClass.objects.get(title=OPEN_TITLE)
    w.class_booking = Booking.objects.get(training_class=w.training_class, user=trainee)
    from supervision.models import CorrectiveAction, Inspection, PublicityItem, Stage, Unit
    from supervision.services import record_session

    # Supervision the supervisor gave the trainee yesterday; the demo's inspection (of a
    # Gaochang unit, actions owned by the city coordinator), a stage, a unit's publicity.
    w.supervision_session = record_session(
        actor=w.users["supervisor"],
        kind="individual",
        date=max(timezone.localdate() - datetime.timedelta(days=1), w.placement.start_date),
        minutes=60,
        topics="个别督导：活动结束环节的设计。",
        trainees=[trainee],
    )
    w.attendance = w.supervision_session.attendances.get()
    w.inspection = Inspection.objects.order_by("pk").first()
    w.action = CorrectiveAction.objects.order_by("pk").first()
    w.stage = Stage.objects.order_by("pk").first()
    w.unit = Unit.objects.get(name="高昌区民政局")
    w.publicity_item = PublicityItem.objects.filter(unit=w.unit).order_by("pk").first()
    return w


@pytest.fixture(autouse=True)
def _media_and_cache():
    """Replaces the suite's per-test media root: the world's files live in the module's storage."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The world, built once for the module inside a transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


# ----------------------------------------------------------------------- the tables


def url(name, **kwargs):
    """A row's address: ``reverse(name)`` with kwargs computed from the world."""

    def build(w):
        return reverse(name, kwargs={k: (v(w) if callable(v) else v) for k, v in kwargs.items()})

    return build


def fixed(path):
    return lambda w: path


def _waiting_venue_request(w):
    from dispatch.models import VenueRequest

    return (
        VenueRequest.objects.filter(venue__district=w.gaochang, status="submitted")
        .order_by("pk")
        .first()
        .pk
    )


def _contact_without_account(w):
    from lecturer_corps.models import VenueContact

    return (
        VenueContact.objects.filter(venue__district=w.gaochang, user__isnull=True)
        .order_by("pk")
        .first()
        .pk
    )


def _prior_qualification(w):
    from dispatch.models import PriorQualification

    return PriorQualification.objects.get(holder__username="expert").pk


# Addresses of the patterns that take arguments (the others are ``reverse(name)``).
ADDRESSES = {
    "wagtaildocs_serve": fixed("/documents/999999/missing.pdf"),
    "favicon.ico": fixed("/favicon.ico"),
    "wagtaildocs_authenticate_with_password": url(
        "wagtaildocs_authenticate_with_password", restriction_id=999999
    ),
    "account_confirm_email": url("account_confirm_email", key="not-a-key"),
    "account_reset_password_from_key": url(
        "account_reset_password_from_key", uidb36="1", key="not-a-key"
    ),
    "accounts:revoke_token": url("accounts:revoke_token", pk=lambda w: w.api_token.pk),
    "courses:enrol": url("courses:enrol", course_id=lambda w: w.course.pk),
    "courses:withdraw": url("courses:withdraw", course_id=lambda w: w.course.pk),
    "courses:complete_lesson": url("courses:complete_lesson", lesson_id=lambda w: w.lesson.pk),
    "courses:save_reflection": url("courses:save_reflection", lesson_id=lambda w: w.lesson.pk),
    "courses:cohort_detail": url("courses:cohort_detail", cohort_id=lambda w: w.cohort.pk),
    "courses:lesson": lambda w: reverse("courses:lesson", kwargs=w.lesson_kwargs),
    "quizzes:mark": url("quizzes:mark", pk=lambda w: w.slot.pk),
    "quizzes:quiz_detail": url("quizzes:quiz_detail", pk=lambda w: w.quiz.pk),
    "quizzes:start": url("quizzes:start", pk=lambda w: w.quiz.pk),
    "quizzes:item_analysis": url("quizzes:item_analysis", pk=lambda w: w.quiz.pk),
    "quizzes:attempt": url("quizzes:attempt", pk=lambda w: w.attempt.pk),
    "quizzes:finish": url("quizzes:finish", pk=lambda w: w.attempt.pk),
    "quizzes:review": url("quizzes:review", pk=lambda w: w.attempt.pk),
    "offline:page": url("offline:page", lang="en"),
    "offline:client": url("offline:client", lang="en"),
    "practicum:entry_detail": url("practicum:entry_detail", pk=lambda w: w.entry_draft.pk),
    "practicum:entry_edit": url("practicum:entry_edit", pk=lambda w: w.entry_draft.pk),
    "practicum:entry_submit": url("practicum:entry_submit", pk=lambda w: w.entry_draft.pk),
    "practicum:entry_delete": url("practicum:entry_delete", pk=lambda w: w.entry_draft.pk),
    "practicum:entry_review": url("practicum:entry_review", pk=lambda w: w.entry_submitted.pk),
    "practicum:entry_reverse": url("practicum:entry_reverse", pk=lambda w: w.entry_approved.pk),
    "practicum:attachment": url("practicum:attachment", pk=lambda w: w.attachment.pk),
    "practicum:attachment_delete": url("practicum:attachment_delete", pk=lambda w: w.attachment.pk),
    "practicum:evaluation_start": url(
        "practicum:evaluation_start", placement_pk=lambda w: w.placement.pk
    ),
    "practicum:evaluation": url("practicum:evaluation", pk=lambda w: w.evaluation.pk),
    "practicum:evaluation_correct": url(
        "practicum:evaluation_correct", pk=lambda w: w.evaluation.pk
    ),
    "practicum:evaluation_sign": url("practicum:evaluation_sign", pk=lambda w: w.evaluation.pk),
    "practicum:trainee_review": url(
        "practicum:trainee_review", user_pk=lambda w: w.users["trainee"].pk
    ),
    "practicum:ledger": url(
        "practicum:ledger",
        user_pk=lambda w: w.users["trainee"].pk,
        qualification=lambda w: w.placement.qualification,
    ),
    "practicum:record_pdf": url(
        "practicum:record_pdf",
        user_pk=lambda w: w.users["trainee"].pk,
        qualification=lambda w: w.placement.qualification,
    ),
    "practicum:placement_reassign": url(
        "practicum:placement_reassign", pk=lambda w: w.placement.pk
    ),
    "certification:claim": url("certification:claim", code=lambda w: w.certification.code),
    "certification:renew": url("certification:renew", serial=lambda w: w.certificate.serial),
    "certification:detail": url("certification:detail", serial=lambda w: w.certificate.serial),
    "certification:pdf": url("certification:pdf", serial=lambda w: w.certificate.serial),
    "certification:credential": url(
        "certification:credential", serial=lambda w: w.certificate.serial
    ),
    "certification:verify": url(
        "certification:verify", code=lambda w: w.certificate.verification_code
    ),
    "classes:detail": url("classes:detail", pk=lambda w: w.training_class.pk),
    "classes:sign_up": url("classes:sign_up", pk=lambda w: w.training_class.pk),
    "classes:cancel_booking": url("classes:cancel_booking", pk=lambda w: w.training_class.pk),
    "classes:check_in": url("classes:check_in", pk=lambda w: w.training_class.pk),
    "classes:roster": url("classes:roster", pk=lambda w: w.training_class.pk),
    "classes:mark": url(
        "classes:mark", pk=lambda w: w.training_class.pk, booking_pk=lambda w: w.class_booking.pk
    ),
    "classes:show_code": url("classes:show_code", pk=lambda w: w.training_class.pk),
    "classes:code_json": url("classes:code_json", pk=lambda w: w.training_class.pk),
    "classes:edit": url("classes:edit", pk=lambda w: w.training_class.pk),
    "classes:cancel": url("classes:cancel", pk=lambda w: w.training_class.pk),
    "classes:book_cohort": url("classes:book_cohort", pk=lambda w: w.training_class.pk),
    "certification:achievement": url(
        "certification:achievement", code=lambda w: w.certification.code
    ),
    "certification:credential_json": url(
        "certification:credential_json", code=lambda w: w.certificate.verification_code
    ),
    "certification:status_list": url(
        "certification:status_list", pk=lambda w: w.certificate.status_list_id
    ),
    "certification:decide": url(
        "certification:decide", pk=lambda w: w.issue_request.pk, decision="approve"
    ),
    "certification:revoke": url("certification:revoke", serial=lambda w: w.certificate.serial),
    "certification:reissue": url("certification:reissue", serial=lambda w: w.certificate.serial),
    "certification:job": url("certification:job", pk=lambda w: w.job.pk),
    "certification:job_progress": url("certification:job_progress", pk=lambda w: w.job.pk),
    # Dispatch planning: the demo's venue request waiting in Gaochang, a Gaochang contact
    # without an account, the expert's approved qualification from elsewhere (Gaochang).
    "dispatch:venue_request_edit": url(
        "dispatch:venue_request_edit", pk=lambda w: _waiting_venue_request(w)
    ),
    "dispatch:venue_request_withdraw": url(
        "dispatch:venue_request_withdraw", pk=lambda w: _waiting_venue_request(w)
    ),
    "dispatch:triage_detail": url("dispatch:triage_detail", pk=lambda w: _waiting_venue_request(w)),
    "dispatch:triage_accept": url("dispatch:triage_accept", pk=lambda w: _waiting_venue_request(w)),
    "dispatch:triage_changes": url(
        "dispatch:triage_changes", pk=lambda w: _waiting_venue_request(w)
    ),
    "dispatch:triage_decline": url(
        "dispatch:triage_decline", pk=lambda w: _waiting_venue_request(w)
    ),
    "dispatch:contact_invite": url(
        "dispatch:contact_invite", pk=lambda w: _contact_without_account(w)
    ),
    "dispatch:recurring_toggle": url(
        "dispatch:recurring_toggle", pk=lambda w: w.service_request.pk
    ),
    "dispatch:cost_export": url("dispatch:cost_export", fmt="csv"),
    "dispatch:prior_detail": url("dispatch:prior_detail", pk=lambda w: _prior_qualification(w)),
    "dispatch:prior_evidence": url("dispatch:prior_evidence", pk=lambda w: _prior_qualification(w)),
    "dispatch:prior_approve": url("dispatch:prior_approve", pk=lambda w: _prior_qualification(w)),
    "dispatch:prior_reject": url("dispatch:prior_reject", pk=lambda w: _prior_qualification(w)),
    "dispatch:prior_revoke": url("dispatch:prior_revoke", pk=lambda w: _prior_qualification(w)),
    "lecturer_corps:session_detail": url(
        "lecturer_corps:session_detail", pk=lambda w: w.session_proposed.pk
    ),
    "lecturer_corps:session_respond": url(
        "lecturer_corps:session_respond", pk=lambda w: w.session_proposed.pk
    ),
    "lecturer_corps:report_create": url(
        "lecturer_corps:report_create", pk=lambda w: w.session_confirmed.pk
    ),
    "lecturer_corps:unavailable_remove": url(
        "lecturer_corps:unavailable_remove", pk=lambda w: w.unavailable.pk
    ),
    "lecturer_corps:calendar_feed": url(
        "lecturer_corps:calendar_feed", secret=lambda w: w.calendar_secret
    ),
    "lecturer_corps:venue_confirm": url("lecturer_corps:venue_confirm", token="not-a-token"),
    "lecturer_corps:report_return": url(
        "lecturer_corps:report_return", pk=lambda w: w.delivery_report.pk
    ),
    "lecturer_corps:venue_contacts": url(
        "lecturer_corps:venue_contacts", pk=lambda w: w.delivery_report.session.request.venue_id
    ),
    "lecturer_corps:venue_contact_active": url(
        "lecturer_corps:venue_contact_active",
        pk=lambda w: w.delivery_report.session.request.venue_id,
        contact_pk=lambda w: w.delivery_report.session.request.venue.contacts.first().pk,
    ),
    "lecturer_corps:request_detail": url(
        "lecturer_corps:request_detail", pk=lambda w: w.service_request.pk
    ),
    "lecturer_corps:request_assign": url(
        "lecturer_corps:request_assign", pk=lambda w: w.service_request.pk
    ),
    "lecturer_corps:request_cancel": url(
        "lecturer_corps:request_cancel", pk=lambda w: w.service_request.pk
    ),
    "lecturer_corps:request_reschedule": url(
        "lecturer_corps:request_reschedule", pk=lambda w: w.service_request.pk
    ),
    "lecturer_corps:report_detail": url(
        "lecturer_corps:report_detail", pk=lambda w: w.delivery_report.pk
    ),
    "lecturer_corps:report_verify": url(
        "lecturer_corps:report_verify", pk=lambda w: w.delivery_report.pk
    ),
    "safeguarding:detail": url("safeguarding:detail", pk=lambda w: w.concern.pk),
    "safeguarding:acknowledge": url("safeguarding:acknowledge", pk=lambda w: w.concern.pk),
    "safeguarding:refer": url("safeguarding:refer", pk=lambda w: w.concern.pk),
    "safeguarding:close": url("safeguarding:close", pk=lambda w: w.concern.pk),
    "supervision:session": url("supervision:session", pk=lambda w: w.supervision_session.pk),
    "supervision:confirm": url("supervision:confirm", pk=lambda w: w.attendance.pk),
    "supervision:dispute": url("supervision:dispute", pk=lambda w: w.attendance.pk),
    "supervision:inspection": url("supervision:inspection", pk=lambda w: w.inspection.pk),
    "supervision:add_finding": url("supervision:add_finding", pk=lambda w: w.inspection.pk),
    "supervision:action": url("supervision:action", pk=lambda w: w.action.pk),
    "supervision:submit_evidence": url("supervision:submit_evidence", pk=lambda w: w.action.pk),
    "supervision:verify": url("supervision:verify", pk=lambda w: w.action.pk),
    "supervision:action_file": url("supervision:action_file", pk=lambda w: w.action.pk),
    "supervision:stage": url("supervision:stage", pk=lambda w: w.stage.pk),
    "supervision:sign_off": url("supervision:sign_off", pk=lambda w: w.stage.pk),
    "supervision:publicity_unit": url(
        "supervision:publicity_unit",
        unit_pk=lambda w: w.unit.pk,
        period=lambda w: timezone.localdate().strftime("%Y-%m"),
    ),
    "supervision:publicity_file": url(
        "supervision:publicity_file", pk=lambda w: w.publicity_item.pk
    ),
    "supervision:publicity_remove": url(
        "supervision:publicity_remove", pk=lambda w: w.publicity_item.pk
    ),
    "reports:export_table": url(
        "reports:export_table", group_key="talent_pool", table_key="trainees_by_district", fmt="csv"
    ),
    "reports:monthly_download": url(
        "reports:monthly_download", pk=lambda w: w.monthly_report.pk, kind="pdf"
    ),
    "wagtailcore_authenticate_with_password": url(
        "wagtailcore_authenticate_with_password", page_view_restriction_id=999999, page_id=3
    ),
    "wagtail_serve": fixed("/"),
}

PAGES: dict[str, str] = {
    # role:      anon trn trn2 lec sup sup2 dc1 dc2 admin
    "account_change_password": "L   200 200 200 200 200 200 200 200",
    "account_confirm_email": "200 200 200 200 200 200 200 200 200",
    "account_confirm_login_code": "L   R   R   R   R   R   R   R   R",
    "account_confirm_reauthentication_code": "L   R   R   R   R   R   R   R   R",
    "account_email": "L   200 200 200 200 200 200 200 200",
    "account_email_verification_sent": "200 200 200 200 200 200 200 200 200",
    "account_inactive": "200 200 200 200 200 200 200 200 200",
    "account_login": "200 R   R   R   R   R   R   R   R",
    "account_logout": "R   200 200 200 200 200 200 200 200",
    "account_reauthenticate": "L   200 200 200 200 200 200 200 200",
    "account_request_reauthentication_code": "L   200 200 200 200 200 R   200 200",
    "account_reset_password": "200 200 200 200 200 200 200 200 200",
    "account_reset_password_done": "200 200 200 200 200 200 200 200 200",
    "account_reset_password_from_key": "200 200 200 200 200 200 200 200 200",
    "account_reset_password_from_key_done": "200 200 200 200 200 200 200 200 200",
    "account_set_password": "L   R   R   R   R   R   R   R   R",
    "account_signup": "200 R   R   R   R   R   R   R   R",
    "accounts:create_token": "L   405 405 405 405 405 405 405 405",
    "accounts:import_people": "L   403 403 403 403 403 200 200 200",
    "accounts:import_template": "L   403 403 403 403 403 200 200 200",
    "accounts:profile": "L   200 200 200 200 200 200 200 200",
    "accounts:revoke_token": "L   405 405 405 405 405 405 405 405",
    "certification:achievement": "200 200 200 200 200 200 200 200 200",
    "certification:certificate_list": "L   403 403 403 403 403 200 200 200",
    "certification:claim": "L   405 405 405 405 405 405 405 405",
    "certification:cohort_issue": "L   403 403 403 403 403 200 200 200",
    "certification:credential": "L   404 404 200 404 404 200 404 200",
    "certification:credential_json": "200 200 200 200 200 200 200 200 200",
    "certification:decide": "L   403 403 403 403 403 405 405 405",
    "certification:detail": "L   404 404 200 404 404 200 404 200",
    "certification:expiring": "L   403 403 403 403 403 200 200 200",
    "certification:issuer_profile": "200 200 200 200 200 200 200 200 200",
    "certification:job": "L   403 403 403 403 403 200 404 200",
    "certification:job_progress": "L   403 403 403 403 403 200 404 200",
    "certification:jwks": "200 200 200 200 200 200 200 200 200",
    "certification:manage": "L   403 403 403 403 403 200 200 200",
    "certification:my_certifications": "L   200 200 200 200 200 200 200 200",
    "certification:pdf": "L   404 404 200 404 404 200 404 200",
    "certification:pending": "L   403 403 403 403 403 200 200 200",
    "certification:reissue": "L   403 403 403 403 403 200 404 200",
    "certification:renew": "L   405 405 405 405 405 405 405 405",
    "certification:revoke": "L   403 403 403 403 403 200 404 200",
    "certification:status_list": "200 200 200 200 200 200 200 200 200",
    "certification:verify": "200 200 200 200 200 200 200 200 200",
    "certification:verify_lookup": "200 200 200 200 200 200 200 200 200",
    # Face-to-face classes: the open class of Gaochang, trained by the lecturer, the
    # trainee booked (a class one may not see is 404; check-in is closed: code.json 409).
    "classes:book_cohort": "L   405 405 405 405 405 405 405 405",
    "classes:cancel": "L   403 403 403 403 403 200 404 200",
    "classes:cancel_booking": "L   200 404 404 404 404 404 404 404",
    "classes:check_in": "L   200 200 200 404 404 200 404 200",
    "classes:code_json": "L   404 404 409 404 404 409 404 409",
    "classes:create": "L   403 403 403 403 403 200 200 200",
    "classes:detail": "L   200 200 200 404 404 200 404 200",
    "classes:edit": "L   403 403 403 403 403 200 404 200",
    "classes:list": "L   200 200 200 200 200 200 200 200",
    "classes:manage": "L   403 403 403 403 403 200 200 200",
    "classes:mark": "L   405 405 405 405 405 405 405 405",
    "classes:my_classes": "L   403 403 200 200 200 200 200 200",
    "classes:roster": "L   404 404 200 404 404 200 404 200",
    "classes:show_code": "L   404 404 200 404 404 200 404 200",
    "classes:sign_up": "L   405 405 405 405 405 405 405 405",
    "courses:catalogue": "200 200 200 200 200 200 200 200 200",
    "courses:cohort_create": "L   403 403 403 403 403 200 200 200",
    "courses:cohort_detail": "L   403 403 403 403 403 403 403 200",
    "courses:cohort_list": "L   403 403 403 403 403 200 200 200",
    "courses:complete_lesson": "L   405 405 405 405 405 405 405 405",
    "courses:enrol": "L   405 405 405 405 405 405 405 405",
    "courses:lesson": "L   200 200 200 200 200 403 403 200",
    "courses:my_learning": "L   200 200 200 200 200 200 200 200",
    "courses:save_reflection": "L   405 405 405 405 405 405 405 405",
    "courses:search": "200 200 200 200 200 200 200 200 200",
    "courses:shared_reflections": "L   403 403 403 200 200 403 403 403",
    "courses:withdraw": "L   200 200 200 404 404 404 404 404",
    "healthz": "200 200 200 200 200 200 200 200 200",
    "favicon.ico": "301 301 301 301 301 301 301 301 301",
    "home:dashboard": "L   200 200 200 200 200 200 200 200",
    # The installable site (issue 20): public, nothing personal.
    "offline:client": "200 200 200 200 200 200 200 200 200",
    "offline:csrf_token": "200 200 200 200 200 200 200 200 200",
    "offline:manifest": "200 200 200 200 200 200 200 200 200",
    "offline:page": "200 200 200 200 200 200 200 200 200",
    "offline:service_worker": "200 200 200 200 200 200 200 200 200",
    # Dispatch planning. Venue pages are for a venue's contact account (none of these
    # roles: dispatch/tests cover the contact); a qualification from elsewhere is seen by
    # its holder and the coordinators of the holder's district.
    "dispatch:venue_home": "L   403 403 403 403 403 403 403 403",
    "dispatch:venue_request_new": "L   403 403 403 403 403 403 403 403",
    "dispatch:venue_request_edit": "L   403 403 403 403 403 403 403 403",
    "dispatch:venue_request_withdraw": "L   403 403 403 403 403 403 403 403",
    "dispatch:triage_list": "L   403 403 403 403 403 200 200 200",
    "dispatch:triage_detail": "L   403 403 403 403 403 200 404 200",
    "dispatch:triage_accept": "L   403 403 403 403 403 405 405 405",
    "dispatch:triage_changes": "L   403 403 403 403 403 405 405 405",
    "dispatch:triage_decline": "L   403 403 403 403 403 405 405 405",
    "dispatch:contact_invite": "L   403 403 403 403 403 405 405 405",
    "dispatch:month_plan": "L   403 403 403 403 403 200 200 200",
    "dispatch:copy_forward": "L   403 403 403 403 403 200 200 200",
    "dispatch:request_import": "L   403 403 403 403 403 200 200 200",
    "dispatch:import_template": "L   403 403 403 403 403 200 200 200",
    "dispatch:recurring_toggle": "L   403 403 403 403 403 405 405 405",
    "dispatch:costs": "L   403 403 403 403 403 200 200 200",
    "dispatch:cost_export": "L   403 403 403 403 403 200 200 200",
    "dispatch:prior_list": "L   200 200 200 200 200 200 200 200",
    "dispatch:prior_new": "L   403 403 200 403 403 200 200 200",
    "dispatch:prior_detail": "L   404 404 404 404 404 200 404 200",
    "dispatch:prior_evidence": "L   404 404 404 404 404 200 404 200",
    "dispatch:prior_approve": "L   405 405 405 405 405 405 405 405",
    "dispatch:prior_reject": "L   405 405 405 405 405 405 405 405",
    "dispatch:prior_revoke": "L   405 405 405 405 405 405 405 405",
    "lecturer_corps:auto_assign": "L   403 403 403 403 403 200 200 200",
    "lecturer_corps:calendar": "L   403 403 403 403 403 200 200 200",
    "lecturer_corps:calendar_feed": "200 200 200 200 200 200 200 200 200",
    "lecturer_corps:calendar_link": "L   403 403 200 403 403 403 403 403",
    "lecturer_corps:lecturer_list": "L   403 403 403 403 403 200 200 200",
    "lecturer_corps:my_sessions": "L   403 403 200 403 403 403 403 403",
    # The session's own lecturer only (another lecturer: 404, tested in lecturer_corps).
    "lecturer_corps:session_detail": "L   403 403 200 403 403 403 403 403",
    "lecturer_corps:notifications": "L   200 200 200 200 200 200 200 200",
    "lecturer_corps:profile": "L   403 403 200 403 403 403 403 403",
    "lecturer_corps:report_create": "L   403 403 200 403 403 403 403 403",
    "lecturer_corps:report_detail": "L   403 403 403 403 403 200 404 200",
    "lecturer_corps:report_queue": "L   403 403 403 403 403 200 200 200",
    "lecturer_corps:report_verify": "L   403 403 403 403 403 405 405 405",
    "lecturer_corps:request_assign": "L   403 403 403 403 403 405 405 405",
    "lecturer_corps:request_cancel": "L   403 403 403 403 403 405 405 405",
    "lecturer_corps:request_create": "L   403 403 403 403 403 200 200 200",
    "lecturer_corps:request_detail": "L   403 403 403 403 403 200 404 200",
    "lecturer_corps:request_list": "L   403 403 403 403 403 200 200 200",
    "lecturer_corps:request_reschedule": "L   403 403 403 403 403 405 405 405",
    "lecturer_corps:session_respond": "L   403 403 405 403 403 403 403 403",
    "lecturer_corps:venue_confirm": "404 404 404 404 404 404 404 404 404",
    "lecturer_corps:report_return": "L   403 403 403 403 403 405 405 405",
    "lecturer_corps:venue_contacts": "L   403 403 403 403 403 200 404 200",
    "lecturer_corps:venue_contact_active": "L   403 403 403 403 403 405 405 405",
    "lecturer_corps:unavailable_add": "L   403 403 405 403 403 403 403 403",
    "lecturer_corps:unavailable_remove": "L   403 403 405 403 403 403 403 403",
    "lecturer_corps:venue_import": "L   403 403 403 403 403 200 200 200",
    "mfa_activate_totp": "L   R   R   R   R   R   R   R   R",
    "mfa_authenticate": "L   R   R   R   R   R   R   R   R",
    "mfa_deactivate_totp": "L   404 404 404 R   R   R   R   R",
    "mfa_download_recovery_codes": "L   404 404 404 404 404 404 404 404",
    "mfa_generate_recovery_codes": "L   R   R   R   R   R   R   R   R",
    "mfa_index": "L   200 200 200 200 200 200 200 200",
    "mfa_reauthenticate": "L   R   R   R   200 200 200 200 200",
    "mfa_view_recovery_codes": "L   404 404 404 404 404 404 404 404",
    "practicum:attachment": "L   200 404 404 200 404 200 404 200",
    "practicum:attachment_delete": "405 405 405 405 405 405 405 405 405",
    "practicum:bulk_approve": "405 405 405 405 405 405 405 405 405",
    "practicum:entry_delete": "405 405 405 405 405 405 405 405 405",
    "practicum:entry_detail": "L   200 404 404 200 404 200 404 200",
    "practicum:entry_edit": "L   200 404 404 403 403 403 403 403",
    "practicum:entry_reverse": "405 405 405 405 405 405 405 405 405",
    "practicum:entry_review": "405 405 405 405 405 405 405 405 405",
    "practicum:entry_submit": "405 405 405 405 405 405 405 405 405",
    "practicum:evaluation": "L   200 404 404 200 404 200 404 200",
    "practicum:evaluation_correct": "405 405 405 405 405 405 405 405 405",
    "practicum:evaluation_sign": "L   403 403 403 R   404 403 403 403",
    "practicum:evaluation_start": "405 405 405 405 405 405 405 405 405",
    "practicum:ledger": "L   200 404 404 200 404 200 404 200",
    "practicum:my_entries": "L   200 200 200 403 403 403 403 403",
    "practicum:my_ledger": "L   R   R   R   R   R   R   R   R",
    "practicum:my_trainees": "L   403 403 403 200 200 403 403 403",
    "practicum:overview": "L   403 403 403 403 403 200 200 200",
    "practicum:placement_create": "L   403 403 403 403 403 200 200 200",
    "practicum:placement_reassign": "L   403 403 403 403 403 200 404 200",
    "practicum:record_pdf": "L   200 404 404 200 404 200 404 200",
    "practicum:review_queue": "L   403 403 403 200 200 403 403 403",
    "practicum:trainee_review": "L   403 403 403 200 404 403 403 403",
    "quizzes:attempt": "L   R   404 404 R   404 R   404 R",
    "quizzes:finish": "L   R   404 404 R   404 R   404 R",
    "quizzes:gradebook": "L   403 403 403 200 200 200 200 200",
    "quizzes:grading_queue": "L   403 403 403 200 200 403 403 200",
    "quizzes:item_analysis": "L   403 403 403 200 200 200 200 200",
    "quizzes:mark": "L   403 403 403 200 404 403 403 200",
    "quizzes:my_results": "L   200 200 200 200 200 200 200 200",
    "quizzes:quiz_detail": "L   200 200 200 403 403 403 403 403",
    "quizzes:review": "L   200 404 404 200 404 200 404 200",
    "quizzes:start": "L   405 405 405 405 405 405 405 405",
    "reports:audit_log": "L   403 403 403 403 403 403 403 200",
    "reports:coverage": "L   403 403 403 403 403 200 200 200",
    "reports:dashboard": "L   403 403 403 403 403 200 200 200",
    "reports:export_table": "L   403 403 403 403 403 200 200 200",
    "reports:monthly_download": "L   403 403 403 403 403 403 403 200",
    "reports:monthly_list": "L   403 403 403 403 403 200 200 200",
    "safeguarding:acknowledge": "L   405 405 405 405 405 405 405 405",
    "safeguarding:close": "L   405 405 405 405 405 405 405 405",
    "safeguarding:detail": "L   200 404 404 200 404 200 404 200",
    "safeguarding:list": "L   200 200 200 200 200 200 200 200",
    "safeguarding:raise": "L   200 200 200 403 403 403 403 403",
    "safeguarding:refer": "L   405 405 405 405 405 405 405 405",
    "supervision:action": "L   404 404 404 404 404 200 404 200",
    "supervision:action_file": "L   404 404 404 404 404 404 404 404",
    "supervision:actions": "L   200 200 200 200 200 200 200 200",
    "supervision:add_finding": "L   405 405 405 405 405 405 405 405",
    "supervision:confirm": "L   405 405 405 405 405 405 405 405",
    "supervision:dispute": "L   405 405 405 405 405 405 405 405",
    "supervision:home": "L   200 200 200 200 200 200 200 200",
    "supervision:inspection": "L   404 404 404 404 404 200 404 200",
    "supervision:inspection_new": "L   403 403 403 403 403 403 403 403",
    "supervision:inspections": "L   200 200 200 200 200 200 200 200",
    "supervision:publicity": "L   200 200 200 200 200 200 200 200",
    "supervision:publicity_file": "L   404 404 404 404 404 404 404 404",
    "supervision:publicity_remove": "L   405 405 405 405 405 405 405 405",
    "supervision:publicity_unit": "L   200 404 404 404 404 200 404 200",
    "supervision:session": "L   200 404 404 200 404 404 404 200",
    "supervision:session_new": "L   403 403 403 200 200 403 403 403",
    "supervision:sessions": "L   200 200 200 200 200 200 200 200",
    "supervision:sign_off": "L   405 405 405 405 405 405 405 405",
    "supervision:stage": "L   403 403 403 403 403 200 200 200",
    "supervision:stages": "L   403 403 403 403 403 200 200 200",
    "supervision:submit_evidence": "L   405 405 405 405 405 405 405 405",
    "supervision:verify": "L   405 405 405 405 405 405 405 405",
    "set_language": "R   R   R   R   R   R   R   R   R",
    "wagtail_serve": "200 200 200 200 200 200 200 200 200",
    "wagtailcore_authenticate_with_password": "404 404 404 404 404 404 404 404 404",
    "wagtailcore_login": "200 200 200 200 200 200 200 200 200",
    "wagtaildocs_authenticate_with_password": "404 404 404 404 404 404 404 404 404",
    "wagtaildocs_serve": "404 404 404 404 404 404 404 404 404",
}

# The Wagtail admin and the Django admin, by a few representative pages.
ADMIN_PAGES: dict[str, str] = {
    "/cms/": "L   L   L   L   200 200 200 200 200",
    "/cms/pages/": "L   L   L   L   R   R   R   R   200",
    "/cms/marking_pool/": "L   L   L   L   R   R   R   R   200",
    "/cms/reports/site-history/": "L   L   L   L   200 200 200 200 200",
    "/cms/snippets/": "L   L   L   L   R   R   R   R   R",
    "/cms/users/": "L   L   L   L   200 200 200 200 200",
    # Coordinators manage non-staff people of their scope only (accounts.wagtail_users).
    "/cms/users/edit/{other_trainee}/": "L   L   L   L   R   R   R   200 200",
    "/cms/users/edit/{administrator}/": "L   L   L   L   R   R   R   R   200",
    "/django-admin/": "R   R   R   R   R   R   R   R   200",
    "/django-admin/accounts/user/": "R   R   R   R   R   R   R   R   200",
    "/django-admin/audit/auditlog/": "R   R   R   R   R   R   R   R   200",
}
for _path in ADMIN_PAGES:
    ADDRESSES[_path] = lambda w, _path=_path: _path.format(
        other_trainee=w.users["other_trainee"].pk, administrator=w.users["administrator"].pk
    )

# Operations are sent with an empty JSON body: write operations that need one
# answer 422 to everyone who gets past authentication.
API: dict[str, str] = {
    "GET /attempts/{attempt_id}": "401 200 404 404 200 404 200 404 200",
    "GET /classes": "401 200 200 200 200 200 200 200 200",
    "GET /classes/teaching": "401 200 200 200 200 200 200 200 200",
    "GET /classes/{class_id}": "401 200 200 200 404 404 200 404 200",
    "GET /classes/{class_id}/check-in-code": "401 404 404 409 404 404 409 404 409",
    "GET /classes/{class_id}/roster": "401 404 404 200 404 404 200 404 200",
    "GET /me/class-bookings": "401 200 200 200 200 200 200 200 200",
    "POST /classes": "401 422 422 422 422 422 422 422 422",
    "POST /classes/{class_id}/attendance": "401 422 422 422 422 422 422 422 422",
    "POST /classes/{class_id}/cancel": "401 422 422 422 422 422 422 422 422",
    "POST /classes/{class_id}/cancel-booking": "401 200 404 404 404 404 404 404 404",
    "POST /classes/{class_id}/check-in": "401 422 422 422 422 422 422 422 422",
    "POST /classes/{class_id}/sign-up": "401 201 201 403 404 404 403 404 403",
    "GET /certificates/{serial}/credential": "401 404 404 200 404 404 200 404 200",
    "GET /certificates/{serial}/pdf": "401 404 404 200 404 404 200 404 200",
    "GET /courses": "401 200 200 200 200 200 200 200 200",
    "GET /courses/{course_id}": "401 200 200 200 200 200 200 200 200",
    "GET /courses/{course_id}/offline": "401 200 200 200 403 403 403 403 403",
    # Dispatch planning (venue endpoints: a venue contact's account, none of these roles).
    "GET /venue/requests": "401 403 403 403 403 403 403 403 403",
    "POST /venue/requests": "401 422 422 422 422 422 422 422 422",
    "PUT /venue/requests/{venue_request_id}": "401 422 422 422 422 422 422 422 422",
    "POST /venue/requests/{venue_request_id}/withdraw": "401 403 403 403 403 403 403 403 403",
    "GET /venue/sessions": "401 403 403 403 403 403 403 403 403",
    "GET /venue-requests": "401 403 403 403 403 403 200 200 200",
    "POST /venue-requests/{venue_request_id}/accept": "401 403 403 403 403 403 201 404 201",
    "POST /venue-requests/{venue_request_id}/request-changes": "401 422 422 422 422 422 422 422 422",
    "POST /venue-requests/{venue_request_id}/decline": "401 422 422 422 422 422 422 422 422",
    "POST /dispatch/copy-forward": "401 422 422 422 422 422 422 422 422",
    "GET /dispatch/supply-demand": "401 422 422 422 422 422 422 422 422",
    "GET /dispatch/costs": "401 422 422 422 422 422 422 422 422",
    # Uploads (multipart): the empty JSON body lacks the file; refusals by role and scope
    # with a file are in dispatch/tests/test_api_uploads.py.
    "POST /dispatch/import": "401 422 422 422 422 422 422 422 422",
    "POST /prior-qualifications": "401 422 422 422 422 422 422 422 422",
    "GET /prior-qualifications": "401 200 200 200 200 200 200 200 200",
    "POST /prior-qualifications/{qualification_id}/approve": "401 404 404 404 404 404 409 404 409",
    "POST /prior-qualifications/{qualification_id}/reject": "401 422 422 422 422 422 422 422 422",
    "POST /prior-qualifications/{qualification_id}/revoke": "401 422 422 422 422 422 422 422 422",
    "GET /lecturers": "401 403 403 403 403 403 200 200 200",
    "GET /me": "401 200 200 200 200 200 200 200 200",
    "GET /me/certificates": "401 200 200 200 200 200 200 200 200",
    "GET /me/certifications": "401 200 200 200 200 200 200 200 200",
    "GET /me/enrolments": "401 200 200 200 200 200 200 200 200",
    "GET /me/practicum/summary": "401 200 200 200 200 200 200 200 200",
    "GET /me/quiz-results": "401 200 200 200 200 200 200 200 200",
    "GET /practicum/entries": "401 200 200 200 200 200 200 200 200",
    "GET /practicum/entries/{entry_id}": "401 200 404 404 200 404 200 404 200",
    "GET /reports/monthly": "401 403 403 403 403 403 200 200 200",
    "GET /reports/summary": "401 403 403 403 403 403 200 200 200",
    "GET /safeguarding/concerns": "401 200 200 200 200 200 200 200 200",
    "GET /safeguarding/concerns/{concern_id}": "401 200 404 404 200 404 200 404 200",
    "GET /service-requests": "401 403 403 403 403 403 200 200 200",
    "GET /service-requests/{request_id}/candidates": "401 403 403 403 403 403 200 404 200",
    "GET /venues": "401 403 403 403 403 403 200 200 200",
    "GET /verify/{code}": "200 200 200 200 200 200 200 200 200",
    "GET /version": "200 200 200 200 200 200 200 200 200",
    "PATCH /practicum/entries/{entry_id}": "401 200 404 404 403 404 403 404 403",
    "POST /attempts/{attempt_id}/submit": "401 200 404 404 403 404 403 404 403",
    "POST /certificates/{serial}/revoke": "401 422 422 422 422 422 422 422 422",
    "POST /courses/{course_id}/enrol": "401 200 200 200 403 403 403 403 403",
    "POST /courses/{course_id}/withdraw": "401 200 200 200 404 404 404 404 404",
    "POST /lessons/{lesson_id}/complete": "401 200 200 200 403 403 403 403 403",
    "POST /practicum/entries": "401 422 422 422 422 422 422 422 422",
    "POST /practicum/entries/{entry_id}/attachments": "401 422 422 422 422 422 422 422 422",
    "POST /practicum/entries/{entry_id}/review": "401 422 422 422 422 422 422 422 422",
    "POST /practicum/entries/{entry_id}/submit": "401 200 404 404 403 404 403 404 403",
    "POST /quizzes/{quiz_id}/attempts": "401 201 201 201 403 403 403 403 403",
    "POST /safeguarding/concerns": "401 422 422 422 422 422 422 422 422",
    "POST /safeguarding/concerns/{concern_id}/acknowledge": "401 403 404 404 200 404 200 404 200",
    "POST /safeguarding/concerns/{concern_id}/close": "401 422 422 422 422 422 422 422 422",
    "POST /safeguarding/concerns/{concern_id}/refer": "401 422 422 422 422 422 422 422 422",
    "GET /supervision/actions": "401 200 200 200 200 200 200 200 200",
    "GET /supervision/inspections": "401 200 200 200 200 200 200 200 200",
    "GET /supervision/inspections/{inspection_id}": "401 404 404 404 404 404 200 404 200",
    "GET /supervision/publicity": "401 200 200 200 200 200 200 200 200",
    "GET /supervision/sessions": "401 200 200 200 200 200 200 200 200",
    "GET /supervision/sessions/{supervision_session_id}": "401 200 404 404 200 404 404 404 200",
    "GET /supervision/stages": "401 403 403 403 403 403 200 200 200",
    "POST /supervision/actions/{action_id}/verify": "401 422 422 422 422 422 422 422 422",
    "POST /supervision/attendances/{attendance_id}/confirm": "401 200 404 404 403 404 404 404 403",
    "POST /supervision/attendances/{attendance_id}/dispute": "401 422 422 422 422 422 422 422 422",
    "POST /supervision/inspections": "401 422 422 422 422 422 422 422 422",
    "POST /supervision/inspections/{inspection_id}/findings": "401 422 422 422 422 422 422 422 422",
    "POST /supervision/sessions": "401 422 422 422 422 422 422 422 422",
    "POST /supervision/stages/{stage_id}/sign-off": "401 403 403 403 403 403 403 403 403",
    "GET /supervision/actions/{action_id}": "401 404 404 404 404 404 200 404 200",
    # Uploads (multipart): the empty JSON body lacks the form's fields; refusals by role and
    # scope with a file are in supervision/tests/test_api_uploads.py.
    "POST /supervision/actions/{action_id}/evidence": "401 422 422 422 422 422 422 422 422",
    # The trainee reports the demo unit's publicity (one of its reporters).
    "GET /supervision/units/{unit_id}/publicity": "401 200 404 404 404 404 200 404 200",
    "POST /supervision/units/{unit_id}/publicity": "401 422 422 422 422 422 422 422 422",
    "DELETE /supervision/publicity/items/{item_id}": "401 204 404 404 404 404 204 404 204",
    "POST /service-requests": "401 422 422 422 422 422 422 422 422",
    "POST /service-requests/auto-assign": "401 422 422 422 422 422 422 422 422",
    "POST /service-requests/{request_id}/assign": "401 422 422 422 422 422 422 422 422",
    "POST /sessions/{session_id}/accept": "401 404 404 200 404 404 404 404 404",
    "POST /sessions/{session_id}/decline": "401 422 422 422 422 422 422 422 422",
    "POST /sessions/{session_id}/delivery-report": "401 422 422 422 422 422 422 422 422",
    "POST /venues": "401 422 422 422 422 422 422 422 422",
    "PUT /attempts/{attempt_id}/answers": "401 422 422 422 422 422 422 422 422",
}


# ------------------------------------------------------------------------ the walk


def walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = pattern.name
            if name and namespace:
                name = f"{namespace}:{name}"
            yield prefix + str(pattern.pattern), name


def site_routes() -> dict[str, str]:
    """Every URL pattern outside the excluded prefixes: {rule key: route}."""
    routes = {}
    for route, name in walk(get_resolver().url_patterns):
        if route.startswith(EXCLUDED_PREFIXES):
            continue
        routes[name or route] = route
    return routes


def api_operations() -> list[str]:
    """Every operation of the NinjaAPI, as ``"METHOD /path"`` from its OpenAPI schema."""
    from lms.api import api

    schema = api.get_openapi_schema(path_prefix="")
    return sorted(
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
    )


# A few writes, to see refusals (empty forms: whoever may act gets the form back or a redirect).
POSTS: dict[str, str] = {
    "accounts:revoke_token": "L   R   404 404 404 404 404 404 404",
    "classes:sign_up": "L   R   R   403 404 404 403 404 403",
    "classes:mark": "L   404 404 R   404 404 R   404 R",
    "certification:decide": "L   403 403 403 403 403 R   404 R",
    "certification:revoke": "L   403 403 403 403 403 200 404 200",
    "courses:cohort_create": "L   403 403 403 403 403 200 200 200",
    "lecturer_corps:report_verify": "L   403 403 403 403 403 R   404 R",
    "dispatch:triage_decline": "L   403 403 403 403 403 400 404 400",
    "dispatch:prior_approve": "L   404 404 404 404 404 R   404 R",
    "lecturer_corps:report_return": "L   403 403 403 403 403 400 404 400",
    "safeguarding:acknowledge": "L   403 404 404 R   404 R   404 R",
    "lecturer_corps:request_cancel": "L   403 403 403 403 403 R   404 R",
    "practicum:entry_delete": "L   R   404 404 403 403 403 403 403",
    "practicum:entry_review": "L   403 403 403 400 404 403 403 403",
    "practicum:placement_reassign": "L   403 403 403 403 403 200 404 200",
    "supervision:add_finding": "L   404 404 404 404 404 403 404 403",
    "supervision:confirm": "L   R   404 404 403 404 404 404 403",
    "supervision:dispute": "L   400 404 404 403 404 404 404 403",
    "supervision:publicity_remove": "L   R   404 404 404 404 R   404 R",
    "supervision:sign_off": "L   403 403 403 403 403 403 403 403",
    "supervision:submit_evidence": "L   404 404 404 404 404 400 404 403",
    "supervision:verify": "L   404 404 404 404 404 403 404 403",
}

API_PARAMS = {
    "course_id": lambda w: w.course.pk,
    "lesson_id": lambda w: w.lesson.pk,
    "quiz_id": lambda w: w.quiz.pk,
    "attempt_id": lambda w: w.attempt.pk,
    "entry_id": lambda w: w.entry_draft.pk,
    "serial": lambda w: w.certificate.serial,
    "code": lambda w: w.certificate.verification_code,
    "request_id": lambda w: w.service_request.pk,
    "session_id": lambda w: w.session_proposed.pk,
    "concern_id": lambda w: w.concern.pk,
    "supervision_session_id": lambda w: w.supervision_session.pk,
    "attendance_id": lambda w: w.attendance.pk,
    "inspection_id": lambda w: w.inspection.pk,
    "action_id": lambda w: w.action.pk,
    "stage_id": lambda w: w.stage.pk,
    "unit_id": lambda w: w.unit.pk,
    "item_id": lambda w: w.publicity_item.pk,
    "venue_request_id": lambda w: _waiting_venue_request(w),
    "qualification_id": lambda w: _prior_qualification(w),
    "class_id": lambda w: w.training_class.pk,
}


def api_url(w, path: str) -> str:
    return "/api/v1" + re.sub(r"{(\w+)}", lambda m: str(API_PARAMS[m.group(1)](w)), path)


def observed(response) -> str:
    if response.status_code == 302:
        location = response.headers.get("Location", "")
        return "L" if location.startswith(reverse("account_login")) else "R"
    return str(response.status_code)


def request_once(client, method, path, **extra) -> str:
    """One request in a savepoint rolled back afterwards: the world stays as built."""
    with transaction.atomic():
        response = getattr(client, method)(path, **extra)
        transaction.set_rollback(True)
    return observed(response)


def page_client(w, role) -> Client:
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(w.users[role])
    return client


def api_client(w, role) -> Client:
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {w.tokens[role]}"
    return client


def expected(row: str, role: str) -> str:
    codes = row.split()
    assert len(codes) == len(ROLES), f"row {row!r} needs {len(ROLES)} codes"
    return codes[ROLES.index(role)]


# --------------------------------------------------------------------------- tests


def test_every_route_has_a_rule():
    """A URL pattern or an API operation without a row in the table fails here, by name."""
    missing_pages = sorted(set(site_routes()) - set(PAGES))
    missing_api = sorted(set(api_operations()) - set(API))
    stale = sorted((set(PAGES) - set(site_routes())) | (set(API) - set(api_operations())))
    assert not missing_pages, f"URL patterns without an access rule: {missing_pages}"
    assert not missing_api, f"API operations without an access rule: {missing_api}"
    assert not stale, f"rules for routes that no longer exist: {stale}"


@pytest.mark.parametrize("role", ROLES)
def test_pages(world, role, db):
    client = page_client(world, role)
    mismatches = []
    for key in sorted(set(site_routes()) | set(ADMIN_PAGES) | (set(ADDRESSES) if DUMP else set())):
        row = PAGES.get(key) or ADMIN_PAGES.get(key)
        if row is None and not DUMP:
            continue  # reported by test_every_route_has_a_rule
        path = ADDRESSES.get(key, url(key))(world)
        got = request_once(client, "get", path)
        if DUMP:
            DUMPED.setdefault(key, {})[role] = got
        elif got != expected(row, role):
            mismatches.append(f"{key} GET {path}: expected {expected(row, role)}, got {got}")
    assert not mismatches, f"{role}:\n" + "\n".join(mismatches)


@pytest.mark.parametrize("role", ROLES)
def test_api(world, role, db):
    client = api_client(world, role)
    mismatches = []
    for operation in api_operations():
        method, path = operation.split(" ", 1)
        address = api_url(world, path)
        extra = {"content_type": "application/json", "data": {}} if method != "GET" else {}
        got = request_once(client, method.lower(), address, **extra)
        if DUMP:
            DUMPED.setdefault(operation, {})[role] = got
        elif operation in API and got != expected(API[operation], role):
            mismatches.append(
                f"{operation} ({address}): expected {expected(API[operation], role)}, got {got}"
            )
    assert not mismatches, f"{role}:\n" + "\n".join(mismatches)


@pytest.mark.parametrize("role", ROLES)
def test_posts(world, role, db):
    client = page_client(world, role)
    mismatches = []
    for key in sorted(set(POSTS) | (set(POST_KEYS) if DUMP else set())):
        path = ADDRESSES.get(key, url(key))(world)
        got = request_once(client, "post", path, data={})
        if DUMP:
            DUMPED.setdefault(f"POST {key}", {})[role] = got
        elif got != expected(POSTS[key], role):
            mismatches.append(
                f"{key} POST {path}: expected {expected(POSTS[key], role)}, got {got}"
            )
    assert not mismatches, f"{role}:\n" + "\n".join(mismatches)


POST_KEYS = (
    "practicum:entry_delete",
    "practicum:entry_review",
    "certification:revoke",
    "certification:decide",
    "lecturer_corps:request_cancel",
    "lecturer_corps:report_verify",
    "accounts:revoke_token",
    "courses:cohort_create",
    "practicum:placement_reassign",
    "safeguarding:acknowledge",
    "supervision:add_finding",
    "supervision:confirm",
    "supervision:dispute",
    "supervision:publicity_remove",
    "supervision:sign_off",
    "supervision:submit_evidence",
    "supervision:verify",
)
DUMP = bool(os.environ.get("MATRIX_DUMP"))
DUMPED: dict[str, dict[str, str]] = {}


def teardown_module(module):
    if DUMP:
        for key, by_role in DUMPED.items():
            print(f'    "{key}": "{" ".join(by_role.get(r, "?").ljust(3) for r in ROLES)}",')
