"""A small fixed-window rate limit for the public verification endpoints (page and API).

The limit is per client address and shared by the page and the API, e.g. "30/m".
It lives in the cache, so it holds across processes when the cache is shared (Redis).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

from audit.services import client_ip

PERIODS = {"s": 1, "m": 60, "h": 3600}


def _rate() -> tuple[int, int]:
    text = getattr(settings, "CERTIFICATE_VERIFY_RATE", "30/m")
    count, _slash, period = text.partition("/")
    return int(count), PERIODS.get(period, 60)


def verification_allowed(request) -> bool:
    """Count this request against the caller's window; False once the window is full."""
    limit, seconds = _rate()
    window = int(time.time() // seconds)
    key = f"certification:verify:{client_ip(request) or 'unknown'}:{window}"
    if cache.add(key, 1, timeout=seconds + 5):
        return True
    try:
        used = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=seconds + 5)
        used = 1
    return used <= limit
