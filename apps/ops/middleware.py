"""Opt-in instrumentation for `make bench`.

QueryCountMiddleware is listed in settings.MIDDLEWARE but removes itself (MiddlewareNotUsed)
unless the environment says JOURNAL_BENCH=1, so production pays nothing for it. When active it
counts the SQL statements a request runs, on every configured database, and returns the number
in the X-Query-Count response header, which the load generator reads.
"""

import os
from contextlib import ExitStack

from django.core.exceptions import MiddlewareNotUsed
from django.db import connections

HEADER = "X-Query-Count"


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
