"""Settings shared by every environment.

Everything that differs between machines is read from the environment with
django-environ. Nothing secret has a default here: ``dev`` and ``test`` supply
harmless ones, ``production`` insists on real values.
"""

from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAIL_SITE_NAME = "Talent Pool LMS"
# Course pages are published only by approving their workflow (courses.moderation).
WAGTAIL_FINISH_WORKFLOW_ACTION = "courses.workflow_finish.publish_approved_revision"

INSTALLED_APPS = [
    # Project apps first so their templates and translations win.
    "accounts",
    "places",
    "audit",
    "outbox",
    # The installable, offline-capable site: manifest, service worker, Idempotency-Key.
    "offline",
    "home",
    "courses",
    "quizzes",
    "practicum",
    "certification",
    "lecturer_corps",
    "dispatch",
    "classes",
    "safeguarding",
    "supervision",
    "reports",
    "privacy",
    # The children's-data guard: registers its check on every NARRATIVE text field.
    "lms.child_privacy",
    # Each app's text-field declarations: model fields run the same text policies.
    "lms.text_fields",
    # Wagtail
    # Content translation (issue 16): the translation editor, PO export/import and
    # the locales admin (wagtail_localize.locales replaces wagtail.locales).
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "accounts.users_admin.UsersAdminConfig",  # wagtail.users, limited to what one may manage
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Accounts
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Tasks
    "django_celery_beat",
    # API docs served from our own static files (not a CDN, which the CSP refuses)
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "lms.csp.ContentSecurityPolicyMiddleware",
    "audit.context.AuditContextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffTwoFactorMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "lms.urls"
WSGI_APPLICATION = "lms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
                "accounts.context_processors.roles_context",
            ],
            # {% load content %}: marks content text with its own lang and dir.
            "libraries": {"content": "lms.content_text"},
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home:dashboard"
LOGOUT_REDIRECT_URL = "/"

# --- django-allauth -------------------------------------------------------
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="optional")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_RATE_LIMITS = {
    # allauth's defaults, written out so that they are visible and reviewed.
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    # Log-in form posts per address, right password or not. A training room or a school
    # shares one public address: 60 classmates logging in within seconds must all get in.
    # Guessing is held by login_failed below (a success gives its count back), so this is
    # only a ceiling on floods of posts (allauth's default, 30/m, refused the 31st pupil).
    "login": "300/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "confirm_email": "1/3m/key",
}
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupExtraForm"
ACCOUNT_SIGNUP_OPEN = env.bool("ACCOUNT_SIGNUP_OPEN", default=True)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Talent Pool LMS"
# Usernames that may reach staff pages without two-factor set-up. Only the dev
# settings fill this (with the demo log-ins); it is empty everywhere else.
MFA_WAIVED_USERNAMES: frozenset[str] = frozenset()

# --- Internationalisation ------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", "简体中文"),
    ("en", "English"),
    ("ug", "ئۇيغۇرچە"),
]
# Course content in several languages (issue 16): a page and its translations share a
# translation_key; the Chinese original (LANGUAGE_CODE) is the source every other
# locale is translated from. courses.migrations creates the Locale rows.
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# Translations are made by people in the admin, never by a machine-translation service.
WAGTAILLOCALIZE_MACHINE_TRANSLATOR = None
# Translating a live page makes a draft: translations go live through the same review
# as the source (courses.moderation), never by the act of translating or syncing.
WAGTAILLOCALIZE_SYNC_LIVE_STATUS_ON_TRANSLATE = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
# locale/ is ours (makemessages writes there); locale_vendor/ holds translations of
# third-party strings that their packages do not ship (allauth has no Uyghur).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_vendor"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media ----------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Private files (practicum evidence; sign-in sheet photos in its lecturer_corps/ unless
# LECTURER_CORPS_PRIVATE_ROOT says otherwise) are served only by permission-checked views.
# Their folder is its own setting, not derived from MEDIA_ROOT: a MEDIA_ROOT in a shared
# temporary folder must not take private evidence with it. Production requires it and
# refuses a folder inside MEDIA_ROOT or inside a world-writable one (lms/settings/required.py).
PRACTICUM_PRIVATE_ROOT = Path(
    env.str("PRACTICUM_PRIVATE_ROOT", default=str(BASE_DIR / "var" / "private"))
)
LECTURER_CORPS_PRIVATE_ROOT = env.str("LECTURER_CORPS_PRIVATE_ROOT", default="")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Upload limits (docs/security.md). Form fields of a request: 10 MB; files are checked
# as they stream in (lms.uploads.UploadSizeLimitHandler), then by each field's own
# limit (evidence 8 MB, sign-in sheet 10 MB, signature 1 MB).
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 20
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "lms.uploads.UploadSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
UPLOAD_MAX_FILE_SIZE = 12 * 1024 * 1024
UPLOAD_MAX_REQUEST_SIZE = 50 * 1024 * 1024
UPLOAD_ADMIN_PREFIXES = ("/cms/",)  # editors upload course videos as documents
UPLOAD_ADMIN_MAX_SIZE = env.int("UPLOAD_ADMIN_MAX_SIZE", default=512 * 1024 * 1024)
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024

