"""Demo data of the events calendar and the exam choices (ORG-10, ORG-11): a few school events
this month and next, one event of the «klass» teacher's class, and the exam choices of the
9th and 11th graders. A few dozen statements: well under a second."""

from __future__ import annotations

import calendar
import datetime as dt
import random

from django.core.exceptions import ValidationError

from apps.schools.models import Subject

from . import services
from .models import ExamChoice

# Subjects a 9th grader takes besides Russian and mathematics (two of them), and an 11th grader's
# electives (one to three).
OGE_ELECTIVES = ["Обществознание", "Информатика", "Биология", "География", "Физика", "Химия", "История", "Литература"]
EGE_ELECTIVES = ["Обществознание", "Информатика", "Физика", "Химия", "Биология", "История", "Английский язык"]


def _school_days(builder, year: int, month: int) -> list[dt.date]:
    """The month's school days (no holidays), else its weekdays."""
    days = [d for d in builder.school_days if (d.year, d.month) == (year, month)]
    if days:
        return days
    last = calendar.monthrange(year, month)[1]
    return [d for d in (dt.date(year, month, n) for n in range(1, last + 1)) if d.weekday() < 5]


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _on_or_after(days: list[dt.date], day: dt.date) -> dt.date:
    return next((d for d in days if d >= day), days[-1])


def _saturday_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(5 - day.weekday()) % 7)


def _add(**kwargs) -> None:
    try:
        services.event_create(**kwargs)
    except ValidationError:  # a date outside the demo year (the summer): nothing to show then
        pass


def seed(builder) -> None:
    school, today = builder.school, builder.today
    deputy = builder.admin_staff["zavuch"].user if "zavuch" in builder.admin_staff else builder.users[0]
    this_month = _school_days(builder, today.year, today.month)
    following = _next_month(today)
    next_month = _school_days(builder, following.year, following.month)

    school_events = [
        dict(
            date=_on_or_after(this_month, today + dt.timedelta(days=3)),
            time=dt.time(18, 0),
            title="Общешкольное родительское собрание",
            place="Актовый зал",
            description="Итоги четверти, подготовка к государственной итоговой аттестации, питание в школе.",
        ),
        dict(
            date=_on_or_after(this_month, today + dt.timedelta(days=8)),
            ends=_on_or_after(this_month, today + dt.timedelta(days=9)),
            time=dt.time(9, 0),
            title="Школьный этап всероссийской олимпиады школьников по математике",
            place="Кабинеты 201–205",
            description="Для учащихся 5–11 классов. При себе — ручка, черновик выдаётся.",
        ),
        dict(
            date=_saturday_after(_on_or_after(next_month, following + dt.timedelta(days=7))),
            time=dt.time(10, 0),
            title="День открытых дверей",
            place="Главный корпус",
            description="Для будущих первоклассников и их родителей: знакомство с учителями и кружками.",
        ),
        dict(
            date=_on_or_after(next_month, following + dt.timedelta(days=14)),
            time=dt.time(12, 30),
            title="Олимпиада по русскому языку (школьный этап)",
            place="Кабинет 310",
        ),
    ]
    for event in school_events:
        if event.get("ends") and event["ends"] <= event["date"]:
            event.pop("ends")
        _add(school=school, school_class=None, author=deputy, **event)

    klass = next(
        (c for c in builder.classes if c.teacher is not None and c.teacher.user.username == "klass"),
        next((c for c in builder.classes if c.teacher is not None), None),
    )
    if klass is not None:
        _add(
            school=school,
            school_class=klass.obj,
            author=klass.teacher.user,
            date=_on_or_after(this_month, today + dt.timedelta(days=5)),
            time=dt.time(15, 0),
            title=f"Классный час {klass.label}: экскурсия в краеведческий музей",
            place="Сбор у главного входа",
            description="Вернёмся к 17:30. Стоимость билета — по школьному тарифу.",
        )
        _add(
            school=school,
            school_class=klass.obj,
            author=klass.teacher.user,
            date=_on_or_after(next_month, following + dt.timedelta(days=7)),
            time=dt.time(18, 30),
            title=f"Родительское собрание {klass.label} класса",
            place="Кабинет классного руководителя",
        )
    _exam_choices(builder, deputy)


def _exam_choices(builder, author) -> None:
    school, today, year = builder.school, builder.today, builder.year
    rng = random.Random(2026)
    subjects = dict(builder.subjects)
    for name in ("Русский язык", "Математика"):
        if name not in subjects:
            subjects[name] = Subject.objects.get_or_create(school=school, name=name)[0]
    rows = []
    for c in builder.classes:
        if c.grade not in (9, 11):
            continue
        present = [s for s in c.students if s.starts <= today and (s.ends is None or s.ends >= today)]
        for i, s in enumerate(present):
            if c.grade == 9:
                form = ExamChoice.Exam.GVE if i == len(present) - 1 else ExamChoice.Exam.OGE
                picks = [(form, "Русский язык", ""), (form, "Математика", "")]
                if form == ExamChoice.Exam.OGE:
                    picks += [(form, name, "") for name in rng.sample(OGE_ELECTIVES, 2)]
            else:
                level = ExamChoice.Level.PROFILE if rng.random() < 0.55 else ExamChoice.Level.BASE
                picks = [(ExamChoice.Exam.EGE, "Русский язык", ""), (ExamChoice.Exam.EGE, "Математика", level)]
                if level == ExamChoice.Level.PROFILE or rng.random() < 0.5:
                    picks += [(ExamChoice.Exam.EGE, name, "") for name in rng.sample(EGE_ELECTIVES, rng.randint(1, 3))]
            for exam, name, lvl in picks:
                if name in subjects:
                    rows.append(
                        ExamChoice(
                            school=school,
                            year=year,
                            student=s.obj,
                            exam=exam,
                            subject=subjects[name],
                            level=lvl,
                            note="по заключению ПМПК" if exam == ExamChoice.Exam.GVE else "",
                            created_by=author,
                        )
                    )
    ExamChoice.objects.bulk_create(rows, ignore_conflicts=True)
