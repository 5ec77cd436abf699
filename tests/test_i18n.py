"""The interface language: Russian by default, English when the user picks it (I18N, JRN-12).

The msgids are Russian (the source language); locale/en holds the English translation. The
language is chosen only by the switcher at the foot of every page (a cookie): the browser's
Accept-Language never turns a school's pages into English on its own.
"""

import ast
import gettext
import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from apps.diary.tests.helpers import add_absence, add_mark, d, day_texts, page_text
from apps.journal.models import Attendance
from tests import factories as f

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


# ---------------------------------------------------------------------------------------------
# Pages


def choose(client, language, next_url="/"):
    """What the switcher at the foot of the page does."""
    response = client.post(reverse("set_language"), {"language": language, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == next_url
    return response


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]*)"', response.content.decode()).group(1)


def week_page(world, client):
    return client.get(reverse("diary:week", args=[world.anna.pk]) + "?date=2026-11-16")


def diary_week(world, client):
    """Anna's week of 16 November: a lesson with homework and a mark, one without homework
    and an absence for illness."""
    monday = f.make_lesson(world.journal, d(11, 16), number=2, topic="Сложение дробей", homework="№ 125, 127")
    add_mark(world, monday, world.anna, "5", "Контрольная работа")
    wednesday = f.make_lesson(world.journal, d(11, 18), number=1, topic="Дроби", no_homework=True)
    add_absence(world, wednesday, world.anna, reason=Attendance.Reason.ILLNESS)
    return week_page(world, client)


