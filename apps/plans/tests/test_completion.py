"""Program completion: planned vs given hours per journal, per class and per teacher (JRN-2)."""

import datetime as dt
import io

import pytest
from django.urls import reverse

from apps.journal.models import Lesson
from apps.plans import selectors
from apps.plans.models import PlanItem
from tests import factories as f

from .helpers import lessons

pytestmark = pytest.mark.django_db


def item(journal, order, topic, hours, planned_date=None):
    return PlanItem.objects.create(
        school=journal.school, journal=journal, order=order, topic=topic, hours=hours, planned_date=planned_date
    )


@pytest.fixture
def plans(world):
    """alice (5А maths): lessons Mon 16 – Fri 27 Nov, the one of Wed 18 Nov cancelled; a plan of
    6 hours without dates. bob (5Б Russian): lessons 16–20 Nov held; 4 hours with planned dates
    10 and 25 Nov. carol (5Б history): lessons, no plan. Today is Fri 20 Nov."""
    maths = lessons(world.journal, dt.date(2026, 11, 16), 10)
    Lesson.objects.filter(pk=maths[2].pk).update(status=Lesson.Status.CANCELLED)
    item(world.journal, 1, "Дроби", 2)
    item(world.journal, 2, "Сложение дробей", 1)
    item(world.journal, 3, "Вычитание дробей", 3)
    lessons(world.journal_5b, dt.date(2026, 11, 16), 5)
    item(world.journal_5b, 1, "Орфограммы", 2, dt.date(2026, 11, 10))
    item(world.journal_5b, 2, "Синтаксис", 2, dt.date(2026, 11, 25))
    lessons(world.journal_history_5b, dt.date(2026, 11, 16), 2)
    return world


def numbers(rows):
    return {
        (str(r.journal.group), str(r.journal.subject)): (r.planned_total, r.planned_to_date, r.given, r.lag)
        for r in rows
    }


def test_completion_numbers(plans):
    """JRN-2: planned hours (in all, and up to today: by planned dates where given, else by the
    journal's lessons in order — a cancelled lesson was planned but not given), given hours (held
    lessons up to today) and the lag."""
    rows = selectors.completion(school=plans.school, year=plans.year, today=dt.date(2026, 11, 20))
    assert numbers(rows) == {
        # 5 lessons up to today, one cancelled: 5 hours planned, 4 given, 1 behind
        ("5А", "Математика"): (6, 5, 4, 1),
        # by dates: only the 2 hours of 10 Nov were due; 5 given
        ("5Б", "Русский язык"): (4, 2, 5, 0),
        ("5Б", "История"): (0, 0, 2, 0),
    }
    maths = next(r for r in rows if r.journal == plans.journal)
    assert maths.percent == 67 and maths.has_plan


def test_hours_of_a_dated_topic_fall_on_the_following_lessons():
    """JRN-2: a topic of 3 hours dated Monday 2 Nov, with lessons on Mon, Wed and Fri, is planned on
    2, 4 and 6 Nov (not all three on its date); an undated topic takes the lessons of its place in
    the plan; an hour beyond the lessons known is marked as not known."""
    d = dt.date
    lessons = [d(2026, 11, 2), d(2026, 11, 4), d(2026, 11, 6), d(2026, 11, 9), d(2026, 11, 11)]
    assert selectors.hour_dates([(3, d(2026, 11, 2)), (1, None), (2, d(2026, 11, 11))], lessons) == [
        (d(2026, 11, 2), True),
        (d(2026, 11, 4), True),
        (d(2026, 11, 6), True),
        (d(2026, 11, 9), True),
        (d(2026, 11, 11), True),
        (d(2026, 11, 11), False),
    ]


def test_completion_by_period(plans):
    """JRN-2: with a period chosen, only the hours falling in it count (the 2nd quarter holds them
    all; the 3rd none yet; the 1st — before these lessons — none)."""
    q1, q2, q3 = plans.periods[:3]
    today = dt.date(2026, 11, 20)
    in_q2 = numbers(selectors.completion(school=plans.school, year=plans.year, today=today, period=q2))
    assert in_q2[("5А", "Математика")] == (6, 5, 4, 1)
    assert in_q2[("5Б", "Русский язык")] == (4, 2, 5, 0)  # 10 and 25 Nov are both in the 2nd quarter
    in_q3 = numbers(selectors.completion(school=plans.school, year=plans.year, today=today, period=q3))
    assert in_q3[("5А", "Математика")] == (0, 0, 0, 0)
    in_q1 = numbers(selectors.completion(school=plans.school, year=plans.year, today=today, period=q1))
    assert in_q1[("5Б", "Русский язык")] == (0, 0, 0, 0)


