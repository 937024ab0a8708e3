"""The Wagtail admin's Users pages, limited by the same rules as the people import.

Wagtail's own user admin lets anyone with ``accounts.change_user`` edit every
account, tick "Administrator" and choose groups. Coordinators hold that
permission to look after trainees, so without these limits a district
coordinator could edit another district's people, take over an administrator's
account (e-mail, password) or make any account a superuser. Here, as in
``accounts.importers``:

* administrators manage everyone;
* coordinators see and change only people without a staff role (and not staff
  or superusers), in their district when they have one; they never see the
  "Administrator" box or the roles (groups): roles come from an administrator
  or from the import, which checks them;
* other holders of ``view_user`` (supervising experts) see themselves and the
  trainees they supervise or have supervised (practicum placements), nobody else.

Installed by ``accounts.users_admin.UsersAdminConfig`` in place of ``wagtail.users``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from wagtail.users.views import users as wagtail_users

from . import roles
from .permissions import manageable_people

ADMIN_ONLY_FIELDS = ("is_superuser", "groups")


def _is_administrator(user) -> bool:
    return roles.has_role(user, roles.ADMINISTRATOR)


class _AdminOnlyFieldsMixin:
    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        if not _is_administrator(self.request.user):
            for name in ADMIN_ONLY_FIELDS:
                form.fields.pop(name, None)
        return form


class _ScopedObjectMixin:
    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not manageable_people(self.request.user).filter(pk=obj.pk).exists():
            raise PermissionDenied
        return obj


def _supervised_people(user):
    """The user and the people they supervise (practicum placements, current and past)."""
    from .permissions import supervised_people_q

    return supervised_people_q(user)


class IndexView(wagtail_users.IndexView):
    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        user = self.request.user
        if _is_administrator(user):
            return queryset
        if roles.has_role(user, roles.COORDINATOR):
            return queryset.filter(pk__in=manageable_people(user).values("pk"))
        return queryset.filter(_supervised_people(user))


class CreateView(_AdminOnlyFieldsMixin, wagtail_users.CreateView):
    pass


class EditView(_AdminOnlyFieldsMixin, _ScopedObjectMixin, wagtail_users.EditView):
    pass


class DeleteView(_ScopedObjectMixin, wagtail_users.DeleteView):
    pass


class HistoryView(_ScopedObjectMixin, wagtail_users.HistoryView):
    pass


class ScopedUserViewSet(wagtail_users.UserViewSet):
    index_view_class = IndexView
    add_view_class = CreateView
    edit_view_class = EditView
    delete_view_class = DeleteView
    history_view_class = HistoryView
