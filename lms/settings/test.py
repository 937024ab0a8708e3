"""Tests: SQLite in memory unless DATABASE_URL is set; tasks eager unless a test says so."""

from .base import *  # noqa: F403
from .base import env

ENVIRONMENT = "test"

DEBUG = False
SECRET_KEY = "test-only-insecure-key"
ALLOWED_HOSTS = ["*"]
if not env.str("DATABASE_URL", default=""):
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
CELERY_TASK_ALWAYS_EAGER = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ACCOUNT_RATE_LIMITS = {**ACCOUNT_RATE_LIMITS}  # noqa: F405
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}  # noqa: F405

# Tests assert on the English source strings; the project's own catalogues are
# switched on only by the tests that check translations (fixture
# `project_translations` in conftest.py). Django's and allauth's catalogues stay on.
PROJECT_LOCALE_PATHS = LOCALE_PATHS  # noqa: F405
LOCALE_PATHS = []
