"""The demo school's movement book (ORG-9): what a person running `make run` finds in it."""

import datetime as dt
import time

import pytest

from apps.demo.builder import DemoBuilder, Options
from apps.movement import demo, services
from apps.movement.models import MovementEntry
from apps.people.models import Enrolment, Student

Kind = MovementEntry.Kind


@pytest.fixture
def built(db, frozen_now):
    builder = DemoBuilder(Options(seed=7, students_per_class=8, grades=(6, 8)))
    builder.build()
    return builder


def test_the_demo_book_matches_the_enrolments(built):
    """ORG-9: every demo student has an admission (order «1-у» of 1 September for those there from
    the start); one student moved between the two 6th classes (order of 10 November, from the next
    school day, so his marks so far stay within his stay in 6А) and one left the 8th grade from the
    next school day — both through the services, so their enrolments follow; the
    whole seeding takes well under a second."""
    # The production calendar's library loads once per process (in `make run` the year's seeder
    # has already loaded it): not the book's time.
    services.is_working_day(school=built.school, day=built.today)
    started = time.monotonic()
    demo.seed(built)
    assert time.monotonic() - started < 1.0

    admissions = MovementEntry.objects.filter(kind=Kind.ADMISSION)
    assert admissions.count() == Student.objects.count()
    first = admissions.filter(date=built.year.starts)
    assert set(first.values_list("order_number", "order_date")) == {("1-у", built.year.starts)}

    transfer = MovementEntry.objects.select_related("from_class", "to_class").get(kind=Kind.TRANSFER)
    assert transfer.date == dt.date(2026, 11, 23)  # Monday after Friday the 20th
    assert transfer.order_date == dt.date(2026, 11, 10)
    assert (str(transfer.from_class), str(transfer.to_class)) == ("6А", "6Б")
    stays = list(
        Enrolment.objects.filter(student=transfer.student).order_by("starts").values_list("school_class", "ends")
    )
    assert stays == [(transfer.from_class.pk, dt.date(2026, 11, 22)), (transfer.to_class.pk, None)]
    assert transfer.is_late  # entered on 20 November: 8 working days after the order

    withdrawal = MovementEntry.objects.filter(kind=Kind.WITHDRAWAL, order_number="131-у").get()
    assert withdrawal.date == dt.date(2026, 11, 23)  # Monday after Friday the 20th
    assert Enrolment.objects.get(student=withdrawal.student).ends == dt.date(2026, 11, 22)
    numbers = list(MovementEntry.objects.order_by("number").values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
