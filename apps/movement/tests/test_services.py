"""The moves of the movement book (ORG-9): each writes its entry and the enrolments together,
and a move that cannot have happened is refused with a Russian message and writes nothing."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from apps.movement import services
from apps.movement.models import MovementEntry
from apps.movement.selectors import class_students_on
from apps.people.models import Enrolment, GroupMembership, Student
from apps.people.services import class_group
from apps.schools.models import AcademicYear
from tests import factories as f

from .helpers import ORDER, club, d, next_year, spans, subgroup

Kind = MovementEntry.Kind


def stays(student):
    return list(
        Enrolment.objects.filter(student=student).order_by("starts").values_list("school_class", "starts", "ends")
    )


def refused(fn, **kwargs) -> str:
    """Call a service expected to refuse; the message, and nothing written."""
    before = (
        MovementEntry.objects.count(),
        list(Enrolment.objects.values_list()),
        list(GroupMembership.objects.values_list()),
    )
    with pytest.raises(ValidationError) as info:
        fn(**kwargs)
    after = (
        MovementEntry.objects.count(),
        list(Enrolment.objects.values_list()),
        list(GroupMembership.objects.values_list()),
    )
    assert after == before
    return " ".join(info.value.messages)


# --- Admission ---------------------------------------------------------------------------------------


def test_admitting_a_new_student_puts_him_in_the_class_from_the_date(world):
    """ORG-9: a new student admitted into 5Б on 16 November is in the class from that day (not the
    day before), in its whole-class group, and the book has the admission with the order."""
    entry = services.student_admit(
        school=world.school, school_class=world.class_5b, date=d(11, 16), author=world.admin,
        last_name="Новиков", first_name="Никита", birth_date=dt.date(2015, 4, 2), where="МБОУ СОШ № 7", **ORDER,
    )  # fmt: skip
    newcomer = Student.objects.get(last_name="Новиков")
    assert (entry.kind, entry.student, entry.to_class, entry.from_class) == (
        Kind.ADMISSION,
        newcomer,
        world.class_5b,
        None,
    )
    assert (entry.number, entry.order_number, entry.where, entry.author) == (1, "15-у", "МБОУ СОШ № 7", world.admin)
    assert newcomer in class_students_on(school_class=world.class_5b, day=d(11, 16))
    assert newcomer not in class_students_on(school_class=world.class_5b, day=d(11, 15))
    assert spans(newcomer, class_group(world.class_5b)) == [(d(11, 16), None)]
    assert Enrolment.objects.get(student=newcomer).order_number == "15-у"


def test_a_student_who_left_can_be_admitted_again(world):
    """ORG-9: a student who withdrew in November comes back in December: a second stay."""
    anna = world.anna
    services.student_withdraw(student=anna, school_class=world.class_5a, date=d(11, 10), author=world.admin, **ORDER)
    services.student_admit(school=world.school, school_class=world.class_5a, date=d(11, 19), author=world.admin,
                           student=anna, **ORDER)  # fmt: skip
    assert stays(anna) == [(world.class_5a.pk, d(9, 1), d(11, 9)), (world.class_5a.pk, d(11, 19), None)]


def test_admission_is_refused_when_it_cannot_have_happened(world):
    """ORG-9: no admission of a student already in a class, outside the school year, with an order
    dated in the future or without its number."""
    common = {"school": world.school, "school_class": world.class_5b, "author": world.admin}
    msg = refused(services.student_admit, **common, student=world.anna, date=d(11, 16), **ORDER)
    assert "Аксёнова Анна уже числится в классе 5А" in msg
    msg = refused(services.student_admit, **common, last_name="Новиков", first_name="Никита", date=d(6, 15, 2027),
                  **ORDER)  # fmt: skip
    assert "вне учебного года 2026/2027" in msg
    msg = refused(services.student_admit, **common, last_name="Новиков", first_name="Никита", date=d(11, 16),
                  order_number="15-у", order_date=d(11, 21))  # fmt: skip
    assert msg == "Дата приказа не может быть позже сегодняшнего дня."
    msg = refused(services.student_admit, **common, last_name="Новиков", first_name="Никита", date=d(11, 16),
                  order_number=" ", order_date=d(11, 16))  # fmt: skip
    assert msg == "Укажите номер приказа."
    msg = refused(services.student_admit, **common, date=d(11, 16), **ORDER)
    assert "укажите фамилию и имя" in msg
    assert not Student.objects.filter(last_name="Новиков").exists()


# --- Transfer ----------------------------------------------------------------------------------------


def test_transfer_ends_the_old_class_the_day_before_and_starts_the_new_one_on_the_date(world):
    """ORG-9, ORG-4: Boris transferred from 5А to 5Б on 10 November: his stay in 5А and his
    memberships of 5А's groups (the whole class, his English subgroup) end on 9 November; he is in
    5Б's whole class from 10 November; his club (a group across classes) goes on."""
    boris = world.boris
    english = subgroup(world.class_5a, students=[boris])
    chess = club(world.year, students=[boris])
    entry = services.student_transfer(
        student=boris, from_class=world.class_5a, to_class=world.class_5b, date=d(11, 10), author=world.admin,
        note="по заявлению родителей", **ORDER,
    )  # fmt: skip
    assert (entry.kind, entry.from_class, entry.to_class, entry.date) == (
        Kind.TRANSFER,
        world.class_5a,
        world.class_5b,
        d(11, 10),
    )
    assert stays(boris) == [(world.class_5a.pk, d(9, 1), d(11, 9)), (world.class_5b.pk, d(11, 10), None)]
    assert spans(boris, class_group(world.class_5a)) == [(d(9, 1), d(11, 9))]
    assert spans(boris, english) == [(d(9, 1), d(11, 9))]
    assert spans(boris, class_group(world.class_5b)) == [(d(11, 10), None)]
    assert spans(boris, chess) == [(d(9, 1), None)]
    assert boris in class_students_on(school_class=world.class_5a, day=d(11, 9))
    assert boris not in class_students_on(school_class=world.class_5a, day=d(11, 10))


