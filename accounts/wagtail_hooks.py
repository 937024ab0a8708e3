"""The Wagtail admin's way to the bulk import of people."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .permissions import can_import_people


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
