"""JRN-4: grading systems per school, subject and grade; JRN-3, JRN-7: the values a journal in
each system accepts; JRN-4: conversion scales, their checks and the converted results."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.audit.models import Entry
from apps.grading import selectors, services
from apps.grading.models import ConversionScale, SchoolSystem, SubjectGrading
from apps.journal import services as journal_services
from apps.journal.grading import GradingSystem
from apps.journal.models import Journal, Mark
from apps.schools.models import AcademicYear
from tests import factories as f

H, FIVE, TEN, PF = GradingSystem.HUNDRED, GradingSystem.FIVE, GradingSystem.TEN, GradingSystem.PASS_FAIL


def use(school, *systems):
    return services.systems_set(school=school, systems=systems)


def messages_of(excinfo) -> str:
    return " ".join(excinfo.value.messages)


# ---------------------------------------------------------------------------------------------
# Which system a subject uses


def test_system_for_follows_the_rule_of_the_grade_else_five_point(world):
    """JRN-4: ОРКСЭ-like rule «history in 5–6: pass/fail» gives pass/fail to a 5th grade, while
    7th grade history, another subject and another school stay 5-point."""
    use(world.school, PF, TEN)
    services.rule_create(school=world.school, subject=world.history, grade_from=5, grade_to=6, system=PF)
    services.rule_create(school=world.school, subject=world.history, grade_from=7, grade_to=9, system=TEN)
    assert selectors.system_for(school=world.school, subject=world.history, grade=5) == PF
    assert selectors.system_for(school=world.school, subject=world.history, grade=6) == PF
    assert selectors.system_for(school=world.school, subject=world.history, grade=8) == TEN
    assert selectors.system_for(school=world.school, subject=world.history, grade=10) == FIVE
    assert selectors.system_for(school=world.school, subject=world.math, grade=5) == FIVE
    other = f.SchoolFactory(short_name="Школа № 2")
    assert selectors.system_for(school=other, subject=world.history, grade=5) == FIVE


def test_rule_refuses_overlapping_grades_and_systems_the_school_does_not_use(world):
    """JRN-4: the administrator is told in Russian why a rule is not saved."""
    with pytest.raises(ValidationError) as e:
        services.rule_create(school=world.school, subject=world.history, grade_from=5, grade_to=6, system=TEN)
    assert "не включена в школе" in messages_of(e)
    use(world.school, TEN)
    services.rule_create(school=world.school, subject=world.history, grade_from=5, grade_to=6, system=TEN)
    with pytest.raises(ValidationError) as e:
        services.rule_create(school=world.school, subject=world.history, grade_from=6, grade_to=8, system=TEN)
    assert "уже задано правило «5–6 классы: десятибалльная»" in messages_of(e)
    with pytest.raises(ValidationError) as e:
        services.rule_create(school=world.school, subject=world.history, grade_from=9, grade_to=7, system=TEN)
    assert "от 1 до 11" in messages_of(e)
    assert SubjectGrading.objects.count() == 1


def test_a_system_in_use_cannot_be_switched_off(world):
    """JRN-4: switching off a system still named by a rule is refused with the reason."""
    use(world.school, TEN)
    services.rule_create(school=world.school, subject=world.history, grade_from=5, grade_to=6, system=TEN)
    with pytest.raises(ValidationError) as e:
        use(world.school)
    assert "нельзя отключить" in messages_of(e)
    assert selectors.school_systems(school=world.school) == [FIVE, TEN]


def test_applying_a_rule_changes_only_journals_without_marks(world):
    """JRN-4: the rule «history in 5th grade: pass/fail» is given to 5Б history (no marks), while
    5А history, which has a mark, keeps the 5-point system and is listed with the reason; the
    change is in the journal's change log."""
    use(world.school, PF)
    history_5a = f.make_journal(world.class_5a, world.history, world.carol_staff)
    lesson = f.make_lesson(history_5a, dt.date(2026, 11, 18))
    journal_services.journal_save(
        journal=history_5a, author=world.carol, cells=[{"lesson": lesson.pk, "student": world.anna.pk, "value": "4"}]
    )
    rule = services.rule_create(school=world.school, subject=world.history, grade_from=5, grade_to=5, system=PF)

    result = services.rule_apply(rule=rule, author=world.deputy)

    assert [i.journal.pk for i in result.change] == [world.journal_history_5b.pk]
    assert [i.journal.pk for i in result.refused] == [history_5a.pk]
    assert "текущие отметки (1)" in result.refused[0].reason
    assert Journal.objects.get(pk=world.journal_history_5b.pk).grading_system == PF
    assert Journal.objects.get(pk=history_5a.pk).grading_system == FIVE
    entry = Entry.objects.get(object_type="grading_system")
    assert entry.journal_id == world.journal_history_5b.pk and entry.new == {"grading_system": PF}
    # Applying again changes nothing more.
    again = services.rule_apply(rule=rule, author=world.deputy)
    assert not again.change and [i.journal.pk for i in again.already] == [world.journal_history_5b.pk]


