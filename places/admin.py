from django.contrib import admin

from .models import District, Township


class TownshipInline(admin.TabularInline):
    model = Township
    extra = 0


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "name_en", "sort_order"]
    inlines = [TownshipInline]


@admin.register(Township)
class TownshipAdmin(admin.ModelAdmin):
    list_display = ["name", "district", "latitude", "longitude"]
    list_filter = ["district"]
    search_fields = ["name", "name_en"]
