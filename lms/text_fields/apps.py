from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TextFieldsConfig(AppConfig):
    """Attaches each app's declared text policies to its model fields (see the package)."""

    name = "lms.text_fields"
    label = "text_fields"
    verbose_name = _("Text fields")

    def ready(self):
        from . import attach, declarations

        attach(declarations())
