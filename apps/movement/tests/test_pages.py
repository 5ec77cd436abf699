"""The book's pages (ORG-9): the journal administrator records moves through the forms, sees
them in the book and on the student's card; a refused move says why and keeps what was typed."""

import datetime as dt

from django.urls import reverse

from apps.movement import services
from apps.movement.models import MovementEntry
from apps.people.models import Enrolment, Student

from .helpers import ORDER, d, next_year

Kind = MovementEntry.Kind
BOOK = reverse("movement:index")


def order(**extra):
    return {"order_number": "15-у", "order_date": "2026-11-18", "note": "", **extra}


def test_admitting_a_new_student_through_the_form(world, client_for):
    """ORG-9: the administrator admits a new student into 5Б; the book lists the entry with the
    order and its author; the «← Управление» link leads back to the hub."""
    client = client_for(world.admin)
    page = client.get(reverse("movement:admit"))
    assert page.status_code == 200 and reverse("office:index") in page.content.decode()
    response = client.post(reverse("movement:admit"), {
        "last_name": "Новиков", "first_name": "Никита", "middle_name": "", "birth_date": "2015-04-02",
        "school_class": world.class_5b.pk, "where": "МБОУ СОШ № 7", "date": "2026-11-16", **order(),
    })  # fmt: skip
    assert response.status_code == 302 and response["Location"] == BOOK
    newcomer = Student.objects.get(last_name="Новиков")
    html = client.get(BOOK).content.decode()
    assert "Новиков Никита" in html and "№ 15-у от 18.11.2026" in html and "МБОУ СОШ № 7" in html
    assert "Записано: № 1 — зачисление, Новиков Никита, с 16.11.2026." in html
    assert Enrolment.objects.get(student=newcomer).school_class == world.class_5b


def test_a_refused_move_says_why_and_keeps_the_form(world, client_for):
    """ORG-9: an admission with an order dated tomorrow is refused with the reason on the order
    date; nothing is written and what was typed is still in the form. Anna, who is in 5А, is not
    offered for admission at all."""
    client = client_for(world.admin)
    assert "Аксёнова Анна" not in client.get(reverse("movement:admit")).content.decode()
    response = client.post(reverse("movement:admit"), {
        "last_name": "Новиков", "first_name": "Никита", "school_class": world.class_5b.pk, "date": "2026-11-16",
        **order(order_number="99-у", order_date="2026-11-21"),
    })  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 200
    assert "Дата приказа не может быть позже сегодняшнего дня." in html
    assert 'value="99-у"' in html and 'value="Новиков"' in html
    assert not MovementEntry.objects.exists() and not Student.objects.filter(last_name="Новиков").exists()


def test_transfer_in_two_steps_and_a_wrong_date(world, client_for):
    """ORG-9: the administrator picks 5А, then Boris and 5Б; a date outside the year is refused on
    the date field; with 10 November the transfer is written and shown on Boris's card."""
    client = client_for(world.admin)
    picker = client.get(reverse("movement:transfer")).content.decode()
    assert 'name="from_class"' in picker and 'name="student"' not in picker
    step = client.get(reverse("movement:transfer"), {"from_class": world.class_5a.pk}).content.decode()
    assert "Быков Борис" in step and 'name="to_class"' in step
    data = {"from_class": world.class_5a.pk, "student": world.boris.pk, "to_class": world.class_5b.pk, **order()}
    wrong = client.post(reverse("movement:transfer"), {**data, "date": "2027-07-01"}).content.decode()
    assert "вне учебного года 2026/2027" in wrong
    response = client.post(reverse("movement:transfer"), {**data, "date": "2026-11-10"})
    assert response.status_code == 302
    card = client.get(reverse("movement:student", args=[world.boris.pk])).content.decode()
    assert "Сейчас в классе 5Б." in card
    assert "09.11.2026" in card and "10.11.2026" in card and "перевод в другой класс" in card


def test_promotion_form_with_a_repeater(world, client_for):
    """ORG-9: 5А is promoted to 6А of next year with Boris unchecked and kept down in 5А of next
    year; the book then has one promotion per student and one repeat."""
    _year, class_6a, _6b, class_5a_next = next_year(world)
    client = client_for(world.admin)
    form = client.get(reverse("movement:promote"), {"from_class": world.class_5a.pk}).content.decode()
    assert form.count('name="students"') == len(world.students_5a) and "checked" in form
    chosen = [s.pk for s in world.students_5a if s != world.boris]
    response = client.post(reverse("movement:promote"), {
        "from_class": world.class_5a.pk, "students": chosen, "to_class": class_6a.pk, "repeat_class": class_5a_next.pk,
        "date": "2027-09-01", **order(),
    })  # fmt: skip
    assert response.status_code == 302
    assert MovementEntry.objects.filter(kind=Kind.PROMOTION, to_class=class_6a).count() == len(chosen)
    assert MovementEntry.objects.get(kind=Kind.REPEAT).student == world.boris


