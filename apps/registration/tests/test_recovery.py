"""Lost password (ACC-9): a one-time recovery code issued on a written application — by the
administrator for staff, by the class teacher for her class's families — and a reset link by
e-mail, sent only to an address the user confirmed."""

import re

from django.test import Client
from django.urls import reverse

from apps.people.models import Guardian
from apps.registration.models import AccessCode
from tests import factories as f

from .helpers import PASSWORD, issue, new_parent, page_text


def recover(code, password=PASSWORD):
    return Client().post(reverse("registration:recover"), {"code": code, "password1": password, "password2": password})


def test_recovery_code_sets_a_new_password_once(world, client_for):
    """ACC-9: the class teacher issues a recovery code for a parent of her class; with it the parent
    sets a new password (the old one and the other sessions stop working); the code works once."""
    signed_in = client_for(world.pat)
    pat_guardian = Guardian.objects.get(user=world.pat)
    code, page = issue(client_for(world.carol), "guardian", pat_guardian.pk, purpose="recovery")
    assert "Код восстановления пароля" in page_text(page) and "Действует до 23.11.2026" in page_text(page)

    response = recover(code)
    assert "Ваше имя пользователя: pat" in page_text(response)
    client = Client()
    assert client.login(username="pat", password=PASSWORD)
    assert not Client().login(username="pat", password=f.PASSWORD)
    assert signed_in.get(reverse("diary:index")).status_code == 302  # the old session is over
    assert "Этот код уже использован" in page_text(recover(code, "Другой-пароль-2026"))


def test_who_issues_recovery_codes(world, client_for):
    """ACC-9, ACC-3: staff recover through the administrator, families through their class teacher;
    a person without an account gets an invitation instead."""
    carol, admin = client_for(world.carol), client_for(world.admin)
    url = reverse("registration:code_issue", args=["staff", world.alice_staff.pk]) + "?purpose=recovery"
    assert carol.get(url).status_code == 404
    code, _page = issue(admin, "staff", world.alice_staff.pk, purpose="recovery")
    assert AccessCode.objects.get().user == world.alice
    quinn_guardian = Guardian.objects.get(user=world.quinn)
    issue(carol, "guardian", quinn_guardian.pk, purpose="recovery")
    other = new_parent(world, world.students_5b[0], last="Чужой")
    other.user = f.UserFactory(username="other")
    other.save(update_fields=["user"])
    assert (
        carol.get(reverse("registration:code_issue", args=["guardian", other.pk]) + "?purpose=recovery").status_code
        == 404
    )
    no_account = new_parent(world, world.boris)
    response = carol.post(
        reverse("registration:code_issue", args=["guardian", no_account.pk]),
        {"purpose": "recovery", "handed_over": "paper"},
    )
    assert "ещё нет учётной записи: выдайте пригласительный код" in page_text(response)


def test_an_invitation_is_not_a_recovery_code(world, client_for):
    """ACC-9: each code goes to its own page, and the person is told which."""
    code, _page = issue(client_for(world.carol), "student", world.boris.pk)
    assert "Это пригласительный код" in page_text(recover(code))
    pat_guardian = Guardian.objects.get(user=world.pat)
    recovery, _page = issue(client_for(world.carol), "guardian", pat_guardian.pk, purpose="recovery")
    response = Client().post(reverse("registration:register"), {"code": recovery})
    assert "Это код восстановления пароля" in page_text(response)


def link_in(letter) -> str:
    return re.search(r"https?://testserver(/\S+)", letter.body).group(1)


def test_password_reset_by_confirmed_email(world, client_for, mailoutbox):
    """ACC-9: an address works for recovery only once confirmed by the link sent to it; then the
    reset letter arrives and its link sets a new password."""
    pat = client_for(world.pat)
    response = pat.post(reverse("registration:email"), {"email": "pat@example.org"})
    assert response.status_code == 302
    (confirmation,) = mailoutbox
    assert confirmation.to == ["pat@example.org"]

    reset = reverse("registration:password_reset")
    Client().post(reset, {"email": "pat@example.org"})
    assert len(mailoutbox) == 1  # not confirmed yet: no letter

    confirm_url = link_in(confirmation)
    assert "Подтвердить адрес pat@example.org" in page_text(pat.get(confirm_url))
    pat.post(confirm_url)
    assert "Подтверждён адрес pat@example.org" in page_text(pat.get(reverse("registration:email")))

    response = Client().post(reset, {"email": "PAT@example.org"})
    assert response["Location"] == reverse("registration:password_reset_done")
    letter = mailoutbox[-1]
    assert letter.to == ["pat@example.org"] and "pat" in letter.body
    client = Client()
    form = client.get(link_in(letter), follow=True)
    assert "Новый пароль" in page_text(form)
    done = client.post(form.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert done["Location"] == reverse("registration:password_reset_complete")
    assert Client().login(username="pat", password=PASSWORD)


def test_no_reset_letter_to_an_unconfirmed_address(world, mailoutbox):
    """ACC-9: an address merely written into the account (not confirmed) gets no reset letter."""
    world.quinn.email = "quinn@example.org"
    world.quinn.save(update_fields=["email"])
    Client().post(reverse("registration:password_reset"), {"email": "quinn@example.org"})
    assert mailoutbox == []
