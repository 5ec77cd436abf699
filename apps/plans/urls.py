from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("completion/", views.completion, name="completion"),
    path("journal/<int:pk>/", views.plan, name="plan"),
    path("journal/<int:pk>/apply/", views.apply_topics, name="apply"),
    path("journal/<int:pk>/import/", views.import_plan, name="import"),
    path("journal/<int:pk>/import/confirm/", views.import_confirm, name="import_confirm"),
    path("journal/<int:pk>/template.xlsx", views.template, name="template"),
    path("journal/<int:pk>/export.xlsx", views.export, name="export"),
]
