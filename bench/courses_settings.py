"""Settings for bench/courses_load.py: production settings served over plain HTTP on
127.0.0.1, with the benchmark's bare view mounted (see bench/courses_urls.py)."""

from lms.settings.production import *  # noqa: F403

ROOT_URLCONF = "courses_urls"
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}  # noqa: F405
