"""The workload (нагрузка) and its check against the curriculum, teachers' hours (ORG-5, JRN-6)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from apps.curriculum import selectors, services
from apps.curriculum.models import TeacherChange
from apps.journal.grading import GradingSystem
from apps.journal.models import Journal
from apps.people.services import class_group
from tests import factories as f

from .helpers import plan_line

TODAY = dt.date(2026, 11, 20)


def check(world):
    return selectors.workload(year=world.year, today=TODAY)


def test_check_finds_a_missing_teacher_and_an_hours_mismatch(world):
    """ORG-5: the check lists a curriculum line with no teacher in a class and a journal whose
    hours differ from the plan; once both are put right it finds nothing."""
    plan_line(world.year, 5, world.math, 5)  # 5А has it (alice, 2 h), 5Б has none
    plan_line(world.year, 5, world.russian, 4)  # 5Б has it (bob, 2 h), 5А has none
    plan_line(world.year, 5, world.history, 2)  # 5Б has it (carol, 2 h), 5А has none
    issues = check(world).issues
    assert "5А, Математика: по плану 5 ч в неделю, в нагрузке 2 ч" in issues
    assert "5Б, Математика: нет учителя" in issues
    assert "5А, Русский язык: нет учителя" in issues
    assert "5Б, Русский язык: по плану 4 ч в неделю, в нагрузке 2 ч" in issues
    assert not any("5Б, История" in i for i in issues)

    a, b = class_group(world.class_5a), class_group(world.class_5b)
    for group, subject, teacher, hours in [
        (a, world.math, world.alice_staff, 5),
        (b, world.math, world.alice_staff, 5),
        (a, world.russian, world.bob_staff, 4),
        (b, world.russian, world.bob_staff, 4),
        (a, world.history, world.carol_staff, 2),
    ]:
        services.workload_assign(
            group=group, subject=subject, teacher=teacher, hours_per_week=hours, author=world.admin
        )
    assert check(world).issues == []


def test_check_wants_a_teacher_in_every_subgroup_of_a_divided_line(world):
    """ORG-5, ORG-4: a divided line needs the class split and a teacher in each subgroup."""
    plan_line(world.year, 5, world.russian, Decimal("0.5"), divided=True)
    Journal.objects.filter(subject=world.russian).delete()
    assert "5А, Русский язык: класс не разделён на подгруппы" in check(world).issues
    first, second = services.subgroups_create(school_class=world.class_5a, subject=world.russian, count=2)
    services.workload_assign(
        group=first, subject=world.russian, teacher=world.bob_staff, hours_per_week="0,5", author=world.admin
    )
    issues = check(world).issues
    assert f"{second.name}, Русский язык: нет учителя" in issues
    assert not any(first.name in i for i in issues)
    assert Journal.objects.get(group=first).hours_per_week == 1  # whole hours kept rounded up
    assert services.journal_hours(Journal.objects.get(group=first)) == Decimal("0.5")


def test_teacher_hours_report(world, client_for):
    """ORG-5: each teacher's hours a week by subject and class, on the page and in the XLSX."""
    elective = services.group_create(year=world.year, kind="elective", name="Финансовая грамотность")
    services.workload_assign(
        group=elective, subject=world.history, teacher=world.alice_staff, hours_per_week="0,5", author=world.admin
    )
    loads = {t.teacher.last_name: t for t in check(world).teachers}
    assert [(i.subject.name, i.label, i.hours) for i in loads["Алексеева"].items] == [
        ("История", "Финансовая грамотность", Decimal("0.5")),
        ("Математика", "5А", Decimal(2)),
    ]
    assert loads["Алексеева"].total == Decimal("2.5")
    assert loads["Кравец"].total == 2 and loads["Борисов"].total == 2

    client = client_for(world.director)  # reads the school's reports, does not edit
    page = client.get(reverse("curriculum:workload")).content.decode()
    assert "Алексеева Алла Ивановна" in page and "2,5" in page
    assert "Изменить нагрузку" not in page
    assert client.get(reverse("curriculum:workload_print")).status_code == 200
    response = client.get(reverse("curriculum:workload_xlsx"))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    rows = [r for r in book["Нагрузка"].iter_rows(values_only=True)]
    assert ("Алексеева Алла Ивановна", None, "Итого", None, 2.5) in rows
    assert ("Всего по школе", None, None, None, 6.5) in rows


