"""Face-to-face classes in the Wagtail admin, through the services (``lms.one_door``):
coordinators add and change the classes of their district, administrators every class;
a class people signed up for is cancelled on the site (so they are told), not deleted."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from lms import one_door

from . import permissions, services
from .models import TrainingClass

one_door.register(
    one_door.Door(
        model=TrainingClass,
        check=permissions.check_manage,
        scope=lambda user: permissions.managed_classes(user).select_related("trainer"),
        create=services.create_class,
        update=lambda *, actor, instance, changed: services.update_class(
            actor=actor, instance=instance, changed=changed
        ),
        delete=services.delete_class,
        audit_prefix=services.CLASS_AUDIT,
        history={
            f"{services.CLASS_AUDIT}.cancel": _("Face-to-face class cancelled"),
            f"{services.CLASS_AUDIT}.book_cohort": _("Cohort booked on the class"),
        },
    )
)


class TrainingClassViewSet(one_door.DoorViewSetMixin, ModelViewSet):
    model = TrainingClass
    icon = "group"
    menu_label = _("Face-to-face classes")
    menu_order = 320
    add_to_admin_menu = True
    list_display = ["title", "starts_at", "trainer", "capacity", "district", "status"]
    list_filter = ["status", "audience"]
    form_fields = [
        "title",
        "audience",
        "cohort",
        "course",
        "requirement",
        "hours",
        "district",
        "venue",
        "address",
        "starts_at",
        "ends_at",
        "trainer",
        "capacity",
        "notes",
    ]
    copy_view_enabled = False
    inspect_view_enabled = False


@hooks.register("register_admin_viewset")
def register_training_class_viewset():
    return TrainingClassViewSet("training-classes")
