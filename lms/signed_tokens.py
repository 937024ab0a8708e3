"""Signed, expiring tokens for links and codes that open one thing without an account.

A token is Django's ``TimestampSigner`` over a small JSON object of claims (compact,
URL-safe), under a salt per purpose, so a token made for one purpose is refused by
every other. ``read`` checks the signature and the age and returns the claims; it
raises ``InvalidToken`` (forged, altered, another purpose's, garbage) or
``ExpiredToken`` (older than the purpose's ``max_age``). Both are ``TokenRefused``.

What a signature cannot give, the caller stores:

* **single use** — put a random ``nonce`` (``new_nonce()``) both in the claims and
  in a row of your own with a nullable ``used_at``; spend it with ``claim_once``, one
  conditional UPDATE, so two requests racing with the same token cannot both win;
* **withdrawal** — a row the caller can mark withdrawn, or a revision in the claims
  compared with the object's current one.

Short-lived rotating codes (a QR code that changes every 30 s) use the same helper with
a small ``max_age`` and a time-window claim (``current_window``), so a photographed
code stops working with its window. The signing key is ``SECRET_KEY`` (with Django's
``SECRET_KEY_FALLBACKS`` during a key rotation).
"""

from __future__ import annotations

import datetime
import secrets
import time

from django.core import signing
from django.utils import timezone


class TokenRefused(Exception):
    """The token cannot be used. ``code`` is stable: ``invalid`` or ``expired``."""

    code = "invalid"


class InvalidToken(TokenRefused):
    code = "invalid"


class ExpiredToken(TokenRefused):
    code = "expired"


MAX_TOKEN_LENGTH = 500  # longer input is refused before any decoding


class SignedTokens:
    """Tokens for one purpose. ``purpose`` is a stable dotted name used as the salt."""

    def __init__(self, purpose: str, *, max_age: datetime.timedelta):
        if not purpose:
            raise ValueError("A token purpose is required.")
        self.purpose = purpose
        self.max_age = max_age
        self._signer = signing.TimestampSigner(salt=f"lms.signed_tokens:{purpose}")

    def make(self, **claims) -> str:
        """A URL-safe token carrying ``claims`` (small JSON values: ids, nonces)."""
        return self._signer.sign_object(claims, compress=True)

    def read(self, token: str, *, max_age: datetime.timedelta | None = None) -> dict:
        """The claims of a genuine token of this purpose younger than ``max_age``."""
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
            raise InvalidToken
        try:
            claims = self._signer.unsign_object(token, max_age=max_age or self.max_age)
        except signing.SignatureExpired:
            raise ExpiredToken from None
        except (signing.BadSignature, ValueError, UnicodeError):
            raise InvalidToken from None
        if not isinstance(claims, dict):
            raise InvalidToken
        return claims


def new_nonce() -> str:
    """32 hex characters of randomness: the single-use part a caller stores."""
    return secrets.token_hex(16)


def nonces_match(given, stored: str) -> bool:
    return isinstance(given, str) and secrets.compare_digest(given, stored)


def claim_once(queryset, *, nonce: str, now: datetime.datetime | None = None, **values) -> bool:
    """Spend a stored nonce: set ``used_at`` (and ``values``) on the row of ``queryset``
    with this nonce that is still unused. True for the one caller that did it; False
    when it was already used (or never existed). Call it inside the transaction that
    makes the change the token allows."""
    updated = queryset.filter(nonce=nonce, used_at__isnull=True).update(
        used_at=now or timezone.now(), **values
    )
    return updated == 1


def current_window(seconds: int, at: float | None = None) -> int:
    """The number of the ``seconds``-long window ``at`` (a Unix time, default now) is in:
    a rotating code carries it, and is accepted only in that window (or the one before,
    for a scan that crosses the boundary)."""
    return int((time.time() if at is None else at) // seconds)
