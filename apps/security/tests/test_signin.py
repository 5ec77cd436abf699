"""Signing in: locked per (account, address) and per address with a clear message, passwords
hashed with Argon2 and of a minimum strength, changed on a page of their own (OPS-3, ACC-12).
The per-account slow-down: test_lockout.py; parallel attempts: test_lockout_concurrency.py."""

import datetime as dt
import io

import pytest
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

import config.settings as production
from apps.security.models import SignInEvent

from .helpers import CHROME_ANDROID, browser, sign_in, signed_in, text

pytestmark = pytest.mark.django_db
LOCKED = "Слишком много неудачных попыток входа. Повторите через"


def fail(client, username, times):
    for _ in range(times):
        response = sign_in(client, username, password="угадываю-пароль")
        assert response.status_code == 200
        assert "Неверное имя пользователя или пароль." in text(response)


def test_someone_elses_failures_do_not_keep_the_director_out(world, frozen_now):
    """OPS-3: five wrong passwords for the director's predictable login, typed from another
    address, do not lock the account: from the director's own address the right password signs in."""
    attacker = browser(CHROME_ANDROID, "198.51.100.66")
    fail(attacker, "director", 5)
    assert LOCKED in text(sign_in(attacker, "director"))

    office = browser(ip="203.0.113.10")  # the director at school
    assert sign_in(office, "director")["Location"] == reverse("home")
    assert signed_in(office)


def test_five_failures_lock_that_account_at_that_address_for_15_minutes(world, frozen_now):
    """OPS-3: after 5 wrong passwords the account cannot sign in from that address — not with the
    right password, not by another spelling, not after its owner signed in elsewhere — and the page
    says for how long; 15 minutes after the fifth failure it can."""
    attacker = browser(CHROME_ANDROID, "198.51.100.66")
    fail(attacker, "alice", 4)
    frozen_now.shift(dt.timedelta(minutes=1))
    fail(attacker, "alice", 1)

    teacher = browser(ip="203.0.113.10")  # the real alice, elsewhere: signs in, and unlocks nothing here
    assert sign_in(teacher, "alice")["Location"] == reverse("home")

    response = sign_in(attacker, "alice")
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert f"{LOCKED} 15 минут." in text(response)
    assert not signed_in(attacker)
    assert LOCKED in text(sign_in(attacker, "ALICE "))
    frozen_now.shift(dt.timedelta(minutes=13, seconds=30))
    assert f"{LOCKED} 2 минуты." in text(sign_in(attacker, "alice"))
    frozen_now.shift(dt.timedelta(seconds=31))
    assert f"{LOCKED} 1 минуту." in text(sign_in(attacker, "alice"))
    assert SignInEvent.objects.filter(user=world.alice, outcome=SignInEvent.Outcome.LOCKED).count() == 4

    frozen_now.shift(dt.timedelta(seconds=59))  # 15 minutes after the fifth failure
    assert sign_in(attacker, "alice")["Location"] == reverse("home")
    assert signed_in(attacker)


def test_the_system_administrator_ends_a_lock_with_axes_reset_username(world, frozen_now):
    """OPS-3: `manage.py axes_reset_username` with the login as the person spells it ends its locks
    at once; the history of the attempts stays."""
    attacker = browser(CHROME_ANDROID, "198.51.100.66")
    fail(attacker, "alice", 5)
    assert LOCKED in text(sign_in(attacker, "alice"))

    out = io.StringIO()
    call_command("axes_reset_username", "Alice", stdout=out)
    assert "attempts removed" in out.getvalue()
    assert sign_in(attacker, "alice")["Location"] == reverse("home")
    assert SignInEvent.objects.filter(user=world.alice, outcome=SignInEvent.Outcome.FAILURE).count() == 5


def test_other_accounts_are_not_locked_and_a_success_resets_the_count(world, frozen_now):
    """OPS-3: one account's lock does not touch another's; four slips followed by a success do
    not count against the next sign-in."""
    office = browser()
    fail(office, "alice", 5)
    assert sign_in(browser(ip="203.0.113.20"), "bob")["Location"] == reverse("home")

    fail(office, "carol", 4)
    assert sign_in(office, "carol").status_code == 302
    office.post(reverse("accounts:logout"))
    fail(office, "carol", 1)
    assert sign_in(office, "carol").status_code == 302


