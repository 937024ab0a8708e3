from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("", views.home, name="home"),
    path("sessions/", views.session_list, name="sessions"),
    path("sessions/new/", views.session_new, name="session_new"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("attendance/<int:pk>/confirm/", views.confirm_attendance, name="confirm"),
    path("attendance/<int:pk>/dispute/", views.dispute_attendance, name="dispute"),
    path("inspections/", views.inspection_list, name="inspections"),
    path("inspections/new/", views.inspection_new, name="inspection_new"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection"),
    path("inspections/<int:pk>/findings/", views.add_finding, name="add_finding"),
    path("actions/", views.action_list, name="actions"),
    path("actions/<int:pk>/", views.action_detail, name="action"),
    path("actions/<int:pk>/evidence/", views.submit_evidence, name="submit_evidence"),
    path("actions/<int:pk>/verify/", views.verify_action, name="verify"),
    path("actions/<int:pk>/file/", views.action_evidence, name="action_file"),
    path("stages/", views.stage_list, name="stages"),
    path("stages/<int:pk>/", views.stage_detail, name="stage"),
    path("stages/<int:pk>/sign-off/", views.sign_off_stage, name="sign_off"),
    path("publicity/", views.publicity_overview, name="publicity"),
    path("publicity/<int:unit_pk>/<str:period>/", views.publicity_unit, name="publicity_unit"),
    path("publicity/items/<int:pk>/file/", views.publicity_file, name="publicity_file"),
    path("publicity/items/<int:pk>/remove/", views.publicity_remove, name="publicity_remove"),
]
