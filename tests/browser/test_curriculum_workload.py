"""The deputy sets up the curriculum of grade 5, gives the missing lines to teachers on the workload
page until the check is clean, and splits 5А into subgroups for one subject (ORG-4, ORG-5)."""

import pytest

from apps.curriculum.models import CurriculumLine
from apps.journal.models import Journal
from apps.people.models import GroupMembership
from tests import factories as f

pytestmark = pytest.mark.browser


def login(context, base_url, username):
    page = context.new_page()
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f.PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_load_state()
    return page


def test_deputy_builds_the_plan_and_the_workload(chromium, live_server, world, ticking_now):
    """ORG-5: a bad cell of the curriculum is named and the rest saved; the workload check lists
    a line without a teacher until the deputy gives it one. ORG-4: 5А is split into two
    subgroups for Russian, Boris goes to the second, each subgroup gets its teacher."""
    from playwright.sync_api import expect

    context = chromium.new_context(locale="ru-RU")
    page = login(context, live_server.url, "deputy")
    page.get_by_role("navigation", name="Разделы").get_by_role("link", name="Управление").click()
    page.get_by_role("link", name="Учебный план").click()
    expect(page.locator("h1")).to_contain_text("Учебный план на 2026/2027")
    page.get_by_label("Математика, 5 класс: часов в неделю").fill("2")
    page.get_by_label("Русский язык, 5 класс: часов в неделю").fill("два")
    page.get_by_label("История, 5 класс: часов в неделю").fill("2")
    page.get_by_role("button", name="Сохранить учебный план").click()
    expect(page.locator("#plan-errors")).to_contain_text("Русский язык, 5 класс: «два» — не число часов")
    assert CurriculumLine.objects.filter(grade=5).count() == 2
    page.get_by_label("Русский язык, 5 класс: часов в неделю").fill("2")
    page.locator(f'input[name="d-{world.russian.pk}-5"]').check()
    page.get_by_role("button", name="Сохранить учебный план").click()
    expect(page.locator(".messages")).to_contain_text("Учебный план сохранён")
    assert CurriculumLine.objects.get(subject=world.russian).divided_into_subgroups

    page.get_by_role("navigation", name="Учебный план, нагрузка, группы, сотрудники").get_by_role(
        "link", name="Нагрузка"
    ).click()
    issues = page.locator("#issues")
    expect(issues).to_contain_text("5Б, Математика: нет учителя")
    expect(issues).to_contain_text("5А, История: нет учителя")
    page.get_by_role("link", name="Изменить нагрузку 5Б").click()
    page.get_by_label("Учитель: Математика, 5Б").select_option(label="Алексеева А. И. (учитель)")
    page.get_by_role("button", name="Сохранить нагрузку 5Б").click()
    expect(page.locator(".messages")).to_contain_text("Нагрузка 5Б сохранена")
    expect(page.locator("#issues")).not_to_contain_text("5Б, Математика")
    assert Journal.objects.get(group__school_class=world.class_5b, subject=world.math).teacher == world.alice_staff

    # Russian is divided in the plan: 5А has no subgroups yet.
    expect(page.locator("#issues")).to_contain_text("5А, Русский язык: класс не разделён на подгруппы")
    page.locator(f"#c{world.class_5a.pk}").get_by_role("link", name="разделить на подгруппы").click()
    page.get_by_role("button", name="Разделить класс").click()
    expect(page.locator(".messages")).to_contain_text("5А разделён на подгруппы")
    page.locator(f'input[name="s-{world.boris.pk}"]').nth(1).check()
    for student in world.students_5a:
        if student != world.boris:
            page.locator(f'input[name="s-{student.pk}"]').first.check()
    page.get_by_label("Учитель: 5А — русский язык, 1 гр.").select_option(label="Борисов Б. П.")
    page.get_by_label("Учитель: 5А — русский язык, 2 гр.").select_option(label="Кравец К. О.")
    page.get_by_role("button", name="Сохранить подгруппы").click()
    expect(page.locator(".messages")).to_contain_text("Состав подгрупп сохранён")
    boris = GroupMembership.objects.get(student=world.boris, group__kind="subgroup")
    assert boris.group.name == "5А — русский язык, 2 гр."
    assert Journal.objects.get(group=boris.group).teacher == world.carol_staff
    context.close()
