from django.urls import path

from . import views

app_name = "quizzes"

urlpatterns = [
    path("results/", views.my_results, name="my_results"),
    path("grading/", views.grading_queue, name="grading_queue"),
    path("grading/<int:pk>/", views.mark, name="mark"),
    path("gradebook/", views.gradebook, name="gradebook"),
    path("<int:pk>/", views.quiz_detail, name="quiz_detail"),
    path("<int:pk>/start/", views.start, name="start"),
    path("<int:pk>/analysis/", views.item_analysis, name="item_analysis"),
    path("attempts/<int:pk>/", views.attempt_page, name="attempt"),
    path("attempts/<int:pk>/finish/", views.finish, name="finish"),
    path("attempts/<int:pk>/review/", views.review, name="review"),
]
