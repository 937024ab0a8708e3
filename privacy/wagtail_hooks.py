"""The data-protection pages in the Wagtail admin, shown to administrators only."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import review_views, views
from .permissions import can_manage_personal_data, can_review_flags


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("privacy/", views.people, name="privacy_people"),
        path("privacy/<int:pk>/", views.person, name="privacy_person"),
        path("privacy/<int:pk>/export/", views.export, name="privacy_export"),
        path("privacy/<int:pk>/anonymise/", views.anonymise, name="privacy_anonymise"),
        path("flagged-text/", review_views.flagged_text_list, name="privacy_flagged_text"),
        path(
            "flagged-text/<int:pk>/review/",
            review_views.flagged_text_review,
            name="privacy_flagged_text_review",
        ),
    ]


class AdministratorMenuItem(MenuItem):
    def is_shown(self, request):
        return can_manage_personal_data(request.user)


@hooks.register("register_admin_menu_item")
def register_privacy_menu_item():
    return AdministratorMenuItem(
        _("Personal data"),
        reverse("privacy_people"),
        name="personal-data",
        icon_name="user",
        order=1010,
    )


class ReviewerMenuItem(MenuItem):
    def is_shown(self, request):
        return can_review_flags(request.user)


@hooks.register("register_admin_menu_item")
def register_flagged_text_menu_item():
    return ReviewerMenuItem(
        _("Flagged text"),
        reverse("privacy_flagged_text"),
        name="flagged-text",
        icon_name="warning",
        order=1020,
    )
