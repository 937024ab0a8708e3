"""Development: works with no environment at all (SQLite, eager tasks, console e-mail)."""

from .base import *  # noqa: F403
from .base import env

ENVIRONMENT = "dev"

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Demo log-ins may reach staff pages without two-factor set-up, here only.
MFA_WAIVED_USERNAMES = frozenset(
    {"lecturer", "supervisor", "supervisor2", "coordinator", "coordinator_shanshan", "admin"}
)
