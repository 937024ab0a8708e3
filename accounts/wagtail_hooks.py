"""The Wagtail admin's way to the bulk import of people, and the city's districts and
townships (administrators edit them through ``accounts.services``, ``lms.one_door``;
coordinators look). The places app sits below accounts and audit, so its admin lives
here, beside the people whose scope it defines."""

from functools import partial

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from lms import one_door
from places.models import District, Township

from . import permissions, services
from .permissions import can_import_people

for _model in (District, Township):
    one_door.register(
        one_door.Door(
            model=_model,
            check=partial(permissions.check_can_manage_places, model=_model),
            scope=partial(permissions.places_in_scope, model=_model),
            create=lambda *, actor, instance: services.save_place(actor=actor, place=instance),
            update=lambda *, actor, instance, changed: services.save_place(
                actor=actor, place=instance, changed=changed
            ),
            delete=lambda *, actor, instance: services.delete_place(actor=actor, place=instance),
        )
    )


class DistrictViewSet(one_door.DoorViewSetMixin, ModelViewSet):
    model = District
    icon = "site"
    menu_label = _("Districts and counties")
    list_display = ["name", "code", "name_en", "name_ug", "sort_order"]
    search_fields = ["name", "name_en", "code"]
    copy_view_enabled = False
    form_fields = ["code", "name", "name_en", "name_ug", "sort_order"]


class TownshipViewSet(one_door.DoorViewSetMixin, ModelViewSet):
    model = Township
    icon = "pick"
    menu_label = _("Townships")
    list_display = ["name", "district", "name_en", "latitude", "longitude"]
    list_filter = ["district"]
    search_fields = ["name", "name_en"]
    copy_view_enabled = False
    form_fields = ["district", "name", "name_en", "latitude", "longitude"]


class PlacesViewSetGroup(ModelViewSetGroup):
    menu_label = _("Places")
    menu_icon = "site"
    menu_order = 900
    items = (DistrictViewSet("districts"), TownshipViewSet("townships"))


@hooks.register("register_admin_viewset")
def register_places_viewsets():
    return PlacesViewSetGroup()


class ImportPeopleMenuItem(MenuItem):
    """Shown to coordinators and administrators only."""

    def is_shown(self, request):
        return can_import_people(request.user)


@hooks.register("register_admin_menu_item")
def register_import_people_menu_item():
    return ImportPeopleMenuItem(
        _("Import people"),
        reverse("accounts:import_people"),
        name="import-people",
        icon_name="upload",
        order=1000,
    )
