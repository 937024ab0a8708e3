"""Dispatch planning in the Wagtail admin: tariffs (with their travel bands) and budgets as
snippets behind doors (``lms.one_door``: the check from ``dispatch.permissions``, the
services in ``dispatch.costs``), and links to the coordinators' planning pages."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from lms import one_door

from . import costs, permissions
from .models import Budget, Tariff

one_door.register(
    one_door.Door(
        model=Tariff,
        check=permissions.check_tariff_admin,
        scope=permissions.tariffs_in_scope,
        create=lambda *, actor, instance: costs.save_tariff(actor=actor, tariff=instance),
        update=lambda *, actor, instance, changed: costs.save_tariff(
            actor=actor, tariff=instance, changed=changed
        ),
        delete=lambda *, actor, instance: costs.delete_tariff(actor=actor, tariff=instance),
        audit_prefix="dispatch.tariff",
    )
)
one_door.register(
    one_door.Door(
        model=Budget,
        check=permissions.check_budget_admin,
        scope=permissions.budgets_in_scope,
        create=lambda *, actor, instance: costs.save_budget(actor=actor, budget=instance),
        update=lambda *, actor, instance, changed: costs.save_budget(
            actor=actor, budget=instance, changed=changed
        ),
        delete=lambda *, actor, instance: costs.delete_budget(actor=actor, budget=instance),
        audit_prefix="dispatch.budget",
    )
)


class TariffViewSet(one_door.DoorViewSetMixin, SnippetViewSet):
    model = Tariff
    icon = "form"
    menu_label = _("Tariffs")
    list_display = ["name", "effective_from", "fee_per_class_hour", "basis"]
    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("effective_from"), FieldPanel("fee_per_class_hour")]),
        FieldRowPanel([FieldPanel("basis"), FieldPanel("unknown_location_subsidy")]),
        InlinePanel(
            "bands",
            panels=[FieldPanel("up_to"), FieldPanel("subsidy")],
            label=_("Travel bands"),
            min_num=1,
        ),
    ]


class BudgetViewSet(one_door.DoorViewSetMixin, SnippetViewSet):
    model = Budget
    icon = "table"
    menu_label = _("Budgets")
    list_display = ["district", "month", "amount"]
    list_filter = ["district"]
    panels = [FieldPanel("district"), FieldPanel("month"), FieldPanel("amount")]


class DispatchViewSetGroup(SnippetViewSetGroup):
    items = (TariffViewSet, BudgetViewSet)
    menu_icon = "date"
    menu_label = _("Dispatch planning")
    menu_name = "dispatch"


register_snippet(DispatchViewSetGroup)


class CoordinatorMenuItem(MenuItem):
    def is_shown(self, request):
        return permissions.is_coordinator(request.user)


@hooks.register("register_admin_menu_item")
def register_month_plan_menu_item():
    return CoordinatorMenuItem(
        _("Plan a month"),
        reverse("dispatch:month_plan"),
        name="dispatch-month-plan",
        icon_name="date",
        order=1020,
    )
