"""Rendered pages and parts of pages kept in the cache (issue 5), with the CSRF token put in on
each request.

A cached part is rendered with a mark where `{% csrf_token %}` writes the token, and kept as the
pieces of HTML between the marks; each request gets the pieces joined by its own token
(django.middleware.csrf.get_token), so a form of a cached page posts as well as a freshly
rendered one, and no user's token is ever shown to another. The token goes where the template
put it and nowhere else: the mark is drawn afresh for every render, so no text saved before it —
a lesson's topic, a name — can hold it, and what a user typed is never searched and replaced.
What the key must name so that a cached part is never stale is the caller's business
(apps.diary.cache, apps.journal.views); this module only stores and serves.

A whole page (`page`) adds to the caller's key what the site's layout (templates/base.html) shows
for this request: the language, the address (the language form returns to it), the user's name,
his schools and the current one, and the menu as apps.accounts.context_processors.navigation makes
it for his roles and rights now. A request with messages to show is rendered afresh, and such a
page is not kept.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

# How every mark begins (a served page holds none). Letters and digits only: survives HTML
# escaping unchanged. The random rest is drawn for each render (_new_mark).
CSRF_PLACEHOLDER = "csrfPlaceholder"
# The mark of the page being rendered, which the fragments of its context join their pieces with.
_PAGE_MARK = "_pagecache_mark"


# A run of whitespace that holds a line break, outside <pre> and <textarea>: the templates'
# indentation. A browser shows any such run as one space, so one line break shows the same; a
# week page loses about 40 % of its bytes, which every request then sends and the cache stores.
_INDENT = re.compile(r"(<pre\b.*?</pre>|<textarea\b.*?</textarea>)|\s*\n\s*", re.S | re.I)


def compact(html: str) -> str:
    """The page with the templates' indentation folded: the same page in a browser, shorter."""
    return _INDENT.sub(lambda m: m.group(1) or "\n", html)


def timeout() -> int:
    return getattr(settings, "DIARY_CACHE_SECONDS", 600)


def _new_mark() -> str:
    return CSRF_PLACEHOLDER + secrets.token_hex(16)


def _render(request, template: str, values: dict, mark: str) -> list[str]:
    """The template rendered with `mark` as the CSRF token: the pieces of HTML around each token."""
    values["csrf_token"] = mark
    return compact(render_to_string(template, values, request)).split(mark)


def _served(request, pieces: list[str]) -> str:
    return get_token(request).join(pieces) if len(pieces) > 1 else pieces[0]


def fragment(request, key: str, template: str, context: Callable[[], dict], *, token: bool = True) -> SafeString:
    """The template rendered with context() — from the cache under `key` when it is there. With
    token=False (inside the context of `page`) the tokens are left to the page."""
    pieces = cache.get(key)
    if not isinstance(pieces, list):  # not kept (or kept by a version that stored one string)
        pieces = _render(request, template, context(), _new_mark())
        cache.set(key, pieces, timeout())
    if token:
        return mark_safe(_served(request, pieces))  # noqa: S308 (our own templates' output)
    mark = getattr(request, _PAGE_MARK, None)
    if mark is None:
        raise RuntimeError("pagecache.fragment(token=False) belongs in the context of pagecache.page")
    return mark_safe(mark.join(pieces))  # noqa: S308 (our own templates' output)


def page_key(request, key: str) -> str:
    """The cache key of a page: a digest of the caller's `key` and of what templates/base.html
    shows for this request besides the page's content."""
    from apps.accounts.context_processors import navigation

    user = request.user
    school = getattr(request, "school", None)
    parts = (
        key,
        translation.get_language(),
        request.get_full_path(),
        getattr(request.resolver_match, "app_name", None),
        user.pk,
        user.display_name if user.is_authenticated else "",
        school.pk if school is not None else None,
        tuple((s.pk, s.short_name) for s in getattr(request, "schools", ())),
        tuple(navigation(request)["nav_items"]),
    )
    return "page:" + hashlib.blake2b(repr(parts).encode(), digest_size=20).hexdigest()


def page(request, key: str, template: str, context: Callable[[], dict]) -> HttpResponse:
    """The page rendered from `template` with context() — from the cache when the same page (the
    caller's `key`, which must name everything the page's own content shows) was rendered for the
    same layout. Parts of the context made by `fragment` must be made with token=False."""
    has_messages = len(messages.get_messages(request)) > 0
    full_key = page_key(request, key)
    pieces = None if has_messages else cache.get(full_key)
    if not isinstance(pieces, list):
        mark = _new_mark()
        setattr(request, _PAGE_MARK, mark)
        try:
            pieces = _render(request, template, context(), mark)
        finally:
            delattr(request, _PAGE_MARK)
        if not has_messages:  # messages are shown once: such a page is never kept
            cache.set(full_key, pieces, timeout())
    return HttpResponse(_served(request, pieces))
