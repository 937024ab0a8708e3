"""Districts and townships, read-only: the Wagtail admin (Places) changes them through
``accounts.services``."""

from django.contrib import admin

from .models import District, Township


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TownshipInline(ReadOnlyMixin, admin.TabularInline):
    model = Township
    extra = 0


@admin.register(District)
class DistrictAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "code", "name_en", "sort_order"]
    inlines = [TownshipInline]


@admin.register(Township)
class TownshipAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "district", "latitude", "longitude"]
    list_filter = ["district"]
    search_fields = ["name", "name_en"]
