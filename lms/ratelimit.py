"""Fixed-window rate limits kept in Django's cache (Redis in production, so shared by all processes).

A rate is written like allauth's: ``"30/m"``, ``"10/h"``, ``"5/15m"`` (count / period,
the period in seconds ``s``, minutes ``m``, hours ``h`` or days ``d``, with an optional
multiplier). ``hit`` counts one request and says whether it is still within the limit;
``exceeded`` only looks, for limits that count failures alone (wrong tokens).

The client address is allauth's, so every limit in the product (log-in included) agrees
on who the client is behind a proxy (``TRUSTED_PROXY_COUNT``).
"""

from __future__ import annotations

import re
import time

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import render

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")


def parse_rate(rate: str) -> tuple[int, int]:
    """``"5/15m"`` → (5, 900): how many requests in how many seconds."""
    match = RATE.match(rate or "")
    if not match:
        raise ValueError(f"Not a rate: {rate!r} (expected e.g. '30/m' or '5/15m')")
    count, multiplier, unit = match.groups()
    return int(count), int(multiplier or 1) * PERIODS[unit]


def client_address(request) -> str:
    from allauth.account.adapter import get_adapter

    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return "unknown"


def _key(scope: str, ident: str, seconds: int) -> tuple[str, int]:
    window = int(time.time() // seconds)
    return f"ratelimit:{scope}:{ident}:{window}", seconds - int(time.time()) % seconds + 1


def hit(scope: str, ident, rate: str) -> bool:
    """Count one request by ``ident`` under ``scope``; False once the window is full."""
    limit, seconds = parse_rate(rate)
    key, timeout = _key(scope, str(ident), seconds)
    if cache.add(key, 1, timeout=timeout):
        return limit >= 1
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        used = 1
    return used <= limit


def exceeded(scope: str, ident, rate: str) -> bool:
    """Whether ``ident`` has used up ``scope`` in this window (counts nothing)."""
    limit, seconds = parse_rate(rate)
    key, _timeout = _key(scope, str(ident), seconds)
    return (cache.get(key) or 0) >= limit


def retry_after(rate: str) -> int:
    _limit, seconds = parse_rate(rate)
    return seconds - int(time.time()) % seconds


def too_many_requests(request, message: str, *, rate: str, json: bool = False):
    """The 429 answer: a page for people, ``{"detail", "code"}`` for programs."""
    if json:
        response = JsonResponse({"detail": message, "code": "rate_limited"}, status=429)
    else:
        response = render(request, "429.html", {"message": message}, status=429)
    response["Retry-After"] = str(retry_after(rate))
    return response
