"""Access ends by itself (ACC-5, ACC-7): `manage.py end_access` after a student leaves the school
(transfer, graduation, expulsion), after a member of staff's leaving day, for parents of a student
who turned 18; the administrator's reports list accounts overdue for creation or removal."""

import datetime as dt
import io

from django.core.management import call_command
from django.urls import reverse

from apps.accounts.models import Membership, Role, User
from apps.people.services import student_enrol, student_withdraw
from apps.registration.models import AccessEnd, Consent
from tests import factories as f

from .helpers import new_parent, page_text


def end_access(*args) -> str:
    out = io.StringIO()
    call_command("end_access", *args, stdout=out)
    return out.getvalue()


def roles(user, school):
    return set(Membership.objects.filter(user=user, school=school).values_list("role", flat=True))


def test_student_who_left_loses_access_with_the_parent(world, client_for):
    """ACC-7: after expulsion (the stay ended, no new one) the daily run ends the student's and the
    parent's consents and roles, switches off accounts left without any role, and logs why; a
    second run changes nothing."""
    pat = client_for(world.pat)
    student_withdraw(student=world.anna, school_class=world.class_5a, ends=dt.date(2026, 11, 18))
    assert pat.get(reverse("diary:week", args=[world.anna.pk])).status_code == 200  # until the run

    out = end_access()
    assert "Аксёнова Анна (sam) — учащийся выбыл из школы. Последний день в классе 5А — 18.11.2026." in out
    assert "Записей о прекращении доступа: 2." in out
    assert set(Consent.objects.filter(student=world.anna).values_list("ended_on", "end_reason")) == {
        (dt.date(2026, 11, 19), Consent.EndReason.STUDENT_LEFT)
    }
    for user in (world.sam, world.pat):
        user.refresh_from_db()
        assert not user.is_active and roles(user, world.school) == set()
    logged = AccessEnd.objects.filter(reason=AccessEnd.Reason.STUDENT_LEFT)
    assert {(e.username, e.roles_removed, e.deactivated) for e in logged} == {
        ("sam", "учащийся", True),
        ("pat", "родитель", True),
    }
    assert pat.get(reverse("diary:week", args=[world.anna.pk])).status_code == 302  # signed out: inactive
    assert "Записей о прекращении доступа: 0." in end_access()


def test_moving_to_another_class_keeps_access(world, client_for):
    """ACC-7: a transfer inside the school is not a departure."""
    student_withdraw(student=world.anna, school_class=world.class_5a, ends=dt.date(2026, 11, 18))
    student_enrol(student=world.anna, school_class=world.class_5b, starts=dt.date(2026, 11, 19))
    assert "Записей о прекращении доступа: 0." in end_access()
    assert client_for(world.pat).get(reverse("diary:week", args=[world.anna.pk])).status_code == 200


def test_summer_is_not_a_departure_but_graduation_is(world):
    """ACC-7: a stay that ends with the school year in a lower grade waits for the next class; in
    the 11th grade the end of the year is graduation."""
    student_withdraw(student=world.anna, school_class=world.class_5a, ends=dt.date(2027, 5, 31))
    assert "Записей о прекращении доступа: 0." in end_access("--date", "2027-06-15")

    class_11 = f.make_class(world.year, 11, "А")
    graduate = f.enrol(f.StudentFactory(school=world.school, birth_date=dt.date(2009, 9, 1)), class_11)
    graduate.user = f.UserFactory(username="graduate")
    graduate.save(update_fields=["user"])
    f.add_role(graduate.user, world.school, Role.STUDENT)
    f.make_consent(graduate, new_parent(world, graduate))
    student_withdraw(student=graduate, school_class=class_11, ends=dt.date(2027, 5, 31))
    out = end_access("--date", "2027-06-15")
    assert "graduate" in out and "Записей о прекращении доступа: 1." in out
    assert roles(graduate.user, world.school) == set()


def test_parent_of_another_pupil_keeps_the_role(world, client_for):
    """ACC-7: a parent with another child at the school keeps the parent role and that child's
    diary; only the departed child's access ends."""
    other = world.students_5b[0]
    f.link_guardian(world.pat.guardian_profiles.get(), other)
    student_withdraw(student=world.anna, school_class=world.class_5a, ends=dt.date(2026, 11, 18))
    end_access()
    assert roles(world.pat, world.school) == {Role.PARENT}
    pat = client_for(world.pat)
    assert pat.get(reverse("diary:week", args=[other.pk])).status_code == 200
    assert pat.get(reverse("diary:week", args=[world.anna.pk])).status_code == 404
    entry = AccessEnd.objects.get(user=world.pat)
    assert (entry.student, entry.roles_removed, entry.deactivated) == (world.anna, "", False)


