"""The credential-reset paths × who asks × whose login (issue 11, ACC-9, ACC-10).

Every path that sets another person's password — a recovery code for a member of staff, a parent
or a student (issued, and used), the temporary password of a compromise case, the admin's password
form — asked by each role, for a login of this school only, a login that also holds a role in
another school, and a municipal coordinator's. A school resets only a login whose every role is in
it (apps.accounts.credentials); the superuser (the server's system administrator) resets any login
in the admin. Whatever is refused — by the rule or by a 404 — changes no password and issues no code.
"""

from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from apps.accounts.models import Membership, Role, User
from apps.compromise.services import compromise_report
from apps.diary.tests.helpers import page_text
from apps.registration import services as reg
from apps.registration.models import AccessCode
from tests import factories as f
from tests.shared_logins import NEW_PASSWORD, at, coordinator_of

ROLES = ("admin", "carol", "director", "bob", "quinn", "root", "outsider")
KINDS = ("one", "shared", "coordinator")
PATHS = ("recovery_staff", "recovery_guardian", "recovery_student", "recovery_use", "temporary", "admin_password")

# Outcomes: a reset (or an issued code) happens; the rule refuses with its message; or the path is
# not open to the role at all (404, or the admin's sign-in page).
RESET, REFUSED, NOT_FOUND, ADMIN_LOGIN = "reset", "refused", 404, "admin-login"
MESSAGES = {
    "shared": "Эта учётная запись есть и в другой школе: «Школа №",
    "coordinator": "муниципальный координатор",
}


def rule(*resetters) -> dict:
    """Roles in `resetters` reset a login of the school and are refused the others; the rest: 404."""
    return {role: {"one": RESET, "shared": REFUSED, "coordinator": REFUSED} for role in resetters}


EXPECTED = {
    "recovery_staff": rule("admin"),  # staff codes: the journal administrator only (ACC-3)
    "recovery_guardian": rule("admin", "carol"),  # families: also their class teacher
    "recovery_student": rule("admin", "carol"),
    # Whoever holds a code uses it on the public page: what counts is the login when it is used.
    "recovery_use": rule(*ROLES),
    "temporary": rule("admin"),
    "admin_password": {
        **{role: dict.fromkeys(KINDS, ADMIN_LOGIN) for role in ("carol", "director", "bob", "quinn")},
        **rule("admin"),
        "root": dict.fromkeys(KINDS, RESET),  # the server's system administrator: any login
        # The other school's administrator sees the login in his admin only when it has a role there.
        "outsider": {"one": NOT_FOUND, "shared": REFUSED, "coordinator": NOT_FOUND},
    },
}


def expected(path, role, kind):
    return EXPECTED[path].get(role, dict.fromkeys(KINDS, NOT_FOUND))[kind]


@dataclass
class Target:
    user: User
    kind: str  # the person kind of the recovery-code page
    person: object  # the Staff, Guardian or Student of this school
    code: str = ""  # recovery_use: issued before the login became shared
    case: object = None  # temporary: the compromise case of this school


def make_target(world, path) -> Target:
    """The login whose credentials the path resets: a teacher, a parent or a student of 5А."""
    user = f.UserFactory(username="target", last_name="Целева", first_name="Тина")
    if path == "recovery_guardian":
        guardian = f.GuardianFactory(school=world.school, user=user)
        f.link_guardian(guardian, world.students_5a[2])
        f.add_role(user, world.school, Role.PARENT)
        return Target(user, "guardian", guardian)
    if path == "recovery_student":
        student = world.students_5a[3]
        student.user = user
        student.save(update_fields=["user"])
        f.add_role(user, world.school, Role.STUDENT)
        return Target(user, "student", student)
    staff = f.StaffFactory(school=world.school, user=user)
    f.add_role(user, world.school, Role.TEACHER)
    return Target(user, "staff", staff)


def make_kind(world, user, kind, other_school) -> None:
    if kind == "shared":
        f.add_role(user, other_school, Role.TEACHER)
    elif kind == "coordinator":
        coordinator_of(user, world.school)


def send(path, client: Client, target: Target):
    if path.startswith("recovery_") and path != "recovery_use":
        url = reverse("registration:code_issue", args=[target.kind, target.person.pk])
        return client.post(url, {"purpose": "recovery", "handed_over": "in_person"})
    if path == "recovery_use":
        data = {"code": target.code, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        return client.post(reverse("registration:recover"), data)
    if path == "temporary":
        return client.post(reverse("compromise:password", args=[target.case.pk]))
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    return client.post(reverse("admin:auth_user_password_change", args=[target.user.pk]), data)


def assert_reset(path, response, target: Target, before: str):
    target.user.refresh_from_db()
    if path.startswith("recovery_") and path != "recovery_use":
        assert response.status_code == 302, page_text(response)
        assert AccessCode.objects.filter(user=target.user, purpose="recovery", used_at__isnull=True).count() == 1
        assert target.user.password == before  # the code sets nothing until it is used
    elif path == "recovery_use":
        assert "Ваше имя пользователя: target" in page_text(response)
        assert target.user.check_password(NEW_PASSWORD)
    elif path == "temporary":
        assert response.status_code == 200 and target.user.check_password(response.context["password"])
    else:
        assert response.status_code == 302
        assert target.user.check_password(NEW_PASSWORD)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", PATHS)
def test_credential_reset(world, client_for, path, role, kind):
    """ACC-9, ACC-10: each path × role × login gives the outcome of the matrix; a refusal says why,
    and nothing refused changes a password or leaves a code to use."""
    root = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    other = f.SchoolFactory(short_name="Школа № 2")
    outsider = f.UserFactory(username="outsider")
    f.add_role(outsider, other, Role.JOURNAL_ADMIN)
    users = {**world.users(), "root": root, "outsider": outsider}

    target = make_target(world, path)
    if path == "recovery_use":  # issued while the login was of this school only
        _code, target.code = reg.code_issue(
            school=world.school, purpose="recovery", issued_by=world.admin, handed_over="paper", staff=target.person
        )
    make_kind(world, target.user, kind, other)
    if path == "temporary":
        target.case = compromise_report(user=target.user, moment=at(9), reported_by=world.admin, school=world.school)[0]
    target.user.refresh_from_db()
    before = target.user.password
    codes_before = set(AccessCode.objects.values_list("pk", "used_at", "revoked_at"))

    response = send(path, client_for(users[role]), target)

    outcome = expected(path, role, kind)
    if outcome == RESET:
        assert_reset(path, response, target, before)
        return
    target.user.refresh_from_db()
    assert target.user.password == before, f"{role} changed the password of a {kind} login through {path}"
    assert set(AccessCode.objects.values_list("pk", "used_at", "revoked_at")) == codes_before
    assert Membership.objects.filter(user=target.user).exists()
    if outcome == REFUSED:
        text = page_text(response) if response.status_code == 200 else " ".join(_messages(response))
        assert MESSAGES[kind] in text, text
    elif outcome == ADMIN_LOGIN:
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    else:
        assert response.status_code == outcome


def _messages(response) -> list[str]:
    from django.contrib.messages import get_messages

    return [str(m) for m in get_messages(response.wsgi_request)]