def test_twenty_failures_from_one_address_lock_that_address(world, frozen_now):
    """OPS-3: an address trying many accounts (4 passwords each, under the account limit) is
    locked after 20 failures — for every account, with the message — while other addresses sign in."""
    robot = browser(CHROME_ANDROID, "198.51.100.66")
    for name in ("alice", "bob", "carol", "pat", "quinn"):
        fail(robot, name, 4)
    response = sign_in(robot, "sam")
    assert response.status_code == 429
    assert f"{LOCKED} 15 минут." in text(response)
    assert sign_in(browser(ip="203.0.113.10"), "sam")["Location"] == reverse("home")

    frozen_now.shift(dt.timedelta(minutes=15))
    assert sign_in(robot, "sam")["Location"] == reverse("home")


def test_client_address_from_the_reverse_proxy_header(world, frozen_now):
    """OPS-3: behind the school's reverse proxy the address it reports is the one locked and listed."""
    with override_settings(JOURNAL_CLIENT_IP_HEADER="X-Forwarded-For"):
        proxy = browser(ip="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.66")
        sign_in(proxy, "alice", password="неверный-пароль")
    assert SignInEvent.objects.get().ip == "198.51.100.66"


@pytest.fixture
def production_hashers():
    """The hashers of config/settings.py (the root conftest uses MD5 for speed; kept last here
    so the factory users' passwords still verify)."""
    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    with override_settings(
        PASSWORD_HASHERS=[*production.PASSWORD_HASHERS, "django.contrib.auth.hashers.MD5PasswordHasher"]
    ):
        yield


def test_new_passwords_are_hashed_with_argon2(world, production_hashers):
    """OPS-3: a password changed on «Сменить пароль» is stored as an Argon2 hash; the user's
    other sessions end, this one stays."""
    office, phone = browser(), browser(CHROME_ANDROID)
    sign_in(office, "alice")
    sign_in(phone, "alice")
    page = office.get(reverse("security:index"))
    assert f'href="{reverse("security:password_change")}"' in page.content.decode()

    response = office.post(
        reverse("security:password_change"),
        {"old_password": "test-pass-123", "new_password1": "Зимний-вечер-2026", "new_password2": "Зимний-вечер-2026"},
        follow=True,
    )
    assert "Пароль изменён. Остальные сеансы завершены." in text(response)
    world.alice.refresh_from_db()
    assert world.alice.password.startswith("argon2$argon2id$")
    assert world.alice.check_password("Зимний-вечер-2026")
    assert signed_in(office)
    assert not signed_in(phone)
    office.post(reverse("accounts:logout"))
    assert sign_in(office, "alice", password="Зимний-вечер-2026")["Location"] == reverse("home")


def test_old_pbkdf2_hashes_still_work_and_are_upgraded(world, production_hashers):
    """OPS-3: accounts created before Argon2 sign in as before, and their hash is upgraded."""
    world.bob.password = make_password("Старый-пароль-2020", hasher="pbkdf2_sha256")
    world.bob.save(update_fields=["password"])
    assert sign_in(browser(), "bob", password="Старый-пароль-2020")["Location"] == reverse("home")
    world.bob.refresh_from_db()
    assert world.bob.password.startswith("argon2$")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Кот-2026", "Введённый пароль слишком короткий. Он должен состоять из как минимум 10 символов."),
        ("1234567890123", "Введённый пароль состоит только из цифр."),
        ("password123", "Введённый пароль слишком широко распространён."),
        ("Алексеева-1", "Введённый пароль слишком похож на"),  # her surname
    ],
)
def test_weak_passwords_are_refused_in_russian(world, password, message):
    """OPS-3: a short, all-digit, common or name-like password is refused, saying why in Russian."""
    office = browser()
    sign_in(office, "alice")
    response = office.post(
        reverse("security:password_change"),
        {"old_password": "test-pass-123", "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    assert message in text(response)
    world.alice.refresh_from_db()
    assert world.alice.check_password("test-pass-123")


def test_wrong_old_password_is_refused(world):
    """OPS-3: changing the password needs the current one."""
    office = browser()
    sign_in(office, "alice")
    response = office.post(
        reverse("security:password_change"),
        {"old_password": "не-помню", "new_password1": "Зимний-вечер-2026", "new_password2": "Зимний-вечер-2026"},
    )
    assert "Ваш старый пароль введен неправильно." in text(response)
