"""The per-account slow-down: an account that collects many failures from many addresses is
checked at most once per 30 seconds from elsewhere — never locked: the right password passes after
the delay, with the authenticator's code at once, and from the owner's usual address as usual
(OPS-3); and the owner's history shows it all (ACC-12)."""

import datetime as dt
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.security import totp
from apps.security.models import SignInEvent, TOTPDevice

from .helpers import browser, sign_in, signed_in, text

pytestmark = pytest.mark.django_db

WAIT = "Слишком много попыток входа в эту учётную запись. Подождите"
LOCKED = "Слишком много неудачных попыток входа. Повторите через"
BOTS = [f"198.51.100.{n}" for n in range(1, 6)]


def spray(username, addresses=BOTS, each=2):
    """Wrong passwords for one account from many addresses, each under its own lock (5)."""
    for ip in addresses:
        client = browser(ip=ip)
        for _ in range(each):
            assert "Неверное имя пользователя или пароль." in text(sign_in(client, username, password="угадываю"))


@pytest.fixture
def password_checks():
    """How many times a password was really checked."""
    with mock.patch.object(User, "check_password", autospec=True, side_effect=User.check_password) as spy:
        yield spy


@pytest.fixture
def director_device(world):
    return TOTPDevice.objects.create(user=world.director, secret=totp.new_secret(), confirmed_at=timezone.now())


def test_a_slowed_account_is_checked_once_per_delay(world, frozen_now, password_checks):
    """OPS-3: after 10 failures from 5 addresses, an attempt within 30 seconds of the last check is
    refused without checking the password — the right one too — saying how long to wait; after the
    delay the right password signs in. Nothing is locked."""
    spray("director")
    password_checks.reset_mock()
    frozen_now.shift(dt.timedelta(seconds=5))

    hotel = browser(ip="192.0.2.44")  # the director away from school, in the middle of it
    response = sign_in(hotel, "director")
    assert response.status_code == 429
    assert response["Retry-After"] == "25"
    assert f"{WAIT} 25 секунд и попробуйте снова." in text(response)
    assert 'name="code"' in response.content.decode()  # the code of the app may come with the password
    assert password_checks.call_count == 0
    assert not signed_in(hotel)
    assert SignInEvent.objects.filter(ip="192.0.2.44", outcome=SignInEvent.Outcome.DELAYED).count() == 1

    frozen_now.shift(dt.timedelta(seconds=24))
    assert f"{WAIT} 1 секунду и попробуйте снова." in text(sign_in(hotel, "director"))
    assert password_checks.call_count == 0

    frozen_now.shift(dt.timedelta(seconds=1))
    assert sign_in(hotel, "director")["Location"] == reverse("home")
    assert password_checks.call_count == 1


def test_the_delay_holds_after_each_check(world, frozen_now, password_checks):
    """OPS-3: each check of a slowed account starts the delay again, whoever made it: guessing from
    many addresses gets one password checked per 30 seconds."""
    spray("director")
    password_checks.reset_mock()
    first, other = browser(ip="203.0.113.201"), browser(ip="203.0.113.202")
    for _ in range(3):
        frozen_now.shift(dt.timedelta(seconds=30))
        assert "Неверное имя пользователя или пароль." in text(sign_in(first, "director", password="угадываю"))
        assert WAIT in text(sign_in(other, "director", password="угадываю-2"))
    assert password_checks.call_count == 3


def test_the_right_password_with_the_code_passes_at_once(world, frozen_now, director_device, password_checks):
    """OPS-3: within the delay, the password together with the authenticator's code signs in at once
    and needs no code step; the same code cannot be used twice."""
    spray("director")
    frozen_now.shift(dt.timedelta(seconds=5))
    code = totp.code_at(director_device.secret)

    phone = browser(ip="192.0.2.44")
    response = sign_in(phone, "director", code=code)
    assert response["Location"] == reverse("home")
    assert signed_in(phone)
    director_device.refresh_from_db()
    assert director_device.last_step == totp.step_at(timezone.now().timestamp())

    other = browser(ip="192.0.2.45")
    response = sign_in(other, "director", code=code)
    assert "Неверное имя пользователя, пароль или код подтверждения." in text(response)
    assert not signed_in(other)


