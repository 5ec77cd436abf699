"""Demo data of the movement book (ORG-9): the book as the demo school would have kept it.

Every demo student's admission (order «1-у» of 1 September, or the order of a later arrival), the
withdrawals the builder made during the year, then — through the services, so the enrolments
and the journals follow — one transfer between two classes of a grade from the next school day and one
withdrawal from the next school day. A bulk insert and a few dozen statements: well under a second.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError

from apps.people.models import Enrolment
from apps.registration.deadlines import school_today

from . import services
from .models import MovementEntry

Kind = MovementEntry.Kind
FIRST_ORDER = "1-у"
ELSEWHERE = [
    "МБОУ «СОШ № 4» г. Энска",
    "МАОУ «Лицей № 2» г. Энска",
    "МБОУ «СОШ № 12» г. Твери",
    "переезд в другой город",
]


def _at(school, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10, 0), ZoneInfo(school.timezone))


def _book(builder, admin) -> None:
    """Admissions and withdrawals of what the builder already enrolled: the book's first entries."""
    school, y0 = builder.school, builder.year.starts
    Enrolment.objects.filter(school=school, starts=y0, order_number="").update(order_number=FIRST_ORDER)
    orders = dict(Enrolment.objects.filter(school=school).exclude(starts=y0).values_list("student_id", "order_number"))
    rows = []
    ordered = sorted(builder.students, key=lambda s: (s.starts, s.cls.grade, s.cls.letter, s.obj.last_name))
    for i, s in enumerate(ordered):
        late = s.starts != y0
        rows.append(
            MovementEntry(
                school=school,
                student=s.obj,
                kind=Kind.ADMISSION,
                date=s.starts,
                to_class=s.cls.obj,
                order_number=(orders.get(s.obj.pk) or FIRST_ORDER) if late else FIRST_ORDER,
                order_date=s.starts,
                where=ELSEWHERE[i % 2] if late else "",
                author=admin,
                created_at=_at(school, s.starts),
                recorded_on=s.starts,
            )
        )
    leavers = [s for s in builder.students if s.ends is not None]
    for i, s in enumerate(leavers):
        day = s.ends + dt.timedelta(days=1)
        rows.append(
            MovementEntry(
                school=school,
                student=s.obj,
                kind=Kind.WITHDRAWAL,
                date=day,
                from_class=s.cls.obj,
                order_number=f"{20 + i}-у",
                order_date=day,
                where=ELSEWHERE[2 + i % 2],
                author=admin,
                created_at=_at(school, day),
                recorded_on=day,
            )
        )
    rows.sort(key=lambda e: (e.date, e.kind != Kind.ADMISSION))
    for number, entry in enumerate(rows, start=1):
        entry.number = number
    MovementEntry.objects.bulk_create(rows, batch_size=500)


def _steady(builder, cls):
    """A student of the class all year, outside the family of the demo logins «parent» and «student»."""
    shown = {
        id(child)
        for guardian, family, _relation in builder.guardians
        if guardian.user is not None and guardian.user.username == "parent"
        for child in family.children
    }
    for s in cls.students:
        demo_login = s.user is not None and s.user.username == "student"
        if s.starts == builder.year.starts and s.ends is None and not demo_login and id(s) not in shown:
            return s
    return None


def _moves(builder, admin) -> None:
    school = builder.school
    today = min(builder.today, school_today(school))
    by_label = {c.label: c for c in builder.classes}
    grades = [g for g in sorted({c.grade for c in builder.classes}, key=lambda g: (g != 6, g)) if g > 1]
    pair = next(
        ((by_label[f"{g}А"], by_label[f"{g}Б"]) for g in grades if f"{g}А" in by_label and f"{g}Б" in by_label), None
    )
    later = [d for d in builder.school_days if d > builder.today]
    if pair is not None and later:
        mover = _steady(builder, pair[0])
        # From the next school day: the demo's marks up to today were made in the old class, and
        # a transfer back in November would leave them outside the student's stay there.
        day = later[0]
        if mover is not None:
            try:
                services.student_transfer(
                    student=mover.obj,
                    from_class=pair[0].obj,
                    to_class=pair[1].obj,
                    date=day,
                    author=admin,
                    order_number="112-у",
                    # Signed on 10 November, entered only now: the book flags it as late (ORG-9).
                    order_date=min(dt.date(builder.year.starts.year, 11, 10), today),
                    note="по заявлению родителей",
                )
            except ValidationError:
                pass
    leaving_from = next((c for c in builder.classes if c.grade == 8), builder.classes[-1])
    leaver = _steady(builder, leaving_from)
    if later and leaver is not None:
        try:
            services.student_withdraw(
                student=leaver.obj,
                school_class=leaving_from.obj,
                date=later[0],
                author=admin,
                order_number="131-у",
                order_date=today,
                where="переезд, МБОУ «СОШ № 12» г. Твери",
            )
        except ValidationError:
            pass


def seed(builder) -> None:
    admin = builder.admin_staff["admin"].user if "admin" in builder.admin_staff else None
    _book(builder, admin)
    _moves(builder, admin)
