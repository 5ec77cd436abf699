"""The journal administrator sets up the next school year through the pages (ORG-2, ORG-3):
creates it from the current one, gives grades 10–11 half-years, adds holidays, closes the old year
and makes the new one current."""

import datetime as dt
import re

import pytest

from apps.schools.models import AcademicYear, Holiday, Period, SchoolClass
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


def test_administrator_sets_up_the_next_year(chromium, live_server, world, ticking_now):
    """ORG-2, ORG-3: from «Управление» the administrator creates 2027/2028 (5А, 5Б become 6А, 6Б
    with their class teachers; the quarters copied), sets half-years for grades 10–11 with proposed
    dates and corrects one, adds the autumn holidays, is refused activation while 2026/2027 is
    current, closes 2026/2027 with confirmation and makes 2027/2028 current."""
    from playwright.sync_api import expect

    context = chromium.new_context(locale="ru-RU")
    page = login(context, live_server.url, "admin")
    page.goto(f"{live_server.url}/office/")
    page.get_by_role("link", name="Учебные годы").click()
    expect(page.locator("h1")).to_have_text("Учебные годы")

    page.get_by_role("link", name="Создать следующий учебный год").click()
    expect(page.get_by_label("Начало")).to_have_value("2027-09-01")
    expect(page.get_by_label("Окончание")).to_have_value("2028-08-31")
    page.get_by_role("button", name="Создать учебный год").click()
    expect(page.locator("h1")).to_contain_text("Учебный год 2027/2028")
    expect(page.locator(".messages")).to_contain_text("Учебный год 2027/2028 создан")
    classes = page.locator("section", has=page.get_by_role("heading", name="Классы"))
    expect(classes).to_contain_text("6А")
    expect(classes).to_contain_text("Кравец Карина Олеговна")
    new = AcademicYear.objects.get(school=world.school, name="2027/2028")

    # Periods: half-years for grades 10–11, proposed from the year's dates and the calendar.
    page.get_by_role("link", name="Изменить периоды").click()
    page.get_by_label("С параллели").select_option("10")
    page.get_by_label("По параллель").select_option("11")
    page.get_by_label("Периоды").select_option(label="полугодие")
    page.get_by_role("button", name="Предложить периоды").click()
    expect(page.locator(".messages")).to_contain_text("10–11 кл.: предложены даты — 1 полугодие 01.09.2027")
    expect(page.get_by_role("heading", name="1–9 кл. — четверть")).to_be_visible()
    half = Period.objects.get(year=new, grade_from=10, order=1)
    page.get_by_label("Окончание 10–11 кл. 1").fill("2027-12-26")
    page.get_by_role("button", name="Сохранить даты").click()
    expect(page.locator(".messages")).to_contain_text("Учебные периоды сохранены.")
    half.refresh_from_db()
    assert half.ends == dt.date(2027, 12, 26)

    # Holidays.
    page.get_by_role("link", name="Учебный год 2027/2028").click()
    page.get_by_role("link", name="Добавить каникулы").click()
    page.get_by_label("Название").fill("Осенние каникулы")
    page.get_by_label("Первый день").fill("2027-10-25")
    page.get_by_label("Последний день").fill("2027-11-02")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator("main")).to_contain_text("Каникулы «Осенние каникулы» сохранены.")

    # Activation waits for the old year to be closed.
    page.get_by_role("button", name="Сделать текущим").click()
    expect(page.locator(".messages")).to_contain_text("Текущий учебный год уже есть — 2026/2027")
    page.get_by_role("link", name="Учебные годы").first.click()
    page.get_by_role("link", name="2026/2027").click()
    page.get_by_role("button", name="Закрыть учебный год").click()
    expect(page.locator(".messages")).to_contain_text("Подтвердите закрытие")
    assert AcademicYear.objects.get(pk=world.year.pk).status == AcademicYear.Status.ACTIVE
    page.get_by_label(re.compile("Подтверждаю закрытие")).check()
    page.get_by_role("button", name="Закрыть учебный год").click()
    expect(page.locator(".messages")).to_contain_text("Учебный год 2026/2027 закрыт")

    page.goto(f"{live_server.url}/year/{new.pk}/")
    page.get_by_role("button", name="Сделать текущим").click()
    expect(page.locator("main")).to_contain_text("Учебный год 2027/2028 — текущий.")
    context.close()

    new.refresh_from_db()
    assert new.status == AcademicYear.Status.ACTIVE
    assert sorted(str(c) for c in SchoolClass.objects.filter(year=new)) == ["6А", "6Б"]
    assert Holiday.objects.filter(year=new, name="Осенние каникулы").exists()
    assert sorted({(p.grade_from, p.grade_to, p.kind) for p in new.periods.all()}) == [
        (1, 9, "quarter"),
        (10, 11, "half"),
    ]