def test_a_closed_year_journal_is_not_touched(world):
    """JRN-4: the journals of a closed year keep their system whatever the rule says."""
    use(world.school, TEN)
    AcademicYear.objects.filter(pk=world.year.pk).update(status=AcademicYear.Status.CLOSED)
    rule = services.rule_create(school=world.school, subject=world.math, grade_from=5, grade_to=5, system=TEN)
    result = services.rule_apply(rule=rule, author=world.admin)
    assert not result.change and not result.refused
    assert Journal.objects.get(pk=world.journal.pk).grading_system == FIVE


def test_rule_page_lists_the_refused_journal_and_applies(world, client_for):
    """JRN-4: the rule's page names the journal left in its system and why; the button converts the rest."""
    use(world.school, PF)
    history_5a = f.make_journal(world.class_5a, world.history, world.carol_staff)
    lesson = f.make_lesson(history_5a, dt.date(2026, 11, 18))
    journal_services.journal_save(
        journal=history_5a, author=world.carol, cells=[{"lesson": lesson.pk, "student": world.anna.pk, "value": "4"}]
    )
    client = client_for(world.deputy)
    response = client.post(
        reverse("grading:rule_add"),
        {"subject": world.history.pk, "grade_from": "5", "grade_to": "5", "system": PF},
    )
    rule = SubjectGrading.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("grading:rule", args=[rule.pk])
    page = client.get(response["Location"]).content.decode()
    assert "в журнале уже есть текущие отметки (1)" in page
    assert "5Б" in page
    response = client.post(reverse("grading:rule", args=[rule.pk]), follow=True)
    assert "установлена в 1 журнале" in response.content.decode()
    assert Journal.objects.get(pk=world.journal_history_5b.pk).grading_system == PF


# ---------------------------------------------------------------------------------------------
# The grid accepts each system's values (JRN-3, JRN-7)


def _cell(client, journal, lesson, student, value):
    response = client.post(
        reverse("journal:save", args=[journal.pk]),
        data=json.dumps({"cells": [{"lesson": lesson.pk, "student": student.pk, "value": value}]}),
        content_type="application/json",
    )
    return response.json()["cells"][0]


def test_a_ten_point_journal_takes_9_and_refuses_11_with_a_message(world, client_for):
    """JRN-4, JRN-3: in a 10-point journal «9» is saved; «11» is refused naming the allowed marks."""
    Journal.objects.filter(pk=world.journal.pk).update(grading_system=TEN)
    lesson = f.make_lesson(world.journal, dt.date(2026, 11, 18))
    client = client_for(world.alice)
    assert _cell(client, world.journal, lesson, world.anna, "9")["ok"]
    refused = _cell(client, world.journal, lesson, world.boris, "11")
    assert not refused["ok"]
    assert refused["error"] == (
        "«11» — недопустимое значение. Допустимы отметки 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 и «н» (отсутствовал)."
    )
    mark = Mark.objects.get(lesson=lesson)
    assert (mark.student_id, mark.value, mark.grading_system) == (world.anna.pk, "9", TEN)


def test_a_hundred_point_journal_takes_85(world, client_for):
    """JRN-4: a 100-point journal takes «85» and refuses «101» with «от 0 до 100»."""
    Journal.objects.filter(pk=world.journal.pk).update(grading_system=H)
    lesson = f.make_lesson(world.journal, dt.date(2026, 11, 18))
    client = client_for(world.alice)
    assert _cell(client, world.journal, lesson, world.anna, "85")["ok"]
    assert "от 0 до 100" in _cell(client, world.journal, lesson, world.boris, "101")["error"]


