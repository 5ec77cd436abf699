from django.urls import path

from . import views

app_name = "movement"

urlpatterns = [
    path("", views.index, name="index"),
    path("entry/<int:pk>/", views.entry, name="entry"),
    path("student/<int:pk>/", views.student, name="student"),
    path("admit/", views.admit, name="admit"),
    path("transfer/", views.transfer, name="transfer"),
    path("withdraw/", views.withdraw, name="withdraw"),
    path("promote/", views.promote, name="promote"),
    path("repeat/", views.repeat, name="repeat"),
    path("graduate/", views.graduate, name="graduate"),
    path("report/", views.report, name="report"),
    path("class-sizes/", views.class_sizes, name="class_sizes"),
]
