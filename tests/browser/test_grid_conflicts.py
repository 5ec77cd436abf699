"""The grid when two writers meet and when the server cannot be reached (issues 11, 20): a cell
saved meanwhile by somebody else comes back with the stored value, marked, and the status line
says who changed it; the lesson panel shows a field changed meanwhile; a save that fails is sent
again by itself, and when it keeps failing the teacher is told and her value stays in the cell."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from apps.journal import services as js
from apps.journal.models import Lesson, Mark

from .test_journal_grid import login

pytestmark = pytest.mark.browser

DAY = dt.date(2026, 11, 18)


def open_grid(chromium, live_server, world, *, clock=False):
    context = chromium.new_context(locale="ru-RU")
    page = login(context, live_server.url, "alice")
    if clock:
        page.clock.install()  # the retries' pauses are run forward, not waited for
    page.goto(f"{live_server.url}{reverse('journal:grid', args=[world.journal.pk])}?period={world.periods[1].pk}")
    return context, page


def test_a_cell_changed_meanwhile_shows_the_stored_value_and_who_changed_it(chromium, live_server, world, ticking_now):
    from playwright.sync_api import expect

    lesson = js.lesson_create(journal=world.journal, date=DAY, number=1, author=world.alice)
    context, page = open_grid(chromium, live_server, world)
    field = page.locator(f'input[name="c-{lesson.pk}-{world.anna.pk}"]')
    expect(field).to_have_value("")

    # Another tab (the same teacher) puts «5» in Anna's cell after this page was loaded.
    js.journal_save(
        journal=world.journal, author=world.alice, cells=[{"lesson": lesson.pk, "student": world.anna.pk, "value": "5"}]
    )
    field.click()
    page.keyboard.type("4")
    page.keyboard.press("Enter")

    td = page.locator(f'td[data-lesson="{lesson.pk}"][data-student="{world.anna.pk}"]')
    expect(td).to_have_class(re.compile(r"\bconflict\b"))
    expect(field).to_have_value("5")  # what is stored now, not what she typed
    expect(field).to_have_attribute("title", re.compile(r"Клетку уже изменил\(а\) Алексеева А\. .*Ваше «4» не"))
    expect(page.locator("#grid-status")).to_contain_text("сейчас «5»")
    expect(page.locator("#grid-status")).to_contain_text("введите его ещё раз")
    assert list(Mark.objects.filter(lesson=lesson).values_list("value", flat=True)) == ["5"]

    # Typing over it now (she has seen the «5») is an ordinary save.
    field.click()
    page.keyboard.type("4")
    page.keyboard.press("Enter")
    expect(td).to_have_class(re.compile(r"\bsaved\b"))
    assert list(Mark.objects.filter(lesson=lesson).values_list("value", flat=True)) == ["4"]

    # The lesson panel: homework written meanwhile is shown, and her topic is saved beside it.
    page.locator(f'a.lesson-head[data-lesson="{lesson.pk}"]').click()
    panel = page.locator("#lesson-panel")
    expect(panel).to_be_visible()
    js.journal_save(journal=world.journal, author=world.bob, lessons=[{"lesson": lesson.pk, "homework": "№ 12"}])
    panel.locator("input[name=topic]").fill("Десятичные дроби")
    panel.get_by_role("button", name="Сохранить урок").click()
    expect(panel.locator("[data-error]")).to_contain_text("тем временем изменил(а) Борисов Б.")
    expect(panel.locator("textarea[name=homework]")).to_have_value("№ 12")
    saved = Lesson.objects.get(pk=lesson.pk)
    assert (saved.topic, saved.homework) == ("Десятичные дроби", "№ 12")
    context.close()


def test_a_failed_save_is_sent_again_and_the_typed_value_is_kept(chromium, live_server, world, ticking_now):
    """Two failures (no connection, then a 502) and the third attempt goes through by itself; when
    the server stays unreachable the teacher is told, the value stays in the cell, and «Сохранить»
    sends it once the server answers again — once, however often it was sent."""
    from playwright.sync_api import expect

    lesson = js.lesson_create(journal=world.journal, date=DAY, number=1, author=world.alice)
    context, page = open_grid(chromium, live_server, world, clock=True)
    save_url = re.compile(re.escape(reverse("journal:save", args=[world.journal.pk])) + "$")
    failures = {"left": 2, "seen": 0}

    def flaky(route):
        failures["seen"] += 1
        if failures["left"] > 0:
            failures["left"] -= 1
            if failures["left"] == 1:
                route.abort("connectionrefused")
            else:
                route.fulfill(status=502, body="Bad Gateway")
            return
        route.continue_()

    page.route(save_url, flaky)

    def run(ms):
        for _ in range(ms // 250):
            page.clock.run_for(250)
            page.wait_for_timeout(30)

    field = page.locator(f'input[name="c-{lesson.pk}-{world.anna.pk}"]')
    td = page.locator(f'td[data-lesson="{lesson.pk}"][data-student="{world.anna.pk}"]')
    field.click()
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    run(1000)
    expect(page.locator("#grid-status")).to_contain_text("Нет связи с сервером")
    expect(field).to_have_value("3")
    run(4000)
    expect(page.locator("#grid-status")).to_have_text("Сохранено: 1.")
    expect(td).not_to_have_class(re.compile(r"\b(dirty|saving|error)\b"))
    expect(field).to_have_value("3")
    assert failures["seen"] == 3
    assert list(Mark.objects.filter(lesson=lesson, student=world.anna).values_list("value", flat=True)) == ["3"]

    # Now the server stays away: after the retries she is told, and her «5» stays, pending.
    page.unroute(save_url)
    page.route(save_url, lambda route: route.fulfill(status=503, body="Service Unavailable"))
    boris = page.locator(f'input[name="c-{lesson.pk}-{world.boris.pk}"]')
    boris.click()
    page.keyboard.type("5")
    page.keyboard.press("Enter")
    run(20000)
    boris_td = page.locator(f'td[data-lesson="{lesson.pk}"][data-student="{world.boris.pk}"]')
    expect(boris_td).to_have_class(re.compile(r"\bunsent\b"))
    expect(boris).to_have_value("5")
    expect(boris).to_have_attribute("title", re.compile("Не сохранено: сервер недоступен"))
    expect(page.locator("#grid-status")).to_contain_text("Не удалось сохранить")
    assert not Mark.objects.filter(student=world.boris).exists()

    page.unroute(save_url)
    page.locator("#grid-save-button").click()
    run(500)
    expect(boris_td).to_have_class(re.compile(r"\bsaved\b"))
    assert list(Mark.objects.filter(student=world.boris).values_list("value", flat=True)) == ["5"]
    context.close()
