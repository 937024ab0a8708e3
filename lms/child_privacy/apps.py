from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChildPrivacyConfig(AppConfig):
    """Plugs the children's-data guard into the shared text-input component.

    Installed as an app only so that ``ready`` runs once, before any request: from
    then on every ``lms.textinput`` policy whose purpose is ``NARRATIVE`` (forms, API
    schemas and model validators alike) runs ``check_narrative``.
    """

    name = "lms.child_privacy"
    label = "child_privacy"
    verbose_name = _("Children's data guard")

    def ready(self):
        from lms.textinput import NARRATIVE, register_check

        from .guard import check_narrative

        register_check(NARRATIVE, check_narrative)
