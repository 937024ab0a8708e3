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

Every save goes through ``accounts.services`` (``create_person``, ``update_person``;
the listing's bulk "active/inactive" and "assign role" through ``set_person_active`` and
``give_role``) behind a door (``lms.one_door``): the rules above are checked there, each
change leaves one audit row, and nobody deletes an account here.
"""

from __future__ import annotations

from wagtail.users.views import users as wagtail_users

from lms import one_door

from . import permissions, roles, services
from .models import User

ADMIN_ONLY_FIELDS = ("is_superuser", "groups")

one_door.register(
    one_door.Door(
        model=User,
        check=permissions.check_person_admin,
        scope=permissions.visible_people,
        create=lambda *, actor, instance, related: services.create_person(
            actor=actor, person=instance, related=related
        ),
        update=lambda *, actor, instance, changed, related: services.update_person(
            actor=actor, person=instance, changed=changed, related=related
        ),
        related=("groups",),
        bulk={"set_active_state": services.set_person_active, "assign_role": services.give_role},
    )
)


def _is_administrator(user) -> bool:
    return roles.has_role(user, roles.ADMINISTRATOR)


class _AdminOnlyFieldsMixin:
    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        if not _is_administrator(self.request.user):
            for name in ADMIN_ONLY_FIELDS:
                form.fields.pop(name, None)
        return form


class CreateView(_AdminOnlyFieldsMixin, wagtail_users.CreateView):
    pass


class EditView(_AdminOnlyFieldsMixin, wagtail_users.EditView):
    pass


class ScopedUserViewSet(one_door.DoorViewSetMixin, wagtail_users.UserViewSet):
    """Listings and objects scoped by the door (``permissions.visible_people``)."""

    add_view_class = CreateView
    edit_view_class = EditView
