"""Read-only views for superusers. Venues and lecturer profiles are edited in the Wagtail
admin through the corps services (``lms.one_door``); requests and sessions on the corps
pages. Nothing here writes."""

from django.contrib import admin

from .models import ServiceRequest, Session


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ReadOnlyAdmin):
    list_display = ["date", "topic", "venue", "status", "lecturers_needed"]
    list_filter = ["status", "topic", "venue__district"]
    date_hierarchy = "date"


@admin.register(Session)
class SessionAdmin(ReadOnlyAdmin):
    list_display = ["request", "lecturer", "status", "starts_at"]
    list_filter = ["status"]
