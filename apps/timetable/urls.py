from django.urls import path

from . import views

app_name = "timetable"

urlpatterns = [
    path("", views.index, name="index"),
    path("bells/", views.bells, name="bells"),
    path("entries/add/", views.entry_add, name="entry_add"),
    path("entries/<int:pk>/end/", views.entry_end, name="entry_end"),
    path("generate/", views.generate, name="generate"),
    path("lessons/<int:pk>/", views.lesson_change, name="lesson_change"),
    path("substitutions/", views.substitutions, name="substitutions"),
    path("substitutions/<int:pk>/remove/", views.substitution_remove, name="substitution_remove"),
    path("substitutions/report/", views.substitution_report, name="substitution_report"),
]
