"""Course content in several languages (issue 16), admin side.

- **Translators** (the ``translator`` group) open the admin, translate pages in
  wagtail-localize's editor and export/import PO files. They may add and change pages
  under the catalogue, never publish: a translation goes live through the same review
  as the source (``courses.moderation``).
- **Translating or syncing never publishes by itself.** ``WAGTAILLOCALIZE_SYNC_LIVE_
  STATUS_ON_TRANSLATE = False`` makes a new translation a draft; wagtail-localize's
  "Update existing translations" view offers *Publish immediately*, which would publish
  the targets without asking about publish rights, so ``GuardedUpdateTranslationsView``
  (routed in front of it by ``wagtail_hooks``) refuses that to anyone who may not
  publish the source page.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from wagtail.models import GroupPagePermission, Page
from wagtail_localize.views.update_translations import UpdateTranslationsView

TRANSLATOR_GROUP = "translator"

TRANSLATOR_PERMISSIONS = {
    "wagtailadmin": ["access_admin"],
    "wagtail_localize": ["submit_translation"],
}


def ensure_translators(catalogue: Page) -> Group:
    """The translator group: admin access, the translation editor, add/change pages
    under the catalogue (every locale's copy of it). Never publish. Idempotent."""
    group, _created = Group.objects.get_or_create(name=TRANSLATOR_GROUP)
    for app_label, codenames in TRANSLATOR_PERMISSIONS.items():
        for codename in codenames:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    catalogues = Page.objects.filter(translation_key=catalogue.translation_key)
    for page in catalogues:
        for permission_type in ("add", "change"):
            permission = Permission.objects.get(
                content_type__app_label="wagtailcore", codename=f"{permission_type}_page"
            )
            GroupPagePermission.objects.get_or_create(group=group, page=page, permission=permission)
    GroupPagePermission.objects.filter(group=group, permission__codename="publish_page").delete()
    # Translations go live through the same review as the original.
    from .moderation import ensure_course_workflow

    for page in catalogues.exclude(pk=catalogue.pk):
        ensure_course_workflow(page)
    return group


class GuardedUpdateTranslationsView(UpdateTranslationsView):
    """wagtail-localize's "Update existing translations", whose *Publish immediately*
    is refused to a person who may not publish the source page."""

    def form_valid(self, form):
        if form.cleaned_data.get("publish_translations"):
            instance = self.object.get_source_instance()
            may_publish = (
                instance.permissions_for_user(self.request.user).can_publish()
                if isinstance(instance, Page)
                else self.request.user.is_superuser
            )
            if not may_publish:
                raise PermissionDenied
        return super().form_valid(form)
