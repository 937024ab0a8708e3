"""Production: every secret and address comes from the environment; nothing defaults.

A required setting that is missing, empty or unusable stops every process that loads
these settings (``manage.py``, gunicorn, the Celery worker and beat) before Django
starts: one line on stderr names every problem, and the exit status is
``REFUSAL_EXIT_STATUS`` (4, gunicorn's "App failed to load", so its master stops instead
of respawning workers that die at once). deploy/lms.env.example lists the same names.
"""

from .base import *  # noqa: F403
from .base import env
from .required import RequiredSettings

ENVIRONMENT = "production"
REFUSAL_EXIT_STATUS = 4

required = RequiredSettings(env)
# Keeps the reading going when CACHE_URL is missing, so that the refusal at the end can
# name every problem at once; never used (the settings refuse first).
CACHE_PLACEHOLDER = "django.core.cache.backends.dummy.DummyCache"

DEBUG = False
SECRET_KEY = required.text("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = required.comma_list("ALLOWED_HOSTS")
# No silent http://127.0.0.1:8000: it would be printed into certificates' QR codes and e-mails.
SITE_URL = required.site_url("SITE_URL")
WAGTAILADMIN_BASE_URL = SITE_URL
# The issuer's Ed25519 key, given inline or (as deploy/lms.env.example does) as a file
# readable by the service user; certification.credentials reads CERT_SIGNING_KEY.
CERT_SIGNING_KEY, CERT_SIGNING_KEY_FILE = required.signing_key(
    "CERT_SIGNING_KEY", "CERT_SIGNING_KEY_FILE"
)
DATABASES = {"default": required.database("DATABASE_URL")}
PRACTICUM_PRIVATE_ROOT = required.private_folder("PRACTICUM_PRIVATE_ROOT", media_root=MEDIA_ROOT)  # noqa: F405
LECTURER_CORPS_PRIVATE_ROOT = required.private_folder(
    "LECTURER_CORPS_PRIVATE_ROOT",
    media_root=MEDIA_ROOT,  # noqa: F405
    optional=True,
)
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
CELERY_BROKER_URL = required.text("CELERY_BROKER_URL")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = False
EMAIL_CONFIG = required.email("EMAIL_URL")
vars().update(EMAIL_CONFIG)
# The cache (log-in rate limits, the figures' data versions) is its own setting, never
# the broker by default: with a shared Redis, a broker outage would take log-in with it.
CACHES = {"default": required.cache("CACHE_URL") or {"BACKEND": CACHE_PLACEHOLDER}}
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_SIGNUP_OPEN = env.bool("ACCOUNT_SIGNUP_OPEN", default=False)

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

# Last: every problem above on one line, then stop (lms/settings/required.py).
required.refuse_if_any(settings_module=__name__, exit_status=REFUSAL_EXIT_STATUS)