def test_transfer_is_refused_when_it_cannot_have_happened(world):
    """ORG-9: no transfer to the same class, to a class of another year, of a student who is not
    in the class the day before, outside the year, or before a move already recorded."""
    _year, class_6a, _6b, _5a = next_year(world)
    boris = world.boris
    common = {"student": boris, "from_class": world.class_5a, "author": world.admin, **ORDER}
    assert "уже в классе 5А" in refused(services.student_transfer, **common, to_class=world.class_5a, date=d(11, 10))
    assert "в пределах одного учебного года" in refused(
        services.student_transfer, **common, to_class=class_6a, date=d(11, 10)
    )
    assert "вне учебного года" in refused(services.student_transfer, **common, to_class=world.class_5b, date=d(8, 20))
    msg = refused(services.student_transfer, **{**common, "from_class": world.class_5b}, to_class=world.class_5a,
                  date=d(11, 10))  # fmt: skip
    assert msg == "Быков Борис не числится в классе 5Б на 09.11.2026 (последний день перед движением)."
    services.student_transfer(**common, to_class=world.class_5b, date=d(11, 10))
    msg = refused(services.student_transfer, **common, to_class=world.class_5b, date=d(10, 1))
    assert "уже записано более позднее движение" in msg


def test_no_move_in_a_closed_year(world):
    """ORG-2, ORG-9: once the year is closed its classes take no transfers or withdrawals."""
    AcademicYear.objects.filter(pk=world.year.pk).update(status=AcademicYear.Status.CLOSED)
    world.class_5a.year.refresh_from_db()
    msg = refused(services.student_transfer, student=world.boris, from_class=world.class_5a, to_class=world.class_5b,
                  date=d(11, 10), author=world.admin, **ORDER)  # fmt: skip
    assert msg == "Учебный год 2026/2027 закрыт: движение в его классах не записывается."


# --- Withdrawal --------------------------------------------------------------------------------------


