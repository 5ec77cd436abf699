"""The teacher types into the grid with the keyboard; the parent then sees exactly that in the
diary (issue #2: JRN-1, JRN-3, JRN-5, JRN-8, DIA-1, DIA-3)."""

import datetime as dt
import re

import pytest

from apps.journal.models import Attendance, Lesson, Mark
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


def test_teacher_types_marks_and_absence_parent_sees_them(chromium, live_server, world, ticking_now):
    """JRN-3, JRN-5: «5», Tab, «4», arrows, «н» are saved cell by cell without a reload; an invalid
    «7» is refused in Russian and stays for correction while its neighbours are saved; Escape
    reverts a cell. DIA-1: the parent's diary then shows exactly those marks and the absence."""
    from playwright.sync_api import expect

    journal, anna, boris = world.journal, world.anna, world.boris
    third = world.students_5a[2]
    mon, wed, fri, next_wed = (dt.date(2026, 11, d) for d in (16, 18, 20, 25))
    l1, l2, l3, future = (f.make_lesson(journal, day) for day in (mon, wed, fri, next_wed))

    context = chromium.new_context(locale="ru-RU")
    page = login(context, live_server.url, "alice")
    page.get_by_role("link", name=re.compile("Математика")).first.click()
    expect(page.locator("h1")).to_contain_text("Математика · 5А")

    def cell(lesson, student):
        return page.locator(f'td[data-lesson="{lesson.pk}"][data-student="{student.pk}"]')

    def field(lesson, student):
        return page.locator(f'input[name="c-{lesson.pk}-{student.pk}"]')

    # The future lesson takes no input.
    expect(cell(future, anna).locator("input")).to_have_count(0)

    field(l1, anna).click()
    page.keyboard.type("5")
    page.keyboard.press("Tab")
    page.keyboard.type("4")
    page.keyboard.press("ArrowRight")
    page.keyboard.type("н")
    page.keyboard.press("ArrowDown")  # Boris, Friday
    page.keyboard.press("ArrowLeft")  # Boris, Wednesday
    page.keyboard.type("7")
    page.keyboard.press("ArrowLeft")  # Boris, Monday
    page.keyboard.type("3")
    page.keyboard.press("ArrowDown")  # the third student, Monday
    page.keyboard.type("2")
    page.keyboard.press("Escape")  # changed her mind: the cell goes back to empty
    page.keyboard.press("Enter")

    # The refused cell: error state, the Russian reason, and what was typed is kept.
    expect(cell(l2, boris)).to_have_class(re.compile(r"\berror\b"))
    expect(field(l2, boris)).to_have_value("7")
    expect(field(l2, boris)).to_have_attribute("title", re.compile("«7» — недопустимое значение"))
    expect(field(l2, boris)).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#grid-status")).to_contain_text("«7» — недопустимое значение")
    page.wait_for_function("() => !document.querySelector('td.dirty, td.saving')")
    for lesson, student in ((l1, anna), (l2, anna), (l3, anna), (l1, boris)):
        expect(cell(lesson, student)).not_to_have_class(re.compile(r"\berror\b"))
    expect(page.locator(f'tr[data-student="{anna.pk}"] [data-avg]')).to_have_text("4,50")

    # The database holds the neighbours, not the refused value, not the reverted one.
    assert sorted(Mark.objects.values_list("lesson_id", "student_id", "value")) == sorted(
        [(l1.pk, anna.pk, "5"), (l2.pk, anna.pk, "4"), (l1.pk, boris.pk, "3")]
    )
    assert list(Attendance.objects.values_list("lesson_id", "student_id", "kind")) == [(l3.pk, anna.pk, "absent")]
    assert not Mark.objects.filter(student=third).exists()

    # The lesson panel: open Friday's lesson from its header, set the topic and «Без задания».
    page.locator(f'a.lesson-head[data-lesson="{l3.pk}"]').click()
    panel = page.locator("#lesson-panel")
    expect(panel).to_be_visible()
    panel.locator("input[name=topic]").fill("Сложение дробей")
    panel.locator("input[name=no_homework]").check()
    panel.get_by_role("button", name="Сохранить урок").click()
    expect(panel).to_be_hidden()
    expect(page.locator("#grid-status")).to_contain_text("сохранён")
    saved = Lesson.objects.get(pk=l3.pk)
    assert (saved.topic, saved.no_homework) == ("Сложение дробей", True)

    # After a reload the grid shows what was saved; the refused cell is empty again.
    page.reload()
    expect(field(l1, anna)).to_have_value("5")
    expect(field(l2, anna)).to_have_value("4")
    expect(field(l3, anna)).to_have_value("н")
    expect(field(l1, boris)).to_have_value("3")
    expect(field(l2, boris)).to_have_value("")
    expect(field(l1, third)).to_have_value("")

    # A click into a filled cell selects it: typing replaces the mark (3 → 2), it does not append.
    field(l1, boris).click()
    page.keyboard.type("2")
    page.keyboard.press("Enter")
    expect(cell(l1, boris)).to_have_class(re.compile(r"\bsaved\b"))
    expect(field(l1, boris)).to_have_value("2")
    assert Mark.objects.get(lesson=l1, student=boris).value == "2"
    context.close()

    # The parent opens Anna's diary for that week in a fresh browser context.
    context = chromium.new_context(locale="ru-RU")
    page = login(context, live_server.url, "pat")
    page.goto(f"{live_server.url}/diary/{anna.pk}/week/?date={mon.isoformat()}")
    results = page.locator(".lesson-results")
    expect(results.locator(".mark")).to_have_text(["5", "4"])
    expect(results.locator(".absent")).to_have_text(["н"])
    expect(page.locator(".week")).to_contain_text("Ответ на уроке")
    expect(page.locator(".week")).to_contain_text("Сложение дробей")
    expect(page.locator(".week")).to_contain_text("Без задания")
    context.close()
