"""The interface to certification and courses, and what happens when a certificate lapses."""

import datetime

import pytest

from lecturer_corps import eligibility, services
from lecturer_corps import notifications as kinds
from lecturer_corps.models import Notification, SessionStatus
from lecturer_corps.tests.factories import (
    complete_course,
    give_certificate,
    make_lecturer,
    make_request,
    make_session,
    next_weekday,
)
from lecturer_corps.topics import TOPICS
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_certificates_valid_on_a_day(trainee, other_trainee):
    day = datetime.date(2028, 6, 1)
    give_certificate(trainee, "counsellor", expires_on=datetime.date(2028, 6, 1))
    give_certificate(trainee, "family_educator", expires_on=datetime.date(2028, 5, 31))
    give_certificate(other_trainee, "counsellor", status="revoked")
    assert eligibility.certificates_valid_on([trainee.pk, other_trainee.pk], day) == {
        trainee.pk: {"counsellor"}
    }


def test_superseded_certificates_do_not_count(trainee):
    give_certificate(trainee, "counsellor", status="superseded")
    assert eligibility.certificates_valid_on(None, datetime.date(2028, 1, 1)) == {}


def test_certificate_validity_gives_the_latest_expiry(trainee):
    give_certificate(trainee, "counsellor", expires_on=datetime.date(2028, 6, 1))
    give_certificate(trainee, "counsellor", expires_on=datetime.date(2031, 6, 1))
    validity = eligibility.certificate_validity([trainee.pk], datetime.date(2028, 1, 1))
    assert validity == {trainee.pk: {"counsellor": datetime.date(2031, 6, 1)}}


def test_completed_topics_map_courses_by_title(trainee, other_trainee):
    complete_course(trainee, "child_03")
    complete_course(trainee, "caregiver_06")
    enrolment = complete_course(other_trainee, "child_03")
    enrolment.completed_at = None
    enrolment.save()
    assert eligibility.completed_topics([trainee.pk, other_trainee.pk]) == {
        trainee.pk: {"child_03", "caregiver_06"}
    }


def test_topic_titles_are_the_course_titles_of_the_seed_curriculum():
    from courses.curriculum import PROGRAMMES

    titles = {
        course["title"] for programme in PROGRAMMES for course in programme.get("courses", [])
    }
    assert {topic.title for topic in TOPICS} <= titles


def test_topics_follow_the_report():
    assert len(TOPICS) == 16
    children = [t for t in TOPICS if t.audience == "children"]
    assert [t.title for t in children][:2] == ["我是有能力的小公民", "我能打败情绪小怪兽"]
    assert {t.qualification for t in children} == {"counsellor"}
    caregivers = [t for t in TOPICS if t.audience == "caregivers"]
    assert len(caregivers) == 6
    assert {t.qualification for t in caregivers} == {"family_educator"}
    assert caregivers[-1].title == "悦纳孩子的不完美"


def test_a_revoked_certificate_drops_out_and_coordinators_hear_which_sessions(
    venue, district_coordinator
):
    profile = make_lecturer(certificates=())
    certificate = give_certificate(profile.user, "counsellor")
    coming = make_session(make_request(venue=venue), profile.user)
    untouched = make_session(make_request(venue=venue, topic="caregiver_01"), make_lecturer().user)
    certificate.status = "revoked"
    certificate.save()
    assert services.certificate_changed(user_id=profile.user_id) == 1
    notification = Notification.objects.get(
        user=district_coordinator, kind=kinds.CERTIFICATE_AFFECTS_SESSIONS
    )
    assert notification.params["count"] == 1
    assert notification.params["sessions"][0]["request_id"] == coming.request_id
    assert untouched.request_id not in [s["request_id"] for s in notification.params["sessions"]]
    # Told once, not every day.
    assert services.certificate_changed() == 0


def test_a_certificate_expiring_before_a_coming_session_is_reported(venue, coordinator):
    day = next_weekday(weeks_ahead=4)
    profile = make_lecturer(certificates=())
    give_certificate(profile.user, "counsellor", expires_on=day - datetime.timedelta(days=3))
    make_session(make_request(venue=venue, date=day), profile.user)
    from lecturer_corps.tasks import check_certificates

    assert check_certificates.delay().get() == 1
    assert Notification.objects.filter(
        user=coordinator, kind=kinds.CERTIFICATE_AFFECTS_SESSIONS
    ).exists()


def test_sessions_already_delivered_are_not_reported(venue, coordinator):
    profile = make_lecturer(certificates=())
    make_session(make_request(venue=venue), profile.user, status=SessionStatus.DELIVERED)
    assert services.certificate_changed(user_id=profile.user_id) == 0


def test_a_lecturer_without_profile_is_refused_with_a_reason(venue, coordinator):
    from django.core.exceptions import ValidationError

    someone = make_user("lecturer")
    with pytest.raises(ValidationError, match="no lecturer profile"):
        services.assign_lecturer(
            actor=coordinator, service_request=make_request(venue=venue), lecturer=someone
        )


def test_revoking_through_certification_tells_the_lecturer_corps_by_signal(
    venue, district_coordinator, administrator, django_capture_on_commit_callbacks
):
    # Certification imports nothing from the lecturer corps: it sends certificate_changed
    # and the corps' receiver queues the re-check in the outbox.
    from certification.services import revoke_certificate

    profile = make_lecturer(certificates=())
    certificate = give_certificate(profile.user, "counsellor")
    make_session(make_request(venue=venue), profile.user)
    with django_capture_on_commit_callbacks(execute=True):
        revoke_certificate(certificate=certificate, revoked_by=administrator, reason="资格核查不符")
    assert Notification.objects.filter(
        user=district_coordinator, kind=kinds.CERTIFICATE_AFFECTS_SESSIONS
    ).exists()