def test_withdrawal_ends_the_class_and_every_group(world):
    """ORG-9: Anna withdrawn on 16 November (to another school): she is in no class and no group
    from that day — not her club either; «куда выбыла» is in the book."""
    anna = world.anna
    chess = club(world.year, students=[anna])
    entry = services.student_withdraw(
        student=anna, school_class=world.class_5a, date=d(11, 16), author=world.admin, where="МБОУ СОШ № 3, г. Тверь",
        **ORDER,
    )  # fmt: skip
    assert (entry.kind, entry.from_class, entry.to_class, entry.where) == (Kind.WITHDRAWAL, world.class_5a, None,
                                                                            "МБОУ СОШ № 3, г. Тверь")  # fmt: skip
    assert stays(anna) == [(world.class_5a.pk, d(9, 1), d(11, 15))]
    assert spans(anna, chess) == [(d(9, 1), d(11, 15))]
    assert not GroupMembership.objects.filter(student=anna, ends__isnull=True).exists()


def test_withdrawal_of_a_student_not_in_the_class_is_refused(world):
    """ORG-9: a student of 5Б cannot be withdrawn from 5А; nor withdrawn on the day he came."""
    msg = refused(services.student_withdraw, student=world.students_5b[0], school_class=world.class_5a, date=d(11, 16),
                  author=world.admin, **ORDER)  # fmt: skip
    assert "не числится в классе 5А на 15.11.2026" in msg
    msg = refused(services.student_withdraw, student=world.anna, school_class=world.class_5a, date=d(9, 1),
                  author=world.admin, **ORDER)  # fmt: skip
    assert "вне учебного года" in msg


# --- Promotion, repeating a year, graduation ---------------------------------------------------------


def test_class_promotion_moves_the_chosen_and_keeps_the_others_down(world):
    """ORG-9: 5А is promoted to 6А of 2027/2028 on 1 September 2027: the chosen students are in 6А
    from that day, their stays in 5А end on 31 August; Boris, not chosen, repeats in 5А of
    2027/2028. Their memberships of the old year's groups end, the new classes' start."""
    _year, class_6a, _6b, class_5a_next = next_year(world)
    chess = club(world.year, students=[world.anna])
    chosen = [s for s in world.students_5a if s != world.boris]
    entries = services.class_promote(
        from_class=world.class_5a, to_class=class_6a, date=dt.date(2027, 9, 1), students=chosen,
        repeat_class=class_5a_next, author=world.admin, order_number="45-у", order_date=d(11, 20),
    )  # fmt: skip
    kinds = sorted((e.student.last_name, e.kind) for e in entries)
    assert ("Быков", Kind.REPEAT) in kinds and kinds.count(("Быков", Kind.REPEAT)) == 1
    assert sum(1 for _n, k in kinds if k == Kind.PROMOTION) == len(chosen)
    assert set(class_students_on(school_class=class_6a, day=dt.date(2027, 9, 1))) == set(chosen)
    assert class_students_on(school_class=class_5a_next, day=dt.date(2027, 9, 1)) == [world.boris]
    assert stays(world.anna) == [
        (world.class_5a.pk, d(9, 1), dt.date(2027, 8, 31)),
        (class_6a.pk, dt.date(2027, 9, 1), None),
    ]
    assert spans(world.anna, chess) == [(d(9, 1), dt.date(2027, 8, 31))]
    assert spans(world.anna, class_group(class_6a)) == [(dt.date(2027, 9, 1), None)]


