"""Rendered parts of pages kept in the cache (issue 5), with the CSRF token put in on each request.

A cached part is rendered with a placeholder where `{% csrf_token %}` writes the token; each
request gets the part with its own token (django.middleware.csrf.get_token), so a form of a
cached page posts as well as a freshly rendered one, and no user's token is ever shown to
another. What the key must name so that a cached part is never stale is the caller's business
(apps.diary.cache, apps.journal.views); this module only stores and serves.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

# Letters and digits only: survives HTML escaping unchanged, and cannot occur in a page by chance.
CSRF_PLACEHOLDER = "csrfPlaceholderQ7v3Kx9w"


def timeout() -> int:
    return getattr(settings, "DIARY_CACHE_SECONDS", 600)


def fragment(request, key: str, template: str, context: Callable[[], dict]) -> SafeString:
    """The template rendered with context() — from the cache under `key` when it is there."""
    html = cache.get(key)
    if html is None:
        values = context()
        values["csrf_token"] = CSRF_PLACEHOLDER
        html = render_to_string(template, values, request)
        cache.set(key, html, timeout())
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    return mark_safe(html)  # noqa: S308 (our own templates' output)
