"""Settings for the load test (bench/load/run.py): ``lms.settings.production`` unchanged
except what plain HTTP on 127.0.0.1 needs (no HTTPS redirect, HSTS or secure-only
cookies) and the URL configuration with the bare baseline view. Two-factor stays on:
the load run's staff have TOTP authenticators, as in production."""

from lms.settings.production import *  # noqa: F403

ROOT_URLCONF = "load_urls"
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}  # noqa: F405
