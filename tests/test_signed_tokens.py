"""lms.signed_tokens: purpose-bound, expiring, tamper-evident; single use via the caller's row."""

import datetime

import pytest
from django.core import signing

from lms.signed_tokens import (
    ExpiredToken,
    InvalidToken,
    SignedTokens,
    claim_once,
    current_window,
    new_nonce,
    nonces_match,
)

WEEK = datetime.timedelta(days=7)


def test_a_token_carries_its_claims_for_its_purpose_only():
    tokens = SignedTokens("test.one", max_age=WEEK)
    token = tokens.make(c=7, n="abc")
    assert tokens.read(token) == {"c": 7, "n": "abc"}
    with pytest.raises(InvalidToken):
        SignedTokens("test.two", max_age=WEEK).read(token)


@pytest.mark.parametrize("bad", ["", "x", "a:b:c", "é" * 10, "x" * 501, None, 12])
def test_garbage_is_invalid(bad):
    with pytest.raises(InvalidToken):
        SignedTokens("test.one", max_age=WEEK).read(bad)


def test_an_altered_token_is_invalid():
    tokens = SignedTokens("test.one", max_age=WEEK)
    token = tokens.make(c=7)
    value, stamp, signature = token.rsplit(":", 2)
    forged_value = tokens.make(c=8).rsplit(":", 2)[0]
    with pytest.raises(InvalidToken):
        tokens.read(f"{forged_value}:{stamp}:{signature}")


def test_a_token_past_its_age_is_expired(monkeypatch):
    tokens = SignedTokens("test.one", max_age=datetime.timedelta(seconds=30))
    real_time = signing.time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() - 31)
    token = tokens.make(c=1)
    monkeypatch.setattr(signing.time, "time", real_time)
    with pytest.raises(ExpiredToken) as refused:
        tokens.read(token)
    assert refused.value.code == "expired"
    assert tokens.read(token, max_age=datetime.timedelta(minutes=5)) == {"c": 1}


def test_nonces_are_random_and_compared_in_constant_time():
    first, second = new_nonce(), new_nonce()
    assert first != second and len(first) == 32
    assert nonces_match(first, first)
    assert not nonces_match(second, first)
    assert not nonces_match(None, first)


@pytest.mark.django_db
def test_claim_once_spends_a_nonce_once(district):
    from lecturer_corps.models import DeliveryReport, VenueConfirmation, VenueContact
    from lecturer_corps.tests.factories import make_lecturer, make_request, make_session
    from tests.factories import VenueFactory

    venue = VenueFactory(district=district)
    session = make_session(make_request(venue=venue), make_lecturer().user)
    report = DeliveryReport.objects.create(
        session=session, filed_by=session.lecturer, actual_minutes=90
    )
    contact = VenueContact.objects.create(venue=venue, name="c", email="c@example.org")
    nonce = new_nonce()
    row = VenueConfirmation.objects.create(
        report=report, contact=contact, revision=1, nonce=nonce, expires_at=session.ends_at
    )
    rows = VenueConfirmation.objects.filter(pk=row.pk)
    assert claim_once(rows, nonce=nonce, outcome="confirmed")
    assert not claim_once(rows, nonce=nonce, outcome="confirmed")
    assert not claim_once(rows, nonce=new_nonce())


def test_rotating_windows():
    assert current_window(30, at=59.9) == 1
    assert current_window(30, at=60.0) == 2