@pytest.mark.django_db
def test_pages_are_russian_even_when_the_browser_asks_for_english(world, client, client_for):
    """JRN-12: the journal is a Russian document — a browser sending «Accept-Language: en» still
    gets the login page, the teacher's journals, the grid and the parent's diary in Russian."""
    english_browser = {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"}

    login = client.get(reverse("accounts:login"), **english_browser)
    assert "Вход в электронный журнал" in page_text(login)
    assert "Sign in" not in login.content.decode()
    assert html_lang(login) == "ru"
    assert login["Content-Language"] == "ru"

    alice = client_for(world.alice)
    journals = alice.get(reverse("journal:list"), **english_browser)
    assert "Мои журналы" in page_text(journals)
    assert "My journals" not in page_text(journals)
    grid = alice.get(reverse("journal:grid", args=[world.journal.pk]), **english_browser)
    assert "Добавить урок" in page_text(grid)
    assert "Add lesson" not in page_text(grid)

    week = diary_week(world, client_for(world.pat))
    monday = day_texts(week)[0]
    assert monday.startswith("Понедельник 16 ноября")
    assert "Тема: Сложение дробей" in monday


@pytest.mark.django_db
def test_a_teacher_switches_to_english_and_back(world, client_for):
    """I18N: after choosing English in the switcher the teacher's pages are in English; the
    records stay as they were written (JRN-12: subject and topic in Russian); choosing Русский
    brings the Russian interface back."""
    f.make_lesson(world.journal, d(11, 16), number=2, topic="Сложение дробей")
    alice = client_for(world.alice)
    grid_url = reverse("journal:grid", args=[world.journal.pk])

    choose(alice, "en", grid_url)

    journals = alice.get(reverse("journal:list"))
    assert html_lang(journals) == "en"
    assert journals["Content-Language"] == "en"
    text = page_text(journals)
    assert "My journals" in text
    assert "Мои журналы" not in text
    assert "Математика" in text  # a record, not a label (JRN-12)
    assert "Sign out" in journals.content.decode()

    grid = alice.get(grid_url)
    text = page_text(grid)
    assert "Add lesson" in text
    assert "move between cells" in text
    assert "Добавить урок" not in text
    assert 'title="Сложение дробей"' in grid.content.decode()  # the topic as the teacher wrote it
    # grid.js speaks English too: its messages come from the page (json_script).
    assert "No connection to the server" in grid.content.decode()

    choose(alice, "ru", grid_url)

    grid = alice.get(grid_url)
    assert html_lang(grid) == "ru"
    assert "Добавить урок" in page_text(grid)
    assert "Add lesson" not in page_text(grid)


@pytest.mark.django_db
def test_a_parent_reads_the_diary_in_english(world, client_for):
    """I18N, DIA-2: the parent's week in English — weekdays, labels, «No homework», the reason of
    an absence — while what the teacher wrote stays in Russian (JRN-12)."""
    pat = client_for(world.pat)
    choose(pat, "en")

    week = diary_week(world, pat)

    assert html_lang(week) == "en"
    text = page_text(week)
    assert "Previous week" in text and "Next week" in text
    monday, _tue, wednesday, *_rest = day_texts(week)
    assert monday.startswith("Monday 16 November")
    assert "Topic: Сложение дробей" in monday
    assert "Homework: № 125, 127" in monday
    assert "Математика" in monday
    assert "Wednesday 18 November" in wednesday
    assert "Homework: No homework" in wednesday
    assert "illness" in wednesday

    choose(pat, "ru")
    monday = day_texts(week_page(world, pat))[0]
    assert monday.startswith("Понедельник 16 ноября")
    assert "Домашнее задание: № 125, 127" in monday


@pytest.mark.django_db
def test_the_login_page_switches_before_signing_in(client):
    """I18N: a visitor who is not signed in can switch the login page to English and back."""
    login_url = reverse("accounts:login")

    choose(client, "en", login_url)
    page = page_text(client.get(login_url))
    assert "Sign in to the electronic journal" in page
    assert "Username" in page and "Password" in page

    choose(client, "ru", login_url)
    page = page_text(client.get(login_url))
    assert "Вход в электронный журнал" in page
    assert "Username" not in page


@pytest.mark.django_db
def test_the_switcher_offers_both_languages_and_returns_to_the_same_page(world, client_for):
    """I18N: every page ends with the switcher — a POST form to set_language with «Русский» and
    «English» (each named in its own language), the current one selected, this page as `next`."""
    alice = client_for(world.alice)
    url = reverse("journal:grid", args=[world.journal.pk]) + f"?period={world.periods[1].pk}"
    body = alice.get(url).content.decode()

    footer = body[body.index('<footer class="sitefooter">') : body.index("</footer>")]
    assert f'action="{reverse("set_language")}"' in footer
    assert 'method="post"' in footer
    assert "csrfmiddlewaretoken" in footer
    assert f'name="next" value="{html.escape(url)}"' in footer
    options = re.findall(r'<option value="(\w+)"[^>]*?( selected)?>([^<]+)</option>', footer)
    assert options == [("ru", " selected", "Русский"), ("en", "", "English")]

    choose(alice, "en", url)
    footer = alice.get(url).content.decode().split('<footer class="sitefooter">')[1]
    options = re.findall(r'<option value="(\w+)"[^>]*?( selected)?>([^<]+)</option>', footer)
    assert options == [("ru", "", "Русский"), ("en", " selected", "English")]
    assert "Change language" in footer


@pytest.mark.django_db
def test_an_unknown_language_cookie_falls_back_to_russian(client):
    """I18N: only the languages offered count; anything else in the cookie means Russian."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    page = client.get(reverse("accounts:login"))
    assert html_lang(page) == "ru"
    assert "Вход в электронный журнал" in page_text(page)


# ---------------------------------------------------------------------------------------------
# The catalogue


def read_po(path: Path) -> list[dict]:
    """Entries of a .po file: {"flags": set, "msgid": str, "msgid_plural": str|None, "msgstr": [str]}.

    Obsolete entries (#~) are kept out: they are not part of the catalogue.
    """
    entries = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        entry = {"flags": set(), "msgid": None, "msgid_plural": None, "msgstr": {}}
        field = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                value = ast.literal_eval(line)
                if isinstance(field, int):
                    entry["msgstr"][field] += value
                else:
                    entry[field] += value
            else:
                keyword, _, rest = line.partition(" ")
                value = ast.literal_eval(rest)
                plural_form = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
                if plural_form:
                    field = int(plural_form.group(1))
                    entry["msgstr"][field] = value
                elif keyword == "msgstr":
                    field = 0
                    entry["msgstr"][0] = value
                else:
                    field = keyword
                    entry[field] = value
        if entry["msgid"] is not None:
            entry["msgstr"] = [entry["msgstr"][i] for i in sorted(entry["msgstr"])]
            entries.append(entry)
    return entries


PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")


def test_english_catalogue_is_complete_and_not_fuzzy():
    """I18N: every Russian string of the interface has an English translation — none empty, none
    fuzzy (Django would show the Russian text), and each keeps the placeholders of its msgid."""
    entries = read_po(PO)
    header, messages = entries[0], entries[1:]
    assert header["msgid"] == ""
    assert "fuzzy" not in header["flags"]
    assert "Language: en" in header["msgstr"][0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["msgstr"][0]
    assert len(messages) > 100

    problems = []
    for e in messages:
        if "fuzzy" in e["flags"]:
            problems.append(f"fuzzy: {e['msgid']}")
        expected_forms = 2 if e["msgid_plural"] is not None else 1
        if len(e["msgstr"]) != expected_forms or not all(e["msgstr"]):
            problems.append(f"untranslated: {e['msgid']}")
        sources = [e["msgid"], e["msgid_plural"]] if e["msgid_plural"] is not None else [e["msgid"]]
        for source, translation in zip(sources, e["msgstr"], strict=False):
            if "python-format" in e["flags"] and sorted(PLACEHOLDER.findall(source)) != sorted(
                PLACEHOLDER.findall(translation)
            ):
                problems.append(f"placeholders differ: {source!r} → {translation!r}")
    assert problems == []


def test_compiled_catalogue_matches_the_po():
    """I18N: the committed .mo holds exactly the translations of the .po (run compilemessages
    after editing it — a stale .mo would show old or Russian strings to English users)."""
    with MO.open("rb") as fp:
        compiled = gettext.GNUTranslations(fp)
    stale = []
    for e in read_po(PO)[1:]:
        if e["msgid_plural"] is None:
            got = [compiled.gettext(e["msgid"])]
        else:
            got = [compiled.ngettext(e["msgid"], e["msgid_plural"], n) for n in (1, 2)]
        if got != e["msgstr"]:
            stale.append((e["msgid"], got, e["msgstr"]))
    assert stale == []


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
def test_every_string_of_the_source_is_in_the_catalogue(tmp_path):
    """I18N: makemessages on a copy of the code finds no Russian string the English catalogue
    lacks — a string added to a template or a view without refreshing locale/en fails here."""
    for name in ("apps", "config", "templates"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "tests", "*.pyc"))
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    (tmp_path / "locale").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-location"],
        cwd=tmp_path,
        env={**os.environ, "SECRET_KEY": "i18n-test", "JOURNAL_VAR_DIR": str(tmp_path / "var")},
        check=True,
        capture_output=True,
    )
    fresh = read_po(tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po")[1:]
    committed = {(e["msgid"], e["msgid_plural"]): e for e in read_po(PO)[1:]}
    missing = [e["msgid"] for e in fresh if (e["msgid"], e["msgid_plural"]) not in committed]
    assert missing == []
