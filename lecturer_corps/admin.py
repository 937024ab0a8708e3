from django.contrib import admin

from .models import LecturerProfile, ServiceRequest, Session, Venue


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "venue_type", "district", "township", "capacity", "is_active"]
    list_filter = ["venue_type", "district", "is_active"]
    search_fields = ["name", "address"]


@admin.register(LecturerProfile)
class LecturerProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "district", "monthly_cap", "is_active"]
    list_filter = ["district", "is_active"]
    search_fields = ["user__username", "user__real_name"]
    raw_id_fields = ["user"]


@admin.register(ServiceRequest)
class ServiceRequestAdmin(admin.ModelAdmin):
    list_display = ["date", "topic", "venue", "status", "lecturers_needed"]
    list_filter = ["status", "topic", "venue__district"]
    date_hierarchy = "date"
    raw_id_fields = ["venue", "created_by", "rescheduled_to"]

    def has_change_permission(self, request, obj=None):
        return False  # changes go through the corps pages (services, audit log)


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["request", "lecturer", "status", "starts_at"]
    list_filter = ["status"]
    raw_id_fields = ["request", "lecturer", "proposed_by"]

    def has_change_permission(self, request, obj=None):
        return False
