"""The demo school's administration data (issue 3): each app that has some seeds it itself.

An app with demo data has `apps/<app>/demo.py` with `seed(builder)`; `builder` is the finished
apps.demo.builder.DemoBuilder (its school, year, periods, classes, journals, timetable, lessons).
They run in this order after the journal is built.
"""

import importlib
import importlib.util

SEEDERS = ("schoolyear", "curriculum", "grading", "timetable", "plans", "movement", "events", "imports")


def seed_extras(builder) -> None:
    for app in SEEDERS:
        name = f"apps.{app}.demo"
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name).seed(builder)
