from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClassesConfig(AppConfig):
    name = "classes"
    verbose_name = _("Face-to-face classes")

    def ready(self):
        from . import signals

        signals.connect()
