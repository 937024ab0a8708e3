from django.urls import path

from . import views

app_name = "safeguarding"

urlpatterns = [
    path("", views.concern_list, name="list"),
    path("raise/", views.raise_concern, name="raise"),
    path("<int:pk>/", views.concern_detail, name="detail"),
    path("<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<int:pk>/refer/", views.refer, name="refer"),
    path("<int:pk>/close/", views.close, name="close"),
]
