"""Idle sessions end by themselves; each user sees and ends their sessions and sees how they
signed in (ACC-11, ACC-12)."""

import datetime as dt
import io
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse

from apps.security import agents
from apps.security.models import SecurityPolicy, UserSession

from .helpers import CHROME_ANDROID, FIREFOX, SAFARI_IPHONE, browser, sign_in, signed_in, text

pytestmark = pytest.mark.django_db


def test_staff_session_ends_after_30_idle_minutes(world, frozen_now):
    """ACC-11: a teacher who leaves the workstation for more than 30 minutes is signed out; the
    sign-in page says why, and signing in again brings her back to the page she wanted."""
    teacher = browser()
    sign_in(teacher, "alice")
    frozen_now.shift(dt.timedelta(minutes=29))
    assert teacher.get(reverse("journal:list")).status_code == 200  # still there, and the clock restarts
    frozen_now.shift(dt.timedelta(minutes=29))
    assert teacher.get(reverse("journal:list")).status_code == 200

    frozen_now.shift(dt.timedelta(minutes=31))
    response = teacher.get(reverse("journal:list"), follow=True)
    assert response.request["PATH_INFO"] == reverse("accounts:login")
    assert "Сеанс завершён: 30 минут не было действий. Войдите снова." in text(response)
    assert not UserSession.objects.filter(user=world.alice).exists()  # no longer in her list
    assert not signed_in(teacher)

    response = sign_in(teacher, "alice", next=reverse("journal:list"))
    assert response["Location"] == reverse("journal:list")


def test_idle_timeout_is_set_per_school(world, frozen_now):
    """ACC-11: the school's own setting applies — with 10 minutes a teacher is signed out after 11."""
    SecurityPolicy.objects.create(school=world.school, staff_idle_minutes=10)
    teacher = browser()
    sign_in(teacher, "alice")
    frozen_now.shift(dt.timedelta(minutes=9))
    assert signed_in(teacher)
    frozen_now.shift(dt.timedelta(minutes=11))
    response = teacher.get(reverse("journal:list"), follow=True)
    assert "Сеанс завершён: 10 минут не было действий." in text(response)


def test_families_get_the_longer_default(world, frozen_now):
    """ACC-11: a parent reading the diary at home is not thrown out after half an hour; after
    the family timeout (8 hours by default) she is."""
    parent = browser(SAFARI_IPHONE)
    sign_in(parent, "pat")
    frozen_now.shift(dt.timedelta(hours=2))
    assert parent.get(reverse("diary:index")).status_code == 302  # to her child's week: signed in
    assert signed_in(parent)
    frozen_now.shift(dt.timedelta(hours=8, minutes=1))
    response = parent.get(reverse("diary:index"), follow=True)
    assert "Сеанс завершён: 480 минут не было действий." in text(response)


def test_the_administrator_sets_the_timeout_in_the_admin(world, frozen_now, client_for):
    """ACC-11: the journal administrator changes the school's timeouts in the admin; teachers
    signing in afterwards get the new one."""
    admin = client_for(world.admin)
    url = reverse("admin:security_securitypolicy_add")
    response = admin.post(url, {"staff_idle_minutes": "15", "family_idle_minutes": "600"})
    assert response.status_code == 302, response.content.decode()[:2000]
    policy = SecurityPolicy.objects.get()
    assert (policy.school, policy.staff_idle_minutes, policy.family_idle_minutes) == (world.school, 15, 600)
    assert admin.get(reverse("admin:security_securitypolicy_add")).status_code == 403  # one per school

    teacher = browser()
    sign_in(teacher, "alice")
    frozen_now.shift(dt.timedelta(minutes=16))
    assert not signed_in(teacher)


def test_sign_out_is_one_click_and_leaves_the_list(world):
    """ACC-11: «Выйти» in the top bar of every page signs out at once (one POST) and the
    session leaves the list."""
    teacher = browser()
    sign_in(teacher, "alice")
    page = teacher.get(reverse("journal:list")).content.decode()
    assert f'action="{reverse("accounts:logout")}"' in page
    assert teacher.post(reverse("accounts:logout"))["Location"] == reverse("accounts:login")
    assert not signed_in(teacher)
    assert not UserSession.objects.filter(user=world.alice).exists()


