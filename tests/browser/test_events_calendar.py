"""The deputy puts an event in the school's calendar and records an exam choice; the parent sees
both in the diary (issue 3: ORG-10, ORG-11, DIA-2, DIA-3)."""

import re

import pytest

from apps.events.models import Event, ExamChoice
from apps.events.tests.helpers import exam_classes
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


def test_deputy_adds_an_event_that_the_parent_sees_in_the_diary(chromium, live_server, world, ticking_now):
    """ORG-10: from «Управление» the deputy opens the calendar, adds a school event (an end before
    the start is refused with a message, the typed title kept), and finds it in the month;
    DIA-2: Anna's parent sees it on its day of the week; Carol adds a 5А event only for 5А."""
    from playwright.sync_api import expect

    context = chromium.new_context(locale="ru-RU")
    page = login(context, live_server.url, "deputy")
    page.goto(f"{live_server.url}/office/")
    page.get_by_role("link", name="Календарь событий").click()
    expect(page.locator("h1")).to_have_text("Календарь событий")
    expect(page.locator(".month-title")).to_have_text("Ноябрь 2026")
    page.get_by_role("link", name="Добавить событие").click()
    page.get_by_label("Для кого").select_option(label="Вся школа")
    page.get_by_label("Дата", exact=True).fill("2026-11-19")
    page.get_by_label("Дата окончания (если событие длится несколько дней)").fill("2026-11-18")
    page.get_by_label("Время начала").fill("18:00")
    page.get_by_label("Название").fill("Родительское собрание")
    page.get_by_label("Место").fill("Актовый зал")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator(".error")).to_contain_text("Дата окончания не может быть раньше даты начала.")
    expect(page.get_by_label("Название")).to_have_value("Родительское собрание")
    page.get_by_label("Дата окончания (если событие длится несколько дней)").fill("")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator(".messages")).to_contain_text("Событие «Родительское собрание» добавлено.")
    expect(page.locator(".event-list")).to_contain_text("Родительское собрание")
    expect(page.locator(".event-list")).to_contain_text("вся школа")
    page.get_by_role("link", name="Следующий месяц").click()
    expect(page.locator(".month-title")).to_have_text("Декабрь 2026")
    context.close()

    context = chromium.new_context(locale="ru-RU")
    page = login(context, live_server.url, "carol")
    page.goto(f"{live_server.url}/events/add/")
    options = page.get_by_label("Для кого").locator("option").all_inner_texts()
    assert options == ["5А класс"]
    page.get_by_label("Дата", exact=True).fill("2026-11-20")
    page.get_by_label("Название").fill("Классный час: профориентация")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator(".event-list")).to_contain_text("Классный час: профориентация")
    context.close()
    assert Event.objects.get(title="Классный час: профориентация").school_class == world.class_5a

    context = chromium.new_context(locale="ru-RU")
    page = login(context, live_server.url, "pat")
    page.wait_for_url(re.compile(rf"/diary/{world.anna.pk}/week/"))
    thursday = page.locator("section.day").nth(3)
    expect(thursday).to_contain_text("Событие школы:")
    expect(thursday).to_contain_text("Родительское собрание")
    expect(thursday).to_contain_text("18:00")
    expect(page.locator("section.day").nth(4)).to_contain_text("Классный час: профориентация")
    context.close()


def test_deputy_records_an_exam_choice_that_the_parent_sees(chromium, live_server, world, ticking_now):
    """ORG-11: the deputy records Vera's ОГЭ in mathematics on 9А's page; DIA-2, DIA-3: Vera's
    parent finds it under «Экзамены» in the diary."""
    from playwright.sync_api import expect

    ex = exam_classes(world)
    context = chromium.new_context(locale="ru-RU")
    page = login(context, live_server.url, "deputy")
    page.goto(f"{live_server.url}/events/exams/")
    page.get_by_role("link", name="9А класс").click()
    page.get_by_label("Учащийся").select_option(label="Волкова В.")
    page.get_by_label("Экзамен", exact=True).select_option(label="ОГЭ")
    page.get_by_label("Предмет").select_option(label="Математика")
    page.get_by_role("button", name="Записать").click()
    expect(page.locator(".messages")).to_contain_text("Волкова В.: ОГЭ: Математика — записано.")
    expect(page.locator(f'tr[data-student="{ex.vera.pk}"]')).to_contain_text("ОГЭ — Математика")
    context.close()
    assert ExamChoice.objects.filter(student=ex.vera).count() == 1

    context = chromium.new_context(locale="ru-RU")
    page = login(context, live_server.url, "vera_parent")
    page.get_by_role("link", name="Экзамены").click()
    expect(page.locator("main")).to_contain_text("ОГЭ")
    expect(page.locator("main")).to_contain_text("Математика")
    context.close()