def test_a_pass_fail_journal_takes_zach_and_refuses_5(world, client_for):
    """JRN-4, JRN-7: a pass/fail journal takes «зач» and «незач», refuses «5» naming «зач», «незач»;
    its period mark is «зач», never «5»."""
    Journal.objects.filter(pk=world.journal.pk).update(grading_system=PF)
    journal = Journal.objects.get(pk=world.journal.pk)
    lesson = f.make_lesson(journal, dt.date(2026, 11, 18))
    client = client_for(world.alice)
    assert _cell(client, journal, lesson, world.anna, "зач")["value"] == "зач"
    assert _cell(client, journal, lesson, world.students_5a[2], "Незач")["value"] == "незач"
    refused = _cell(client, journal, lesson, world.boris, "5")
    assert "«зач», «незач»" in refused["error"]
    with pytest.raises(ValidationError, match="Допустимы: зач, незач, н/а, осв"):
        journal_services.period_mark_set(
            journal=journal, period=world.periods[1], student_id=world.anna.pk, value="5", author=world.alice
        )
    pm = journal_services.period_mark_set(
        journal=journal, period=world.periods[1], student_id=world.anna.pk, value="зач", author=world.alice
    )
    assert pm.value == "зач"


def test_pass_fail_marks_are_not_averaged(world):
    """JRN-4, JRN-8: «зач» has no number: the average of a pass/fail journal stays empty, and the
    5-point marks of another journal still average as before."""
    from apps.journal.selectors import weighted_average_of

    Journal.objects.filter(pk=world.journal.pk).update(grading_system=PF)
    journal = Journal.objects.get(pk=world.journal.pk)
    lesson = f.make_lesson(journal, dt.date(2026, 11, 18))
    journal_services.journal_save(
        journal=journal, author=world.alice, cells=[{"lesson": lesson.pk, "student": world.anna.pk, "value": "зач"}]
    )
    assert weighted_average_of(Mark.objects.filter(lesson=lesson)) is None
    assert not GradingSystem.averaged(PF) and GradingSystem.averaged(TEN)


# ---------------------------------------------------------------------------------------------
# Scales


def test_default_scales_are_offered_and_convert(world):
    """JRN-4: the ready-made scales convert 85→5, 84→4, 44→2 (100-point), 9→5, 3→2 (10-point), 3→зач, 2→незач."""
    assert len(selectors.missing_defaults(school=world.school)) == 3
    services.scale_defaults_install(school=world.school)
    assert selectors.missing_defaults(school=world.school) == []
    school = world.school
    cases = [
        (H, FIVE, "85", "5"),
        (H, FIVE, "84", "4"),
        (H, FIVE, "65", "4"),
        (H, FIVE, "45", "3"),
        (H, FIVE, "44", "2"),
        (H, FIVE, "0", "2"),
        (TEN, FIVE, "9", "5"),
        (TEN, FIVE, "7", "4"),
        (TEN, FIVE, "6", "3"),
        (TEN, FIVE, "3", "2"),
        (FIVE, PF, "3", "зач"),
        (FIVE, PF, "2", "незач"),
        (FIVE, FIVE, "4", "4"),
    ]
    for a, b, value, expected in cases:
        assert services.convert(school=school, from_system=a, to_system=b, value=value) == expected, (a, value)
    assert services.convert_average(school=school, from_system=H, to_system=FIVE, average=Decimal("84.5")) == "5"
    assert services.convert_average(school=school, from_system=H, to_system=FIVE, average="84,49") == "4"
    assert services.convert_average(school=school, from_system=TEN, to_system=FIVE, average="8,5") == "5"


def test_conversion_refusals_are_in_russian(world):
    """JRN-4: a value outside the system, a missing scale and a pass/fail source are explained."""
    with pytest.raises(ValidationError, match="не настроена"):
        services.convert(school=world.school, from_system=H, to_system=FIVE, value="85")
    services.scale_defaults_install(school=world.school)
    with pytest.raises(
        ValidationError, match=r"«101» — нет такой отметки в системе «стобалльная» \(допустимы: от 0 до 100\)"
    ):
        services.convert(school=world.school, from_system=H, to_system=FIVE, value="101")
    with pytest.raises(ValidationError, match="не переводятся"):
        services.convert(school=world.school, from_system=PF, to_system=FIVE, value="зач")


