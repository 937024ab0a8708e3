from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/", views.create_token, name="create_token"),
    path("profile/tokens/<int:pk>/revoke/", views.revoke_token, name="revoke_token"),
    path("people/import/", views.import_people_view, name="import_people"),
    path("people/import/template.xlsx", views.import_template_view, name="import_template"),
]
