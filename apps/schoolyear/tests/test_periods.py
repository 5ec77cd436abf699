"""Attestation periods per grade level (ORG-2): the scheme of each grade range with proposed dates,
the rules of a right scheme, the Russian messages when it is not right."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.journal.models import PeriodMark
from apps.schools.models import Holiday, Period
from apps.schoolyear import rules, services

D = dt.date


def scheme(year):
    return [
        (p.grade_from, p.grade_to, p.kind, p.order, p.starts, p.ends)
        for p in Period.objects.filter(year=year).order_by("grade_from", "order")
    ]


def row(name, g_from, g_to, order, starts, ends, kind="quarter"):
    return rules.PeriodRow(name, kind, g_from, g_to, order, starts, ends)


H1 = row("1 полугодие", 1, 11, 1, D(2026, 9, 1), D(2026, 12, 27))
H2 = row("2 полугодие", 1, 11, 2, D(2027, 1, 11), D(2027, 5, 31))
YEAR = {"year_starts": D(2026, 9, 1), "year_ends": D(2027, 5, 31)}


def test_a_right_scheme_has_no_errors(world):
    """ORG-2: four quarters for grades 1–11 inside the year, in order — nothing to report."""
    assert rules.period_errors(world.periods, **YEAR) == []


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [row("1 полугодие", 1, 11, 1, D(2026, 8, 25), D(2026, 12, 27)), H2],
            "Период «1 полугодие» (1–11 кл.) выходит за даты учебного года (01.09.2026 — 31.05.2027).",
        ),
        (
            [row("1 полугодие", 1, 11, 1, D(2026, 9, 1), D(2027, 1, 15)), H2],
            "1–11 кл.: период «2 полугодие» должен начинаться после окончания «1 полугодие» (15.01.2027).",
        ),
        (
            [row("1 полугодие", 1, 11, 1, H2.starts, H2.ends), row("2 полугодие", 1, 11, 2, H1.starts, H1.ends)],
            "1–11 кл.: период «2 полугодие» должен начинаться после окончания «1 полугодие» (31.05.2027).",
        ),
        (
            [row("1 полугодие", 1, 9, 1, D(2026, 9, 1), D(2027, 5, 31))],
            "Для 10-х классов не задано ни одного периода.",
        ),
        (
            [row("Год", 1, 11, 1, D(2026, 9, 1), D(2027, 5, 31)), row("Год", 10, 11, 1, D(2026, 9, 1), D(2027, 5, 31))],
            "10-е классы входят сразу в несколько схем периодов — 1–11 кл., 10–11 кл.; оставьте одну.",
        ),
        (
            [row("Год", 1, 11, 1, D(2027, 5, 31), D(2026, 9, 1))],
            "Период «Год» (1–11 кл.) начинается позже, чем заканчивается.",
        ),
        ([], "Учебные периоды не заданы: задайте схему для параллелей 1–11."),
    ],
)  # fmt: skip
def test_wrong_schemes_are_explained(rows, message):
    """ORG-2: a period outside the year, overlapping or out of order within its grade range, a grade
    left without periods or in two schemes — each reported in Russian."""
    assert message in rules.period_errors(rows, **YEAR)


def test_half_years_for_grades_10_11(world):
    """ORG-2: the 10th and 11th grades get half-years with proposed dates; the quarters stay for
    grades 1–9 (the same period rows, so nothing referring to them is lost)."""
    quarter_ids = sorted(p.pk for p in world.periods)
    services.period_scheme_set(year=world.year, grade_from=10, grade_to=11, kind="half", author=world.admin)
    got = scheme(world.year)
    assert [g[:4] for g in got] == [
        (1, 9, "quarter", 1), (1, 9, "quarter", 2), (1, 9, "quarter", 3), (1, 9, "quarter", 4),
        (10, 11, "half", 1), (10, 11, "half", 2),
    ]  # fmt: skip
    assert sorted(Period.objects.filter(year=world.year, grade_to=9).values_list("pk", flat=True)) == quarter_ids
    # Halves split at the New Year days off (31 December moved by decree, 1–10 January).
    assert [g[4:] for g in got[4:]] == [(D(2026, 9, 1), D(2026, 12, 30)), (D(2027, 1, 11), D(2027, 5, 31))]
    assert rules.period_errors(Period.objects.filter(year=world.year), **YEAR) == []


def test_a_middle_range_splits_the_scheme_around_it(world):
    """ORG-2: trimesters for grades 5–6 leave quarters to 1–4 and 7–11; the scheme stays right."""
    services.period_scheme_set(year=world.year, grade_from=5, grade_to=6, kind="trimester", author=world.admin)
    ranges = sorted({(g[0], g[1], g[2]) for g in scheme(world.year)})
    assert ranges == [(1, 4, "quarter"), (5, 6, "trimester"), (7, 11, "quarter")]
    assert rules.period_errors(Period.objects.filter(year=world.year), **YEAR) == []


def test_quarters_are_proposed_between_the_holidays(world):
    """ORG-2: proposed quarters end before the holidays (каникулы) and start after them."""
    for name, s, e in [
        ("Осенние каникулы", D(2026, 10, 26), D(2026, 11, 3)),
        ("Зимние каникулы", D(2026, 12, 28), D(2027, 1, 10)),
        ("Весенние каникулы", D(2027, 3, 22), D(2027, 3, 31)),
    ]:
        Holiday.objects.create(school=world.school, year=world.year, name=name, starts=s, ends=e)
    proposed = services.periods_propose(year=world.year, kind="quarter")
    assert proposed == [
        ("1 четверть", D(2026, 9, 1), D(2026, 10, 23)),
        ("2 четверть", D(2026, 11, 5), D(2026, 12, 25)),
        ("3 четверть", D(2027, 1, 11), D(2027, 3, 19)),
        ("4 четверть", D(2027, 4, 1), D(2027, 5, 31)),
    ]
    modules = services.periods_propose(year=world.year, kind="module")
    assert [m[0] for m in modules] == ["1 модуль", "2 модуль", "3 модуль", "4 модуль", "5 модуль"]


def test_proposals_end_with_may_in_a_year_to_31_august(world):
    """ORG-2: a year kept to 31 August has its last period end with May (summer is not studied)."""
    new = services.year_create_next(year=world.year, author=world.admin)
    proposed = services.periods_propose(year=new, kind="half")
    assert proposed[-1][2] == D(2028, 5, 31)


def test_scheme_with_period_marks_is_not_changed(world):
    """ORG-2: once period marks are given for a period, its scheme is not rebuilt (marks would be lost)."""
    PeriodMark.objects.create(
        school=world.school, journal=world.journal, period=world.periods[0], student=world.anna, value="5",
        author=world.alice,
    )  # fmt: skip
    before = scheme(world.year)
    with pytest.raises(ValidationError) as exc:
        services.period_scheme_set(year=world.year, grade_from=10, grade_to=11, kind="half", author=world.admin)
    assert "уже выставлены итоговые отметки" in " ".join(exc.value.messages)
    assert scheme(world.year) == before


def test_saving_dates_checks_the_whole_scheme(world, client_for):
    """ORG-2: the administrator edits the dates on the page; a wrong date is refused with the reason
    and nothing is saved; right dates are saved."""
    client = client_for(world.admin)
    url = reverse("schoolyear:periods", args=[world.year.pk])
    q1, q2 = world.periods[0], world.periods[1]
    data = {f"name-{p.pk}": p.name for p in world.periods}
    data |= {f"starts-{p.pk}": p.starts.isoformat() for p in world.periods}
    data |= {f"ends-{p.pk}": p.ends.isoformat() for p in world.periods}
    bad = data | {f"ends-{q1.pk}": "2026-11-10"}
    page = client.post(url, bad).content.decode()
    assert "период «2 четверть» должен начинаться после окончания «1 четверть» (10.11.2026)" in page
    assert Period.objects.get(pk=q1.pk).ends == D(2026, 10, 24)
    good = data | {f"ends-{q1.pk}": "2026-10-23", f"name-{q2.pk}": "II четверть"}
    response = client.post(url, good)
    assert response.status_code == 302
    assert Period.objects.get(pk=q1.pk).ends == D(2026, 10, 23)
    assert Period.objects.get(pk=q2.pk).name == "II четверть"
    page = client.post(url, data | {f"starts-{q1.pk}": ""}).content.decode()
    assert "укажите даты начала и окончания" in page


def test_the_scheme_form_on_the_page(world, client_for):
    """ORG-2: «Предложить периоды» for grades 10–11, half-years: the message lists the proposed dates."""
    client = client_for(world.admin)
    url = reverse("schoolyear:period_scheme", args=[world.year.pk])
    response = client.post(url, {"grade_from": "10", "grade_to": "11", "kind": "half"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "10–11 кл.: предложены даты — 1 полугодие 01.09.2026" in page
    response = client.post(url, {"grade_from": "9", "grade_to": "3", "kind": "half"})
    page = client.get(response["Location"]).content.decode()
    assert "Параллели — от 1 до 11, «с» не больше «по»." in page