def test_report_page_groups_by_class_and_teacher_and_flags_lag(plans, client_for):
    """JRN-2: the deputy sees the report grouped by class (with subtotals) or by teacher; a journal
    behind its plan is flagged; «only with lag» leaves just those."""
    client = client_for(plans.deputy)
    url = reverse("plans:completion")
    response = client.get(url)
    html = response.content.decode()
    assert [g.title for g in response.context["groups"]] == ["5А", "5Б"]
    assert '<tr class="plan-lag">' in html and "с отставанием: 1" in html
    by_teacher = client.get(url, {"by": "teacher"}).context["groups"]
    assert [g.title for g in by_teacher] == ["Алексеева А. И.", "Борисов Б. П.", "Кравец К. О."]
    five_b = client.get(url).context["groups"][1]
    assert (five_b.planned_total, five_b.given, five_b.without_plan) == (4, 7, 1)
    lagging = client.get(url, {"lag": "1"}).context["rows"]
    assert [r.journal for r in lagging] == [plans.journal]
    printable = client.get(url, {"print": "1"})
    assert printable.status_code == 200 and b"print.css" in printable.content and b"<nav" not in printable.content


def test_report_as_xlsx(plans, client_for):
    """JRN-2: the report downloads as a spreadsheet with the same numbers, per class and per teacher."""
    from openpyxl import load_workbook

    response = client_for(plans.director).get(reverse("plans:completion"), {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["По классам", "По учителям"]
    rows = [list(r) for r in book["По классам"].iter_rows(values_only=True)]
    assert ["5А", "Математика", "Алексеева А. И.", 6, 5, 4, 1, 67, None] in rows
    assert ["5Б", "История", "Кравец К. О.", 0, 0, 2, 0, None, "КТП не заполнен"] in rows


def test_teacher_sees_her_journal_completion_on_the_plan_page(plans, client_for):
    """JRN-2: alice has no school reports, but her plan page shows her journal's completion."""
    client = client_for(plans.alice)
    assert client.get(reverse("plans:completion")).status_code == 404
    completion = client.get(reverse("plans:plan", args=[plans.journal.pk])).context["completion"]
    assert (completion.planned_total, completion.planned_to_date, completion.given, completion.lag) == (6, 5, 4, 1)


def _grow(world, n_classes, n_lessons, grade):
    """More classes (of one grade), each with maths and Russian journals, lessons and plans."""
    teacher = world.alice_staff
    for i in range(n_classes):
        cls = f.make_class(world.year, grade, "АБВГДЕЖЗ"[i])
        for subject in (world.math, world.russian):
            journal = f.make_journal(cls, subject, teacher)
            lessons(journal, dt.date(2026, 10, 1), n_lessons)
            PlanItem.objects.bulk_create(
                PlanItem(school=world.school, journal=journal, order=k, topic=f"Тема {k}", hours=1 + k % 2)
                for k in range(1, n_lessons // 2 + 2)
            )


def _counts(client, world) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("plans:completion")
    counts = {}
    for name, params in {
        "page": {},
        "by teacher, a period": {"by": "teacher", "period": world.periods[1].pk},
        "print": {"print": "1"},
        "xlsx": {"format": "xlsx"},
    }.items():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, params).status_code == 200
        counts[name] = (len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries])
    return counts


def test_report_queries_do_not_grow(world, client_for):
    """JRN-2: the report asks the same number of queries for a school of 3 journals and for one of
    19 journals with eight times the lessons and plan rows (on the page, in print and as XLSX)."""
    client = client_for(world.deputy)
    _grow(world, 1, 3, grade=6)
    client.get(reverse("plans:completion"))  # the session and the rights, once
    small = _counts(client, world)
    _grow(world, 8, 25, grade=7)
    large = _counts(client, world)
    for name, (n, _sql) in small.items():
        assert large[name][0] == n, f"{name}: {n} → {large[name][0]} queries:\n" + "\n".join(large[name][1])
        assert n <= 10, f"{name}: {n} queries:\n" + "\n".join(small[name][1])
