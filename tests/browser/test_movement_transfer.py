"""The journal administrator records a transfer in the movement book and finds the student in
the new class's journal (issue 3: ORG-9)."""

import datetime as dt

import pytest

from apps.movement.models import MovementEntry
from apps.people.models import Enrolment
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


def test_admin_transfers_a_student_and_he_appears_in_the_new_class(chromium, live_server, world, ticking_now):
    """ORG-9: from «Управление» the administrator opens the book, picks 5А, transfers Boris to 5Б
    from 10 November under order № 15-у; a wrong date first is refused on the page. The book shows
    the entry; Boris's card shows both classes; 5Б's Russian journal lists him."""
    from playwright.sync_api import expect

    f.make_lesson(world.journal_5b, dt.date(2026, 11, 12))
    context = chromium.new_context(locale="ru-RU")
    page = login(context, live_server.url, "admin")
    page.goto(f"{live_server.url}/office/")
    page.get_by_role("link", name="Книга движения учащихся").click()
    expect(page.locator("h1")).to_have_text("Книга движения учащихся")
    page.get_by_role("navigation", name="Книга движения учащихся").get_by_role(
        "link", name="Перевод в другой класс"
    ).click()
    page.get_by_label("Класс").select_option(label="5А (2026/2027)")
    page.get_by_role("button", name="Выбрать").click()
    page.get_by_label("Учащийся").select_option(label="Быков Борис, 01.03.2015")
    page.get_by_label("В класс").select_option(label="5Б (2026/2027)")
    page.get_by_label("Дата движения").fill("2027-07-01")
    page.get_by_label("Номер приказа").fill("15-у")
    page.get_by_label("Дата приказа").fill("2026-11-18")
    page.get_by_role("button", name="Записать в книгу").click()
    expect(page.locator(".has-error")).to_contain_text("вне учебного года 2026/2027")
    assert not MovementEntry.objects.exists()

    page.get_by_label("Дата движения").fill("2026-11-10")
    page.get_by_role("button", name="Записать в книгу").click()
    written = "Записано: № 1 — перевод в другой класс, Быков Борис, с 10.11.2026."
    expect(page.locator(".messages")).to_contain_text(written)
    row = page.locator('tr[data-entry="1"]')
    expect(row).to_contain_text("№ 15-у от 18.11.2026")
    expect(row).to_contain_text("5А")
    expect(row).to_contain_text("5Б")

    row.get_by_role("link", name="Быков Борис").click()
    expect(page.locator("main")).to_contain_text("Сейчас в классе 5Б.")
    expect(page.locator("#stays")).to_contain_text("09.11.2026")

    page.goto(f"{live_server.url}/journal/{world.journal_5b.pk}/?period={world.periods[1].pk}")
    expect(page.locator(f'tr[data-student="{world.boris.pk}"]')).to_contain_text("Быков Б.")
    context.close()

    assert list(Enrolment.objects.filter(student=world.boris).order_by("starts").values_list("ends", flat=True)) == [
        dt.date(2026, 11, 9),
        None,
    ]