def test_staff_access_ends_after_the_leaving_day(world):
    """ACC-5: a member of staff keeps access on the leaving day and loses every staff role the
    next day; the account is switched off."""
    world.alice_staff.left_on = dt.date(2026, 11, 20)
    world.alice_staff.save(update_fields=["left_on"])
    assert "Записей о прекращении доступа: 0." in end_access()
    out = end_access("--date", "2026-11-21")
    assert "Алексеева Алла Ивановна (alice) — сотрудник уволен. Дата увольнения — 20.11.2026." in out
    world.alice.refresh_from_db()
    assert roles(world.alice, world.school) == set() and not world.alice.is_active


def test_parents_of_a_student_who_turned_18_are_recorded_once(world, client_for):
    """ACC-7: on the 18th birthday the parent's diary closes by itself; the run records it once."""
    world.anna.birth_date = dt.date(2008, 11, 19)
    world.anna.save(update_fields=["birth_date"])
    assert client_for(world.pat).get(reverse("diary:week", args=[world.anna.pk])).status_code == 404
    assert "исполнилось 18 лет 19.11.2026" in end_access()
    assert "Записей о прекращении доступа: 0." in end_access()
    assert AccessEnd.objects.get().reason == AccessEnd.Reason.TURNED_18


def test_reports_list_accounts_overdue_for_creation_and_removal(world, client_for):
    """ACC-5: staff without an account more than 3 days after hiring, families with a consent but
    no access after 10 working days, staff still active more than 2 days after leaving, a departed
    student still active; the administrator ends what is overdue from the report."""
    late_hire = f.StaffFactory(school=world.school, user=None, last_name="Поздняк", hired_on=dt.date(2026, 11, 16))
    f.StaffFactory(school=world.school, user=None, last_name="Новенькая", hired_on=dt.date(2026, 11, 18))
    old = new_parent(world, world.boris, last="Давний", consent=False)
    f.make_consent(world.boris, old, given_on=dt.date(2026, 11, 2))  # due 17.11 (4.11 is a holiday)
    fresh = new_parent(world, world.boris, last="Свежий", consent=False)
    f.make_consent(world.boris, fresh, given_on=dt.date(2026, 11, 10))  # due 24.11
    world.bob_staff.left_on = dt.date(2026, 11, 17)
    world.bob_staff.save(update_fields=["left_on"])
    world.carol_staff.left_on = dt.date(2026, 11, 19)  # one day ago: not overdue yet
    world.carol_staff.save(update_fields=["left_on"])
    student_withdraw(student=world.anna, school_class=world.class_5a, ends=dt.date(2026, 11, 10))

    admin = client_for(world.admin)
    page = admin.get(reverse("registration:reports"))
    html, text = page.content.decode(), page_text(page)
    assert f'data-overdue="staff-{late_hire.pk}"' in html and "Новенькая" not in text
    assert "Давний Пётр (родитель — Быков Борис)" in text and "срок — 17.11.2026" in text and "Свежий" not in text
    assert f'data-overdue="staff-left-{world.bob_staff.pk}"' in html
    assert f'data-overdue="staff-left-{world.carol_staff.pk}"' not in html
    assert text.count("Аксёнова Анна, последний день в 5А — 10.11.2026") == 2  # sam and pat

    assert admin.post(reverse("registration:end_access_now")).status_code == 302
    text = page_text(admin.get(reverse("registration:reports")))
    assert "Уволены более 2 дн. назад, доступ есть Нет." in text
    assert "Учащийся выбыл более 2 дн. назад, доступ есть Нет." in text
    assert "сотрудник уволен" in text and "Админова Ольга" in text  # the log: who ended it
    assert not User.objects.get(username="bob").is_active


def test_reports_are_the_administrators(world, client_for):
    """ACC-5: the class teacher, teachers and families do not see the reports (404)."""
    for user in (world.carol, world.alice, world.director, world.pat):
        assert client_for(user).get(reverse("registration:reports")).status_code == 404
        assert client_for(user).post(reverse("registration:end_access_now")).status_code == 404
