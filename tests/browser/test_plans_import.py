"""A teacher loads her calendar-thematic plan from a spreadsheet with a bad row, sees the error
with its row number, imports the valid rows, and her journal's lessons take their topics (issue
#3, JRN-2)."""

import datetime as dt
import io

import pytest

from apps.journal.models import Lesson
from apps.plans.models import PlanItem
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


def plan_file(path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["№", "Раздел", "Тема", "Часы", "Дата"])
    sheet.append([1, "Натуральные числа", "Ряд натуральных чисел", 2, "16.11.2026"])
    sheet.append([2, None, "Сравнение натуральных чисел", "полтора", None])  # row 3: bad hours
    sheet.append([3, None, "Округление натуральных чисел", 1, None])
    out = io.BytesIO()
    book.save(out)
    path.write_bytes(out.getvalue())
    return path


def test_teacher_imports_a_plan_with_a_bad_row(chromium, live_server, world, ticking_now, tmp_path):
    """JRN-2: alice opens her journal's КТП from the journal list, uploads an XLSX whose 3rd row has
    bad hours: the preview names «Строка 3» and nothing is written yet; she imports only the valid
    rows; the plan has them, and her lessons of 16, 17 and 18 Nov take «Ряд натуральных чисел» twice
    (2 hours) and then «Округление натуральных чисел» — the topics shown in her journal."""
    from playwright.sync_api import expect

    lessons = [f.make_lesson(world.journal, dt.date(2026, 11, d)) for d in (16, 17, 18)]

    context = chromium.new_context(locale="ru-RU")
    page = login(context, live_server.url, "alice")
    page.get_by_role("navigation", name="Разделы").get_by_role("link", name="Журналы").click()
    page.locator("li", has_text="Математика").get_by_role("link", name="КТП").click()
    expect(page.locator("h1")).to_contain_text("Календарно-тематический план: 5А · Математика")
    expect(page.locator("main")).to_contain_text("План ещё не заполнен")

    page.get_by_role("link", name="Загрузить из файла (XLSX, CSV)").click()
    page.get_by_label("Файл плана").set_input_files(str(plan_file(tmp_path / "ktp.xlsx")))
    page.get_by_role("button", name="Проверить файл").click()
    expect(page.get_by_role("alert").first).to_contain_text("Строка 3: часы должны быть целым числом от 1 до 10")
    expect(page.locator("main")).to_contain_text("верных: 2; с ошибками: 1")
    assert PlanItem.objects.count() == 0  # the preview wrote nothing

    page.get_by_role("button", name="Загрузить только верные строки (2)").click()
    expect(page.locator(".messages")).to_contain_text("Загружено строк плана: 2")
    expect(page.locator(".messages")).to_contain_text("Пропущено строк с ошибками: 1")
    expect(page.locator(".messages")).to_contain_text("Темы уроков обновлены по плану: 3")
    assert list(PlanItem.objects.order_by("order").values_list("topic", "hours")) == [
        ("Ряд натуральных чисел", 2),
        ("Округление натуральных чисел", 1),
    ]

    page.get_by_role("link", name="5А · Математика").click()
    for lesson, topic in zip(
        lessons, ["Ряд натуральных чисел", "Ряд натуральных чисел", "Округление натуральных чисел"], strict=True
    ):
        expect(page.locator(f'a.lesson-head[data-lesson="{lesson.pk}"]')).to_have_attribute("data-topic", topic)
        assert Lesson.objects.get(pk=lesson.pk).topic == topic
    context.close()
