"""Supervision in the Wagtail admin (menu "Supervision"): the units taking part and who
reports for them, the publicity rule, and the programme's stages with their criteria.
Every change goes through ``supervision.services`` by way of ``lms.one_door``.

Sessions, inspections, corrective actions, sign-offs and publicity items are recorded in
the site (``/supervision/``), by the people whose work they are, never in the admin.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from lms import one_door

from . import permissions, services
from .models import PublicityRule, Stage, Unit

one_door.register(
    one_door.Door(
        model=Unit,
        check=permissions.check_unit_admin,
        scope=permissions.units_in_scope,
        create=lambda *, actor, instance, related: services.create_unit(
            actor=actor, instance=instance, related=related
        ),
        update=lambda *, actor, instance, changed, related: services.update_unit(
            actor=actor, instance=instance, changed=changed, related=related
        ),
        audit_prefix=services.UNIT_AUDIT,
        related=("reporters",),
    )
)
one_door.register(
    one_door.Door(
        model=PublicityRule,
        check=permissions.check_rule_admin,
        scope=permissions.rules_in_scope,
        create=services.create_publicity_rule,
        update=lambda *, actor, instance, changed: services.update_publicity_rule(
            actor=actor, instance=instance, changed=changed
        ),
        audit_prefix=services.RULE_AUDIT,
    )
)
one_door.register(
    one_door.Door(
        model=Stage,
        check=permissions.check_stage_admin,
        scope=permissions.stages_in_scope,
        create=services.create_stage,
        update=lambda *, actor, instance, changed: services.update_stage(
            actor=actor, instance=instance, changed=changed
        ),
        delete=services.delete_stage,
        audit_prefix=services.STAGE_AUDIT,
        history={f"{services.STAGE_AUDIT}.sign_off": _("Stage accepted")},
    )
)


class UnitViewSet(one_door.DoorViewSetMixin, ModelViewSet):
    model = Unit
    icon = "group"
    menu_label = _("Units")
    list_display = ["name", "kind", "district", "township", "is_active"]
    list_filter = ["kind", "district", "is_active"]
    form_fields = ["name", "kind", "district", "township", "reporters", "is_active"]
    copy_view_enabled = False


class PublicityRuleViewSet(one_door.DoorViewSetMixin, ModelViewSet):
    model = PublicityRule
    icon = "doc-full"
    menu_label = _("Publicity rule")
    list_display = ["applies_from", "min_forms", "min_items"]
    form_fields = ["applies_from", "min_forms", "min_items"]
    copy_view_enabled = False


class StageViewSet(one_door.DoorViewSetMixin, ModelViewSet):
    model = Stage
    icon = "tasks"
    menu_label = _("Programme stages")
    list_display = ["name", "starts_on", "due_on", "signed_off_at"]
    copy_view_enabled = False


class SupervisionViewSetGroup(ViewSetGroup):
    items = (
        UnitViewSet("supervision-units"),
        PublicityRuleViewSet("supervision-publicity-rule"),
        StageViewSet("supervision-stages"),
    )
    menu_icon = "view"
    menu_label = _("Supervision")
    menu_name = "supervision"
    menu_order = 360


@hooks.register("register_admin_viewset")
def register_supervision_viewsets():
    return SupervisionViewSetGroup()
