from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("", views.index, name="index"),
    path("add/", views.add, name="add"),
    path("<int:pk>/", views.edit, name="edit"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("exams/", views.exams, name="exams"),
    path("exams/add/", views.exam_add, name="exam_add"),
    path("exams/<int:pk>/remove/", views.exam_remove, name="exam_remove"),
]
