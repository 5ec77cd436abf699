"""The load scenarios of `make bench`, for locust (run by bench/run.py from .venv-bench).

Environment:
  BENCH_PLAN      the plan written by bench/prepare.py (who signs in, which pages, which lessons)
  BENCH_SCENARIO  healthz | diary_week | diary_marks | journal_grid | journal_save | mixed
  BENCH_EXTRA     where to write what locust's CSV lacks: SQL queries per request (from the
                  X-Query-Count header) and the marks saved

Every user runs closed-loop (no think time): the next request leaves when the answer arrived.
Each locust user is bound to its own signed-in parents, teachers and lessons; the save scenarios
give every user its own lessons, so the values it alternates are always a real change.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from collections import defaultdict

from locust import events, task
from locust.contrib.fasthttp import FastHttpUser

PLAN = json.loads(open(os.environ["BENCH_PLAN"], encoding="utf-8").read())
SCENARIO = os.environ.get("BENCH_SCENARIO", "healthz")
EXTRA = os.environ.get("BENCH_EXTRA")

# name → [responses with the header, queries in total]
_queries: dict[str, list[int]] = defaultdict(lambda: [0, 0])
_marks = {"saves": 0, "marks": 0}
_counter = itertools.count()


@events.request.add_listener
def _count_queries(name, response, exception, **_kw):
    if exception is None and response is not None:
        value = response.headers.get("X-Query-Count")
        if value is not None:
            q = _queries[name]
            q[0] += 1
            q[1] += int(value)


@events.quitting.add_listener
def _write_extra(environment, **_kw):
    if EXTRA:
        total = [sum(v[0] for v in _queries.values()), sum(v[1] for v in _queries.values())]
        with open(EXTRA, "w", encoding="utf-8") as fh:
            json.dump({"queries": {**_queries, "Aggregated": total}, **_marks}, fh)


class Reader(FastHttpUser):
    """The signed-in pages: the cookies of the persona are sent explicitly on every request."""

    abstract = True
    wait_time = staticmethod(lambda: 0)

    def on_start(self):
        n = next(_counter)
        self.index = n
        self.rng = random.Random(n)
        self.parents = _share(PLAN["parents"], n)
        self.teachers = _share(PLAN["teachers"], n)
        self.class_teachers = _share(PLAN["class_teachers"], n)
        self.deputies = _share(PLAN.get("deputies", []), n)
        self.client.client.cookiejar = None  # the persona's cookies only, never a stored one
        self.slot = None
        if SCENARIO in ("journal_save", "mixed"):
            slots = PLAN["save_slots" if SCENARIO == "journal_save" else "mixed_slots"]
            if n >= len(slots):
                raise RuntimeError(f"{SCENARIO}: more users than lessons to write ({len(slots)})")
            self.slot = slots[n]
            self.slot_round = 0

    def _get(self, url, cookie, name):
        # No redirects followed: a session the server no longer knows answers 302 to the sign-in
        # page, which must count as a failure, not as a fast page.
        with self.client.get(
            url, headers={"Cookie": cookie}, name=name, catch_response=True, allow_redirects=False
        ) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")

    def diary_week(self):
        p = self.rng.choice(self.parents)
        self._get(p["week"], p["cookie"], "diary_week")

    def diary_marks(self):
        p = self.rng.choice(self.parents)
        self._get(p["marks"], p["cookie"], "diary_marks")

    def journal_grid(self):
        t = self.rng.choice(self.teachers)
        self._get(self.rng.choice(t["grids"]), t["cookie"], "journal_grid")

    def class_attendance(self):
        c = self.rng.choice(self.class_teachers)
        self._get(c["attendance"], c["cookie"], "class_attendance")

    def class_grid(self):
        c = self.rng.choice(self.class_teachers)
        self._get(self.rng.choice(c["grids"]), c["cookie"], "class_grid")

    def school_report(self):
        d = self.rng.choice(self.deputies)
        self._get(self.rng.choice(d["reports"]), d["cookie"], "school_report")

    def journal_save(self):
        """One column of marks in one POST, as grid.js sends it; each save flips every cell."""
        s = self.slot
        k = self.slot_round % 2
        self.slot_round += 1
        cells = [
            {"lesson": str(s["lesson"]), "student": str(c["student"]), "value": c["values"][k]} for c in s["cells"]
        ]
        body = json.dumps({"period": str(s["period"]), "cells": cells, "period_marks": []})
        headers = {
            "Cookie": s["cookie"],
            "Content-Type": "application/json",
            "Accept": "application/json",
            "X-CSRFToken": PLAN["csrf"],
            "X-Requested-With": "fetch",
        }
        with self.client.post(
            s["url"], data=body, headers=headers, name="journal_save", catch_response=True, allow_redirects=False
        ) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")
                return
            result = r.json()
            if not result.get("ok") or any(c["value"] != cells[i]["value"] for i, c in enumerate(result["cells"])):
                r.failure("save refused: " + json.dumps(result, ensure_ascii=False)[:300])
                return
            _marks["saves"] += 1
            _marks["marks"] += len(cells)


def _share(items: list, n: int, per_user: int = 8) -> list:
    """A user's own slice of a pool (wrapping round when the pool is small)."""
    if not items:
        return []
    start = (n * per_user) % len(items)
    return [items[(start + i) % len(items)] for i in range(min(per_user, len(items)))]


class Healthz(Reader):
    def on_start(self):
        self.client.client.cookiejar = None

    @task
    def healthz(self):
        with self.client.get("/healthz", name="healthz", catch_response=True) as r:
            if r.status_code != 200 or r.text != "ok":
                r.failure(f"HTTP {r.status_code}")


class DiaryWeek(Reader):
    @task
    def one(self):
        self.diary_week()


class DiaryMarks(Reader):
    @task
    def one(self):
        self.diary_marks()


class JournalGrid(Reader):
    @task
    def one(self):
        self.journal_grid()


class JournalSave(Reader):
    @task
    def one(self):
        self.journal_save()


class SchoolReport(Reader):
    """The administration's reports of issue 3: programme completion, movement of students, the
    substitutions of the quarter (a deputy of one school, each request one of the three)."""

    @task
    def one(self):
        self.school_report()


class Mixed(Reader):
    """The evening and the school day at once, per request: 80 % diary (week 60, marks 20),
    15 % journal (grid reads 12, column saves 3), 5 % class teachers (attendance 2.5, grid 2.5)."""

    @task(120)
    def week(self):
        self.diary_week()

    @task(40)
    def marks(self):
        self.diary_marks()

    @task(24)
    def grid(self):
        self.journal_grid()

    @task(6)
    def save(self):
        self.journal_save()

    @task(5)
    def attendance(self):
        self.class_attendance()

    @task(5)
    def class_journal(self):
        self.class_grid()


SCENARIOS = {
    "healthz": Healthz,
    "diary_week": DiaryWeek,
    "diary_marks": DiaryMarks,
    "journal_grid": JournalGrid,
    "journal_save": JournalSave,
    "mixed": Mixed,
    "school_report": SchoolReport,
}
# locust runs every non-abstract User class it finds in this module: keep only the chosen one.
for _name, _cls in SCENARIOS.items():
    _cls.abstract = _name != SCENARIO
del _name, _cls
