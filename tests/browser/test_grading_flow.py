"""The deputy sets up the 10-point system for 5th-grade mathematics and the ready-made scales;
the teacher types «9» (saved) and «11» (refused in Russian) in the grid and reads the quarter's
average in the 5-point system with the band used beside it (JRN-4, JRN-3)."""

import datetime as dt
import re

import pytest

from apps.journal.grading import GradingSystem
from apps.journal.models import Journal, Mark
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


def test_deputy_sets_ten_point_teacher_writes_and_reads_converted(chromium, live_server, world, ticking_now):
    """JRN-4: from «Управление» the deputy switches the 10-point system on, gives it to mathematics
    in the 5th grade (5А's journal has no marks: it converts) and adds the ready-made scales;
    JRN-3, JRN-4: alice's grid takes «9», refuses «11» naming 10…1, and the results page shows
    9,00 → 5 by the band 9–10 of the 10→5 scale."""
    from playwright.sync_api import expect

    lesson = f.make_lesson(world.journal, dt.date(2026, 11, 18))

    context = chromium.new_context(locale="ru-RU")
    page = login(context, live_server.url, "deputy")
    page.goto(f"{live_server.url}/office/")
    page.get_by_role("link", name="Системы оценивания").click()
    expect(page.locator("h1")).to_have_text("Системы оценивания")
    page.get_by_role("checkbox", name="десятибалльная").check()
    page.get_by_role("button", name="Сохранить системы").click()
    expect(page.locator(".messages")).to_contain_text("десятибалльная")

    form = page.locator("form", has=page.get_by_role("button", name="Добавить правило"))
    form.get_by_label("Предмет").select_option(label="Математика")
    form.get_by_label("С класса").fill("5")
    form.get_by_label("По класс").fill("5")
    form.get_by_label("Система оценивания").select_option(label="десятибалльная")
    page.get_by_role("button", name="Добавить правило").click()
    expect(page.locator("h1")).to_contain_text("Математика, 5 класс: десятибалльная")
    expect(page.locator("#change-title + ul")).to_contain_text("5А")
    page.get_by_role("button", name=re.compile("Перевести журналы")).click()
    expect(page.locator(".messages")).to_contain_text("установлена в 1 журнале")
    assert Journal.objects.get(pk=world.journal.pk).grading_system == GradingSystem.TEN

    page.get_by_role("link", name="Системы оценивания").click()
    page.get_by_role("button", name="Добавить шкалы по образцу").click()
    expect(page.locator(".grading-scales")).to_contain_text("Десятибалльная → пятибалльная")
    context.close()

    context = chromium.new_context(locale="ru-RU")
    page = login(context, live_server.url, "alice")
    page.goto(f"{live_server.url}/journal/{world.journal.pk}/")
    expect(page.locator(".journal-meta")).to_contain_text("десятибалльная")

    def field(student):
        return page.locator(f'input[name="c-{lesson.pk}-{student.pk}"]')

    field(world.anna).click()
    page.keyboard.type("9")
    page.keyboard.press("ArrowDown")
    page.keyboard.type("11")
    page.keyboard.press("Enter")
    expect(page.locator("#grid-status")).to_contain_text(
        "«11» — недопустимое значение. Допустимы отметки 10, 9, 8, 7, 6, 5, 4, 3, 2, 1"
    )
    expect(field(world.boris)).to_have_value("11")
    page.wait_for_function("() => !document.querySelector('td.dirty, td.saving')")
    expect(page.locator(f'tr[data-student="{world.anna.pk}"] [data-avg]')).to_have_text("9,00")
    assert list(Mark.objects.values_list("student_id", "value", "grading_system")) == [
        (world.anna.pk, "9", GradingSystem.TEN)
    ]

    page.get_by_role("link", name="итоги в другой системе").click()
    expect(page.locator("h1")).to_contain_text("Итоги по периодам")
    row = page.locator("tr", has=page.get_by_role("rowheader", name=world.anna.short_name))
    expect(row).to_contain_text("9,00")
    expect(row.locator("td.converted").nth(1)).to_contain_text("5")
    expect(row.locator("td.converted").nth(1)).to_contain_text("(9–10)")
    expect(page.locator(".grading-rule")).to_contain_text("Из системы «десятибалльная» в систему «пятибалльная»")
    expect(page.locator(".grading-rule table")).to_contain_text("7–8")
    context.close()
