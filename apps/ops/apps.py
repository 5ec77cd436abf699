from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operating the service: the health check and the benchmark's query counter. No models, so
    nothing of it appears in the admin."""

    name = "apps.ops"
    label = "ops"