def test_changing_the_teacher_keeps_the_journal_and_its_lessons(world):
    """ORG-5: a journal with lessons handed to another teacher stays the same journal (its
    history), only its teacher changes; the change is recorded."""
    f.make_lesson(world.journal, dt.date(2026, 11, 18))
    journal = services.workload_assign(
        group=world.journal.group, subject=world.math, teacher=world.bob_staff, hours_per_week=2, author=world.admin
    )
    assert journal.pk == world.journal.pk
    assert journal.lessons.count() == 1 and journal.teacher == world.bob_staff
    change = TeacherChange.objects.get(journal=journal)
    assert (change.old_teacher, change.new_teacher, change.changed_on) == (world.alice_staff, world.bob_staff, TODAY)
    with pytest.raises(ValidationError, match="уже есть уроки"):
        services.workload_unassign(journal=journal, author=world.admin)


def test_a_new_journal_takes_the_grading_system_and_refuses_a_teacher_who_left(world):
    """ORG-5, JRN-4: a journal created by the workload gets the subject's grading system; a
    teacher who has left cannot be given a subject."""
    from apps.grading.models import SubjectGrading

    SubjectGrading.objects.create(
        school=world.school, subject=world.math, grade_from=5, grade_to=6, system=GradingSystem.PASS_FAIL
    )
    journal = services.workload_assign(
        group=class_group(world.class_5b),
        subject=world.math,
        teacher=world.alice_staff,
        hours_per_week=5,
        author=world.admin,
    )
    assert journal.grading_system == GradingSystem.PASS_FAIL
    world.bob_staff.left_on = dt.date(2026, 10, 31)
    world.bob_staff.save()
    with pytest.raises(ValidationError, match="уволен"):
        services.workload_assign(
            group=class_group(world.class_5b),
            subject=world.history,
            teacher=world.bob_staff,
            hours_per_week=1,
            author=world.admin,
        )
    assert "5Б, Русский язык: учитель Борисов Б. П. уволен(а) 31.10.2026" in check(world).issues


def test_workload_form_saves_each_line_and_reports_a_bad_one(world, client_for):
    """ORG-5: the class's workload form gives lines to teachers; a bad line (hours) is reported
    with its class and subject, the other lines are saved."""
    plan_line(world.year, 5, world.math, 5)
    plan_line(world.year, 5, world.history, 2)
    client = client_for(world.deputy)
    url = reverse("curriculum:workload") + f"?year={world.year.pk}&class={world.class_5b.pk}"
    page = client.get(url).content.decode()
    group = class_group(world.class_5b)
    math_key, history_key = f"{group.pk}-{world.math.pk}", f"{group.pk}-{world.history.pk}"
    assert f'name="t-{math_key}"' in page
    response = client.post(
        url,
        {
            f"t-{math_key}": world.alice_staff.pk,
            f"h-{math_key}": "ноль",
            f"t-{history_key}": world.bob_staff.pk,
            f"h-{history_key}": "2",
        },
    )
    assert response.status_code == 200
    assert "5Б, Математика: «ноль» — не число часов" in response.content.decode()
    assert Journal.objects.get(group=group, subject=world.history).teacher == world.bob_staff  # was carol's
    assert not Journal.objects.filter(group=group, subject=world.math).exists()


def test_first_grade_journals_show_as_without_marks(world, client_for):
    """JRN-6: on the workload page a first-grade journal reads «безотметочное обучение»."""
    first = f.make_class(world.year, 1, "А")
    plan_line(world.year, 1, world.russian, 5)
    services.workload_assign(
        group=class_group(first), subject=world.russian, teacher=world.bob_staff, hours_per_week=5, author=world.admin
    )
    page = client_for(world.admin).get(reverse("curriculum:workload")).content.decode()
    section = page[page.index(f'id="c{first.pk}"') :]
    section = section[: section.index("</section>")]
    assert "безотметочное обучение" in section
    assert "безотметочное обучение" not in page[page.index(f'id="c{world.class_5a.pk}"') :][:2000]


def test_spreadsheet_keeps_a_name_that_looks_like_a_formula_as_text(world, client_for):
    """ORG-5: the XLSX report never turns a typed name into a formula."""
    world.math.name = '=HYPERLINK("http://example.com")'
    world.math.save()
    response = client_for(world.admin).get(reverse("curriculum:workload_xlsx"))
    sheet = load_workbook(io.BytesIO(response.content))["Нагрузка"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value == world.math.name]
    assert cells and all(c.data_type == "s" for c in cells)
