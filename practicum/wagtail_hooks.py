"""Administrators edit the practicum's rules in the CMS: requirements per qualification
(with minimums by activity type), the activity types and what counts as direct
service, and the competency rubric. The back-dating window, reminder delays and the
evaluation pass rule are under Settings → Practicum settings.

Every change goes through ``practicum.services`` (``create_rule``/``update_rule``/
``delete_rule``: administrators only, audited) by way of ``lms.one_door``."""

from functools import partial

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from lms import one_door

from . import permissions, services
from .models import ActivityType, PracticumRequirement, RubricItem

for _model in (PracticumRequirement, ActivityType, RubricItem):
    one_door.register(
        one_door.Door(
            model=_model,
            check=permissions.check_can_edit_rules,
            scope=partial(permissions.rules_in_scope, model=_model),
            create=lambda *, actor, instance: services.create_rule(actor=actor, rule=instance),
            update=lambda *, actor, instance, changed: services.update_rule(
                actor=actor, rule=instance, changed=changed
            ),
            delete=lambda *, actor, instance: services.delete_rule(actor=actor, rule=instance),
        )
    )


class PracticumRequirementViewSet(one_door.DoorViewSetMixin, SnippetViewSet):
    model = PracticumRequirement
    icon = "tasks"
    menu_label = _("Requirements")
    list_display = ["qualification", "total_hours", "min_direct_hours", "min_supervision_hours"]


class ActivityTypeViewSet(one_door.DoorViewSetMixin, SnippetViewSet):
    model = ActivityType
    icon = "list-ul"
    menu_label = _("Activity types")
    list_display = ["name", "code", "service_kind", "is_supervision", "is_active"]
    list_filter = ["service_kind", "is_active"]


class RubricItemViewSet(one_door.DoorViewSetMixin, SnippetViewSet):
    model = RubricItem
    icon = "form"
    menu_label = _("Evaluation rubric")
    list_display = ["name", "code", "sort_order", "is_active"]
    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("name_en"),
        MultiFieldPanel(
            [FieldPanel(f"descriptor_{n}") for n in range(1, 6)],
            heading=_("What each rating means"),
        ),
        FieldPanel("sort_order"),
        FieldPanel("is_active"),
    ]


class PracticumViewSetGroup(SnippetViewSetGroup):
    items = (PracticumRequirementViewSet, ActivityTypeViewSet, RubricItemViewSet)
    menu_icon = "time"
    menu_label = _("Practicum")
    menu_name = "practicum"


register_snippet(PracticumViewSetGroup)
