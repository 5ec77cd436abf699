"""Return addresses taken from a request (`?back=…`, a form's hidden `back`): only ever this
site's own.

A value is used as a link («Отмена», «Готово») or a redirect only when Django's
url_has_allowed_host_and_scheme accepts it for this host (and, on HTTPS, only https): a path, or
an absolute address of this site. `//evil.example/`, `/\\evil.example/` (browsers read «\\» as
«/»), `/%09/evil.example/` (they drop the tab), `javascript:…` and another host fall back to the
page's default.
"""

from __future__ import annotations

from django.utils.http import url_has_allowed_host_and_scheme


def safe_back(request, value: str | None, default: str) -> str:
    """`value` when it is an address of this site, else `default`."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return default