def test_scale_gaps_and_overlaps_are_named(world):
    """JRN-4: a scale that leaves 45–49 uncovered, covers 64 twice or stops at 95 is refused,
    each problem named."""
    bands = [(85, 95, "5"), (64, 84, "4"), (50, 64, "3"), (0, 44, "2")]
    with pytest.raises(ValidationError) as e:
        services.scale_save(school=world.school, from_system=H, to_system=FIVE, bands=bands)
    assert e.value.messages == [
        "Пропуск: значения от 45 до 49 не попадают ни в одну строку шкалы.",
        "Перекрытие: значение 64 попадает и в строку 3 («50–64»), и в строку 2 («64–84»).",
        "Пропуск: значения от 96 до 100 не попадают ни в одну строку шкалы.",
    ]
    assert not ConversionScale.objects.exists()


def test_scale_lines_are_checked(world):
    """JRN-4: «от» above «до», a value outside the system, a result the target does not have."""
    bands = [(90, 80, "5"), (0, 120, "4"), (0, 10, "6"), ("", "", "")]
    with pytest.raises(ValidationError) as e:
        services.scale_save(school=world.school, from_system=H, to_system=FIVE, bands=bands)
    assert e.value.messages == [
        "Строка 1: «от» (90) больше, чем «до» (80).",
        "Строка 2: в системе «стобалльная» значения от 0 до 100.",
        "Строка 3: «6» — нет такой отметки в системе «пятибалльная» (допустимы: 5, 4, 3, 2).",
    ]
    with pytest.raises(ValidationError, match="Шкала пуста"):
        services.scale_save(school=world.school, from_system=H, to_system=FIVE, bands=[("", "", "")])


def test_scale_edited_on_the_page_keeps_the_input_on_error(world, client_for):
    """JRN-4: the administrator's wrong scale comes back with her numbers and the gap named; a right
    one is saved and then converts."""
    client = client_for(world.admin)
    data = {"from_system": TEN, "to_system": FIVE, "low": ["9", "7", "4", "2"], "high": ["10", "8", "6", "3"],
            "value": ["5", "4", "3", "2"]}  # fmt: skip
    page = client.post(reverse("grading:scale_new"), data).content.decode()
    assert "Пропуск: значение 1 не попадает ни в одну строку шкалы." in page
    assert 'name="low" value="2"' in page
    data["low"][3] = "1"
    assert client.post(reverse("grading:scale_new"), data).status_code == 302
    assert services.convert(school=world.school, from_system=TEN, to_system=FIVE, value="1") == "2"


# ---------------------------------------------------------------------------------------------
# Converted results with the rule shown


@pytest.fixture
def hundred_journal(world):
    """5А mathematics kept in the 100-point system: Anna 90 and 79 (average 84,50), Boris 50."""
    use(world.school, H)
    services.scale_defaults_install(school=world.school)
    Journal.objects.filter(pk=world.journal.pk).update(grading_system=H)
    journal = Journal.objects.get(pk=world.journal.pk)
    l1 = f.make_lesson(journal, dt.date(2026, 11, 17))
    l2 = f.make_lesson(journal, dt.date(2026, 11, 18))
    result = journal_services.journal_save(
        journal=journal,
        author=world.alice,
        cells=[
            {"lesson": l1.pk, "student": world.anna.pk, "value": "90"},
            {"lesson": l2.pk, "student": world.anna.pk, "value": "79"},
            {"lesson": l1.pk, "student": world.boris.pk, "value": "50"},
        ],
    )
    assert result.ok
    return journal


