"""Mounted at the site root: a service worker controls only the pages below its own path."""

from django.urls import path

from . import views

app_name = "offline"

urlpatterns = [
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("offline/token/", views.csrf_token, name="csrf_token"),
    path("offline/<str:lang>/", views.offline_page, name="page"),
    # offline.js asks for this address by its path: keep the two together.
    path("offline/<str:lang>/client.json", views.client_settings, name="client"),
]
