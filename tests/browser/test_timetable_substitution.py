"""The deputy records that bob replaces alice at today's lesson; bob signs in, opens alice's journal
from his list, puts a mark in that lesson (and only there), and the journal shows the lesson was
given by him (issue 3, ORG-8)."""

import datetime as dt
import re

import pytest

from apps.audit.models import Entry
from apps.journal import services
from apps.journal.models import Lesson, Mark
from apps.timetable.models import Substitution
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


def test_deputy_records_a_substitution_and_the_substitute_writes_the_lesson(chromium, live_server, world, ticking_now):
    """ORG-8: the substitution page lists alice's lessons of the day; the deputy names bob for the 3rd
    one; bob's journal list has «Замены» with alice's 5А mathematics; in the grid only that lesson's
    cells take input; his «4» is saved with him as the author, and the lesson's column says
    «замена: Борисов Б. П.»."""
    from playwright.sync_api import expect

    today = dt.date(2026, 11, 20)
    given = services.lesson_create(journal=world.journal, date=today, number=3, author=world.alice)
    hers = services.lesson_create(journal=world.journal, date=today, number=1, author=world.alice)

    context = chromium.new_context(locale="ru-RU")
    page = login(context, live_server.url, "deputy")
    page.get_by_role("navigation", name="Разделы").get_by_role("link", name="Управление").click()
    page.get_by_role("link", name="Замены").first.click()
    expect(page.locator("h1")).to_have_text("Замены уроков")
    page.get_by_label("Отсутствующий учитель").select_option(label="Алексеева А. И.")
    page.get_by_role("button", name="Показать уроки").click()
    row = page.locator(f'tr[data-lesson="{given.pk}"]')
    expect(row).to_contain_text("5А, Математика")
    row.get_by_label("Заменяющий учитель").select_option(label="Борисов Б. П.")
    row.get_by_label("Причина").fill("больничный")
    row.get_by_role("button", name="Назначить замену").click()
    expect(page.locator(".messages")).to_contain_text("Замена записана: 20.11.2026, 3-й урок (5А, Математика)")
    expect(page.locator("#week-substitutions")).to_contain_text("Борисов Б. П.")
    context.close()
    assert Substitution.objects.get(lesson=given).substitute == world.bob_staff

    context = chromium.new_context(locale="ru-RU")
    page = login(context, live_server.url, "bob")
    page.get_by_role("navigation", name="Разделы").get_by_role("link", name="Журналы").click()
    section = page.locator("section.journal-section").filter(has=page.get_by_role("heading", name="Замены"))
    section.get_by_role("link", name=re.compile("Математика")).click()
    expect(page.locator(".substitute-note")).to_contain_text("20.11.2026, 3-й урок")
    expect(page.locator(f'input[name="c-{hers.pk}-{world.anna.pk}"]')).to_have_count(0)
    field = page.locator(f'input[name="c-{given.pk}-{world.anna.pk}"]')
    field.click()
    page.keyboard.type("4")
    page.keyboard.press("Enter")
    expect(page.locator(f'td[data-lesson="{given.pk}"][data-student="{world.anna.pk}"]')).to_have_class(
        re.compile(r"\bsaved\b")
    )
    page.reload()
    expect(page.locator(f"#lesson-{given.pk}")).to_contain_text("замена: Борисов Б. П.")
    expect(page.locator(".timetable-changes")).to_contain_text("урок провёл(а) Борисов Б. П.")
    context.close()

    mark = Mark.objects.get(lesson=given, student=world.anna)
    assert (mark.value, mark.author) == ("4", world.bob)
    assert Entry.objects.get(object_type="mark", object_id=mark.pk).author == world.bob
    assert Lesson.objects.get(pk=given.pk).taught_by == world.bob_staff
