"""Wagtail admin: cohorts and enrolments for administrators and coordinators.

Cohorts are created and filled from the site's cohort pages (scoped per coordinator);
the admin views give an overview and search, and write through the same services
(``lms.one_door``): a district coordinator sees and changes their district's only.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from lms import one_door

from . import permissions, services
from .models import Cohort, Enrolment

one_door.register(
    one_door.Door(
        model=Cohort,
        check=permissions.check_cohort_admin,
        scope=permissions.cohorts_in_scope,
        create=lambda *, actor, instance: services.create_cohort(
            actor=actor,
            name=instance.name,
            starts_on=instance.starts_on,
            ends_on=instance.ends_on,
            district=instance.district,
            programme=instance.programme,
        ),
        update=lambda *, actor, instance, changed: services.update_cohort(
            actor=actor, cohort=instance, changed=changed
        ),
        delete=lambda *, actor, instance: services.delete_cohort(actor=actor, cohort=instance),
    )
)
one_door.register(
    one_door.Door(
        model=Enrolment,
        check=permissions.check_enrolment_admin,
        scope=permissions.enrolments_in_scope,
        update=lambda *, actor, instance, changed: services.set_enrolment_deadline(
            actor=actor, enrolment=instance, changed=changed
        ),
        history={"courses.enrolment.deadline": _("Deadline changed")},
    )
)


class CohortViewSet(one_door.DoorViewSetMixin, ModelViewSet):
    model = Cohort
    icon = "group"
    menu_label = _("Cohorts")
    list_display = ["name", "starts_on", "ends_on", "district", "programme"]
    list_filter = ["district"]
    search_fields = ["name"]
    # The coordinator is whoever creates the cohort (``services.create_cohort``).
    form_fields = ["name", "starts_on", "ends_on", "district", "programme"]
    copy_view_enabled = False


class EnrolmentViewSet(one_door.DoorViewSetMixin, ModelViewSet):
    model = Enrolment
    icon = "user"
    menu_label = _("Enrolments")
    list_display = ["user", "course", "source", "enrolled_at", "progress_percent", "completed_at"]
    list_filter = ["source"]
    search_fields = ["user__username", "user__real_name"]
    form_fields = ["deadline"]
    inspect_view_enabled = True


class LearningViewSetGroup(ModelViewSetGroup):
    menu_label = _("Learning")
    menu_icon = "doc-full-inverse"
    menu_order = 300
    items = (CohortViewSet("cohorts"), EnrolmentViewSet("enrolments"))


@hooks.register("register_admin_viewset")
def register_learning_viewsets():
    return LearningViewSetGroup()


@hooks.register("register_admin_urls")
def guarded_translation_updates():
    """In front of wagtail-localize's own route (this app's hooks register first)."""
    from django.urls import path

    from .native_review import clear_view
    from .translation import GuardedUpdateTranslationsView

    return [
        path(
            "localize/update/<int:translation_source_id>/",
            GuardedUpdateTranslationsView.as_view(),
            name="courses_update_translations",
        ),
        path(
            "courses/native-review/<int:page_id>/clear/",
            clear_view,
            name="courses_native_review_clear",
        ),
    ]


@hooks.register("register_log_actions")
def native_review_log_actions(actions):
    """The page history's line for a translation cleared by a native speaker."""
    from .native_review import CLEARED, CLEARED_LABEL

    actions.register_action(CLEARED, CLEARED_LABEL, CLEARED_LABEL)
