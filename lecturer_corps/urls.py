from django.urls import path

from . import delivery_views, views

app_name = "lecturer_corps"

urlpatterns = [
    # Lecturers
    path("my-sessions/", views.my_sessions, name="my_sessions"),
    path("my-sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("my-sessions/<int:pk>/answer/", views.session_respond, name="session_respond"),
    path("my-sessions/<int:pk>/report/", delivery_views.report_create, name="report_create"),
    path("profile/", views.profile_edit, name="profile"),
    path("profile/unavailable/", views.unavailable_add, name="unavailable_add"),
    path(
        "profile/unavailable/<int:pk>/remove/",
        views.unavailable_remove,
        name="unavailable_remove",
    ),
    path("calendar-link/", views.calendar_link, name="calendar_link"),
    path("calendar/<str:secret>.ics", views.calendar_feed, name="calendar_feed"),
    path("notifications/", views.notification_list, name="notifications"),
    # Venue contacts (no account): confirm a report's counts by the link they were sent
    path("confirm/<str:token>/", delivery_views.venue_confirm, name="venue_confirm"),
    # Coordinators
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_create, name="request_create"),
    path("requests/auto-assign/", views.auto_assign, name="auto_assign"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/assign/", views.request_assign, name="request_assign"),
    path("requests/<int:pk>/cancel/", views.request_cancel, name="request_cancel"),
    path("requests/<int:pk>/reschedule/", views.request_reschedule, name="request_reschedule"),
    path("calendar/", views.coordinator_calendar, name="calendar"),
    path("reports/", delivery_views.report_queue, name="report_queue"),
    path("reports/<int:pk>/", delivery_views.report_detail, name="report_detail"),
    path("reports/<int:pk>/verify/", delivery_views.report_verify, name="report_verify"),
    path("reports/<int:pk>/return/", delivery_views.report_return, name="report_return"),
    path("venues/<int:pk>/contacts/", delivery_views.venue_contacts, name="venue_contacts"),
    path(
        "venues/<int:pk>/contacts/<int:contact_pk>/active/",
        delivery_views.venue_contact_active,
        name="venue_contact_active",
    ),
    path("venues/import/", views.venue_import, name="venue_import"),
    path("lecturers/", views.lecturer_list, name="lecturer_list"),
]
