from django.urls import path

from . import views

app_name = "certification"

urlpatterns = [
    # Trainee and holder
    path("certification/", views.my_certifications, name="my_certifications"),
    path("certification/claim/<slug:code>/", views.claim, name="claim"),
    path("certification/renew/<str:serial>/", views.renew, name="renew"),
    path("certification/certificates/<str:serial>/", views.certificate_detail, name="detail"),
    path("certification/certificates/<str:serial>/pdf/", views.certificate_pdf, name="pdf"),
    path(
        "certification/certificates/<str:serial>/credential.jwt",
        views.certificate_credential,
        name="credential",
    ),
    # Public
    path("verify/", views.verify_lookup, name="verify_lookup"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path(".well-known/jwks.json", views.jwks, name="jwks"),
    path("certification/issuer/", views.issuer_profile, name="issuer_profile"),
    path("certification/achievements/<slug:code>/", views.achievement, name="achievement"),
    path("certification/credentials/<str:code>/", views.credential_json, name="credential_json"),
    path("certification/status/<int:pk>/", views.status_list, name="status_list"),
    # Coordinators
    path("certification/manage/", views.manage, name="manage"),
    path("certification/manage/pending/", views.pending, name="pending"),
    path("certification/manage/pending/<int:pk>/<str:decision>/", views.decide, name="decide"),
    path("certification/manage/certificates/", views.certificate_list, name="certificate_list"),
    path("certification/manage/expiring/", views.expiring, name="expiring"),
    path("certification/manage/certificates/<str:serial>/revoke/", views.revoke, name="revoke"),
    path("certification/manage/certificates/<str:serial>/reissue/", views.reissue, name="reissue"),
    path("certification/manage/cohort/", views.cohort_issue, name="cohort_issue"),
    path("certification/manage/jobs/<int:pk>/", views.job_detail, name="job"),
    path(
        "certification/manage/jobs/<int:pk>/progress.json", views.job_progress, name="job_progress"
    ),
]
