from django.urls import path

from . import views

app_name = "grading"

urlpatterns = [
    path("", views.index, name="index"),
    path("systems/", views.systems, name="systems"),
    path("rules/add/", views.rule_add, name="rule_add"),
    path("rules/<int:pk>/", views.rule, name="rule"),
    path("rules/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
    path("scales/new/", views.scale_new, name="scale_new"),
    path("scales/defaults/", views.scale_defaults, name="scale_defaults"),
    path("scales/<int:pk>/", views.scale, name="scale"),
    path("scales/<int:pk>/delete/", views.scale_delete, name="scale_delete"),
    path("convert/", views.convert, name="convert"),
    path("journals/<int:pk>/", views.journal, name="journal"),
]
