"""Groups (ORG-4): subgroups of a class, cross-class groups, one-student groups — and the journals
of those groups showing only their members."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.curriculum import services
from apps.curriculum.models import GroupSubject
from apps.journal import selectors as journal_selectors
from apps.journal import services as journal_services
from apps.journal.models import Journal, Mark
from apps.people.models import GroupMembership
from apps.schools.models import Group
from tests import factories as f

from .helpers import plan_line

SEPT_1 = dt.date(2026, 9, 1)


def grid_students(journal, period):
    grid = journal_selectors.journal_grid(journal=journal, period=period, periods=[period], today=dt.date(2026, 11, 20))
    return grid, {row.student.pk: row for row in grid.rows}


@pytest.fixture
def english(world):
    """5А split for «Русский язык» (as for English): Anna and the others in the 1st subgroup
    (Bob teaches it), Boris in the 2nd (Carol)."""
    plan_line(world.year, 5, world.russian, 3, divided=True)
    first, second = services.subgroups_create(school_class=world.class_5a, subject=world.russian)
    choices = {s.pk: first.pk for s in world.students_5a}
    choices[world.boris.pk] = second.pk
    services.subgroup_assign(school_class=world.class_5a, subject=world.russian, choices=choices, on=SEPT_1)
    j1 = services.workload_assign(
        group=first, subject=world.russian, teacher=world.bob_staff, hours_per_week=3, author=world.admin
    )
    j2 = services.workload_assign(
        group=second, subject=world.russian, teacher=world.carol_staff, hours_per_week=3, author=world.admin
    )
    return first, second, j1, j2


def test_split_names_the_subgroups_and_each_has_its_journal_and_teacher(world, english):
    """ORG-4: «5А — <предмет>, 1 гр.», «2 гр.», each with its own journal and teacher; a class
    is not split twice for the same subject."""
    first, second, j1, j2 = english
    assert (first.name, second.name) == ("5А — русский язык, 1 гр.", "5А — русский язык, 2 гр.")
    assert (first.kind, first.school_class) == (Group.Kind.SUBGROUP, world.class_5a)
    assert (j1.teacher, j2.teacher) == (world.bob_staff, world.carol_staff)
    with pytest.raises(ValidationError, match="уже разделён"):
        services.subgroups_create(school_class=world.class_5a, subject=world.russian)


def test_subgroup_move_keeps_past_marks_in_the_old_subgroup_journal(world, english, client_for):
    """ORG-4: Anna moves from the 1st to the 2nd subgroup on 18.11: her mark of 16.11 stays in
    the 1st subgroup's journal, which shows her until the 17th and refuses her marks after; the
    2nd subgroup's journal has her from the 18th."""
    first, second, j1, j2 = english
    q2 = world.periods[1]
    before, after = f.make_lesson(j1, dt.date(2026, 11, 16)), f.make_lesson(j1, dt.date(2026, 11, 19))
    new_lesson = f.make_lesson(j2, dt.date(2026, 11, 19))
    assert journal_services.journal_save(
        journal=j1, author=world.bob, cells=[{"lesson": before.pk, "student": world.anna.pk, "value": "5"}]
    ).ok

    form = {"action": "assign", "class": world.class_5a.pk, "subject": world.russian.pk, "on": "2026-11-18"}
    form.update({f"s-{s.pk}": first.pk for s in world.students_5a})
    form[f"s-{world.boris.pk}"] = second.pk
    form[f"s-{world.anna.pk}"] = second.pk
    response = client_for(world.deputy).post(reverse("curriculum:split"), form)
    assert response.status_code == 302

    spans = list(
        GroupMembership.objects.filter(student=world.anna, group__in=[first, second])
        .order_by("starts")
        .values_list("group_id", "starts", "ends")
    )
    assert spans == [(first.pk, SEPT_1, dt.date(2026, 11, 17)), (second.pk, dt.date(2026, 11, 18), None)]

    grid, rows = grid_students(j1, q2)
    anna = rows[world.anna.pk]
    cells = {c.lesson.pk: c for c in anna.cells}
    assert cells[before.pk].text == "5" and cells[before.pk].member
    assert not cells[after.pk].member
    assert world.boris.pk not in rows
    assert Mark.objects.get(lesson=before, student=world.anna).value == "5"
    refused = journal_services.journal_save(
        journal=j1, author=world.bob, cells=[{"lesson": after.pk, "student": world.anna.pk, "value": "4"}]
    )
    assert not refused.ok and "не числится в группе" in refused.cells[0].error

    _grid, rows2 = grid_students(j2, q2)
    assert set(rows2) == {world.anna.pk, world.boris.pk}
    assert [c.member for c in rows2[world.anna.pk].cells if c.lesson.pk == new_lesson.pk] == [True]
    assert journal_services.journal_save(
        journal=j2, author=world.carol, cells=[{"lesson": new_lesson.pk, "student": world.anna.pk, "value": "4"}]
    ).ok


