"""Wagtail admin: cohorts and enrolments for administrators and coordinators.

Cohorts are created and filled from the site's cohort pages (scoped per coordinator);
the admin views give administrators an overview and search.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from .models import Cohort, Enrolment


class CohortViewSet(ModelViewSet):
    model = Cohort
    icon = "group"
    menu_label = _("Cohorts")
    list_display = ["name", "starts_on", "ends_on", "district", "programme"]
    list_filter = ["district"]
    search_fields = ["name"]
    form_fields = ["name", "starts_on", "ends_on", "district", "programme", "coordinator"]


class EnrolmentViewSet(ModelViewSet):
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
