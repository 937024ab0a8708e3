from django.urls import path

from . import views

app_name = "classes"

urlpatterns = [
    path("", views.class_list, name="list"),
    path("teaching/", views.my_classes, name="my_classes"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.class_create, name="create"),
    path("<int:pk>/", views.class_detail, name="detail"),
    path("<int:pk>/sign-up/", views.sign_up, name="sign_up"),
    path("<int:pk>/cancel-booking/", views.cancel_booking, name="cancel_booking"),
    path("<int:pk>/check-in/", views.check_in, name="check_in"),
    path("<int:pk>/roster/", views.roster, name="roster"),
    path("<int:pk>/roster/<int:booking_pk>/mark/", views.mark, name="mark"),
    path("<int:pk>/code/", views.show_code, name="show_code"),
    path("<int:pk>/code.json", views.code_json, name="code_json"),
    path("<int:pk>/edit/", views.class_edit, name="edit"),
    path("<int:pk>/cancel/", views.class_cancel, name="cancel"),
    path("<int:pk>/book-cohort/", views.book_cohort, name="book_cohort"),
]
