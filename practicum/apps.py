from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PracticumConfig(AppConfig):
    name = "practicum"
    verbose_name = _("Practicum")

    def ready(self):
        from accounts.permissions import add_supervision_relation

        from . import panels
        from .permissions import supervised_trainee_ids

        add_supervision_relation(supervised_trainee_ids)
        panels.register()
