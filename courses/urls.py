from django.urls import path

from . import views

app_name = "courses"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("my/", views.my_learning, name="my_learning"),
    path("search/", views.search, name="search"),
    path("courses/<int:course_id>/enrol/", views.enrol, name="enrol"),
    path("courses/<int:course_id>/withdraw/", views.withdraw, name="withdraw"),
    path("lessons/<int:lesson_id>/complete/", views.complete_lesson, name="complete_lesson"),
    path("lessons/<int:lesson_id>/reflection/", views.save_reflection, name="save_reflection"),
    path("reflections/shared/", views.shared_reflections, name="shared_reflections"),
    path("cohorts/", views.cohort_list, name="cohort_list"),
    path("cohorts/new/", views.cohort_create, name="cohort_create"),
    path("cohorts/<int:cohort_id>/", views.cohort_detail, name="cohort_detail"),
    # Lesson pages of the catalogue (a Wagtail page at /learn/), routed in two queries.
    path("<str:programme>/<str:course>/<str:module>/<str:lesson>/", views.lesson, name="lesson"),
]