def test_user_sees_active_sessions_with_this_device_marked(world):
    """ACC-12: the security page, linked from the user's name in the top bar, lists where she
    is signed in: browser and system, address, start and last activity; this device marked."""
    office = browser(FIREFOX, "203.0.113.10")
    phone = browser(CHROME_ANDROID, "198.51.100.7")
    sign_in(office, "alice")
    sign_in(phone, "alice")
    sign_in(browser(SAFARI_IPHONE, "198.51.100.8"), "bob")  # somebody else's

    journal = office.get(reverse("journal:list")).content.decode()
    assert f'href="{reverse("security:index")}"' in journal

    page = text(office.get(reverse("security:index")))
    assert "Firefox 133, Windows это устройство 203.0.113.10 20.11.2026 12:00" in page
    assert "Chrome 131, Android 198.51.100.7 20.11.2026 12:00" in page
    assert "Safari" not in page and "198.51.100.8" not in page
    assert text(phone.get(reverse("security:index"))).count("это устройство") == 1


def test_ending_a_session_signs_that_browser_out(world):
    """ACC-12: ending a session from the list really signs that browser out; this one stays."""
    office, phone = browser(FIREFOX), browser(CHROME_ANDROID, "198.51.100.7")
    sign_in(office, "alice")
    sign_in(phone, "alice")
    phone_row = UserSession.objects.get(user=world.alice, ip="198.51.100.7")

    response = office.post(reverse("security:session_end"), {"session": phone_row.pk}, follow=True)
    assert "Сеанс завершён" in text(response)
    assert not Session.objects.filter(session_key=phone_row.session_key).exists()
    assert phone.get(reverse("journal:list"))["Location"].startswith(reverse("accounts:login"))
    assert signed_in(office)
    assert "Chrome" not in sessions_list(office)


def sessions_list(client) -> str:
    page = text(client.get(reverse("security:index")))
    return page[page.index("Активные сеансы") : page.index("История входов")]


def test_a_user_cannot_end_someone_elses_session(world):
    """ACC-12: another user's session is not found (404) and stays signed in."""
    alice, bob = browser(), browser(CHROME_ANDROID)
    sign_in(alice, "alice")
    sign_in(bob, "bob")
    bobs = UserSession.objects.get(user=world.bob)
    assert alice.post(reverse("security:session_end"), {"session": bobs.pk}).status_code == 404
    assert signed_in(bob)


def test_ending_all_other_sessions(world):
    """ACC-12: «Завершить все остальные сеансы» signs out every other browser of the user only."""
    office, phone, tablet = browser(), browser(CHROME_ANDROID), browser(SAFARI_IPHONE)
    for c in (office, phone, tablet):
        sign_in(c, "alice")
    bob = browser()
    sign_in(bob, "bob")

    response = office.post(reverse("security:sessions_end_others"), follow=True)
    assert "Все остальные сеансы завершены (2)." in text(response)
    assert signed_in(office) and signed_in(bob)
    assert not signed_in(phone) and not signed_in(tablet)


def test_ending_this_session_signs_out(world):
    """ACC-12: «Выйти» on this device's row of the list signs out here."""
    office = browser()
    sign_in(office, "alice")
    mine = UserSession.objects.get(user=world.alice)
    assert office.post(reverse("security:session_end"), {"session": mine.pk})["Location"] == reverse("accounts:login")
    assert not signed_in(office)


