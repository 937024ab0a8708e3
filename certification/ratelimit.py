"""The rate limit for the public verification endpoints (page, JSON and API).

The limit is per client address and shared by the page and the API
(``CERTIFICATE_VERIFY_RATE``, e.g. "30/m"); it is counted by ``lms.ratelimit`` in the cache.
"""

from __future__ import annotations

from django.conf import settings

from lms import ratelimit


def verify_rate() -> str:
    return getattr(settings, "CERTIFICATE_VERIFY_RATE", "30/m")


def verification_allowed(request) -> bool:
    """Count this request against the caller's window; False once the window is full."""
    return ratelimit.hit("certificate-verify", ratelimit.client_address(request), verify_rate())
