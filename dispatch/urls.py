from django.urls import path

from . import views

app_name = "dispatch"

urlpatterns = [
    # A venue's contact person (an account linked to the venue's contact record)
    path("venue/", views.venue_home, name="venue_home"),
    path("venue/requests/new/", views.venue_request_new, name="venue_request_new"),
    path("venue/requests/<int:pk>/edit/", views.venue_request_edit, name="venue_request_edit"),
    path(
        "venue/requests/<int:pk>/withdraw/",
        views.venue_request_withdraw,
        name="venue_request_withdraw",
    ),
    # Coordinators: triage
    path("triage/", views.triage_list, name="triage_list"),
    path("triage/<int:pk>/", views.triage_detail, name="triage_detail"),
    path("triage/<int:pk>/accept/", views.triage_accept, name="triage_accept"),
    path("triage/<int:pk>/changes/", views.triage_changes, name="triage_changes"),
    path("triage/<int:pk>/decline/", views.triage_decline, name="triage_decline"),
    path("contacts/<int:pk>/invite/", views.contact_invite, name="contact_invite"),
    # Coordinators: the month's plan
    path("plan/", views.month_plan, name="month_plan"),
    path("plan/copy-forward/", views.copy_forward, name="copy_forward"),
    path("plan/import/", views.request_import, name="request_import"),
    path("plan/import/template.xlsx", views.import_template, name="import_template"),
    path("requests/<int:pk>/recurring/", views.recurring_toggle, name="recurring_toggle"),
    # Coordinators: costs
    path("costs/", views.cost_sheet, name="costs"),
    path("costs/export.<str:fmt>", views.cost_export, name="cost_export"),
    # Qualifications from elsewhere
    path("prior-qualifications/", views.prior_list, name="prior_list"),
    path("prior-qualifications/new/", views.prior_new, name="prior_new"),
    path("prior-qualifications/<int:pk>/", views.prior_detail, name="prior_detail"),
    path(
        "prior-qualifications/<int:pk>/evidence/",
        views.prior_evidence,
        name="prior_evidence",
    ),
    path(
        "prior-qualifications/<int:pk>/approve/",
        views.prior_decide,
        {"decision": "approve"},
        name="prior_approve",
    ),
    path(
        "prior-qualifications/<int:pk>/reject/",
        views.prior_decide,
        {"decision": "reject"},
        name="prior_reject",
    ),
    path(
        "prior-qualifications/<int:pk>/revoke/",
        views.prior_decide,
        {"decision": "revoke"},
        name="prior_revoke",
    ),
]
