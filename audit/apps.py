from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit log")

    def ready(self):
        # One history: what Wagtail logs itself (pages, workflows, its own admin) is copied
        # into the audit log; what our services record is written to Wagtail's log by
        # ``audit.services.record``. See docs/decisions.md ("One history").
        from django.db.models.signals import post_save
        from wagtail.models import ModelLogEntry, PageLogEntry

        for model in (ModelLogEntry, PageLogEntry):
            post_save.connect(
                _copy_wagtail_entry, sender=model, dispatch_uid=f"audit-copy-{model.__name__}"
            )


def _copy_wagtail_entry(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from .services import record_wagtail_entry

        record_wagtail_entry(instance)
