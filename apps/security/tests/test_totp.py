"""The optional second factor (RFC 6238 codes from an authenticator app), mandatory for the
journal administrator where the school says so (OPS-3)."""

import datetime as dt
import re
import time

import pytest
from django.urls import reverse

from apps.security import totp
from apps.security.models import SecurityPolicy, SignInEvent, TOTPDevice

from .helpers import browser, sign_in, signed_in, text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("moment", "code"),
    [(59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"), (1234567890, "89005924"),
     (2000000000, "69279037"), (20000000000, "65353130")],
)  # fmt: skip
def test_codes_match_the_rfc_6238_test_vectors(moment, code):
    """OPS-3: the codes are those every authenticator app computes (RFC 6238, appendix B, SHA-1)."""
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # base32 of "12345678901234567890"
    assert totp.code_at(secret, moment, digits=8) == code


RFC_MOMENT = 1111111109  # RFC 6238 appendix B: 07081804 in eight digits, so 081804 in six


def test_a_device_enrolled_before_pyotp_signs_in_as_before(world, frozen_now):
    """OPS-3: a second factor stored by the earlier implementation (its base32 secret, its last
    used step) works the same: the RFC's code at the RFC's moment signs in, once."""
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    frozen_now.move_to(dt.datetime.fromtimestamp(RFC_MOMENT, dt.UTC))
    step = RFC_MOMENT // 30
    TOTPDevice.objects.create(user=world.alice, secret=secret, confirmed_at=dt.datetime.now(dt.UTC), last_step=step - 1)

    phone = browser(ip="198.51.100.7")
    assert sign_in(phone, "alice")["Location"] == reverse("security:sign_in_code")
    assert phone.post(reverse("security:sign_in_code"), {"code": "081 804"})["Location"] == reverse("home")
    assert TOTPDevice.objects.get(user=world.alice).last_step == step

    again = browser(ip="198.51.100.8")
    sign_in(again, "alice")
    assert again.post(reverse("security:sign_in_code"), {"code": "081804"}).status_code == 400
    assert not signed_in(again)


def enrol(client) -> str:
    """What a person does: open the page, type the secret into the app, confirm its code."""
    page = client.get(reverse("security:totp"))
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page.content.decode()).group(1).replace(" ", "")
    response = client.post(reverse("security:totp"), {"code": totp.code_at(secret)}, follow=True)
    assert "Двухэтапный вход включён" in text(response)
    return secret


def test_enrolment_shows_the_secret_and_needs_a_confirming_code(world):
    """OPS-3: the page shows the secret as text, as an otpauth:// link and as a QR code drawn
    on the server; a wrong code does not switch it on, the app's current code does."""
    office = browser()
    sign_in(office, "alice")
    page = office.get(reverse("security:totp")).content.decode()
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    assert len(secret) == 32
    assert "otpauth://totp/" in page and f"secret={secret}" in page
    assert '<img src="data:image/svg+xml' in page

    response = office.post(
        reverse("security:totp"), {"code": "000000" if totp.code_at(secret) != "000000" else "111111"}
    )
    assert response.status_code == 400
    assert "Код не подошёл" in text(response)
    assert not TOTPDevice.objects.filter(user=world.alice).exists()

    response = office.post(reverse("security:totp"), {"code": totp.code_at(secret)}, follow=True)
    assert "Двухэтапный вход включён" in text(response)
    assert "Двухэтапный вход: включён" in text(response).replace(" :", ":")
    assert TOTPDevice.objects.get(user=world.alice).secret == secret


def test_sign_in_asks_for_the_code_after_the_password(world, frozen_now):
    """OPS-3: with the second factor on, the right password alone does not sign in; a wrong code
    is refused (and in the history); the right code signs in and goes where the user was going."""
    office = browser()
    sign_in(office, "alice")
    secret = enrol(office)
    office.post(reverse("accounts:logout"))
    frozen_now.shift(dt.timedelta(minutes=1))

    phone = browser(ip="198.51.100.7")
    response = sign_in(phone, "alice", next=reverse("journal:list"))
    assert response["Location"] == reverse("security:sign_in_code")
    assert not signed_in(phone)
    assert "Введите шестизначный код" in text(phone.get(reverse("security:sign_in_code")))

    wrong = "123456" if totp.code_at(secret) != "123456" else "654321"
    response = phone.post(reverse("security:sign_in_code"), {"code": wrong})
    assert response.status_code == 400
    assert "Неверный код." in text(response)
    assert not signed_in(phone)
    assert SignInEvent.objects.filter(
        user=world.alice, outcome=SignInEvent.Outcome.BAD_CODE, ip="198.51.100.7"
    ).exists()

    code = totp.code_at(secret)
    response = phone.post(reverse("security:sign_in_code"), {"code": code})
    assert response["Location"] == reverse("journal:list")
    assert signed_in(phone)

    # The same code cannot be used twice (someone who saw it over her shoulder).
    other = browser(ip="198.51.100.8")
    sign_in(other, "alice")
    assert other.post(reverse("security:sign_in_code"), {"code": code}).status_code == 400
    assert not signed_in(other)


