"""Endpoints for operating the service."""

from django.http import HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def healthz(request):
    """The process answers. No database, no session: also the framework's floor in `make bench`
    (the same middleware stack as every page, nothing else)."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