def test_graduation_and_withdrawal_forms(world, client_for):
    """ORG-9: a student of 5Б withdraws (to another town); grade 5 cannot graduate (the form says
    so)."""
    client = client_for(world.admin)
    leaver = world.students_5b[0]
    response = client.post(reverse("movement:withdraw"), {
        "from_class": world.class_5b.pk, "student": leaver.pk, "where": "г. Тверь", "date": "2026-11-16", **order(),
    })  # fmt: skip
    assert response.status_code == 302
    assert MovementEntry.objects.get(kind=Kind.WITHDRAWAL).where == "г. Тверь"
    html = client.post(reverse("movement:graduate"), {
        "from_class": world.class_5a.pk, "students": [world.anna.pk], "date": "2027-06-25", **order(),
    }).content.decode()  # fmt: skip
    assert "Выпускают из 9 и 11 классов" in html


def test_correcting_an_entry_keeps_the_old_one(world, client_for):
    """ORG-9: the administrator corrects the order number; the book shows both, the old struck out
    («исправлена записью № 2»), each with its author and time."""
    entry = services.student_withdraw(student=world.anna, school_class=world.class_5a, date=d(11, 16),
                                      author=world.admin, **ORDER)  # fmt: skip
    client = client_for(world.admin)
    page = client.get(reverse("movement:entry", args=[entry.pk])).content.decode()
    assert 'value="15-у"' in page
    response = client.post(reverse("movement:entry", args=[entry.pk]), {
        "order_number": "16-у", "order_date": "2026-11-18", "where": "", "note": "", "reason": "опечатка",
    })  # fmt: skip
    assert response.status_code == 302
    html = client.get(BOOK).content.decode()
    assert 'class="superseded"' in html and "исправлена записью № 2" in html and "исправляет запись № 1" in html
    assert MovementEntry.objects.get(number=1).order_number == "15-у"


def test_the_book_filters_and_flags_late_entries(world, client_for):
    """ORG-9: the book filtered by kind shows only transfers; «только внесённые позже» shows the
    entry made 6 working days after its order, marked «позже срока»."""
    services.student_transfer(student=world.boris, from_class=world.class_5a, to_class=world.class_5b, date=d(11, 10),
                              author=world.admin, order_number="1", order_date=d(11, 12))  # fmt: skip
    services.student_withdraw(student=world.anna, school_class=world.class_5a, date=d(11, 16), author=world.admin,
                              order_number="2", order_date=d(11, 18))  # fmt: skip
    client = client_for(world.admin)
    html = client.get(BOOK, {"kind": "transfer"}).content.decode()
    assert "Быков Борис" in html and "Аксёнова Анна" not in html
    html = client.get(BOOK, {"late": "on"}).content.decode()
    assert "Быков Борис" in html and "Аксёнова Анна" not in html and "позже срока" in html
    html = client.get(BOOK, {"school_class": world.class_5b.pk, "date_from": "2026-11-01"}).content.decode()
    assert "Быков Борис" in html and "Аксёнова Анна" not in html


def test_another_schools_objects_are_not_found(world, client_for):
    """ACC-1: a student or an entry of another school is 404, and its class cannot be picked."""
    from tests import factories as f

    other = f.SchoolFactory()
    year = f.YearFactory(school=other)
    stranger_class = f.make_class(year, 5, "А")
    stranger = f.enrol(f.StudentFactory(school=other), stranger_class)
    client = client_for(world.admin)
    assert client.get(reverse("movement:student", args=[stranger.pk])).status_code == 404
    page = client.get(reverse("movement:transfer"), {"from_class": stranger_class.pk}).content.decode()
    assert 'name="student"' not in page
    entry = services.student_withdraw(student=stranger, school_class=stranger_class, date=dt.date(2026, 11, 16),
                                      author=None, **ORDER)  # fmt: skip
    assert client.get(reverse("movement:entry", args=[entry.pk])).status_code == 404