def test_results_page_shows_averages_converted_with_the_bands(world, client_for, hundred_journal):
    """JRN-4: the 100-point journal's quarter averages read in the 5-point system: Anna 84,50 → 5
    (rounded to 85, band 85–100), Boris 50,00 → 3 (band 45–64); the scale is shown beside."""
    results = selectors.journal_results(journal=hundred_journal, to_system=FIVE)
    q2 = [p.pk for p in results.periods].index(world.periods[1].pk)
    anna = next(r for r in results.rows if r.student.pk == world.anna.pk).cells[q2]
    boris = next(r for r in results.rows if r.student.pk == world.boris.pk).cells[q2]
    assert (anna.average_text, anna.rounded, anna.converted, anna.band.source_text) == ("84,50", 85, "5", "85–100")
    assert (boris.average_text, boris.converted, boris.band.source_text) == ("50,00", "3", "45–64")

    page = client_for(world.alice).get(reverse("grading:journal", args=[hundred_journal.pk])).content.decode()
    assert "84,50" in page and "<strong>5</strong> <small" in page and "(85–100)" in page
    assert "Правило перевода" in page
    assert "Из системы «стобалльная» в систему «пятибалльная»" in page
    for band in ("85–100", "65–84", "45–64", "0–44"):
        assert f"<td>{band}</td>" in page


def test_pass_fail_results_show_counts(world, client_for):
    """JRN-4: a pass/fail journal's results count «зач» and «незач» instead of an average."""
    use(world.school, PF)
    Journal.objects.filter(pk=world.journal.pk).update(grading_system=PF)
    journal = Journal.objects.get(pk=world.journal.pk)
    lessons = [f.make_lesson(journal, dt.date(2026, 11, d)) for d in (16, 17, 18)]
    journal_services.journal_save(
        journal=journal,
        author=world.alice,
        cells=[
            {"lesson": lesson.pk, "student": world.anna.pk, "value": v}
            for lesson, v in zip(lessons, ("зач", "зач", "незач"), strict=True)
        ],
    )
    page = client_for(world.carol).get(reverse("grading:journal", args=[journal.pk])).content.decode()
    assert "зач: 2, незач: 1" in page
    assert "Зачёты не усредняются" in page


def test_converter_shows_result_and_rule(world, client_for):
    """JRN-4: «84,5» of the 100-point system → «5», saying it was rounded to 85 and the band used."""
    services.scale_defaults_install(school=world.school)
    page = (
        client_for(world.deputy)
        .get(reverse("grading:convert"), {"value": "84,5", "from_system": H, "to_system": FIVE})
        .content.decode()
    )
    assert '<strong class="converted">5</strong>' in page
    assert "Средний балл 84,50 округлён до 85." in page
    assert "Строка шкалы: 85–100 → 5." in page
    page = (
        client_for(world.alice)
        .get(reverse("grading:convert"), {"value": "11", "from_system": TEN, "to_system": FIVE})
        .content.decode()
    )
    assert "«11» — нет такой отметки в системе «десятибалльная»" in page


def test_settings_page_shows_systems_rules_and_scales(world, client_for):
    """JRN-4: the settings page lists the school's systems, the rules and the scales with their bands."""
    use(world.school, PF)
    services.rule_create(school=world.school, subject=world.history, grade_from=5, grade_to=9, system=PF)
    services.scale_defaults_install(school=world.school)
    page = client_for(world.admin).get(reverse("grading:index")).content.decode()
    assert reverse("office:index") in page
    assert "История" in page and "5–9 классы" in page and "зачётная (зачёт/незачёт)" in page
    assert "<td>85–100</td>" in page and "<td>3–5</td>" in page
    assert SchoolSystem.objects.filter(school=world.school, system=PF).exists()


@pytest.mark.parametrize("n_students", [2, 12])
def test_results_page_queries_do_not_grow(world, client_for, django_assert_max_num_queries, n_students):
    """JRN-4: the converted results page asks the same number of queries for 2 or 12 students."""
    use(world.school, H)
    services.scale_defaults_install(school=world.school)
    Journal.objects.filter(pk=world.journal.pk).update(grading_system=H)
    journal = Journal.objects.get(pk=world.journal.pk)
    students = list(world.students_5a) + [
        f.enrol(f.StudentFactory(school=world.school), world.class_5a) for _ in range(max(0, n_students - 5))
    ]
    lessons = [f.make_lesson(journal, dt.date(2026, 11, d)) for d in (16, 17, 18)]
    journal_services.journal_save(
        journal=journal,
        author=world.alice,
        cells=[{"lesson": lesson.pk, "student": s.pk, "value": "77"} for lesson in lessons for s in students],
    )
    client = client_for(world.alice)
    with django_assert_max_num_queries(11):
        response = client.get(reverse("grading:journal", args=[journal.pk]))
    assert response.status_code == 200
