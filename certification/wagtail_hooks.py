"""Certification types, their requirements and signatories in the Wagtail admin.

Administrators edit them here (coordinators may look at the types); every change goes
through ``certification.services`` (``save_certification_type``, ``save_type_part``,
``delete_type_part``: administrators only, audited) by way of ``lms.one_door``. A type
is not deleted (untick "active"); once certificates of a type exist its code and serial
prefix are fixed.
"""

from functools import partial

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from lms import one_door

from . import permissions, services
from .models import CertificationType, Requirement, Signatory

one_door.register(
    one_door.Door(
        model=CertificationType,
        check=partial(permissions.check_can_manage_types, model=CertificationType),
        scope=partial(permissions.types_in_scope, model=CertificationType),
        create=lambda *, actor, instance: services.save_certification_type(
            actor=actor, certification=instance
        ),
        update=lambda *, actor, instance, changed: services.save_certification_type(
            actor=actor, certification=instance, changed=changed
        ),
    )
)
for _model in (Requirement, Signatory):
    one_door.register(
        one_door.Door(
            model=_model,
            check=partial(permissions.check_can_manage_types, model=_model),
            scope=partial(permissions.types_in_scope, model=_model),
            create=lambda *, actor, instance: services.save_type_part(actor=actor, part=instance),
            update=lambda *, actor, instance, changed: services.save_type_part(
                actor=actor, part=instance, changed=changed
            ),
            delete=lambda *, actor, instance: services.delete_type_part(actor=actor, part=instance),
        )
    )


class CertificationTypeViewSet(one_door.DoorViewSetMixin, ModelViewSet):
    model = CertificationType
    icon = "doc-full"
    menu_label = _("Certification types")
    list_display = ["name", "name_en", "code", "serial_prefix", "validity_months", "issue_mode"]
    list_filter = ["issue_mode", "is_active"]
    search_fields = ["name", "name_en", "code"]
    copy_view_enabled = False
    inspect_view_enabled = True
    form_fields = [
        "code",
        "serial_prefix",
        "name",
        "name_en",
        "name_ug",
        "description",
        "issuing_authority",
        "issuing_authority_en",
        "issuing_authority_ug",
        "validity_months",
        "renewal_window_days",
        "issue_mode",
        "is_active",
        "sort_order",
    ]


class RequirementViewSet(one_door.DoorViewSetMixin, ModelViewSet):
    model = Requirement
    icon = "tasks"
    menu_label = _("Certification requirements")
    list_display = ["certification", "stage", "kind", "minimum", "label", "sort_order"]
    list_filter = ["certification", "stage", "kind"]
    copy_view_enabled = False
    form_fields = ["certification", "stage", "kind", "minimum", "targets", "label", "sort_order"]


class SignatoryViewSet(one_door.DoorViewSetMixin, ModelViewSet):
    model = Signatory
    icon = "edit"
    menu_label = _("Signatories")
    list_display = ["name", "title", "certification", "sort_order"]
    list_filter = ["certification"]
    copy_view_enabled = False
    form_fields = ["certification", "name", "title", "title_en", "signature", "sort_order"]


class CertificationViewSetGroup(ModelViewSetGroup):
    menu_label = _("Certification")
    menu_icon = "doc-full"
    menu_order = 320
    items = (
        CertificationTypeViewSet("certification_types"),
        RequirementViewSet("certification_requirements"),
        SignatoryViewSet("certification_signatories"),
    )


@hooks.register("register_admin_viewset")
def register_certification_viewsets():
    return CertificationViewSetGroup()
