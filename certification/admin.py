from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    BulkIssueJob,
    Certificate,
    CertificationType,
    IssueRequest,
    Requirement,
    Signatory,
)


class ReadOnlyMixin:
    """Read-only for superusers: the Wagtail admin changes these through the services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SignatoryInline(ReadOnlyMixin, admin.TabularInline):
    model = Signatory
    extra = 0


class RequirementInline(ReadOnlyMixin, admin.TabularInline):
    model = Requirement
    extra = 0


@admin.register(CertificationType)
class CertificationTypeAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Types, their requirements and signatories: read-only here; edited in the Wagtail
    admin (Certification), through ``certification.services``."""

    list_display = ["name", "name_en", "code", "serial_prefix", "validity_months", "issue_mode"]
    inlines = [RequirementInline, SignatoryInline]


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    """Read-only: certificates change only through the services (revoke, reissue, renew)."""

    list_display = ["display_serial", "holder_name", "certification", "status", "expires_on"]
    list_filter = ["certification", "status"]
    search_fields = ["serial", "holder_name", "holder__username"]
    exclude = ["verification_code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("serial number"))
    def display_serial(self, obj):
        return obj.display_serial


@admin.register(IssueRequest)
class IssueRequestAdmin(admin.ModelAdmin):
    list_display = ["trainee", "certification", "cycle", "status", "created_at"]
    list_filter = ["status", "certification"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # kept for the record; only the services change them


@admin.register(BulkIssueJob)
class BulkIssueJobAdmin(admin.ModelAdmin):
    list_display = ["__str__", "certification", "created_by", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # kept for the record; only the services change them
