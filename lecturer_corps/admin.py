from django.contrib import admin

from .models import Venue


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "venue_type", "district", "township", "capacity", "is_active"]
    list_filter = ["venue_type", "district", "is_active"]
    search_fields = ["name", "address"]
