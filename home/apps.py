from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = _("Site")

    def ready(self):
        from celery.signals import worker_ready

        from . import checks  # noqa: F401  (registers the system-package checks)
        from .worker_checks import warn_missing_system_packages

        # A worker warns at start-up about missing fonts and HarfBuzz (the app
        # connects its own receiver, so the project's Celery module imports no app).
        worker_ready.connect(warn_missing_system_packages, dispatch_uid="home.worker_checks")
