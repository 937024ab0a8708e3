"""Safeguarding in the Wagtail admin: each district's arrangement (duty supervising expert,
waiting times, escalation chain), edited by administrators through the services
(``lms.one_door``). Concerns themselves are never in the admin: they are read and handled
in the site, by the people they were sent to."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from lms import one_door

from . import permissions, services
from .models import SafeguardingArrangement

one_door.register(
    one_door.Door(
        model=SafeguardingArrangement,
        check=permissions.check_arrangement_admin,
        scope=permissions.arrangements_in_scope,
        create=services.create_arrangement,
        update=lambda *, actor, instance, changed: services.update_arrangement(
            actor=actor, instance=instance, changed=changed
        ),
        delete=services.delete_arrangement,
        audit_prefix=services.ARRANGEMENT_AUDIT,
    )
)


class ArrangementViewSet(one_door.DoorViewSetMixin, ModelViewSet):
    model = SafeguardingArrangement
    icon = "warning"
    menu_label = _("Safeguarding arrangements")
    menu_order = 350
    add_to_admin_menu = True
    list_display = [
        "district",
        "duty_expert",
        "urgent_hours",
        "other_hours",
        "step_1",
        "step_2",
        "step_3",
    ]
    form_fields = [
        "district",
        "duty_expert",
        "urgent_hours",
        "other_hours",
        "step_1",
        "step_2",
        "step_3",
    ]
    copy_view_enabled = False


@hooks.register("register_admin_viewset")
def register_arrangement_viewset():
    return ArrangementViewSet("safeguarding-arrangements")
