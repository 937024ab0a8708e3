"""A delivered session counts toward renewing the qualification whose topic it covered:
a children's activity the psychological counsellor's, a caregivers' course the
family-education instructor's, never both."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from certification.models import RequirementKind, RequirementStage
from certification.requirements import EVALUATORS, EvaluationContext
from certification.tests.factories import CertificationTypeFactory, add_requirements
from lecturer_corps.models import SessionStatus
from lecturer_corps.selectors import verified_sessions_by_lecturer
from lecturer_corps.tests.factories import make_lecturer, make_request, make_session
from lecturer_corps.topics import topic_codes_for

pytestmark = pytest.mark.django_db


def verified(lecturer, topic, day):
    request = make_request(topic=topic, date=day)
    session = make_session(request, lecturer)
    session.status = SessionStatus.VERIFIED
    session.save(update_fields=["status"])
    return session


@pytest.fixture
def lecturer():
    return make_lecturer().user


@pytest.fixture
def window(lecturer):
    today = timezone.localdate()
    return {lecturer.pk: (today - datetime.timedelta(days=365), today)}


def test_each_topic_needs_one_qualification():
    counsellor, educator = topic_codes_for("counsellor"), topic_codes_for("family_educator")
    assert len(counsellor) == 10 and len(educator) == 6
    assert not set(counsellor) & set(educator)
    assert topic_codes_for("unknown") == []


def test_sessions_count_toward_the_qualification_of_their_topic(lecturer, window):
    last_month = timezone.localdate() - datetime.timedelta(days=30)
    for days in range(3):  # one a day: a lecturer is never booked twice at once
        verified(lecturer, "child_02", last_month - datetime.timedelta(days=days))
    verified(
        lecturer, "caregiver_03", last_month - datetime.timedelta(days=3)
    )  # a caregivers' course
    users = get_user_model().objects.filter(pk=lecturer.pk)
    assert verified_sessions_by_lecturer(users, window, "counsellor") == {lecturer.pk: 3}
    assert verified_sessions_by_lecturer(users, window, "family_educator") == {lecturer.pk: 1}


def test_the_renewal_requirement_counts_only_its_own_topics(lecturer, window):
    last_month = timezone.localdate() - datetime.timedelta(days=30)
    for days in range(6):
        verified(lecturer, "caregiver_01", last_month - datetime.timedelta(days=days))
    results = {}
    for code, prefix in (("counsellor", "PC"), ("family_educator", "FE")):
        certification = add_requirements(
            CertificationTypeFactory(code=code, serial_prefix=prefix),
            RequirementKind.SESSIONS_DELIVERED,
            stage=RequirementStage.RENEWAL,
            minimum=Decimal("6"),
        )
        requirement = certification.requirements.get()
        users = get_user_model().objects.filter(pk=lecturer.pk)
        context = EvaluationContext(
            certification=certification, sources=None, windows=window, user_ids=[lecturer.pk]
        )
        evaluator = EVALUATORS[RequirementKind.SESSIONS_DELIVERED]
        results[code] = evaluator.evaluate(requirement, users, context)[lecturer.pk]
    assert results["family_educator"].met
    assert not results["counsellor"].met
    assert results["counsellor"].message == "0 of 6 verified sessions delivered"
