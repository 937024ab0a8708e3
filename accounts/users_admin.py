"""Wagtail's users app, with the Users pages of ``accounts.wagtail_users`` (INSTALLED_APPS).

Kept apart from the views: an app config module must not import models.
"""

from wagtail.users.apps import WagtailUsersAppConfig


class UsersAdminConfig(WagtailUsersAppConfig):
    user_viewset = "accounts.wagtail_users.ScopedUserViewSet"
