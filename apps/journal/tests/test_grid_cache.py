"""The grid's cached body (issue 5, apps.journal.views.journal_grid): never stale, never another
user's page, and the forms on it post with the reader's own CSRF token."""

import datetime as dt
import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.ops.pagecache import CSRF_PLACEHOLDER
from tests import factories as f

from .helpers import cell, grid_url, input_value, lessons_on, post_json, save_url

DAY = dt.date(2026, 11, 18)


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert CSRF_PLACEHOLDER not in html
    return html


def test_a_saved_mark_is_on_the_next_look_for_the_teacher_and_the_class_teacher(world, client_for):
    """JRN-3, JRN-11: a cached grid is never stale — the mark saved a moment ago is on the page
    the next time it is opened, for the teacher who wrote it and for the class teacher reading it."""
    (lesson,) = lessons_on(world.journal, DAY)
    alice, carol = client_for(world.alice), client_for(world.carol)
    name = f"c-{lesson.pk}-{world.anna.pk}"
    assert input_value(page(alice, grid_url(world.journal)), name) == ""
    page(carol, grid_url(world.journal))  # both variants are now in the cache

    assert post_json(alice, world.journal, cells=[cell(lesson, world.anna, "4")]).json()["ok"]

    assert input_value(page(alice, grid_url(world.journal)), name) == "4"
    read_only = page(carol, grid_url(world.journal))
    row = re.search(rf'<tr data-student="{world.anna.pk}">(.*?)</tr>', read_only, re.S)[1]
    assert ">4<" in row


def test_the_reader_variant_never_reaches_the_teacher(world, client_for):
    """JRN-10, JRN-11: the class teacher's read-only grid, cached first, is not what the journal's
    teacher gets: she still has the inputs and the save button; the reader has neither."""
    lessons_on(world.journal, DAY)
    read_only = page(client_for(world.carol), grid_url(world.journal))
    assert "Только просмотр" in read_only
    assert '<input name="c-' not in read_only

    writable = page(client_for(world.alice), grid_url(world.journal))
    assert "Только просмотр" not in writable
    assert '<input name="c-' in writable
    assert "Сохранить изменения" in writable


def test_each_browser_gets_its_own_csrf_token_and_the_form_posts(world):
    """OPS-3: the cached body carries no one's CSRF token; each browser's page has a token its own
    cookie accepts, so the form without JavaScript saves from a page served from the cache."""
    (lesson,) = lessons_on(world.journal, DAY)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(world.alice)
    second.force_login(world.alice)
    page(first, grid_url(world.journal))  # renders and caches the body
    html = page(second, grid_url(world.journal))  # served from the cache
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))
    assert tokens and CSRF_PLACEHOLDER not in "".join(tokens)

    name = f"c-{lesson.pk}-{world.anna.pk}"
    response = second.post(
        save_url(world.journal),
        {name: "5", "orig": "{}", "csrfmiddlewaretoken": tokens.pop(), "period": world.periods[1].pk},
    )
    assert response.status_code == 302
    assert input_value(page(second, grid_url(world.journal)), name) == "5"


def test_a_renamed_student_and_a_new_student_show_at_once(world, client_for):
    """JRN-1: the grid's rows follow the class list — a student renamed or enrolled since the grid
    was cached is on the next look (School.data_version)."""
    lessons_on(world.journal, DAY)
    alice = client_for(world.alice)
    assert "Аксёнова А." in page(alice, grid_url(world.journal))
    world.anna.last_name = "Смирнова"
    world.anna.save()
    f.enrol(f.StudentFactory(school=world.school, last_name="Яковлев", first_name="Яков"), world.class_5a)
    html = page(alice, grid_url(world.journal))
    assert "Смирнова А." in html and "Аксёнова А." not in html
    assert "Яковлев Я." in html


def test_the_cached_grid_runs_only_the_access_queries(world, client_for):
    """JRN-8: a grid opened again while nothing in it changed is served from the cache — no
    lessons, marks or attendance are read (only the session, the user, the memberships and the
    journal with its access rule)."""
    (lesson,) = lessons_on(world.journal, DAY)
    alice = client_for(world.alice)
    post_json(alice, world.journal, cells=[cell(lesson, world.anna, "5")])
    page(alice, grid_url(world.journal))
    with CaptureQueriesContext(connection) as again:
        html = page(alice, grid_url(world.journal))
    assert input_value(html, f"c-{lesson.pk}-{world.anna.pk}") == "5"
    sql = " ".join(q["sql"] for q in again.captured_queries)
    assert '"journal_mark"."value"' not in sql and '"journal_lesson"."topic"' not in sql
    assert len(again.captured_queries) <= 5


def test_a_refused_form_save_is_rendered_afresh_with_what_was_typed(world, client_for):
    """JRN-3: after a save refused without JavaScript the page shows the typed value and the
    reason — not the cached grid — and the next plain look shows the saved state again."""
    (lesson,) = lessons_on(world.journal, DAY)
    alice = client_for(world.alice)
    page(alice, grid_url(world.journal))
    name = f"c-{lesson.pk}-{world.boris.pk}"
    response = alice.post(save_url(world.journal), {name: "7", "orig": "{}", "period": world.periods[1].pk})
    assert response.status_code == 200
    assert input_value(response.content.decode(), name) == "7"
    assert input_value(page(alice, grid_url(world.journal)), name) == ""


def test_the_whole_grid_page_is_kept_and_a_renamed_subject_shows(world, client_for):
    """JRN-8: the teacher's grid opened again renders no template (the page around the body is kept
    too); the subject renamed by the journal administrator is in the title at the next look."""
    alice = client_for(world.alice)
    first = alice.get(grid_url(world.journal))
    again = alice.get(grid_url(world.journal))
    assert first.templates and again.templates == []
    subject = world.journal.subject
    subject.name = "Математика (углублённая)"
    subject.save()
    renamed = page(alice, grid_url(world.journal))
    assert "<title>" in renamed and "Математика (углублённая)" in renamed.split("</title>")[0]
