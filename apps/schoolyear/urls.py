from django.urls import path

from . import views

app_name = "schoolyear"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.year_add, name="year_add"),
    path("<int:pk>/", views.year, name="year"),
    path("<int:pk>/edit/", views.year_edit, name="year_edit"),
    path("<int:pk>/activate/", views.year_activate, name="year_activate"),
    path("<int:pk>/close/", views.year_close, name="year_close"),
    path("<int:pk>/periods/", views.periods, name="periods"),
    path("<int:pk>/periods/scheme/", views.period_scheme, name="period_scheme"),
    path("<int:pk>/holidays/new/", views.holiday_add, name="holiday_add"),
    path("holidays/<int:pk>/", views.holiday, name="holiday"),
    path("<int:pk>/classes/new/", views.class_add, name="class_add"),
    path("classes/<int:pk>/", views.school_class, name="school_class"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/day/", views.calendar_day, name="calendar_day"),
]
