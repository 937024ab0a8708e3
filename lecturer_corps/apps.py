from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LecturerCorpsConfig(AppConfig):
    name = "lecturer_corps"
    verbose_name = _("Lecturer corps")

    def ready(self):
        from . import panels, signals

        signals.connect()
        panels.register()
