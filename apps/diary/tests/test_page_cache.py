"""Issue 5: the diary's pages are kept whole, per reader (apps.ops.pagecache.page). What the page
around the days shows — the reader's name, his menu and schools, the language, the address, a
message — is in the key or keeps the page out of the cache, so a kept page is never another
reader's, never stale, and its forms post with each browser's own CSRF token (DIA-1, DIA-2)."""

import datetime as dt
import re

from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import Client, RequestFactory
from django.urls import reverse

from apps.accounts.models import Role
from apps.journal import services
from apps.schools.models import Period
from tests import factories as f

from .helpers import page_text

WEEK = "?date=2026-11-16"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def week_url(world):
    return reverse("diary:week", args=[world.anna.pk]) + WEEK


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


def test_a_kept_week_is_served_without_rendering_and_shows_the_same(world, client_for):
    """DIA-1: the second look at an unchanged week renders no template and reads the same."""
    pat = client_for(world.pat)
    first = get(pat, week_url(world))
    again = get(pat, week_url(world))
    assert "diary/week.html" in [t.name for t in first.templates]
    assert again.templates == []
    assert page_text(again) == page_text(first)


def test_each_browser_posts_a_kept_page_with_its_own_token(world):
    """DIA-1: Pat in two browsers; the second gets the kept page, and the language form of each
    page posts with that browser's own CSRF token (a placeholder or another browser's token would
    be refused with 403)."""
    browsers = [Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)]
    tokens = []
    for browser in browsers:
        browser.force_login(world.pat)
        body = get(browser, week_url(world)).content.decode()
        tokens.append(TOKEN.findall(body))
        assert tokens[-1] and "csrfPlaceholder" not in body
    assert browsers[1].get(week_url(world)).templates == []  # the kept page
    for browser, found in zip(browsers, tokens, strict=True):
        response = browser.post(
            reverse("set_language"), {"language": "en", "next": "/", "csrfmiddlewaretoken": found[-1]}
        )
        assert response.status_code == 302
    stranger = Client(enforce_csrf_checks=True)
    stranger.force_login(world.pat)
    get(stranger, week_url(world))
    refused = stranger.post(reverse("set_language"), {"language": "en", "next": "/", "csrfmiddlewaretoken": "x" * 64})
    assert refused.status_code == 403


def test_another_guardian_of_the_child_sees_his_own_name(world, client_for):
    """DIA-1: a second parent of Anna reads the week Pat's look kept: his name is in the header,
    Pat's is not."""
    oleg = f.UserFactory(username="oleg", last_name="Аксёнов", first_name="Олег")
    f.link_guardian(
        f.GuardianFactory(school=world.school, user=oleg, last_name="Аксёнов", first_name="Олег"), world.anna
    )
    f.add_role(oleg, world.school, Role.PARENT)
    get(client_for(world.pat), week_url(world))
    body = get(client_for(oleg), week_url(world)).content.decode()
    assert "Аксёнов Олег" in body and "Аксёнова Полина" not in body


def test_a_renamed_reader_and_a_new_role_show_at_once(world, client_for):
    """DIA-1: after Pat's name is corrected and she is made a teacher of the school, her next look
    shows the new name and the «Журналы» menu item."""
    pat = client_for(world.pat)
    before = get(pat, week_url(world)).content.decode()
    assert "Аксёнова Полина" in before and ">Журналы<" not in before
    world.pat.last_name = "Аксенова-Орлова"
    world.pat.save()
    f.add_role(world.pat, world.school, Role.TEACHER)
    after = get(pat, week_url(world)).content.decode()
    assert "Аксенова-Орлова Полина" in after and ">Журналы<" in after


def test_the_typed_date_stays_in_the_form(world, client_for):
    """DIA-1: two dates of the same week show the same days, each with the date the reader typed
    in the date field."""
    pat = client_for(world.pat)
    url = reverse("diary:week", args=[world.anna.pk])
    for day in ("2026-11-17", "2026-11-19", "2026-11-17"):
        body = get(pat, f"{url}?date={day}").content.decode()
        assert f'name="date" value="{day}"' in body


def message_cookie(text: str) -> str:
    storage = CookieStorage(RequestFactory().get("/"))
    return storage._encode([Message(constants.SUCCESS, text)])


def test_a_message_is_shown_once_and_never_kept(world, client_for):
    """DIA-1: a message waiting for Pat is on the page she opens (even when that page was kept
    before) and is gone from the next look."""
    pat = client_for(world.pat)
    get(pat, week_url(world))
    pat.cookies["messages"] = message_cookie("Код доступа подтверждён")
    shown = get(pat, week_url(world))
    assert "Код доступа подтверждён" in page_text(shown)
    later = get(pat, week_url(world))
    assert "Код доступа подтверждён" not in page_text(later)
    assert later.templates == []  # the page kept without the message


def test_a_kept_marks_page_follows_a_new_mark_and_a_renamed_period(world, client_for):
    """DIA-2: the marks page is kept whole; a new «4» and a period renamed by the deputy are on the
    next look."""
    lesson = f.make_lesson(world.journal, dt.date(2026, 11, 18))
    pat = client_for(world.pat)
    url = reverse("diary:marks", args=[world.anna.pk]) + f"?period={world.periods[1].pk}"
    first = get(pat, url)
    assert get(pat, url).templates == []
    assert services.journal_save(
        journal=world.journal, author=world.alice, cells=[{"lesson": lesson.pk, "student": world.anna.pk, "value": "4"}]
    ).ok
    with_mark = page_text(get(pat, url))
    assert with_mark != page_text(first) and "4,00" in with_mark
    period = Period.objects.get(pk=world.periods[1].pk)
    period.name = "Вторая четверть"
    period.save()
    assert "Вторая четверть" in page_text(get(pat, url))


def test_no_access_no_page_even_when_kept(world, client_for):
    """DIA-3: Boris's week kept for Quinn is 404 for Pat, and a consent ended closes it for Quinn."""
    url = reverse("diary:week", args=[world.boris.pk]) + WEEK
    quinn = client_for(world.quinn)
    get(quinn, url)
    assert client_for(world.pat).get(url).status_code == 404
    from apps.registration.models import Consent

    Consent.objects.filter(student=world.boris).update(ended_on=dt.date(2026, 11, 1))
    assert quinn.get(url).status_code == 404