def test_promotion_is_refused_when_it_cannot_have_happened(world):
    """ORG-9: promotion goes to the next grade of a later year; those left behind need a class;
    students of another class cannot be promoted with this one; 11th grade graduates instead."""
    _year, class_6a, _6b, class_5a_next = next_year(world)
    common = {"from_class": world.class_5a, "date": dt.date(2027, 9, 1), "author": world.admin,
              "order_number": "45-у", "order_date": d(11, 20)}  # fmt: skip
    everyone = world.students_5a
    assert "в 6-ю параллель" in refused(services.class_promote, **common, to_class=class_5a_next, students=everyone)
    assert "не следующего учебного года" in refused(
        services.class_promote, **common, to_class=world.class_5b, students=everyone
    )
    msg = refused(services.class_promote, **common, to_class=class_6a, students=everyone[1:])
    assert "выберите класс, в котором оставлены на повторное обучение Аксёнова Анна" in msg
    msg = refused(services.class_promote, **common, to_class=class_6a, students=[*everyone, world.students_5b[0]])
    assert "Не числятся в классе 5А к концу года" in msg
    msg = refused(services.class_promote, **{**common, "date": dt.date(2028, 6, 15)}, to_class=class_6a,
                  students=everyone)  # fmt: skip
    assert "вне учебного года 2027/2028" in msg
    class_11 = f.make_class(world.year, 11, "А")
    msg = refused(services.class_promote, **{**common, "from_class": class_11}, to_class=class_6a, students=everyone)
    assert "Из 11 класса не переводят" in msg


def test_repeat_stays_in_the_same_grade(world):
    """ORG-9: a student kept down a year goes to a class of the same grade of the next year."""
    _year, class_6a, _6b, class_5a_next = next_year(world)
    common = {"student": world.boris, "from_class": world.class_5a, "date": dt.date(2027, 9, 1), "author": world.admin,
              "order_number": "46-у", "order_date": d(11, 20)}  # fmt: skip
    assert "той же параллели (5)" in refused(services.student_repeat, **common, to_class=class_6a)
    entry = services.student_repeat(**common, to_class=class_5a_next)
    assert (entry.kind, entry.from_class, entry.to_class) == (Kind.REPEAT, world.class_5a, class_5a_next)
    assert class_students_on(school_class=class_5a_next, day=dt.date(2027, 9, 1)) == [world.boris]


def test_graduation_of_a_class_and_of_one_student(world):
    """ORG-9: 9А graduates on 25 June 2027 (after the lessons end, within the school year in law):
    everyone leaves the class; a student of 9Б graduates alone; grade 5 does not graduate."""
    class_9a, class_9b = f.make_class(world.year, 9, "А"), f.make_class(world.year, 9, "Б")
    nines = [f.enrol(f.StudentFactory(school=world.school), class_9a) for _ in range(3)]
    lone = f.enrol(f.StudentFactory(school=world.school), class_9b)
    order = {"order_number": "60-у", "order_date": d(11, 20), "author": world.admin}
    entries = services.class_graduate(school_class=class_9a, date=dt.date(2027, 6, 25), **order)
    assert sorted(e.student.pk for e in entries) == sorted(s.pk for s in nines)
    assert {e.kind for e in entries} == {Kind.GRADUATION}
    assert len(class_students_on(school_class=class_9a, day=dt.date(2027, 6, 24))) == 3
    assert class_students_on(school_class=class_9a, day=dt.date(2027, 6, 25)) == []
    assert stays(nines[0]) == [(class_9a.pk, d(9, 1), dt.date(2027, 6, 24))]
    entry = services.student_graduate(student=lone, school_class=class_9b, date=dt.date(2027, 6, 25), **order)
    assert entry.from_class == class_9b
    msg = refused(services.class_graduate, school_class=world.class_5a, date=dt.date(2027, 6, 25), **order)
    assert "Выпускают из 9 и 11 классов" in msg


# --- Corrections and the 5-day rule ------------------------------------------------------------------