def test_code_guessing_is_throttled(world, frozen_now):
    """OPS-3: wrong codes count as failed sign-ins: after five the account is locked."""
    office = browser()
    sign_in(office, "alice")
    secret = enrol(office)
    office.post(reverse("accounts:logout"))
    frozen_now.shift(dt.timedelta(minutes=1))  # the enrolment's code is spent
    guesser = browser(ip="198.51.100.66")
    sign_in(guesser, "alice")
    current = {totp.code_at(secret, time.time() + d * 30) for d in (-1, 0, 1)}
    wrong = [
        c for c in ("111111", "222222", "333333", "444444", "555555", "666666", "777777", "888888") if c not in current
    ]
    for code in wrong[:5]:
        assert guesser.post(reverse("security:sign_in_code"), {"code": code}).status_code == 400
    response = guesser.post(reverse("security:sign_in_code"), {"code": totp.code_at(secret)}, follow=True)
    assert "Слишком много неудачных попыток входа. Повторите через 15 минут." in text(response)
    assert not signed_in(guesser)


def test_code_step_expires(world, frozen_now):
    """OPS-3: a password accepted long ago does not leave the code step open."""
    office = browser()
    sign_in(office, "alice")
    secret = enrol(office)
    office.post(reverse("accounts:logout"))
    sign_in(office, "alice")
    frozen_now.shift(dt.timedelta(minutes=6))
    response = office.post(reverse("security:sign_in_code"), {"code": totp.code_at(secret)}, follow=True)
    assert "Время на ввод кода истекло. Войдите снова." in text(response)
    assert not signed_in(office)


def test_switching_off_needs_a_current_code(world, frozen_now):
    """OPS-3: the second factor is switched off only with a current code from the app."""
    office = browser()
    sign_in(office, "alice")
    secret = enrol(office)
    frozen_now.shift(dt.timedelta(minutes=1))
    response = office.post(reverse("security:totp_disable"), {"code": "12345"}, follow=True)
    assert "Код не подошёл: двухэтапный вход остался включённым." in text(response)
    assert TOTPDevice.objects.filter(user=world.alice).exists()
    response = office.post(reverse("security:totp_disable"), {"code": totp.code_at(secret)}, follow=True)
    assert "Двухэтапный вход отключён." in text(response)
    assert not TOTPDevice.objects.filter(user=world.alice).exists()
    office.post(reverse("accounts:logout"))
    assert sign_in(office, "alice")["Location"] == reverse("home")


def test_mandatory_for_the_journal_administrator_when_the_school_says_so(world, frozen_now):
    """OPS-3: with the school's policy on, the journal administrator is sent to set up the second
    factor before anything else (the admin included), then works as usual and cannot switch it
    off; teachers are not affected."""
    SecurityPolicy.objects.create(school=world.school, require_totp_for_admins=True)
    admin = browser()
    sign_in(admin, "admin")
    for url in (reverse("admin:index"), reverse("journal:list"), reverse("security:index")):
        response = admin.get(url)
        assert response["Location"] == reverse("security:totp"), url
    page = admin.get(reverse("security:totp"), follow=True)
    assert "В вашей школе администратор журнала входит с кодом подтверждения." in text(page)

    secret = enrol(admin)
    assert admin.get(reverse("admin:index")).status_code == 200
    frozen_now.shift(dt.timedelta(minutes=1))
    response = admin.post(reverse("security:totp_disable"), {"code": totp.code_at(secret)}, follow=True)
    assert "отключить его нельзя" in text(response)
    assert TOTPDevice.objects.filter(user=world.admin).exists()

    teacher = browser()
    sign_in(teacher, "alice")
    assert teacher.get(reverse("journal:list")).status_code == 200


def test_policy_switched_on_reaches_a_signed_in_administrator(world, frozen_now):
    """OPS-3: when the school switches the requirement on, an administrator already signed in
    is sent to set it up within a minute."""
    admin = browser()
    sign_in(admin, "admin")
    assert admin.get(reverse("admin:index")).status_code == 200
    SecurityPolicy.objects.create(school=world.school, require_totp_for_admins=True)
    frozen_now.shift(dt.timedelta(minutes=1))
    admin.get(reverse("admin:index"))  # the minute's refresh of the session's rules
    assert admin.get(reverse("admin:index"))["Location"] == reverse("security:totp")
