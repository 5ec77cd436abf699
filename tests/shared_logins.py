"""Logins that hold roles in two schools (issue 11): a second school with its own journal
administrator, and the ways one login comes to be shared — as the product does it (an invitation
code entered by a signed-in person adds the role to her account), or directly for unit tests."""

import datetime as dt
from dataclasses import dataclass

from django.test import Client
from django.urls import reverse

from apps.accounts.models import Role
from apps.people.models import GuardianLink
from tests import factories as f

NEW_PASSWORD = "Чужой-ключ-2026"  # what the attacker would set; passes every validator


@dataclass
class OtherSchool:
    school: object
    year: object
    admin: object  # its journal administrator
    class_5a: object


def other_school(name="Школа № 2", admin="admin2") -> OtherSchool:
    school = f.SchoolFactory(short_name=name)
    year = f.YearFactory(school=school)
    f.make_periods(year)
    f.make_work_types(school)
    user = f.UserFactory(username=admin, last_name="Вторая", first_name="Вера")
    f.StaffFactory(school=school, user=user, last_name="Вторая", first_name="Вера")
    f.add_role(user, school, Role.JOURNAL_ADMIN)
    return OtherSchool(school=school, year=year, admin=user, class_5a=f.make_class(year, 5, "А"))


def join_as_staff(user, other: OtherSchool, role=Role.JOURNAL_ADMIN):
    """`user` also works in `other` (a member of staff there with `role`)."""
    f.StaffFactory(school=other.school, user=user, last_name=user.last_name, first_name=user.first_name)
    f.add_role(user, other.school, role)


def join_as_parent(user, other: OtherSchool):
    """`user` is also a parent in `other`, of a child with a diary there; returns the child."""
    child = f.enrol(f.StudentFactory(school=other.school, last_name="Аксёнов", first_name="Артём"), other.class_5a)
    guardian = f.GuardianFactory(school=other.school, user=user, last_name=user.last_name, first_name=user.first_name)
    f.link_guardian(guardian, child, relation=GuardianLink.Relation.MOTHER)
    f.add_role(user, other.school, Role.PARENT)
    return child


def invite_signed_in(user, other: OtherSchool, role=Role.JOURNAL_ADMIN):
    """The product's own way: the other school's administrator issues an invitation for a new member
    of staff; `user`, signed in, enters it — the role is added to the account she already has."""
    from apps.registration import services

    staff = f.StaffFactory(school=other.school, user=None, last_name=user.last_name, first_name=user.first_name)
    code, raw = services.code_issue(
        school=other.school,
        purpose="invitation",
        issued_by=other.admin,
        handed_over="in_person",
        staff=staff,
        roles=[role],
    )
    client = Client()
    client.force_login(user)
    assert client.post(reverse("registration:register"), {"code": raw}).status_code == 302
    assert client.post(reverse("registration:register_account")).status_code == 302
    return staff


def recover(code: str, password: str = NEW_PASSWORD):
    return Client().post(reverse("registration:recover"), {"code": code, "password1": password, "password2": password})


def signed_in_with(username: str, password: str) -> Client | None:
    client = Client()
    return client if client.login(username=username, password=password) else None


def switch(client: Client, school) -> None:
    response = client.post(reverse("accounts:school_switch"), {"school": school.pk})
    assert response.status_code == 302, response.status_code


def coordinator_of(user, school):
    """`user` becomes a municipal coordinator of `school`'s municipality (every school of it)."""
    from apps.rights.models import MunicipalMembership

    return MunicipalMembership.objects.create(user=user, municipality=school.municipality)


def at(hour, minute=0):
    from zoneinfo import ZoneInfo

    return dt.datetime(2026, 11, 20, hour, minute, tzinfo=ZoneInfo("Europe/Moscow"))


def take_over(issuer: Client, kind: str, person_pk: int, username: str, school, then):
    """The attack of issue 11 with a recovery code: issue it, set a password with it, sign in as the
    login, switch to the other school, do `then(client)` there. Returns where it stopped and the
    response there ("done" and then's response if nothing stopped it)."""
    import re

    from apps.diary.tests.helpers import page_text

    response = issuer.post(
        reverse("registration:code_issue", args=[kind, person_pk]), {"purpose": "recovery", "handed_over": "paper"}
    )
    if response.status_code != 302:
        return "issue", response
    code = re.search(r"data-code>([^<]+)<", issuer.get(response["Location"]).content.decode()).group(1)
    response = recover(code)
    if "Ваше имя пользователя" not in page_text(response):
        return "use", response
    client = signed_in_with(username, NEW_PASSWORD)
    if client is None:
        return "sign-in", None
    response = client.post(reverse("accounts:school_switch"), {"school": school.pk})
    if response.status_code != 302:
        return "switch", response
    return "done", then(client)
