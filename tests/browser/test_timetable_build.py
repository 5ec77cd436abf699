"""The deputy builds 5А's weekly timetable and makes the journals' lessons from it; alice finds
them in her journal (issue 3, ORG-7)."""

import datetime as dt

import pytest

from apps.journal.models import Lesson
from apps.timetable.models import TimetableEntry
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


def add_lesson(page, weekday, number, room):
    form = page.locator("form[action$='/timetable/entries/add/']")
    form.get_by_label("День недели").select_option(label=weekday)
    form.get_by_label("Урок №").fill(str(number))
    form.get_by_label("Предмет, группа, учитель").select_option(label="Математика — Алексеева А. И.")
    form.get_by_label("Кабинет").fill(room)
    form.get_by_role("button", name="Добавить").click()
    page.wait_for_load_state()


def test_deputy_builds_a_timetable_and_lessons_appear_in_the_journal(chromium, live_server, world, ticking_now):
    """ORG-7: from «Управление» the deputy opens 5А's timetable, puts mathematics on Monday (1st) and
    Wednesday (2nd) in room 101, is refused a clash (5Б's Russian in the same room at the same time),
    and makes the 2nd quarter's lessons; alice's journal then has them, with the room."""
    from playwright.sync_api import expect

    context = chromium.new_context(locale="ru-RU")
    page = login(context, live_server.url, "deputy")
    page.get_by_role("navigation", name="Разделы").get_by_role("link", name="Управление").click()
    page.get_by_role("link", name="Расписание уроков").click()
    expect(page.locator("h1")).to_have_text("Расписание уроков: 5А")
    expect(page.get_by_role("link", name="← Управление")).to_be_visible()

    add_lesson(page, "понедельник", 1, "101")
    expect(page.locator(".messages")).to_contain_text("В расписание добавлено: понедельник, 1-й урок — 5А, Математика")
    add_lesson(page, "среда", 2, "101")
    week = page.locator("#timetable-week")
    expect(week).to_contain_text("Математика")
    expect(week).to_contain_text("Алексеева А. И., каб. 101")

    # 5Б's Russian in room 101 on Monday, 1st lesson: refused with the reason, nothing added.
    page.get_by_role("navigation", name="Классы и группы").get_by_role("link", name="5Б").click()
    form = page.locator("form[action$='/timetable/entries/add/']")
    form.get_by_label("День недели").select_option(label="понедельник")
    form.get_by_label("Урок №").fill("1")
    form.get_by_label("Предмет, группа, учитель").select_option(label="Русский язык — Борисов Б. П.")
    form.get_by_label("Кабинет").fill("101")
    form.get_by_role("button", name="Добавить").click()
    expect(page.locator(".messages")).to_contain_text("Не добавлено: Кабинет 101 в это время занят: 5А, Математика.")
    assert TimetableEntry.objects.count() == 2

    page.get_by_role("navigation", name="Классы и группы").get_by_role("link", name="5А").click()
    generate = page.locator("form[action$='/timetable/generate/']")
    generate.get_by_label("Учебный период").select_option(label="2 четверть (05.11–27.12)")
    generate.get_by_role("button", name="Создать уроки").click()
    expect(page.locator(".messages")).to_contain_text("Уроки в журналах: создано уроков: 14.")
    context.close()

    lessons = Lesson.objects.filter(journal=world.journal)
    assert lessons.count() == 14
    assert set(lessons.values_list("source", "room")) == {("timetable", "101")}

    context = chromium.new_context(locale="ru-RU")
    page = login(context, live_server.url, "alice")
    page.goto(f"{live_server.url}/journal/{world.journal.pk}/")
    monday = Lesson.objects.get(journal=world.journal, date=dt.date(2026, 11, 23))
    head = page.locator(f"#lesson-{monday.pk}")
    expect(head).to_contain_text("23.11")
    expect(head).to_contain_text("1 ур.")
    expect(head).to_contain_text("каб. 101")
    wednesday = Lesson.objects.get(journal=world.journal, date=dt.date(2026, 11, 18))
    cell = page.locator(f'input[name="c-{wednesday.pk}-{world.anna.pk}"]')
    expect(cell).to_be_editable()  # a past lesson of the timetable takes marks as any other
    context.close()
