"""Compromised credentials (ACC-10): sessions end, sign-in is refused, the operations made with the
account from the reported moment are listed and — on confirmation — reverted, each reversion in
the change log (ARC-1); later legitimate corrections are kept."""

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from apps.audit.models import Entry
from apps.compromise.models import CompromiseItem, CompromiseReport, PasswordChangeRequired
from apps.compromise.services import compromise_report, compromise_revert
from apps.journal import services
from apps.journal.models import Attendance, Lesson, Mark, PeriodMark
from tests import factories as f

MSK = ZoneInfo("Europe/Moscow")


def at(hour, minute=0):
    return dt.datetime(2026, 11, 20, hour, minute, tzinfo=MSK)


def cells(world, author, lesson, **values):
    result = services.journal_save(
        journal=world.journal,
        author=author,
        cells=[{"lesson": lesson.pk, "student": getattr(world, k).pk, "value": v} for k, v in values.items()],
    )
    assert result.ok, result


def signed_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=f.PASSWORD)
    return client


@pytest.fixture
def story(world, frozen_now):
    """09:00 alice works legitimately; 10:30 «the attacker» works as alice; 10:40 bob works in his
    own journal. The moment reported is 10:00."""
    world.third = world.students_5a[2]
    frozen_now.move_to(at(9))
    l1 = services.lesson_create(journal=world.journal, date=dt.date(2026, 11, 16), number=1, author=world.alice)
    l2 = services.lesson_create(journal=world.journal, date=dt.date(2026, 11, 18), number=1, author=world.alice)
    services.lesson_update(lesson=l1, author=world.alice, topic="Дроби")
    cells(world, world.alice, l1, anna="5", boris="4")
    cells(world, world.alice, l2, third="3")

    frozen_now.move_to(at(10, 30))
    cells(world, world.alice, l1, boris="2")  # a mark changed
    cells(world, world.alice, l2, anna="2", third="", boris="н")  # created, deleted, an absence
    services.lesson_update(lesson=Lesson.objects.get(pk=l1.pk), author=world.alice, topic="Взлом", homework="стр. 1")
    services.period_mark_set(
        journal=world.journal, period=world.periods[1], student_id=world.anna.pk, value="2", author=world.alice
    )
    forged = list(Entry.objects.filter(at=at(10, 30)).order_by("seq"))

    frozen_now.move_to(at(10, 40))
    bob_lesson = services.lesson_create(
        journal=world.journal_5b, date=dt.date(2026, 11, 18), number=1, author=world.bob
    )
    services.journal_save(
        journal=world.journal_5b,
        author=world.bob,
        cells=[{"lesson": bob_lesson.pk, "student": world.students_5b[0].pk, "value": "5"}],
    )
    frozen_now.move_to(at(11))
    return SimpleNamespace(world=world, clock=frozen_now, l1=l1, l2=l2, forged=forged)


def report(story, moment=None):
    w = story.world
    (case,) = compromise_report(user=w.alice, moment=moment or at(10), reported_by=w.admin, school=w.school)
    return case


