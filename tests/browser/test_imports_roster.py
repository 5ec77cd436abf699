"""The journal administrator imports a student list with one bad row (issue 3, ORG-3): the
preview names the row and the reason, she loads the valid rows, and the students are in the
class list."""

import io

import pytest
from openpyxl import Workbook

from apps.imports.models import ImportBatch
from apps.people.models import Student
from tests import factories as f

pytestmark = pytest.mark.browser


def student_list() -> bytes:
    book = Workbook()
    for row in (
        ["Фамилия", "Имя", "Отчество", "Дата рождения", "Класс", "Номер приказа"],
        ["Ёлкина", "Дарья", "Игоревна", "01.02.2015", "5А", "12-у"],
        ["Зуев", "Илья", "Петрович", "31.02.2015", "5А", "12-у"],
        ["Жуков", "Егор", "", "17.06.2015", "5А", "12-у"],
    ):
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_admin_imports_students_with_a_bad_row(chromium, live_server, world, ticking_now):
    """ORG-3, ORG-9: the administrator opens «Загрузка списков» from «Управление», uploads a
    student list with one impossible birth date, sees «Строка 3, «Дата рождения»: «31.02.2015» —
    такой даты нет» and that nothing is loaded yet, chooses «Загрузить только правильные строки»,
    and finds the two good students in the 5А class list; the bad one is not anywhere."""
    from playwright.sync_api import expect

    context = chromium.new_context(locale="ru-RU")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", f.PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/office/")
    page.get_by_role("link", name="Загрузка списков").click()
    expect(page.locator("h1")).to_have_text("Загрузка списков")
    expect(page.get_by_role("link", name="← Управление")).to_be_visible()
    page.get_by_label("Учащиеся").check()
    page.get_by_label("Файл XLSX или CSV").set_input_files(
        files=[{"name": "5a.xlsx", "mimeType": "application/octet-stream", "buffer": student_list()}]
    )
    page.get_by_role("button", name="Проверить файл").click()

    errors = page.locator(".import-errors")
    expect(errors).to_contain_text("Строка 3, «Дата рождения»: «31.02.2015» — такой даты нет")
    expect(page.locator('tr[data-row="2"]')).to_contain_text("будет создан")
    expect(page.locator('tr[data-row="3"]')).to_contain_text("ошибка")
    expect(page.get_by_role("button", name="Загрузить", exact=True)).to_have_count(0)
    assert not Student.objects.filter(last_name__in=["Ёлкина", "Жуков", "Зуев"]).exists()

    page.get_by_role("button", name="Загрузить только правильные строки (2)").click()
    expect(page.locator(".messages")).to_contain_text("Загружено строк: 2.")
    expect(page.locator("[data-status]")).to_have_text("загружен")
    page.get_by_role("link", name="5А").click()

    expect(page.locator("h1")).to_contain_text("Список класса 5А")
    table = page.locator("table.class-list")
    expect(table).to_contain_text("Ёлкина Дарья Игоревна")
    expect(table).to_contain_text("Жуков Егор")
    expect(table).not_to_contain_text("Зуев")
    context.close()

    batch = ImportBatch.objects.get()
    assert batch.valid_only and batch.result["written"] == [2, 4] and batch.decided_by == world.admin