# --- E-mail --------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Talent Pool LMS <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery --------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="memory://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else None
)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker holds no message it cannot start at once (Redis only), so a message is
# unacknowledged only while its task runs: the visibility timeout then only has to
# outlast the longest late-acknowledged task (docs/operations.md, "Broker and worker faults").
CELERY_WORKER_DISABLE_PREFETCH = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers reconnect for as long as the broker is away (None = without limit) ...
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# ... but a publisher (a request, the outbox relay) gives up fast: one connect of at
# most 2 s, one more try, then the outbox keeps the message (outbox/services.py).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
# A message taken by a worker that dies (SIGKILL, out of memory, power) returns to
# the queue this long after it was taken: just above the longest task time limit,
# so a task still running is never handed to a second worker. Unacknowledged
# messages are swept back every 10 s (kombu's default is every 100 s).
CELERY_VISIBILITY_TIMEOUT = env.int(
    "CELERY_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT + 30
)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
    "socket_connect_timeout": 2,
    # A broker that accepts connections but never answers costs a request at most two
    # tries of 3 s (then the publish pause spares the next ones); Redis answers in ms.
    "socket_timeout": 3,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
# No code reads task results: none are stored, and no request waits on the result store
# (which retried 20 times, 19 s, when Redis was down). Bounded anyway for explicit use.
CELERY_TASK_IGNORE_RESULT = True
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 3
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.5,
        "interval_max": 0.5,
    }
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
# Periodic tasks: each app lists its own in ``<app>/schedules.py`` (SCHEDULE dict);
# lms/celery.py gathers them into the beat schedule.

# --- Outbox (outbox/services.py): follow-ups kept in the database until sent ----------
OUTBOX_RELAY_SECONDS = env.float("OUTBOX_RELAY_SECONDS", default=60.0)
OUTBOX_PUBLISH_PAUSE_SECONDS = env.float("OUTBOX_PUBLISH_PAUSE_SECONDS", default=30.0)
OUTBOX_RETRY_BASE_SECONDS = 30
OUTBOX_RETRY_MAX_SECONDS = 3600
OUTBOX_KEEP_SENT_DAYS = env.int("OUTBOX_KEEP_SENT_DAYS", default=7)

# --- Wagtail -------------------------------------------------------------
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# Course videos are uploaded as documents (the video block plays MP4/WebM documents).
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "txt", "zip", "mp4", "webm"]
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAILADMIN_LOGIN_URL = "account_login"
# Password resets go through allauth's (rate-limited) form, like log-ins.
WAGTAIL_PASSWORD_RESET_ENABLED = False
# No avatars from gravatar.com: staff e-mail hashes stay here, and the CSP allows no such host.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Nor does the admin ask releases.wagtail.org for news: upgrades follow docs/operations.md.
WAGTAIL_ENABLE_UPDATE_CHECK = False

# --- Caching -------------------------------------------------------------
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# --- Logging: one JSON object per line -----------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "lms.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}

# --- Certificates ----------------------------------------------------------
# The issuer's Ed25519 signing key (PEM) for Open Badges credentials. Production
# must set CERT_SIGNING_KEY; elsewhere a key is generated once into the file below.
CERT_SIGNING_KEY = env.str("CERT_SIGNING_KEY", default="")
CERT_SIGNING_KEY_FILE = env.str(
    "CERT_SIGNING_KEY_FILE", default=str(BASE_DIR / "var" / "cert-signing-key.pem")
)
CERTIFICATE_VERIFY_RATE = env.str("CERTIFICATE_VERIFY_RATE", default="30/m")

# --- Data protection -------------------------------------------------------
# Days evidence files (practicum attachments, sign-in sheet photos) are kept after the
# placement ends or the session took place; 0 keeps them for ever. See docs/data-protection.md.
EVIDENCE_RETENTION_DAYS = env.int("EVIDENCE_RETENTION_DAYS", default=1095)

# --- Rate limits on token endpoints (lms/ratelimit.py; docs/security.md) --------
# Wrong bearer tokens (API) and calendar-feed secrets per client address; new API tokens
# per user. The client address is allauth's: set TRUSTED_PROXY_COUNT behind a proxy.
API_TOKEN_FAILURE_RATE = env.str("API_TOKEN_FAILURE_RATE", default="20/m")
API_TOKEN_CREATE_RATE = env.str("API_TOKEN_CREATE_RATE", default="10/h")
# Venue contacts confirm delivery reports by a signed, single-use link (no account): it
# works this many days; an address opening links that do not work is refused (429) past
# this rate.
VENUE_CONFIRMATION_DAYS = env.int("VENUE_CONFIRMATION_DAYS", default=7)
VENUE_CONFIRMATION_FAILURE_RATE = env.str("VENUE_CONFIRMATION_FAILURE_RATE", default="10/15m")
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- API -----------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500
NINJA_PAGINATION_CLASS = "lms.api_types.LimitOffsetPagination"

# Dates people plan for (service requests, enrolment deadlines) may lie at most this many
# days ahead; later ones are refused as typing mistakes (docs/security.md, "Input").
PLANNING_HORIZON_DAYS = env.int("PLANNING_HORIZON_DAYS", default=2 * 366)

# --- Security headers (docs/security.md) ----------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Scripts only from our origin (or inline with the request's nonce); no 'unsafe-inline'
# for scripts anywhere but Wagtail's admin (lms/csp.py). Styles keep 'unsafe-inline' for
# progress bars' widths and Wagtail's admin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "media-src": [SELF, "blob:"],
        # Lessons may embed a video player from an editor-given https address.
        "frame-src": [SELF, *env.list("CSP_FRAME_SOURCES", default=["https:"])],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
CSP_ADMIN_PREFIXES = ("/cms/",)
