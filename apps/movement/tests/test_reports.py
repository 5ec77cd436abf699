"""«Движение учащихся» and «Наполняемость классов» (ORG-9, ORG-3): the numbers of a small known
school, on the page, in the printed form and in the XLSX file, with a bounded number of queries."""

import io

import openpyxl
import pytest
from django.urls import reverse

from apps.movement import selectors, services
from tests import factories as f

from .helpers import ORDER, d

REPORT = reverse("movement:report")
SIZES = reverse("movement:class_sizes")


@pytest.fixture
def moved(world):
    """5А: 5 students from 1 September, 5Б: 3. Then: a newcomer admitted into 5А on 1 October;
    one into 5Б on 2 November; Boris transferred 5А → 5Б on 10 November; a student of 5А withdrawn
    on 16 November; a student put into 5Б on 19 November in the admin (no entry in the book)."""
    admit = {"school": world.school, "author": world.admin, **ORDER}
    services.student_admit(school_class=world.class_5a, date=d(10, 1), last_name="Осенний", first_name="Олег", **admit)
    services.student_admit(school_class=world.class_5b, date=d(11, 2), last_name="Ноябрёв", first_name="Нил", **admit)
    services.student_transfer(student=world.boris, from_class=world.class_5a, to_class=world.class_5b, date=d(11, 10),
                              author=world.admin, **ORDER)  # fmt: skip
    services.student_withdraw(student=world.students_5a[2], school_class=world.class_5a, date=d(11, 16),
                              author=world.admin, where="г. Тверь", **ORDER)  # fmt: skip
    f.enrol(f.StudentFactory(school=world.school, last_name="Безприказов"), world.class_5b, starts=d(11, 19))
    return world


def counts(line):
    return (line.at_start, dict(+line.arrived), dict(+line.left), line.at_end)


def test_movement_report_counts_each_class_grade_and_school(moved):
    """ORG-9: for 1–30 November: 5А had 6 on the morning of the 1st, lost Boris (transfer) and one
    withdrawn — 4 at the end; 5Б had 3, got a newcomer, Boris and one put in without an order — 6.
    The grade's and the school's lines add them up; on each line start + arrived − left = end."""
    report = selectors.movement_report(school=moved.school, year=moved.year, starts=d(11, 1), ends=d(11, 30))
    lines = {line.label: line for line in report.lines}
    assert counts(lines["5А"]) == (6, {}, {"transfer": 1, "withdrawal": 1}, 4)
    assert counts(lines["5Б"]) == (3, {"admission": 1, "transfer": 1, "other": 1}, {}, 6)
    assert counts(lines["Итого 5-е классы"]) == (9, {"admission": 1, "transfer": 1, "other": 1},
                                                  {"transfer": 1, "withdrawal": 1}, 10)  # fmt: skip
    assert counts(report.total) == counts(lines["Итого 5-е классы"])
    assert [code for code, _label in report.arrival_columns] == ["admission", "transfer", "other"]
    assert [code for code, _label in report.departure_columns] == ["withdrawal", "transfer"]
    for line in [*report.lines, report.total]:
        assert line.at_start + line.arrived_total - line.left_total == line.at_end


def test_the_report_counts_from_the_morning_of_the_first_day(moved):
    """ORG-9: a range beginning on the transfer's day counts Boris in 5А «на начало» and as left;
    a range ending the day before counts him in 5А «на конец»."""
    report = selectors.movement_report(school=moved.school, year=moved.year, starts=d(11, 10), ends=d(11, 10))
    line = next(x for x in report.lines if x.label == "5А")
    assert counts(line) == (6, {}, {"transfer": 1}, 5)
    report = selectors.movement_report(school=moved.school, year=moved.year, starts=d(9, 1), ends=d(11, 9))
    line = next(x for x in report.lines if x.label == "5А")
    assert counts(line) == (0, {"other": 5, "admission": 1}, {}, 6)


def test_class_sizes_on_a_day(moved):
    """ORG-3: on 20 November 5А has 4 students (class teacher Кравец Карина Олеговна), 5Б 6; grade
    5 — 2 classes, 10 students; on 9 November 5А still had 6."""
    sizes = selectors.class_sizes(school=moved.school, year=moved.year, day=d(11, 20))
    lines = {line.label: line for line in sizes.lines}
    assert (lines["5А"].students, lines["5А"].teacher) == (4, "Кравец Карина Олеговна")
    assert (lines["5Б"].students, lines["5Б"].teacher) == (6, "Борисов Борис Петрович")
    assert (lines["Итого 5-е классы"].classes, lines["Итого 5-е классы"].students) == (2, 10)
    assert (sizes.total.classes, sizes.total.students) == (2, 10)
    earlier = selectors.class_sizes(school=moved.school, year=moved.year, day=d(11, 9))
    assert next(x for x in earlier.lines if x.label == "5А").students == 6