def test_split_page_shows_who_is_where(world, english, client_for):
    """ORG-4: the subgroup page lists the class's students with the subgroup each is in and the
    teachers of the subgroups."""
    first, second, _j1, _j2 = english
    url = reverse("curriculum:split") + f"?class={world.class_5a.pk}&subject={world.russian.pk}"
    html = client_for(world.admin).get(url).content.decode()
    assert f'name="s-{world.boris.pk}" value="{second.pk}" checked' in html
    assert f'name="s-{world.anna.pk}" value="{first.pk}" checked' in html
    assert f'<option value="{world.bob_staff.pk}" selected>' in html


def test_one_student_group_has_its_own_journals_with_only_that_student(world, client_for):
    """ORG-4: home schooling for Boris — a group of one student in his class, its plan filled from
    the curriculum, a journal per subject showing only him; a second student is refused."""
    plan_line(world.year, 5, world.math, 5)
    plan_line(world.year, 5, world.history, 2)
    client = client_for(world.admin)
    response = client.post(
        reverse("curriculum:groups"),
        {
            "action": "single",
            "year": world.year.pk,
            "single-kind": Group.Kind.HOME,
            "single-student": world.boris.pk,
            "single-starts": "2026-11-02",
        },
    )
    group = Group.objects.get(kind=Group.Kind.HOME)
    assert response.status_code == 302 and response["Location"] == reverse("curriculum:group", args=[group.pk])
    assert group.school_class == world.class_5a and group.name == "5А — надомное обучение: Быков Б."
    assert list(group.memberships.values_list("student_id", "starts")) == [(world.boris.pk, dt.date(2026, 11, 2))]

    with pytest.raises(ValidationError, match="группа одного учащегося"):
        services.group_member_add(group=group, student=world.anna, starts=dt.date(2026, 11, 2))

    client.post(reverse("curriculum:group", args=[group.pk]), {"action": "plan_from_curriculum"})
    plan = dict(GroupSubject.objects.filter(group=group).values_list("subject__name", "hours_per_week"))
    assert plan == {"Математика": 5, "История": 2}
    response = client.post(
        reverse("curriculum:group", args=[group.pk]),
        {
            "action": "teachers",
            f"t-{world.math.pk}": world.alice_staff.pk,
            f"h-{world.math.pk}": "2",
            f"t-{world.history.pk}": world.carol_staff.pk,
            f"h-{world.history.pk}": "1",
        },
    )
    assert response.status_code == 302
    journals = {j.subject.name: j for j in Journal.objects.filter(group=group)}
    assert set(journals) == {"Математика", "История"} and journals["Математика"].teacher == world.alice_staff
    _grid, rows = grid_students(journals["Математика"], world.periods[1])
    assert set(rows) == {world.boris.pk}


def test_cross_class_group_gathers_students_of_several_classes(world, client_for):
    """ORG-4: an elective takes students of 5А and 5Б; its journal shows exactly its members."""
    client = client_for(world.deputy)
    client.post(
        reverse("curriculum:groups"),
        {
            "action": "cross",
            "year": world.year.pk,
            "cross-kind": "elective",
            "cross-name": "Шахматы",
            "cross-grade": "5",
        },
    )
    group = Group.objects.get(name="Шахматы")
    assert (group.kind, group.school_class, group.grade_level) == (Group.Kind.ELECTIVE, None, 5)
    page = client.get(reverse("curriculum:group", args=[group.pk]) + f"?from={world.class_5b.pk}").content.decode()
    other = world.students_5b[0]
    assert f'name="student" value="{other.pk}"' in page
    url = reverse("curriculum:group", args=[group.pk])
    client.post(url, {"action": "members_add", "student": [other.pk], "starts": "2026-09-01"})
    client.post(url, {"action": "members_add", "student": [world.anna.pk], "starts": "2026-09-01"})
    client.post(url, {"action": "subject_add", "new_subject": "Шахматы", "hours": "1"})
    subject = GroupSubject.objects.get(group=group).subject
    client.post(url, {"action": "teachers", f"t-{subject.pk}": world.bob_staff.pk, f"h-{subject.pk}": "1"})
    journal = Journal.objects.get(group=group)
    _grid, rows = grid_students(journal, world.periods[1])
    assert set(rows) == {other.pk, world.anna.pk}

    # Anna leaves the elective after 30.11: she stays in the grid of the quarter, the rest is hers no more.
    membership = GroupMembership.objects.get(group=group, student=world.anna)
    client.post(url, {"action": "member_end", "membership": membership.pk, "last_day": "2026-11-30"})
    membership.refresh_from_db()
    assert membership.ends == dt.date(2026, 11, 30)
    _grid, rows = grid_students(journal, world.periods[2])
    assert set(rows) == {other.pk}


def test_a_group_with_journals_is_not_deleted(world, client_for):
    """ORG-4: a group made by mistake can be removed while it has no journal, not after."""
    group = services.group_create(year=world.year, kind="club", name="Робототехника")
    services.workload_assign(
        group=group, subject=world.math, teacher=world.alice_staff, hours_per_week=1, author=world.admin
    )
    response = client_for(world.admin).post(reverse("curriculum:group", args=[group.pk]), {"action": "delete"})
    assert "есть журналы" in response.content.decode()
    assert Group.objects.filter(pk=group.pk).exists()
