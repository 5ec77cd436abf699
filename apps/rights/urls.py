from django.urls import path

from . import views

app_name = "rights"

urlpatterns = [
    path("rights/", views.matrix, name="matrix"),
    path("classes/", views.classes, name="classes"),
    path("classes/<int:class_id>/", views.class_list, name="class_list"),
]