def test_with_a_code_the_answer_does_not_tell_which_was_wrong(world, frozen_now, director_device):
    """OPS-3: a password guessed together with some code learns nothing: a wrong password and a
    wrong code get the same answer, and neither signs in."""
    spray("director")
    frozen_now.shift(dt.timedelta(seconds=5))
    right = totp.code_at(director_device.secret)
    wrong = "000000" if right != "000000" else "111111"

    answers = []
    for ip, password, code in (("192.0.2.1", "угадываю", right), ("192.0.2.2", "test-pass-123", wrong)):
        response = sign_in(browser(ip=ip), "director", password=password, code=code)
        answers.append((response.status_code, text(response)))
    assert answers[0] == answers[1]
    assert "Неверное имя пользователя, пароль или код подтверждения." in answers[0][1]
    assert not SignInEvent.objects.filter(outcome=SignInEvent.Outcome.SUCCESS).exists()


def test_codes_guessed_without_the_password_do_not_lock_the_code_step(world, frozen_now, director_device):
    """OPS-3: wrong codes sent with wrong passwords count as wrong passwords only: the owner still
    passes the code step (only wrong codes after the right password lock code checks)."""
    for ip in BOTS:
        client = browser(ip=ip)
        for code in ("111111", "222222"):
            sign_in(client, "director", password="угадываю", code=code)
    frozen_now.shift(dt.timedelta(minutes=1))

    office = browser(ip="192.0.2.44")
    assert sign_in(office, "director")["Location"] == reverse("security:sign_in_code")
    response = office.post(reverse("security:sign_in_code"), {"code": totp.code_at(director_device.secret)})
    assert response["Location"] == reverse("home")
    assert signed_in(office)


def test_the_owners_usual_address_is_not_slowed_down(world, frozen_now, password_checks):
    """OPS-3: from an address the account signed in from within 30 days, the right password signs
    in at once, however many failures come from elsewhere; the lock of 5 still holds there."""
    office = browser(ip="203.0.113.10")
    sign_in(office, "director")
    office.post(reverse("accounts:logout"))
    frozen_now.shift(dt.timedelta(days=20))
    spray("director")

    assert sign_in(office, "director")["Location"] == reverse("home")
    elsewhere = browser(ip="192.0.2.44")
    assert WAIT in text(sign_in(elsewhere, "director"))


def test_the_history_shows_the_attack_and_the_sign_in(world, frozen_now):
    """ACC-12: the director's sign-in history lists the failures from the attackers' addresses, the
    lock and the delay they met, and the director's own sign-in."""
    attacker = browser(ip=BOTS[0])
    for _ in range(5):
        sign_in(attacker, "director", password="угадываю")
    assert LOCKED in text(sign_in(attacker, "director", password="угадываю"))
    spray("director", BOTS[1:3])  # 9 failures
    sign_in(browser(ip=BOTS[3]), "director", password="угадываю")  # the 10th: slowed down from now on
    assert WAIT in text(sign_in(browser(ip=BOTS[4]), "director", password="угадываю"))
    frozen_now.shift(dt.timedelta(seconds=30))

    office = browser(ip="203.0.113.10")
    assert sign_in(office, "director")["Location"] == reverse("home")
    page = text(office.get(reverse("security:index")))
    assert page.count("Неверное имя пользователя или пароль") == 10
    assert "Вход временно заблокирован" in page
    assert "Вход отложен: много попыток в эту учётную запись" in page
    assert "Вход выполнен" in page
    assert BOTS[0] in page and BOTS[4] in page and "203.0.113.10" in page
