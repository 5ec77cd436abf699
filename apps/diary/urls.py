from django.urls import path

from . import views

app_name = "diary"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:student_id>/week/", views.week, name="week"),
    path("<int:student_id>/marks/", views.marks, name="marks"),
    path("<int:student_id>/exams/", views.exams, name="exams"),
]