def test_a_correction_is_a_new_entry_and_the_old_one_stays(world):
    """ORG-9: a wrong order number is corrected by a new entry pointing to the old one, written by
    whoever corrected it and when; the old one is kept as it was and cannot be corrected twice."""
    entry = services.student_withdraw(student=world.anna, school_class=world.class_5a, date=d(11, 16),
                                      author=world.admin, **ORDER)  # fmt: skip
    fixed = services.entry_correct(entry=entry, author=world.director, order_number="16-у", order_date=d(11, 18),
                                   where="", note="", reason="опечатка в номере")  # fmt: skip
    entry.refresh_from_db()
    assert (entry.order_number, entry.author) == ("15-у", world.admin)
    assert (fixed.number, fixed.corrects, fixed.order_number, fixed.author) == (2, entry, "16-у", world.director)
    assert (fixed.kind, fixed.student, fixed.date, fixed.from_class) == (
        entry.kind,
        entry.student,
        entry.date,
        entry.from_class,
    )
    assert fixed.correction_reason == "опечатка в номере"
    assert "уже исправлена" in refused(services.entry_correct, entry=entry, author=world.admin, order_number="17-у",
                                       order_date=d(11, 18), reason="ещё раз")  # fmt: skip
    assert "Ничего не изменено" in refused(services.entry_correct, entry=fixed, author=world.admin, order_number="16-у",
                                           order_date=d(11, 18), reason="то же")  # fmt: skip
    assert "причину" in refused(services.entry_correct, entry=fixed, author=world.admin, order_number="18-у",
                                order_date=d(11, 18), reason=" ")  # fmt: skip


def test_an_order_entered_more_than_5_working_days_late_is_flagged(world):
    """ORG-9: today is Friday 20 November. An order of Friday the 13th is entered on the 5th working
    day — in time; one of Thursday the 12th on the 6th — late. A correction keeps the day the move
    was first entered."""
    on_time = services.student_withdraw(student=world.anna, school_class=world.class_5a, date=d(11, 16),
                                        author=world.admin, order_number="1", order_date=d(11, 13))  # fmt: skip
    late = services.student_withdraw(student=world.boris, school_class=world.class_5a, date=d(11, 16),
                                     author=world.admin, order_number="2", order_date=d(11, 12))  # fmt: skip
    assert (on_time.recorded_on, on_time.is_late) == (d(11, 20), False)
    assert late.is_late is True
    fixed = services.entry_correct(entry=on_time, author=world.admin, order_number="1", order_date=d(11, 12),
                                   reason="дата приказа")  # fmt: skip
    assert (fixed.recorded_on, fixed.is_late) == (d(11, 20), True)


def test_the_five_days_follow_the_schools_production_calendar(world):
    """ORG-9, ORG-2: with Monday 16 November made a day off by the school's calendar, the order of
    Thursday the 12th is entered on the 5th working day — in time; public holidays do not count."""
    from apps.schoolyear.models import CalendarDay

    CalendarDay.objects.create(school=world.school, date=d(11, 16), is_working=False, note="региональный")
    entry = services.student_withdraw(student=world.boris, school_class=world.class_5a, date=d(11, 16),
                                      author=world.admin, order_number="2", order_date=d(11, 12))  # fmt: skip
    assert entry.is_late is False
    # 4 November is a public holiday: from Thursday 29 October to Friday 6 November, 5 working days.
    assert services.entered_late(school=world.school, order_date=d(10, 29), recorded_on=d(11, 6)) is False
    assert services.entered_late(school=world.school, order_date=d(10, 28), recorded_on=d(11, 6)) is True


def test_a_class_promoted_in_two_goes(world):
    """ORG-9: 5А is promoted without Boris first (he is kept down), then nobody is left to move:
    the second promotion of the same class is refused, and the promoted are not offered again."""
    from apps.movement.selectors import class_students_to_move

    _year, class_6a, _6b, class_5a_next = next_year(world)
    order = {"author": world.admin, "order_number": "45-у", "order_date": d(11, 20)}
    services.student_repeat(student=world.boris, from_class=world.class_5a, to_class=class_5a_next,
                            date=dt.date(2027, 9, 1), **order)  # fmt: skip
    rest = [s for s in world.students_5a if s != world.boris]
    assert class_students_to_move(school_class=world.class_5a, day=world.year.ends) == rest
    services.class_promote(from_class=world.class_5a, to_class=class_6a, date=dt.date(2027, 9, 1), students=rest,
                           **order)  # fmt: skip
    assert class_students_to_move(school_class=world.class_5a, day=world.year.ends) == []
    msg = refused(services.class_promote, from_class=world.class_5a, to_class=class_6a, date=dt.date(2027, 9, 1),
                  students=rest[:1], **order)  # fmt: skip
    assert "уже выбыли из него" in msg
