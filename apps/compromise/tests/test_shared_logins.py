"""Compromise of a login that also belongs to another school (issue 11): reporting stays possible
(it only protects) and each school of the login finds its case; the temporary password — which
opens every school of the login — needs the escalation, like a recovery code."""

from django.urls import reverse

from apps.accounts.models import CredentialResetRequest
from apps.compromise.models import CompromiseReport, PasswordChangeRequired
from apps.diary.tests.helpers import page_text
from tests import factories as f
from tests.shared_logins import join_as_staff, other_school, signed_in_with


def report(client, user):
    response = client.post(reverse("compromise:report"), {"user": user.pk, "moment": "2026-11-20T09:00", "note": ""})
    assert response.status_code == 302, page_text(response)
    return CompromiseReport.objects.get(user=user, school=response.wsgi_request.school)


def test_the_temporary_password_of_a_shared_login_is_refused(world, client_for):
    """ACC-10: the attack through «Компрометация»: school 1's administrator reports Alice (also
    school 2's administrator) and asks for the temporary password to sign in as her and switch to
    school 2. The report is accepted — Alice's sessions end, her password is off — but no password
    is issued: the case says why and where the request goes; Alice's account stays closed."""
    two = other_school()
    join_as_staff(world.alice, two)
    admin = client_for(world.admin)
    case = report(admin, world.alice)

    response = admin.post(reverse("compromise:password", args=[case.pk]), follow=True)

    text = page_text(response)
    assert "Эта учётная запись есть и в другой школе: «Школа № 2» (администратор журнала)" in text
    assert "Временный пароль выдан" not in text and "password" not in response.context
    assert "Направить запрос на сброс пароля" in text
    world.alice.refresh_from_db()
    assert not world.alice.has_usable_password()
    assert not PasswordChangeRequired.objects.exists()
    case.refresh_from_db()
    assert case.password_issued_at is None


def test_the_report_reaches_the_other_schools_queue(world, client_for):
    """ACC-10: the report made in school 1 opens a case in school 2 as well; school 2's administrator
    finds it in her list, with the school it came from."""
    two = other_school()
    join_as_staff(world.alice, two)
    report(client_for(world.admin), world.alice)
    there = CompromiseReport.objects.get(user=world.alice, school=two.school)
    assert there.reported_in == world.school and there.reported_by == world.admin
    listed = page_text(client_for(two.admin).get(reverse("compromise:list")))
    assert "Алексеева Алла (alice)" in listed and "из школы «Школа № 1»" in listed
    # School 2 cannot open it alone either: Alice also holds a role in school 1.
    response = client_for(two.admin).post(reverse("compromise:password", args=[there.pk]), follow=True)
    assert "Эта учётная запись есть и в другой школе: «Школа № 1»" in page_text(response)
    world.alice.refresh_from_db()
    assert not world.alice.has_usable_password()


def test_the_temporary_password_after_the_other_schools_approval(world, client_for):
    """ACC-10: school 1 asks from the case, school 2's administrator approves; the temporary
    password is issued once — a second one needs a new request."""
    two = other_school()
    join_as_staff(world.alice, two)
    admin = client_for(world.admin)
    case = report(admin, world.alice)
    response = admin.post(
        reverse("registration:reset_new"),
        {"user": world.alice.pk, "purpose": "temporary", "reason": "Сообщение о компрометации, владелец у меня"},
    )
    req = CredentialResetRequest.objects.get()
    assert response.status_code == 302 and req.purpose == "temporary"
    client_for(two.admin).post(reverse("registration:reset", args=[req.pk]), {"decision": "approve"})
    req.refresh_from_db()
    assert req.status == "approved"

    page = admin.post(reverse("compromise:password", args=[case.pk]))
    assert page.status_code == 200
    temporary = page.context["password"]
    assert signed_in_with("alice", temporary) is not None
    req.refresh_from_db()
    assert (req.status, req.used_by) == ("used", world.admin)

    again = admin.post(reverse("compromise:password", args=[case.pk]), follow=True)
    assert "Временный пароль выдан" not in page_text(again)
    assert signed_in_with("alice", temporary) is not None  # the first password still stands


def test_a_recovery_approval_does_not_issue_a_temporary_password(world, client_for):
    """ACC-10: an approval is for what was asked: a request for a recovery code does not open the
    temporary password."""
    two = other_school()
    join_as_staff(world.alice, two)
    admin = client_for(world.admin)
    case = report(admin, world.alice)
    admin.post(
        reverse("registration:reset_new"), {"user": world.alice.pk, "purpose": "recovery", "reason": "заявление"}
    )
    root = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    client_for(root).post(
        reverse("registration:reset", args=[CredentialResetRequest.objects.get().pk]), {"decision": "approve"}
    )
    admin.post(reverse("compromise:password", args=[case.pk]))
    world.alice.refresh_from_db()
    assert not world.alice.has_usable_password()
