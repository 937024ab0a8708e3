from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
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
