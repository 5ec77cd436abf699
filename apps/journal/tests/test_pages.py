"""The list of journals and the grid page: who sees what (JRN-1, JRN-3, JRN-7, JRN-8, JRN-10, JRN-11)."""

import datetime as dt

import pytest
from django.urls import reverse

from apps.journal.models import Attendance, Mark, PeriodMark
from apps.people.services import student_withdraw
from tests import factories as f

from .helpers import grid_url, input_value, lessons_on


def test_teacher_list_shows_her_journals_and_links_to_the_grid(world, client_for):
    """JRN-1: a teacher sees «Мои журналы» with the journals she teaches, each opening its grid."""
    html = client_for(world.alice).get(reverse("journal:list")).content.decode()
    assert "Мои журналы" in html
    assert reverse("journal:grid", args=[world.journal.pk]) in html
    assert reverse("journal:grid", args=[world.journal_5b.pk]) not in html
    assert "Журналы моего класса" not in html


def test_class_teacher_list_has_her_class_section(world, client_for):
    """JRN-11: the class teacher sees every subject journal of her class in «Журналы моего класса»."""
    html = client_for(world.carol).get(reverse("journal:list")).content.decode()
    mine, led = html.split("Журналы моего класса")
    assert reverse("journal:grid", args=[world.journal_history_5b.pk]) in mine  # she teaches 5Б history
    assert reverse("journal:grid", args=[world.journal.pk]) in led  # 5А mathematics, alice's
    assert reverse("journal:grid", args=[world.journal_5b.pk]) not in html


def test_administration_sees_every_journal_grouped_by_class(world, client_for):
    """JRN-11: director, deputy and journal administrator see all journals of the school, by class."""
    for user in (world.director, world.deputy, world.admin):
        html = client_for(user).get(reverse("journal:list")).content.decode()
        assert "Все журналы школы" in html
        for journal in (world.journal, world.journal_5b, world.journal_history_5b):
            assert reverse("journal:grid", args=[journal.pk]) in html
        assert html.index(">5А<") < html.index(">5Б<")


def test_list_query_count_does_not_grow_with_journals(world, client_for, django_assert_max_num_queries):
    """The list is one query for the journals, however many there are."""
    client = client_for(world.director)
    for _ in range(8):
        f.make_journal(world.class_5a, f.SubjectFactory(school=world.school), world.bob_staff)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("journal:list")).status_code == 200


@pytest.mark.parametrize("who", ["pat", "sam", "quinn"])
def test_families_never_reach_the_journal(world, client_for, who):
    """JRN-10: parents and students get 404 on every journal page, read or write; nothing changes."""
    lesson = f.make_lesson(world.journal, dt.date(2026, 11, 18))
    client = client_for(getattr(world, who))
    assert client.get(reverse("journal:list")).status_code == 404
    assert client.get(grid_url(world.journal)).status_code == 404
    assert client.get(reverse("journal:history", args=[world.journal.pk]), {"lesson": lesson.pk}).status_code == 404
    response = client.post(
        reverse("journal:save", args=[world.journal.pk]),
        {f"c-{lesson.pk}-{world.anna.pk}": "5"},
    )
    assert response.status_code == 404
    assert not Mark.objects.exists()


def test_anonymous_is_sent_to_login(world, client):
    response = client.get(grid_url(world.journal))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_other_teacher_gets_404(world, client_for):
    """A teacher outside the journal's scope cannot even see that it exists."""
    assert client_for(world.bob).get(grid_url(world.journal)).status_code == 404


def test_grid_header_period_tabs_and_default_period(world, client_for):
    """JRN-1: the grid shows class, subject, teacher and year; the period containing today is open."""
    lessons_on(world.journal, dt.date(2026, 10, 20), dt.date(2026, 11, 18))
    html = client_for(world.alice).get(grid_url(world.journal)).content.decode()
    for text in ("5А", "Математика", "Алексеева Алла Ивановна", "2026/2027"):
        assert text in html
    assert f'href="?period={world.periods[1].pk}" aria-current="page"' in html
    assert "18.11" in html and "20.10" not in html

    html = client_for(world.alice).get(grid_url(world.journal, world.periods[0])).content.decode()
    assert "20.10" in html and "18.11" not in html


