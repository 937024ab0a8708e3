from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path(
        "export/<slug:group_key>/<slug:table_key>.<str:fmt>",
        views.export_table,
        name="export_table",
    ),
    path("coverage/", views.coverage, name="coverage"),
    path("monthly/", views.monthly_list, name="monthly_list"),
    path(
        "monthly/<int:pk>/<str:kind>",
        views.monthly_download,
        name="monthly_download",
    ),
    path("audit/", views.audit_log, name="audit_log"),
]
