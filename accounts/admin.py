from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Read-only: accounts change on the Wagtail admin's Users pages and by the people
    import, both through ``accounts.services`` (the same scope rules, one audit row)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    list_display = ["username", "real_name", "email", "mobile", "system", "district", "is_active"]
    list_filter = ["system", "district", "groups", "is_active"]
    search_fields = ["username", "real_name", "email", "mobile", "employer_unit"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (
            _("Profile"),
            {
                "fields": [
                    "real_name",
                    "mobile",
                    "employer_unit",
                    "system",
                    "district",
                    "township",
                    "languages",
                    "job_title",
                    "preferred_language",
                    "coordinator_district",
                ]
            },
        ),
    ]