def test_the_report_page_print_and_spreadsheet(moved, client_for):
    """ORG-9: the director opens the report for November: the numbers on the page, a printable
    page without the site's menus, and an XLSX file with the same numbers."""
    client = client_for(moved.director)
    query = {"year": moved.year.pk, "starts": "2026-11-01", "ends": "2026-11-30"}
    html = client.get(REPORT, query).content.decode()
    assert "Движение учащихся с 01.11.2026 по 30.11.2026" in html
    assert '<tr class="class" data-line="5А">' in html
    assert 'data-col="at_end">4<' in html and 'data-col="at_end">6<' in html
    assert reverse("office:index") in html

    printed = client.get(REPORT, {**query, "print": "1"})
    assert printed.status_code == 200
    printed_html = printed.content.decode()
    assert 'class="topbar"' not in printed_html and "movement.css" in printed_html
    assert "Движение учащихся с 01.11.2026 по 30.11.2026 (2026/2027 учебный год)" in printed_html

    response = client.get(REPORT, {**query, "format": "xlsx"})
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = {r[0]: r for r in sheet.iter_rows(min_row=5, values_only=True)}
    header = next(sheet.iter_rows(min_row=4, max_row=4, values_only=True))
    assert header[:2] == ("Класс", "На начало") and header[-1] == "На конец"
    assert rows["5А"][1] == 6 and rows["5А"][-1] == 4
    assert rows["5Б"][1] == 3 and rows["5Б"][-1] == 6
    assert rows["Всего по школе"][1] == 9 and rows["Всего по школе"][-1] == 10
    assert "Прибыло: без записи в книге" in header
    assert rows["5Б"][header.index("Прибыло: без записи в книге")] == 1


def test_the_class_sizes_page_print_and_spreadsheet(moved, client_for):
    """ORG-3: the deputy sees the class sizes on 20 November with the class teachers, prints them
    and downloads them as XLSX with the same numbers."""
    client = client_for(moved.deputy)
    query = {"year": moved.year.pk, "day": "2026-11-20"}
    html = client.get(SIZES, query).content.decode()
    assert "Наполняемость классов на 20.11.2026" in html
    assert "Кравец Карина Олеговна" in html
    printed = client.get(SIZES, {**query, "print": "1"}).content.decode()
    assert 'class="topbar"' not in printed and "Наполняемость классов на 20.11.2026 (2026/2027 учебный год)" in printed
    response = client.get(SIZES, {**query, "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = {r[0]: r for r in sheet.iter_rows(min_row=5, values_only=True)}
    assert rows["5А"][1:] == ("Кравец Карина Олеговна", 1, 4)
    assert rows["Итого 5-е классы"][2:] == (2, 10)
    assert rows["Всего по школе"][2:] == (2, 10)


def test_a_wrong_range_is_explained(moved, client_for):
    """ORG-9: a range that ends before it starts is refused with a message; the year's default
    range is shown instead."""
    html = client_for(moved.director).get(REPORT, {"starts": "2026-11-30", "ends": "2026-11-01"}).content.decode()
    assert "Конец периода раньше его начала." in html


# --- Query budgets ----------------------------------------------------------------------------------


def grow(world, students=25):
    """Six more classes (6А…11А) of 25 students, each with a withdrawal and an admission."""
    for grade in range(6, 12):
        school_class = f.make_class(world.year, grade, "А")
        kids = [f.enrol(f.StudentFactory(school=world.school), school_class) for _ in range(students)]
        services.student_withdraw(student=kids[0], school_class=school_class, date=d(11, 2), author=world.admin,
                                  **ORDER)  # fmt: skip
        services.student_admit(school=world.school, school_class=school_class, date=d(11, 3), author=world.admin,
                               last_name="Новый", first_name=str(grade), **ORDER)  # fmt: skip


@pytest.mark.parametrize("url_name", ["movement:report", "movement:class_sizes", "movement:index"])
def test_pages_ask_the_same_number_of_queries_at_two_sizes(moved, client_for, django_assert_max_num_queries, url_name):
    """ORG-9: the reports and the book take a fixed number of queries whatever the school's size
    (2 classes with 10 students, then 8 classes with 160 and their moves)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(moved.admin)
    url = reverse(url_name)
    client.get(url)  # warm the session and the rights
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(moved)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200


def test_a_name_like_a_formula_stays_text_in_the_spreadsheet(moved, client_for):
    """ORG-3: a class teacher's name typed as «=1+1» is written as text, never run as a formula."""
    teacher = moved.class_5a.class_teacher
    teacher.last_name = "=1+1"
    teacher.save(update_fields=["last_name"])
    response = client_for(moved.admin).get(SIZES, {"year": moved.year.pk, "day": "2026-11-20", "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cell = next(row[1] for row in sheet.iter_rows(min_row=5) if row[0].value == "5А")
    assert (cell.value, cell.data_type) == ("=1+1 Карина Олеговна", "s")
