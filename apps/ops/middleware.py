"""Middleware of the whole site.

- PrivateCacheMiddleware: personal pages and files are never kept by a browser or a proxy.
- BadParameterMiddleware: a crafted value in a page's address is a 400 with a Russian message.
- QueryCountMiddleware: opt-in instrumentation for `make bench`. Listed in settings.MIDDLEWARE
  but removes itself (MiddlewareNotUsed) unless the environment says JOURNAL_BENCH=1, so
  production pays nothing for it. When active it counts the SQL statements a request runs, on
  every configured database, and returns the number in the X-Query-Count response header,
  which the load generator reads.
"""

import os
from contextlib import ExitStack

from django.core.exceptions import MiddlewareNotUsed
from django.db import connections
from django.shortcuts import render
from django.utils.cache import cc_delim_re

from .days import BadParameter

HEADER = "X-Query-Count"
PRIVATE = "private, no-store"


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on every response that may carry personal data: one to
    a signed-in user, and one that sets a cookie or varies by it (the sign-in page, a session).
    Without it a browser keeps the diary, the grid, an export or a consent's scan on disk, and a
    shared proxy may hand them to the next reader. A response that says how it may be cached
    keeps its own header. Static files never get here: WhiteNoise, listed before, answers them
    with its long cache lifetime."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control") and _personal(request, response):
            response["Cache-Control"] = PRIVATE
        return response


def _personal(request, response) -> bool:
    if response.cookies:
        return True
    if "cookie" in {v.lower() for v in cc_delim_re.split(response.get("Vary", "")) if v}:
        return True
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


class BadParameterMiddleware:
    """A view that refused a value of its address (apps.ops.days.BadParameter) answers 400 with
    the reason, on the site's own page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, BadParameter):
            message = exception.args[0] if exception.args else ""
            return render(request, "ops/bad_parameter.html", {"message": message}, status=400)
        return None


def bench_enabled() -> bool:
    return os.environ.get("JOURNAL_BENCH") == "1"


class QueryCounter:
    """An execute_wrapper: counts each statement (an executemany counts once)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class QueryCountMiddleware:
    def __init__(self, get_response):
        if not bench_enabled():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        counter = QueryCounter()
        with ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(counter))
            response = self.get_response(request)
        response[HEADER] = str(counter.count)
        return response
