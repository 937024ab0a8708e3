"""The Wagtail admin's ways to reporting: the audit log viewer (administrators) and the dashboard."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .permissions import can_view_audit_log, can_view_reports


class AuditLogMenuItem(MenuItem):
    """Shown to administrators only; the page itself checks again."""

    def is_shown(self, request):
        return can_view_audit_log(request.user)


class ReportsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_reports(request.user)


@hooks.register("register_admin_menu_item")
def register_audit_log_menu_item():
    return AuditLogMenuItem(
        _("Audit log"),
        reverse("reports:audit_log"),
        name="audit-log",
        icon_name="history",
        order=1100,
    )


@hooks.register("register_admin_menu_item")
def register_reports_menu_item():
    return ReportsMenuItem(
        _("Reports"), reverse("reports:dashboard"), name="reports", icon_name="table", order=1050
    )
