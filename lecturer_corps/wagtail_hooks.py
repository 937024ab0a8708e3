"""The lecturer corps in the Wagtail admin: venues and lecturer profiles as snippets (through
the corps services, ``lms.one_door``), links to the corps pages."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from lms import one_door
from places.models import Venue

from . import permissions, services
from .models import LecturerProfile
from .permissions import is_coordinator

one_door.register(
    one_door.Door(
        model=Venue,
        check=permissions.check_venue_admin,
        scope=permissions.venues_in_scope,
        create=lambda *, actor, instance: services.create_venue(
            actor=actor, **one_door.field_values(instance)
        ),
        update=lambda *, actor, instance, changed: services.update_venue(
            actor=actor, venue=instance, changed=changed
        ),
        delete=lambda *, actor, instance: services.delete_venue(actor=actor, venue=instance),
        # Venues live in places (below the apps that use them); the corps' services
        # manage them and keep their audit codes.
        audit_prefix="lecturer_corps.venue",
    )
)
one_door.register(
    one_door.Door(
        model=LecturerProfile,
        check=permissions.check_profile_admin,
        scope=permissions.profiles_in_scope,
        update=lambda *, actor, instance, changed: services.save_profile(
            actor=actor, profile=instance
        ),
        audit_prefix="lecturer_corps.profile",
    )
)


class VenueViewSet(one_door.DoorViewSetMixin, SnippetViewSet):
    model = Venue
    icon = "site"
    menu_label = _("Venues")
    list_display = ["name", "venue_type", "district", "township", "capacity", "is_active"]
    list_filter = ["venue_type", "district", "is_active"]
    search_fields = ["name", "address"]
    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("venue_type"), FieldPanel("capacity")]),
        FieldRowPanel([FieldPanel("district"), FieldPanel("township")]),
        FieldPanel("address"),
        FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
        MultiFieldPanel(
            [FieldPanel("contact_name"), FieldPanel("contact_phone")], heading=_("Contact")
        ),
        FieldPanel("notes"),
        FieldPanel("is_active"),
    ]


class LecturerProfileViewSet(one_door.DoorViewSetMixin, SnippetViewSet):
    model = LecturerProfile
    icon = "user"
    menu_label = _("Lecturer profiles")
    list_display = ["user", "district", "monthly_cap", "is_active"]
    list_filter = ["district", "is_active"]
    search_fields = ["user__username", "user__real_name"]
    panels = [
        FieldPanel("user", read_only=True),
        FieldPanel("is_active"),
        FieldPanel("topics"),
        FieldPanel("languages"),
        FieldRowPanel([FieldPanel("district"), FieldPanel("township")]),
        FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
        FieldRowPanel([FieldPanel("monthly_cap"), FieldPanel("max_travel_km")]),
        FieldPanel("weekly_availability"),
        FieldPanel("preferred_venue_types"),
    ]


class CorpsViewSetGroup(SnippetViewSetGroup):
    items = (VenueViewSet, LecturerProfileViewSet)
    menu_icon = "group"
    menu_label = _("Lecturer corps")
    menu_name = "lecturer-corps"


register_snippet(CorpsViewSetGroup)


class CoordinatorMenuItem(MenuItem):
    def is_shown(self, request):
        return is_coordinator(request.user)


@hooks.register("register_admin_menu_item")
def register_venue_import_menu_item():
    return CoordinatorMenuItem(
        _("Import venues"),
        reverse("lecturer_corps:venue_import"),
        name="import-venues",
        icon_name="upload",
        order=1010,
    )