def test_nearest_period_is_default_in_the_holidays(world, client_for, frozen_now):
    """Between quarters (autumn holidays) the nearest period opens."""
    frozen_now.move_to(dt.datetime(2026, 11, 3, 10, 0, tzinfo=dt.UTC))
    html = client_for(world.alice).get(grid_url(world.journal)).content.decode()
    assert f'href="?period={world.periods[1].pk}" aria-current="page"' in html


def test_grid_rows_cells_average_and_period_mark(world, client_for):
    """JRN-3, JRN-7, JRN-8: students numbered by name, marks and absences in their cells, the
    weighted average of the period and the period mark at the right."""
    oral, control = world.work_types[0], world.work_types[1]
    l1, l2 = lessons_on(world.journal, dt.date(2026, 11, 16), dt.date(2026, 11, 18))
    school = world.school
    Mark.objects.create(
        school=school, lesson=l1, student=world.anna, value="5", work_type=oral, weight=oral.weight, author=world.alice
    )
    Mark.objects.create(
        school=school,
        lesson=l2,
        student=world.anna,
        value="3",
        work_type=control,
        weight=control.weight,
        author=world.alice,
    )
    Attendance.objects.create(school=school, lesson=l1, student=world.boris, author=world.alice)
    PeriodMark.objects.create(
        school=school, journal=world.journal, period=world.periods[1], student=world.anna, value="4", author=world.alice
    )

    html = client_for(world.alice).get(grid_url(world.journal)).content.decode()
    assert input_value(html, f"c-{l1.pk}-{world.anna.pk}") == "5"
    assert input_value(html, f"c-{l2.pk}-{world.anna.pk}") == "3"
    assert input_value(html, f"c-{l1.pk}-{world.boris.pk}") == "н"
    assert input_value(html, f"p-{world.periods[1].pk}-{world.anna.pk}") == "4"
    # (5·1 + 3·2) / 3 = 3.67
    assert "3,67" in html
    assert "Контрольная работа (вес 2)" in html  # the cell's tooltip says what the mark was for
    assert html.index("Аксёнова А.") < html.index("Быков Б.")


def test_future_lessons_and_non_members_are_disabled(world, client_for):
    """JRN-3: no input for a lesson in the future, nor for a student outside the group on that date."""
    past, future = lessons_on(world.journal, dt.date(2026, 11, 11), dt.date(2026, 11, 25))
    late = f.enrol(
        f.StudentFactory(school=world.school, last_name="Поздняя"), world.class_5a, starts=dt.date(2026, 11, 12)
    )
    student_withdraw(student=world.boris, school_class=world.class_5a, ends=dt.date(2026, 11, 10))
    html = client_for(world.alice).get(grid_url(world.journal)).content.decode()
    assert input_value(html, f"c-{past.pk}-{world.anna.pk}") == ""
    assert input_value(html, f"c-{future.pk}-{world.anna.pk}") is None
    assert input_value(html, f"c-{past.pk}-{late.pk}") is None  # joined after the lesson
    assert input_value(html, f"c-{past.pk}-{world.boris.pk}") is None  # left before it
    assert "Быков Б." in html  # still listed: he was in the group during the quarter
    assert "Урок ещё не прошёл" in html
    assert "Учащийся не числился в группе на дату урока" in html


@pytest.mark.parametrize("who", ["carol", "deputy", "director", "admin"])
def test_read_only_grid_shows_values_without_inputs(world, client_for, who):
    """JRN-11: the class teacher and the administration read the grid: values as text, no inputs,
    no save button, no lesson form."""
    (lesson,) = lessons_on(world.journal, dt.date(2026, 11, 18))
    Mark.objects.create(
        school=world.school,
        lesson=lesson,
        student=world.anna,
        value="4",
        work_type=world.work_types[0],
        author=world.alice,
    )
    html = client_for(getattr(world, who)).get(grid_url(world.journal)).content.decode()
    assert "Только просмотр" in html
    assert '<span class="mark mark-4">4</span>' in html
    assert '<input name="c-' not in html
    assert 'name="orig"' not in html
    assert "Сохранить изменения" not in html
    assert "Добавить урок" not in html
    assert 'data-can-write="0"' in html
