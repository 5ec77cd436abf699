from django.urls import path

from . import views, views_class

app_name = "journal"

urlpatterns = [
    path("", views.journal_list, name="list"),
    path("<int:pk>/", views.journal_grid, name="grid"),
    path("<int:pk>/save/", views.journal_save, name="save"),
    path("<int:pk>/lessons/add/", views.lesson_add, name="lesson_add"),
    path("<int:pk>/lessons/<int:lesson_id>/", views.lesson_detail, name="lesson"),
    path("<int:pk>/cell/", views.cell_detail, name="cell"),
    path("<int:pk>/history/", views.history, name="history"),
    path("class/<int:class_id>/attendance/", views_class.class_attendance_page, name="class_attendance"),
]