def test_an_unusable_password_ends_every_session_by_itself(world):
    """ACC-10: Django's session carries a hash of the password, so making it unusable signs the
    account out everywhere even before its sessions are deleted."""
    phone, laptop = signed_in(world.alice), signed_in(world.alice)
    assert laptop.get(reverse("journal:list")).status_code == 200
    world.alice.set_unusable_password()
    world.alice.save(update_fields=["password"])
    for client in (phone, laptop):
        response = client.get(reverse("journal:list"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_reporting_ends_sessions_and_refuses_sign_in(world, client_for):
    """ACC-10: the administrator reports alice's account: both her browsers are signed out, her
    sessions are gone from the store, and her old password no longer signs her in."""
    phone, laptop = signed_in(world.alice), signed_in(world.alice)
    carol = signed_in(world.carol)
    assert Session.objects.count() == 3
    response = client_for(world.admin).post(
        reverse("compromise:report"), {"user": world.alice.pk, "moment": "2026-11-20T09:00", "note": "пароль на доске"}
    )
    case = CompromiseReport.objects.get(user=world.alice)
    assert response.status_code == 302 and response["Location"] == reverse("compromise:case", args=[case.pk])
    for client in (phone, laptop):
        assert client.get(reverse("journal:list")).status_code == 302
    remaining = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert str(world.alice.pk) not in remaining
    assert carol.get(reverse("journal:list")).status_code == 200  # nobody else is affected
    assert not Client().login(username="alice", password=f.PASSWORD)
    page = Client().post(reverse("accounts:login"), {"username": "alice", "password": f.PASSWORD})
    assert page.status_code == 200  # the sign-in form again, not a redirect into the journal
    assert (case.moment, case.reported_by, case.note) == (at(9), world.admin, "пароль на доске")


def test_the_case_lists_exactly_the_operations_after_the_moment(story, client_for):
    """ACC-10: the case page lists every journal operation made with alice's account from 10:00 until
    the report — readable: when, journal, lesson, student, what changed — and nothing of 09:00, of
    bob, or of alice after the report."""
    w = story.world
    case = report(story)
    story.clock.move_to(at(12))
    cells(w, w.alice, story.l1, anna="5 4")  # alice again, after her password was reset: not listed
    html = client_for(w.admin).get(reverse("compromise:case", args=[case.pk])).content.decode()
    listed = {int(part.split('"')[0]) for part in html.split('data-entry="')[1:]}
    assert listed == {e.pk for e in story.forged}
    assert len(story.forged) == 7  # mark updated, mark created, mark deleted, absence, topic, homework, period mark
    for text in (
        "20.11.2026 10:30:00",
        "Математика · 5А",
        "16.11.2026, 1-й урок",
        "Быков Б.",
        "4 → 2",
        "«Дроби» → «Взлом»",
        "будет откачено",
    ):
        assert text in html, text


def test_confirmed_revert_restores_the_journal(story, client_for):
    """ACC-10, ARC-1: on the administrator's confirmation every forged operation is reverted — the
    changed mark back, the created mark and absence gone, the deleted mark back, the topic and
    homework back, the period mark gone — while 09:00's legitimate marks stay; each reversion is an
    entry of the change log by the administrator, linked from the case; verify_changelog passes."""
    w = story.world
    case = report(story)
    story.clock.move_to(at(11, 30))
    response = client_for(w.admin).post(reverse("compromise:revert", args=[case.pk]))
    assert response.status_code == 302

    def cell(lesson, student):
        return [m.value for m in Mark.objects.filter(lesson=lesson, student=student).order_by("position", "pk")]

    assert cell(story.l1, w.anna) == ["5"]  # legitimate, before the moment
    assert cell(story.l1, w.boris) == ["4"]
    assert cell(story.l2, w.anna) == []
    assert cell(story.l2, w.third) == ["3"]
    assert not Attendance.objects.filter(lesson=story.l2, student=w.boris).exists()
    l1 = Lesson.objects.get(pk=story.l1.pk)
    assert (l1.topic, l1.homework) == ("Дроби", "")
    assert not PeriodMark.objects.exists()

    case.refresh_from_db()
    assert (case.confirmed_by, case.confirmed_at, case.outcome) == (
        w.admin,
        at(11, 30),
        {"reverted": 7, "later": 0, "unchanged": 0},
    )
    reversions = Entry.objects.filter(at=at(11, 30))
    assert reversions.count() == 7 and {e.author for e in reversions} == {w.admin}
    items = CompromiseItem.objects.filter(report=case)
    assert {i.entry_id for i in items} == {e.pk for e in story.forged}
    assert {i.reversion_id for i in items} == {e.pk for e in reversions}
    call_command("verify_changelog")  # exits non-zero (SystemExit) when the log and the data differ

    # The case now shows the result; a second confirmation is refused.
    html = client_for(w.admin).get(reverse("compromise:case", args=[case.pk])).content.decode()
    assert "откачено: 7" in html
    client_for(w.admin).post(reverse("compromise:revert", args=[case.pk]))
    assert Entry.objects.filter(author=w.admin).count() == 7


def test_later_legitimate_corrections_are_kept_and_reported(story, client_for):
    """ACC-10: a record changed after the forged operation by somebody else (carol records the reason
    of the forged absence; bob, substituting, corrects the forged mark) or by alice after her password
    was reset is not overwritten: it is reported «изменено позже — не откатывается, проверьте вручную»;
    the rest is reverted."""
    w = story.world
    story.clock.move_to(at(10, 45))
    absence = Attendance.objects.get(lesson=story.l2, student=w.boris)
    services.attendance_reason_set(attendance=absence, reason="illness", author=w.carol)
    cells(w, w.bob, story.l2, anna="3")  # bob corrects the forged «2» of anna
    case = report(story)
    story.clock.move_to(at(12))
    cells(w, w.alice, story.l1, boris="5")  # alice herself, after the reset, over the forged «2»

    page = client_for(w.admin).get(reverse("compromise:case", args=[case.pk])).content.decode()
    assert page.count("изменено позже — не откатывается, проверьте вручную") == 3
    assert "позже изменил: Кравец Карина" in page

    outcome = compromise_revert(report=case, confirmed_by=w.admin)
    assert (outcome.reverted, outcome.later, outcome.unchanged) == (4, 3, 0)
    assert [m.value for m in Mark.objects.filter(lesson=story.l2, student=w.anna)] == ["3"]
    assert Attendance.objects.get(pk=absence.pk).reason == "illness"
    assert [m.value for m in Mark.objects.filter(lesson=story.l1, student=w.boris)] == ["5"]
    assert [m.value for m in Mark.objects.filter(lesson=story.l2, student=w.third)] == ["3"]  # reverted
    assert Lesson.objects.get(pk=story.l1.pk).topic == "Дроби"  # reverted
    later = CompromiseItem.objects.filter(report=case, result=CompromiseItem.Result.LATER)
    assert {i.entry.object_type for i in later} == {"mark", "attendance"}
    call_command("verify_changelog")


def test_a_forged_lesson_and_its_marks_go_away(world, frozen_now):
    """ACC-10: a lesson the attacker created, with marks on it, is removed entirely."""
    frozen_now.move_to(at(10, 30))
    lesson = services.lesson_create(journal=world.journal, date=dt.date(2026, 11, 19), number=5, author=world.alice)
    cells(world, world.alice, lesson, anna="2", boris="н")
    frozen_now.move_to(at(11))
    (case,) = compromise_report(user=world.alice, moment=at(10), reported_by=world.admin, school=world.school)
    outcome = compromise_revert(report=case, confirmed_by=world.admin)
    assert outcome.as_dict() == {"reverted": 3, "later": 0, "unchanged": 0}
    assert not Lesson.objects.filter(pk=lesson.pk).exists()
    call_command("verify_changelog")


def test_operations_in_another_school_belong_to_that_school_case(world, frozen_now):
    """ACC-10: an account with roles in two schools gets a case in each; each lists only its school's
    operations, for that school's administrator."""
    other = f.SchoolFactory(short_name="Школа № 5")
    f.add_role(world.alice, other, "teacher")
    frozen_now.move_to(at(10, 30))
    lesson = services.lesson_create(journal=world.journal, date=dt.date(2026, 11, 19), number=5, author=world.alice)
    frozen_now.move_to(at(11))
    here, there = compromise_report(user=world.alice, moment=at(10), reported_by=world.admin, school=world.school)
    assert (here.school, there.school) == (world.school, other)
    from apps.compromise.services import operations

    assert [e.object_id for e in operations(here)] == [lesson.pk]
    assert list(operations(there)) == []


def test_a_user_reports_her_own_account(world):
    """ACC-10: alice, from her own page, reports her account: she is signed out at once, cannot sign
    in, and the administrator finds the case in the list."""
    alice = signed_in(world.alice)
    assert alice.get(reverse("compromise:report_own")).status_code == 200
    response = alice.post(reverse("compromise:report_own"), {"moment": "2026-11-20T08:00", "confirm": "on"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert alice.get(reverse("journal:list")).status_code == 302
    assert not Client().login(username="alice", password=f.PASSWORD)
    case = CompromiseReport.objects.get()
    assert (case.user, case.reported_by, case.moment) == (world.alice, world.alice, at(8))
    admin = signed_in(world.admin)
    assert reverse("compromise:case", args=[case.pk]) in admin.get(reverse("compromise:list")).content.decode()


def test_the_moment_cannot_be_in_the_future(world, client_for):
    """ACC-10: a moment after now is refused with a Russian message; nothing happens to the account."""
    response = client_for(world.admin).post(
        reverse("compromise:report"), {"user": world.alice.pk, "moment": "2026-11-21T09:00"}
    )
    assert response.status_code == 200
    assert "не может быть в будущем" in response.content.decode()
    world.alice.refresh_from_db()
    assert world.alice.has_usable_password() and not CompromiseReport.objects.exists()


def test_the_temporary_password_must_be_changed_at_first_sign_in(world, client_for):
    """ACC-10: the administrator issues a temporary password (shown once); alice signs in with it and
    every page sends her to choose her own; once changed, she works again."""
    (case,) = compromise_report(user=world.alice, moment=at(9), reported_by=world.admin, school=world.school)
    page = client_for(world.admin).post(reverse("compromise:password", args=[case.pk]))
    assert page.status_code == 200
    temporary = page.context["password"]
    assert temporary in page.content.decode()
    assert PasswordChangeRequired.objects.filter(user=world.alice).exists()

    alice = Client()
    assert alice.login(username="alice", password=temporary)
    response = alice.get(reverse("journal:list"))
    assert response.status_code == 302 and response["Location"] == reverse("compromise:password_change")
    assert "временным паролем" in alice.get(reverse("compromise:password_change")).content.decode()
    response = alice.post(
        reverse("compromise:password_change"),
        {"old_password": temporary, "new_password1": "Moy-novyy-parol-7", "new_password2": "Moy-novyy-parol-7"},
    )
    assert response.status_code == 302
    assert alice.get(reverse("journal:list")).status_code == 200
    assert not PasswordChangeRequired.objects.exists()
    case.refresh_from_db()
    assert case.password_issued_by == world.admin


def test_another_schools_administrator_sees_nothing(world, client_for):
    """ACC-10: the case is the school's: another school's journal administrator gets 404 on it."""
    (case,) = compromise_report(user=world.bob, moment=at(9), reported_by=world.admin, school=world.school)
    outsider = f.UserFactory()
    f.add_role(outsider, f.SchoolFactory(), "journal_admin")
    client = client_for(outsider)
    assert client.get(reverse("compromise:case", args=[case.pk])).status_code == 404
    assert client.post(reverse("compromise:revert", args=[case.pk])).status_code == 404
    assert client.post(reverse("compromise:password", args=[case.pk])).status_code == 404
    response = client.post(reverse("compromise:report"), {"user": world.carol.pk, "moment": "2026-11-20T09:00"})
    assert response.status_code == 200  # carol is not his school's: the choice is refused
    world.carol.refresh_from_db()
    assert world.carol.has_usable_password()


def test_ended_sessions_leave_the_session_cache_too(world, client_for):
    """ACC-10: sessions are read from the cache first (cached_db, issue 5): a reported account's
    sessions are gone from the cache as well as from the database, so no copy keeps one alive."""
    from importlib import import_module

    from django.conf import settings

    phone, laptop = signed_in(world.alice), signed_in(world.alice)
    keys = [c.session.session_key for c in (phone, laptop)]
    store = import_module(settings.SESSION_ENGINE).SessionStore
    assert all(store().exists(key) for key in keys)
    client_for(world.admin).post(
        reverse("compromise:report"), {"user": world.alice.pk, "moment": "2026-11-20T09:00", "note": "утечка"}
    )
    assert not any(store().exists(key) for key in keys)
    assert not any(store(session_key=key).load() for key in keys)
