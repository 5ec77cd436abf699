"""Shared helpers for the diary tests: reading a page as a person would, and test data."""

import datetime as dt
import html
import re
from decimal import Decimal

from apps.journal.models import Attendance, Mark

SECTION = re.compile(r'<section class="day[^"]*"[^>]*>(.*?)</section>', re.S)


def page_text(response) -> str:
    """The visible text of <main>, tags stripped, whitespace collapsed."""
    body = response.content.decode()
    main = body[body.index("<main") : body.index("</main>")]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())


def day_texts(response) -> list[str]:
    """The text of each day of the week page, Monday first."""
    return [
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", s)).split()) for s in SECTION.findall(response.content.decode())
    ]


def work_type(world, name):
    return next(wt for wt in world.work_types if wt.name == name)


def add_mark(world, lesson, student, value, wt_name="Ответ на уроке", comment="", weight=None):
    wt = work_type(world, wt_name)
    return Mark.objects.create(
        school=lesson.school,
        lesson=lesson,
        student=student,
        value=value,
        work_type=wt,
        weight=wt.weight if weight is None else Decimal(weight),
        comment=comment,
        author=world.alice,
    )


def add_absence(world, lesson, student, reason=""):
    return Attendance.objects.create(
        school=lesson.school, lesson=lesson, student=student, reason=reason, author=world.alice
    )


def d(month, day, year=2026):
    return dt.date(year, month, day)
