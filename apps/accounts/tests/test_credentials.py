"""The one rule of credential resets (issue 11, apps.accounts.credentials): a school resets only a
login whose every role is in that school; and the admin's password form asks the same rule."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from apps.accounts import credentials
from apps.accounts.models import Role
from tests import factories as f
from tests.shared_logins import coordinator_of, join_as_parent, join_as_staff, other_school


def refusal(world, user):
    return credentials.reset_refusal(school=world.school, user=user)


def test_a_login_of_one_school_is_resettable_by_it(world):
    """ACC-9, ACC-10: every role in the school — staff, parent, student, several roles at once."""
    for user in (world.alice, world.carol, world.pat, world.sam, world.admin):
        assert refusal(world, user) is None, user
    credentials.reset_check(school=world.school, user=world.carol)  # does not raise


def test_a_login_with_a_role_in_another_school_is_not(world):
    """ACC-9, ACC-10: a role in any other school — staff there or a parent there — refuses, naming
    the school and the roles; the other school may not reset it either."""
    two = other_school()
    join_as_staff(world.alice, two)
    join_as_parent(world.pat, two)
    assert refusal(world, world.alice).startswith(
        "Эта учётная запись есть и в другой школе: «Школа № 2» (администратор журнала)."
    )
    assert "«Школа № 2» (родитель)" in refusal(world, world.pat)
    assert "«Школа № 1» (учитель)" in credentials.reset_refusal(school=two.school, user=world.alice)
    with pytest.raises(credentials.ResetRefused):
        credentials.reset_check(school=world.school, user=world.alice)


def test_a_municipal_coordinator_is_not(world):
    """ACC-9, ACC-10: a coordinator works in every school of the municipality, even with all her
    memberships in one school."""
    coordinator_of(world.director, world.school)
    assert "муниципальный координатор (Тестовый район)" in refusal(world, world.director)


@pytest.mark.parametrize("flags", [{"is_superuser": True, "is_staff": True}, {"is_staff": True}])
def test_a_server_account_is_not(world, flags):
    """ACC-9, ACC-10: a superuser or a staff login — even one with a role in the school only."""
    user = f.UserFactory(username="server", **flags)
    f.add_role(user, world.school, Role.TEACHER)
    assert "служебная учётная запись сервера" in refusal(world, user)
    assert credentials.reset_state(school=world.school, user=user, purpose="recovery").requestable is False


def test_a_login_without_a_role_in_the_school_is_not(world):
    """ACC-9: no role here (only bound to a person of the school, or nothing at all)."""
    stranger = f.UserFactory(username="stranger")
    assert "нет ролей в вашей школе" in refusal(world, stranger)


def test_the_admin_password_form_refuses_a_shared_login(world, client_for):
    """ACC-9: the journal administrator opens the admin's password form of a login that is also
    school 2's administrator: refused with the rule's message, the password unchanged; a login of
    her school only still gets its new password there."""
    two = other_school()
    join_as_staff(world.alice, two)
    admin = client_for(world.admin)
    url = reverse("admin:auth_user_password_change", args=[world.alice.pk])
    new = {"password1": "Nowy-parol-2026", "password2": "Nowy-parol-2026", "usable_password": "true"}
    response = admin.post(url, new)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:accounts_user_change", args=[world.alice.pk])
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown == [refusal(world, world.alice) + " Запрос — в разделе «Доступ» → «Запросы на сброс пароля»."]
    world.alice.refresh_from_db()
    assert world.alice.check_password(f.PASSWORD)

    response = admin.post(reverse("admin:auth_user_password_change", args=[world.bob.pk]), new)
    assert response.status_code == 302
    world.bob.refresh_from_db()
    assert world.bob.check_password("Nowy-parol-2026")


def test_the_admin_asks_the_same_rule(world, client_for, monkeypatch):
    """ACC-9: the admin has no copy of the rule: what credentials.reset_refusal answers is what it
    does (here the rule is made to refuse Bob, a login of the school only)."""
    monkeypatch.setattr(
        credentials, "reset_refusal", lambda *, school, user: "Проверка правила." if user == world.bob else None
    )
    admin = client_for(world.admin)
    response = admin.post(
        reverse("admin:auth_user_password_change", args=[world.bob.pk]),
        {"password1": "Nowy-parol-2026", "password2": "Nowy-parol-2026", "usable_password": "true"},
    )
    assert [str(m) for m in get_messages(response.wsgi_request)][0].startswith("Проверка правила.")
    world.bob.refresh_from_db()
    assert world.bob.check_password(f.PASSWORD)
    page = admin.get(reverse("admin:accounts_user_change", args=[world.bob.pk]))
    assert page.status_code == 200 and 'name="last_name"' not in page.content.decode()  # view only


def test_the_superuser_resets_a_shared_login_in_the_admin(world, client_for):
    """ACC-9: the server's system administrator is where the request goes: he changes the password of
    a shared login himself."""
    join_as_staff(world.alice, other_school())
    root = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    response = client_for(root).post(
        reverse("admin:auth_user_password_change", args=[world.alice.pk]),
        {"password1": "Nowy-parol-2026", "password2": "Nowy-parol-2026", "usable_password": "true"},
    )
    assert response.status_code == 302
    world.alice.refresh_from_db()
    assert world.alice.check_password("Nowy-parol-2026")
