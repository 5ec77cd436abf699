"""Reading a compromise case: its operations, readable (when, journal, lesson, student, what)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import Membership, User
from apps.audit.models import Entry
from apps.journal.models import Journal, Lesson
from apps.journal.selectors import history_rows
from apps.people.models import Student

from . import services
from .models import CompromiseItem, CompromiseReport

PLANNED = {
    services.Result.REVERTED: gettext_lazy("будет откачено"),
    services.Result.LATER: gettext_lazy("изменено позже — не откатывается, проверьте вручную"),
    services.Result.UNCHANGED: gettext_lazy("уже в прежнем состоянии"),
}


def reports(*, school) -> QuerySet[CompromiseReport]:
    return CompromiseReport.objects.filter(school=school).select_related(
        "user", "reported_by", "reported_in", "confirmed_by"
    )


def report_for(*, school, pk) -> CompromiseReport | None:
    try:
        return reports(school=school).get(pk=pk)
    except (CompromiseReport.DoesNotExist, ValueError, TypeError):
        return None


def reportable_users(*, school) -> QuerySet[User]:
    """Accounts the school's administrator may report: every login with a role in the school."""
    return (
        User.objects.filter(is_superuser=False, pk__in=Membership.objects.filter(school=school).values("user_id"))
        .order_by("last_name", "first_name", "username")
        .distinct()
    )


@dataclass
class OperationRow:
    entry_id: int
    at: dt.datetime
    journal: str
    lesson: str
    student: str
    action: str
    change: str
    result: str
    result_label: str
    later: str = ""  # who changed the record afterwards, and when

    @property
    def at_text(self) -> str:
        return self.at.strftime("%d.%m.%Y %H:%M:%S")  # already in the school's zone


def _lesson_label(lesson: Lesson | None, entry: Entry) -> str:
    if lesson is not None:
        return _("%(date)s, %(number)s-й урок") % {"date": date_format(lesson.date, "d.m.Y"), "number": lesson.number}
    state = entry.old or entry.new or {}
    if entry.object_type == "lesson" and state.get("date"):
        day = dt.date.fromisoformat(state["date"])
        return _("%(date)s, %(number)s-й урок (удалён)") % {
            "date": date_format(day, "d.m.Y"),
            "number": state["number"],
        }
    return _("урок удалён") if entry.lesson_id else ""


def operation_rows(*, report: CompromiseReport) -> list[OperationRow]:
    """The case's operations, oldest first, with what reverting does (did) to each."""
    zone = ZoneInfo(report.school.timezone)
    if report.confirmed_at is not None:
        items = list(
            CompromiseItem.objects.filter(report=report).select_related("entry__author").order_by("entry__seq")
        )
        entries = [i.entry for i in items]
        results = {i.entry_id: (i.result, "") for i in items}
        labels = dict(services.Result.choices)
    else:
        groups = services.plan(report)
        entries = sorted((e for g in groups for e in g.entries), key=lambda e: e.seq)
        results = {}
        for g in groups:
            later = ""
            if g.later is not None:
                later = _("%(who)s, %(when)s") % {
                    "who": g.later.author.display_name if g.later.author else _("система"),
                    "when": date_format(timezone.localtime(g.later.at, zone), "d.m.Y H:i"),
                }
            for e in g.entries:
                results[e.pk] = (g.result, later)
        labels = PLANNED
    journals = {
        j.pk: j
        for j in Journal.objects.filter(pk__in={e.journal_id for e in entries if e.journal_id}).select_related(
            "subject", "group"
        )
    }
    lessons = {
        lesson.pk: lesson for lesson in Lesson.objects.filter(pk__in={e.lesson_id for e in entries if e.lesson_id})
    }
    students = {s.pk: s for s in Student.objects.filter(pk__in={e.student_id for e in entries if e.student_id})}
    described = history_rows(entries=entries, school=report.school)
    rows = []
    for e, d in zip(entries, described, strict=True):
        journal = journals.get(e.journal_id)
        student = students.get(e.student_id)
        result, later = results[e.pk]
        rows.append(
            OperationRow(
                entry_id=e.pk,
                at=timezone.localtime(e.at, zone),
                journal=f"{journal.subject} · {journal.group}" if journal else "",
                lesson=_lesson_label(lessons.get(e.lesson_id), e),
                student=student.short_name if student else "",
                action=d.action,
                change=d.change,
                result=result,
                result_label=str(labels[result]),
                later=later,
            )
        )
    return rows
