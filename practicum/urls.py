from django.urls import path

from . import views

app_name = "practicum"

urlpatterns = [
    path("", views.my_entries, name="my_entries"),
    path("entries/<int:pk>/", views.entry_detail, name="entry_detail"),
    path("entries/<int:pk>/edit/", views.entry_edit, name="entry_edit"),
    path("entries/<int:pk>/submit/", views.entry_submit, name="entry_submit"),
    path("entries/<int:pk>/delete/", views.entry_delete, name="entry_delete"),
    path("entries/<int:pk>/review/", views.entry_review, name="entry_review"),
    path("entries/<int:pk>/reverse/", views.entry_reverse, name="entry_reverse"),
    path("evidence/<int:pk>/", views.attachment, name="attachment"),
    path("evidence/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/approve/", views.bulk_approve, name="bulk_approve"),
    path("review/trainees/<int:user_pk>/", views.trainee_review, name="trainee_review"),
    path("trainees/", views.my_trainees, name="my_trainees"),
    path(
        "placements/<int:placement_pk>/evaluations/new/",
        views.evaluation_start,
        name="evaluation_start",
    ),
    path("evaluations/<int:pk>/", views.evaluation, name="evaluation"),
    path("evaluations/<int:pk>/sign/", views.evaluation_sign, name="evaluation_sign"),
    path("evaluations/<int:pk>/correct/", views.evaluation_correct, name="evaluation_correct"),
    path("ledger/", views.my_ledger, name="my_ledger"),
    path("ledger/<int:user_pk>/<str:qualification>/", views.ledger, name="ledger"),
    path(
        "ledger/<int:user_pk>/<str:qualification>/record.pdf",
        views.record_pdf,
        name="record_pdf",
    ),
    path("overview/", views.overview, name="overview"),
    path("placements/new/", views.placement_create, name="placement_create"),
    path("placements/<int:pk>/reassign/", views.placement_reassign, name="placement_reassign"),
]