def test_history_lists_successes_and_failures(world, frozen_now):
    """ACC-12: the sign-in history shows a failed attempt (time, address, browser) next to the
    successful sign-ins, so a user notices someone trying her password."""
    stranger = browser(CHROME_ANDROID, "198.51.100.66")
    sign_in(stranger, "alice", password="не-тот-пароль")
    frozen_now.shift(dt.timedelta(minutes=3))
    office = browser(FIREFOX, "203.0.113.10")
    sign_in(office, "alice")

    page = text(office.get(reverse("security:index")))
    history = page[page.index("История входов") :]
    assert "20.11.2026 12:03:00 Вход выполнен 203.0.113.10 Firefox 133, Windows" in history
    assert "20.11.2026 12:00:00 Неверное имя пользователя или пароль 198.51.100.66 Chrome 131, Android" in history
    assert "198.51.100.66" not in text(browser().get(reverse("accounts:login")))  # only for her
    bob = browser()
    sign_in(bob, "bob")
    assert "198.51.100.66" not in text(bob.get(reverse("security:index")))


def test_last_seen_is_written_at_most_once_a_minute(world, frozen_now, django_assert_num_queries):
    """ACC-12: «last activity» follows the user, but pages within the same minute cost no write
    (the middleware reads only the session it already has)."""
    office = browser()
    sign_in(office, "alice")
    office.get(reverse("journal:list"))
    frozen_now.shift(dt.timedelta(seconds=30))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        office.get(reverse("journal:list"))
    assert not [q for q in queries.captured_queries if "security_" in q["sql"] or "UPDATE" in q["sql"]]

    frozen_now.shift(dt.timedelta(minutes=5))
    office.get(reverse("journal:list"))
    row = UserSession.objects.get(user=world.alice)
    assert row.last_seen_at - row.started_at == dt.timedelta(minutes=5, seconds=30)


def test_browser_names():
    """ACC-12: devices are named so a person recognises them."""
    assert agents.describe(FIREFOX) == "Firefox 133, Windows"
    assert agents.describe(CHROME_ANDROID) == "Chrome 131, Android"
    assert agents.describe(SAFARI_IPHONE) == "Safari 17, iOS"
    yandex = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/128.0.0.0 YaBrowser/24.10.0.0 Safari/537.36"
    )
    assert agents.describe(yandex) == "Яндекс Браузер 24, Windows"
    assert agents.describe("") == "Неизвестный браузер"


def test_sessions_that_are_over_leave_the_list(world, frozen_now):
    """ACC-12: the list shows only sessions that can still be used: one gone from the session
    store (expired and cleared), or left idle past the timeout, is gone from it."""
    office, old, phone = browser(), browser(CHROME_ANDROID, "198.51.100.7"), browser(SAFARI_IPHONE, "198.51.100.8")
    sign_in(office, "alice")
    sign_in(old, "alice")
    sign_in(phone, "alice")
    # Gone from the store: expired (its cached copy expires with it) and cleared by clearsessions.
    import_module(settings.SESSION_ENGINE).SessionStore().delete(old.session.session_key)
    assert "Chrome" not in sessions_list(office)
    assert "Safari" in sessions_list(office)

    frozen_now.shift(dt.timedelta(minutes=20))
    office.get(reverse("journal:list"))
    frozen_now.shift(dt.timedelta(minutes=20))  # the phone: 40 minutes idle
    listed = sessions_list(office)
    assert "Safari" not in listed and "это устройство" in listed
    assert not signed_in(phone)


def test_nightly_cleanup_keeps_a_year_of_history(world, frozen_now):
    """ACC-12, OPS-3: `manage.py security_cleanup` deletes sign-in history older than a year
    (addresses are personal data) and drops sessions that no longer exist from the lists."""
    from django.core.management import call_command

    from apps.security.models import SignInEvent

    sign_in(browser(), "alice", password="не-тот-пароль")
    frozen_now.shift(dt.timedelta(days=300))
    office = browser()
    sign_in(office, "alice")
    gone = browser(CHROME_ANDROID)
    sign_in(gone, "alice")
    Session.objects.filter(session_key=gone.session.session_key).delete()
    frozen_now.shift(dt.timedelta(days=70))

    out = io.StringIO()
    call_command("security_cleanup", stdout=out)
    assert "Удалено записей истории входов: 1; сеансов убрано из списков: 1." in out.getvalue()
    assert list(SignInEvent.objects.values_list("outcome", flat=True)) == ["success", "success"]
    assert list(UserSession.objects.values_list("session_key", flat=True)) == [office.session.session_key]
