"""A compromise report reverts a forged mark (issue #4: ACC-10, ARC-1): somebody who learned alice's
password puts a «2» into her journal; the administrator reports alice's account compromised from a
moment before it and confirms the revert; the attacker is signed out, and neither the grid nor the
parent's diary shows the forged mark, while alice's earlier legitimate «5» stays."""

import datetime as dt
import re

import pytest
from django.core.management import call_command

from apps.audit.models import Entry
from apps.journal import services
from apps.journal.models import Mark
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


def test_administrator_reverts_a_forged_mark(chromium, live_server, world, ticking_now):
    """ACC-10: the forged mark is listed with its journal, lesson and student, reverted on the
    administrator's confirmation (the reversion in the change log), the attacker's session ends, and
    the grid and the diary show the legitimate mark only."""
    from playwright.sync_api import expect

    journal, anna = world.journal, world.anna
    monday, wednesday = dt.date(2026, 11, 16), dt.date(2026, 11, 18)
    l1 = services.lesson_create(journal=journal, date=monday, number=1, author=world.alice)
    l2 = services.lesson_create(journal=journal, date=wednesday, number=1, author=world.alice)
    # 12:00 — alice's own, legitimate «5».
    assert services.journal_save(
        journal=journal, author=world.alice, cells=[{"lesson": l1.pk, "student": anna.pk, "value": "5"}]
    ).ok

    # 12:30 — «the attacker», signed in with alice's password, puts a «2» on Wednesday.
    ticking_now.shift(dt.timedelta(minutes=30))
    attacker_context = chromium.new_context(locale="ru-RU")
    attacker = login(attacker_context, live_server.url, "alice")
    attacker.goto(f"{live_server.url}/journal/{journal.pk}/")
    field = attacker.locator(f'input[name="c-{l2.pk}-{anna.pk}"]')
    field.click()
    attacker.keyboard.type("2")
    attacker.keyboard.press("Enter")
    expect(attacker.locator(f'td[data-lesson="{l2.pk}"][data-student="{anna.pk}"]')).to_have_class(
        re.compile(r"\bsaved\b")
    )
    assert Mark.objects.get(lesson=l2, student=anna).value == "2"

    # 12:40 — the administrator reports alice's account compromised since 12:15.
    ticking_now.shift(dt.timedelta(minutes=10))
    admin_context = chromium.new_context(locale="ru-RU")
    admin = login(admin_context, live_server.url, "admin")
    admin.get_by_role("link", name="Компрометация").click()
    admin.get_by_role("link", name="Сообщить о компрометации").click()
    admin.select_option("select[name=user]", str(world.alice.pk))
    admin.fill("input[name=moment]", "2026-11-20T12:15")
    admin.get_by_role("button", name="Сообщить и завершить сеансы").click()

    operations = admin.locator("table.compromise-operations tbody tr")
    expect(operations).to_have_count(1)
    expect(operations.first).to_contain_text("Математика · 5А")
    expect(operations.first).to_contain_text("18.11.2026, 1-й урок")
    expect(operations.first).to_contain_text("Аксёнова А.")
    expect(operations.first).to_contain_text("будет откачено")
    admin.get_by_role("button", name="Подтвердить откат операций").click()
    expect(admin.locator(".messages")).to_contain_text("откачено операций — 1")
    expect(operations.first).to_contain_text("откачено")

    # The attacker's session is over.
    attacker.reload()
    expect(attacker).to_have_url(re.compile(r"/accounts/login/"))
    attacker_context.close()

    # The grid (read by the administrator) shows the «5» and no «2».
    admin.goto(f"{live_server.url}/journal/{journal.pk}/")
    expect(admin.locator(f'td[data-lesson="{l1.pk}"][data-student="{anna.pk}"]')).to_contain_text("5")
    expect(admin.locator(f'td[data-lesson="{l2.pk}"][data-student="{anna.pk}"]')).to_have_text("")
    admin_context.close()

    # The parent's diary for that week: the «5» only.
    parent_context = chromium.new_context(locale="ru-RU")
    parent = login(parent_context, live_server.url, "pat")
    parent.goto(f"{live_server.url}/diary/{anna.pk}/week/?date={monday.isoformat()}")
    expect(parent.locator(".lesson-results .mark")).to_have_text(["5"])
    parent_context.close()

    # The reversion is in the change log, by the administrator, and the log matches the data.
    reversion = Entry.objects.filter(object_type="mark", action="delete").get()
    assert reversion.author == world.admin and reversion.old["value"] == "2"
    call_command("verify_changelog")
