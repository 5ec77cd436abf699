"""A class teacher issues an invitation code in the pages; the parent registers with it in
another browser and sees only their own child (issue #4: ACC-3, ACC-4, ACC-6, DIA-3)."""

import re

import pytest

from apps.accounts.models import User
from apps.people.models import GuardianLink
from tests import factories as f

pytestmark = pytest.mark.browser

PASSWORD = "Ключ-к-дневнику-2026"


def login(context, base_url, username):
    page = context.new_page()
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f.PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_load_state()
    return page


def test_class_teacher_invites_a_parent_who_sees_only_their_child(chromium, live_server, world, ticking_now):
    """ACC-3, ACC-4: carol issues a code for Boris's father from her class's page (shown once, with
    the slip); ACC-4, ACC-6, DIA-3: the father registers with it in a fresh browser, lands in
    Boris's diary and gets 404 for Anna's."""
    from playwright.sync_api import expect

    boris, anna = world.boris, world.anna
    father = f.GuardianFactory(school=world.school, user=None, last_name="Быков", first_name="Пётр")
    f.link_guardian(father, boris, relation=GuardianLink.Relation.FATHER)  # his consent is registered

    context = chromium.new_context(locale="ru-RU")
    page = login(context, live_server.url, "carol")
    page.get_by_role("navigation", name="Разделы").get_by_role("link", name="Доступ").click()
    page.get_by_role("link", name="5А класс").click()
    expect(page.locator("h1")).to_contain_text("Доступ: 5А класс")
    row = page.locator(f'tr[data-person="guardian-{father.pk}"]')
    expect(row).to_contain_text("Быков Пётр")
    row.get_by_role("link", name="Выдать код").click()
    expect(page.locator("h1")).to_have_text("Выдать пригласительный код")
    page.get_by_label("лично").check()
    page.get_by_role("button", name="Выдать код").click()
    code = page.locator("[data-code]").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{5}-[A-Z0-9]{5}", code)
    expect(page.locator(".slip")).to_contain_text("Быков Пётр")
    page.get_by_role("link", name="Готово").click()
    expect(page.locator(f'tr[data-person="guardian-{father.pk}"]')).to_contain_text("выдан код № 1")
    context.close()

    context = chromium.new_context(locale="ru-RU")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Зарегистрироваться по коду").click()
    page.get_by_label("Код").fill(code.lower())
    page.get_by_role("button", name="Продолжить").click()
    expect(page.locator(".code-person")).to_contain_text("Быков Пётр")
    expect(page.locator(".code-person")).to_contain_text("Быков Борис")
    page.fill("input[name=username]", "petr.bykov")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.get_by_role("button", name="Зарегистрироваться").click()
    page.wait_for_url(re.compile(rf"/diary/{boris.pk}/week/"))
    expect(page.locator("main")).to_contain_text("Быков Борис")
    expect(page.locator("main")).not_to_contain_text("Аксёнова")

    response = page.goto(f"{live_server.url}/diary/{anna.pk}/week/")
    assert response.status == 404
    context.close()

    father.refresh_from_db()
    assert father.user == User.objects.get(username="petr.bykov")
