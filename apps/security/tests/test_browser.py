"""In a real browser under the strict Content-Security-Policy: nothing is refused on the pages
people use (the journal, the diary, the security pages, the admin), and the two-step sign-in
works end to end (OPS-3, ACC-12)."""

import re

import pytest
from django.urls import reverse

from apps.security import totp
from tests import factories as f
from tests.browser.conftest import chromium  # noqa: F401  (the shared browser fixture)

pytestmark = pytest.mark.browser


def watch(page) -> list[str]:
    """Every CSP refusal the browser reports (console errors and securitypolicyviolation events)."""
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    return refused


def login(page, base_url, username, password=f.PASSWORD):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_load_state()


def test_nothing_is_refused_by_the_policy(chromium, live_server, world, ticking_now):  # noqa: F811
    """OPS-3: the journal grid, the diary, the security pages and the admin (lists, forms with
    inlines and date widgets) run under the strict policy without a single refusal."""
    f.make_lesson(world.journal, world.periods[1].starts, topic="Дроби")
    base = live_server.url
    context = chromium.new_context(locale="ru-RU")
    page = context.new_page()
    refused = watch(page)

    login(page, base, "alice")
    page.goto(base + reverse("journal:grid", args=[world.journal.pk]))
    page.locator("input[name^='c-']").first.click()
    page.keyboard.type("5")
    page.keyboard.press("Tab")
    page.wait_for_timeout(500)
    for name in ("security:index", "security:totp", "security:password_change"):
        page.goto(base + reverse(name))
    page.get_by_role("button", name="Выйти").first.click()

    login(page, base, "pat")
    page.goto(base + reverse("diary:week", args=[world.anna.pk]))
    page.goto(base + reverse("diary:marks", args=[world.anna.pk]))
    page.get_by_role("button", name="Выйти").first.click()

    login(page, base, "admin")
    for path in (
        reverse("admin:index"),
        reverse("admin:people_student_changelist"),
        reverse("admin:people_student_change", args=[world.anna.pk]),
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_user_change", args=[world.alice.pk]),
        reverse("admin:schools_academicyear_changelist"),
        reverse("admin:schools_academicyear_change", args=[world.year.pk]),
        reverse("admin:security_securitypolicy_add"),
        reverse("admin:audit_entry_changelist"),
    ):
        response = page.goto(base + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
    assert refused == []


def test_two_step_sign_in_in_the_browser(chromium, live_server, world, ticking_now):  # noqa: F811
    """OPS-3, ACC-12: alice switches the second factor on from her security page (scanning is
    replaced by reading the key), signs out, signs in with password and code, and sees both
    sign-ins and her current device on the security page."""
    from playwright.sync_api import expect

    base = live_server.url
    page = chromium.new_context(locale="ru-RU").new_page()
    login(page, base, "alice")
    page.get_by_role("link", name="Алексеева Алла").click()
    expect(page.locator("h1")).to_have_text("Безопасность")
    page.get_by_role("link", name="Двухэтапный вход").click()
    expect(page.locator("img.totp-qr")).to_be_visible()
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    page.get_by_label("Введите код, который показывает приложение").fill(totp.code_at(secret))
    page.get_by_role("button", name="Подтвердить и включить").click()
    expect(page.locator(".messages")).to_contain_text("Двухэтапный вход включён")

    page.get_by_role("button", name="Выйти").first.click()
    login(page, base, "alice")
    expect(page.locator("h1")).to_have_text("Код подтверждения")
    page.get_by_label("Код подтверждения").fill("000000" if totp.code_at(secret) != "000000" else "111111")
    page.get_by_role("button", name="Войти").click()
    expect(page.locator(".error")).to_contain_text("Неверный код")

    ticking_now.shift(31)  # the next 30-second step: the enrolment's code is spent
    page.get_by_label("Код подтверждения").fill(totp.code_at(secret))
    page.get_by_role("button", name="Войти").click()
    expect(page.locator("h1")).to_contain_text("Журналы")
    page.get_by_role("link", name="Алексеева Алла").click()
    expect(page.locator(".security-sessions")).to_contain_text("это устройство")
    history = page.locator(".security-history").inner_text()
    assert len(re.findall("Вход выполнен", history)) == 2
    assert "Неверный код подтверждения" in history
