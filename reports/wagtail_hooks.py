"""The Wagtail admin's ways to reporting: the audit log viewer (administrators), the
dashboard, and the programme's targets (administrators, through ``services`` by way of
``lms.one_door``)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet

from lms import one_door

from . import permissions, services
from .models import CoverageTarget
from .permissions import can_view_audit_log, can_view_reports

one_door.register(
    one_door.Door(
        model=CoverageTarget,
        check=permissions.check_target_admin,
        scope=permissions.targets_in_scope,
        create=services.create_target,
        update=lambda *, actor, instance, changed: services.update_target(
            actor=actor, instance=instance, changed=changed
        ),
        audit_prefix=services.TARGET_AUDIT,
    )
)


class CoverageTargetViewSet(one_door.DoorViewSetMixin, ModelViewSet):
    model = CoverageTarget
    icon = "pick"
    menu_label = _("Programme targets")
    menu_order = 1060
    add_to_admin_menu = True
    list_display = ["first_year", "years", "children", "coverage_percent"]
    form_fields = ["first_year", "years", "children", "coverage_percent"]
    copy_view_enabled = False


@hooks.register("register_admin_viewset")
def register_target_viewset():
    return CoverageTargetViewSet("programme-targets")


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
