"""A login that also belongs to another school (issue 11): one school resets only a login whose
every role is in that school. The attacks of the issue, replayed over HTTP, are refused at their
first step; the escalation (the system administrator, or the journal administrators of every other
school of the login) lets the requesting school issue the recovery code once."""

import pytest
from django.urls import reverse

from apps.accounts.models import CredentialResetDecision, CredentialResetRequest, Role
from apps.people.models import Guardian, Staff
from apps.registration.models import AccessCode, AccessSettings
from tests import factories as f
from tests.shared_logins import (
    NEW_PASSWORD,
    coordinator_of,
    invite_signed_in,
    join_as_parent,
    join_as_staff,
    other_school,
    recover,
    signed_in_with,
    switch,
    take_over,
)

from .helpers import issue, page_text

SHARED = "Эта учётная запись есть и в другой школе: «Школа № 2»"


def issue_recovery(client, kind, pk):
    return client.post(
        reverse("registration:code_issue", args=[kind, pk]), {"purpose": "recovery", "handed_over": "in_person"}
    )


def password_unchanged(user):
    user.refresh_from_db()
    assert user.check_password(f.PASSWORD)


@pytest.fixture
def two(world):
    """Alice teaches in school 1 and is the journal administrator of school 2."""
    other = other_school()
    join_as_staff(world.alice, other)
    return other


def test_the_administrator_cannot_take_over_the_other_schools_administrator(world, two, client_for):
    """ACC-9: the journal administrator of school 1 asks for a recovery code for a teacher of her
    school whose login is school 2's administrator — the attack: reset the password, sign in,
    switch to school 2, write there. Refused at the first step, saying why and where the request
    goes; no code exists, the password is the owner's, school 2 is untouched."""
    admin = client_for(world.admin)
    page = admin.get(reverse("registration:code_issue", args=["staff", world.alice_staff.pk]) + "?purpose=recovery")
    assert SHARED in page_text(page) and 'name="handed_over"' not in page.content.decode()  # no form to submit

    def write_there(client):
        return client.post(reverse("registration:settings"), {"invitation_days": "60", "recovery_days": "30",
                           "decision_working_days": "3", "staff_account_days": "3", "staff_removal_days": "2",
                           "family_account_working_days": "10"})  # fmt: skip

    step, response = take_over(admin, "staff", world.alice_staff.pk, "alice", two.school, write_there)

    assert step == "issue"
    assert response.status_code == 200
    text = page_text(response)
    assert SHARED in text and "(администратор журнала)" in text
    assert "системный администратор сервера" in text
    assert "Направить запрос на сброс пароля" in text  # the way up, for the administrator
    assert not AccessCode.objects.filter(purpose="recovery").exists()
    password_unchanged(world.alice)
    assert not AccessSettings.objects.filter(school=two.school).exists()


def test_a_class_teacher_cannot_take_over_a_parent_of_another_school(world, client_for):
    """ACC-9: the class teacher of 5А asks for a recovery code for Pat (Anna's mother), who is also
    a parent in school 2 — the attack reads the other child's diary. Refused at the first step, and
    she is sent to her journal administrator; Pat's password stays Pat's."""
    other = other_school()
    child = join_as_parent(world.pat, other)
    carol = client_for(world.carol)
    pat_here = Guardian.objects.get(user=world.pat, school=world.school)

    step, response = take_over(
        carol, "guardian", pat_here.pk, "pat", other.school, lambda c: c.get(reverse("diary:week", args=[child.pk]))
    )

    assert step == "issue"
    text = page_text(response)
    assert "Эта учётная запись есть и в другой школе: «Школа № 2» (родитель)" in text
    assert "Обратитесь к администратору журнала вашей школы" in text
    assert "Направить запрос" not in text  # the class teacher does not escalate herself
    assert not AccessCode.objects.filter(purpose="recovery").exists()
    password_unchanged(world.pat)
    pat = signed_in_with("pat", f.PASSWORD)
    switch(pat, other.school)
    assert pat.get(reverse("diary:week", args=[child.pk])).status_code == 200  # Pat herself still reads it


def test_a_code_issued_before_the_second_school_is_refused_at_use(world, client_for):
    """ACC-9: a recovery code issued while Alice worked in school 1 only; then she enters school 2's
    invitation signed in (the role is added to her login). The code is refused when used, with the
    reason; her password stays hers."""
    code, _page = issue(client_for(world.admin), "staff", world.alice_staff.pk, purpose="recovery")
    other = other_school()
    invite_signed_in(world.alice, other)

    response = recover(code)
    text = page_text(response)
    assert "Этот код больше не действует" in text and SHARED in text
    password_unchanged(world.alice)
    assert AccessCode.objects.get(purpose="recovery").used_at is None


def test_a_code_issued_before_a_coordinator_appointment_is_refused_at_use(world, client_for):
    """ACC-9: the same when the login becomes a municipal coordinator after the code was issued."""
    code, _page = issue(client_for(world.admin), "staff", world.alice_staff.pk, purpose="recovery")
    coordinator_of(world.alice, world.school)
    text = page_text(recover(code))
    assert "Этот код больше не действует" in text and "муниципальный координатор" in text
    password_unchanged(world.alice)


def test_a_login_of_one_school_is_still_reset_by_it(world, client_for):
    """ACC-9: nothing changes for a login whose every role is in the school."""
    code, _page = issue(client_for(world.admin), "staff", world.bob_staff.pk, purpose="recovery")
    assert "Ваше имя пользователя: bob" in page_text(recover(code))
    assert signed_in_with("bob", NEW_PASSWORD) is not None


# --- The escalation -------------------------------------------------------------------------------


def ask(client, user, reason="Письменное заявление владельца от 20.11.2026: пароль утерян."):
    response = client.post(
        reverse("registration:reset_new"), {"user": user.pk, "purpose": "recovery", "reason": reason}
    )
    assert response.status_code == 302, page_text(response)
    return CredentialResetRequest.objects.latest("pk")


def decide(client, req, decision="approve", note=""):
    return client.post(reverse("registration:reset", args=[req.pk]), {"decision": decision, "note": note})


def test_the_system_administrator_approves_and_the_code_is_issued_once(world, two, client_for):
    """ACC-9: the administrator of school 1 sends the request from the refusal; the server's
    superuser finds it in the admin's list and approves; school 1 issues the code once — Alice (the
    owner, with the code) sets her password, signs in and works in school 2 — and a second code
    needs a new request."""
    admin = client_for(world.admin)
    new = admin.get(reverse("registration:reset_new") + f"?user={world.alice.pk}&purpose=recovery")
    assert new.status_code == 200 and SHARED in page_text(new)
    req = ask(admin, world.alice)
    assert (req.school, req.user, req.purpose, req.requested_by, req.status) == (
        world.school, world.alice, "recovery", world.admin, "pending"
    )  # fmt: skip
    assert issue_recovery(admin, "staff", world.alice_staff.pk).status_code == 200  # not yet

    root = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    root_client = client_for(root)
    listed = root_client.get(reverse("admin:accounts_credentialresetrequest_changelist"))
    assert reverse("registration:reset", args=[req.pk]) in listed.content.decode()
    assert decide(root_client, req).status_code == 302
    req.refresh_from_db()
    assert req.status == "approved"
    (decision,) = CredentialResetDecision.objects.filter(request=req)
    assert (decision.school, decision.by, decision.approved) == (None, root, True)

    code, _page = issue(admin, "staff", world.alice_staff.pk, purpose="recovery")
    req.refresh_from_db()
    assert (req.status, req.used_by) == ("used", world.admin)
    assert "Ваше имя пользователя: alice" in page_text(recover(code))
    alice = signed_in_with("alice", NEW_PASSWORD)
    switch(alice, two.school)
    assert alice.get(reverse("registration:settings")).status_code == 200  # her own school 2, as before

    again = issue_recovery(admin, "staff", world.alice_staff.pk)
    assert again.status_code == 200 and SHARED in page_text(again)
    assert AccessCode.objects.filter(purpose="recovery").count() == 1


def test_every_other_school_must_approve(world, client_for):
    """ACC-9: Alice holds roles in schools 2 and 3: school 2's approval alone is not enough; with
    school 3's too the code is issued, once. Each approval is registered (who, for which school,
    when)."""
    two, three = other_school(), other_school("Школа № 3", admin="admin3")
    join_as_staff(world.alice, two)
    join_as_staff(world.alice, three, role=Role.TEACHER)
    admin = client_for(world.admin)
    req = ask(admin, world.alice)

    second = client_for(two.admin)
    assert str(req.pk) in page_text(second.get(reverse("registration:resets")))
    assert "ждёт вашего решения" in page_text(second.get(reverse("registration:resets")))
    assert decide(second, req).status_code == 302
    req.refresh_from_db()
    assert req.status == "pending"
    refused = issue_recovery(admin, "staff", world.alice_staff.pk)
    assert refused.status_code == 200 and not AccessCode.objects.filter(purpose="recovery").exists()
    assert "«Школа № 3»" in page_text(client_for(world.admin).get(reverse("registration:reset", args=[req.pk])))

    third = client_for(three.admin)
    switch(third, three.school)
    assert decide(third, req).status_code == 302
    req.refresh_from_db()
    assert req.status == "approved"
    decisions = list(req.decisions.order_by("pk").values_list("school__short_name", "by__username", "approved"))
    assert decisions == [("Школа № 2", "admin2", True), ("Школа № 3", "admin3", True)]

    issue(admin, "staff", world.alice_staff.pk, purpose="recovery")
    assert issue_recovery(admin, "staff", world.alice_staff.pk).status_code == 200
    assert AccessCode.objects.filter(purpose="recovery").count() == 1


def test_a_role_added_after_the_approvals_needs_its_school_too(world, two, client_for):
    """ACC-9: school 2 approved; then Alice gets a role in school 3: the request no longer covers her."""
    admin = client_for(world.admin)
    req = ask(admin, world.alice)
    decide(client_for(two.admin), req)
    req.refresh_from_db()
    assert req.status == "approved"
    join_as_staff(world.alice, other_school("Школа № 3", admin="admin3"), role=Role.TEACHER)
    response = issue_recovery(admin, "staff", world.alice_staff.pk)
    assert response.status_code == 200 and "«Школа № 3»" in page_text(response)
    assert not AccessCode.objects.filter(purpose="recovery").exists()


def test_a_refusal_closes_the_request_and_is_kept(world, two, client_for):
    """ACC-9: school 2's administrator refuses, saying why: the request is closed and kept with the
    refusal; no code; a refusal without a reason is not accepted."""
    admin = client_for(world.admin)
    req = ask(admin, world.alice)
    second = client_for(two.admin)
    response = decide(second, req, "refuse")
    assert response.status_code == 200 and "Укажите, почему запрос отклонён" in page_text(response)
    assert decide(second, req, "refuse", "Владелец заявления не писал.").status_code == 302
    req.refresh_from_db()
    assert req.status == "refused"
    assert "Владелец заявления не писал." in page_text(admin.get(reverse("registration:reset", args=[req.pk])))
    assert issue_recovery(admin, "staff", world.alice_staff.pk).status_code == 200
    assert not AccessCode.objects.filter(purpose="recovery").exists()
    root = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    late = decide(client_for(root), req)
    assert late.status_code == 302
    req.refresh_from_db()
    assert req.status == "refused" and req.decisions.count() == 1


def test_who_may_not_decide(world, two, client_for):
    """ACC-9: the requester does not approve her own request, the owner of the login does not
    approve the reset of her own password (Alice is school 2's administrator), and a school that is
    not one of the login's does not see the request at all."""
    admin = client_for(world.admin)
    req = ask(admin, world.alice)
    decide(admin, req)
    decide(client_for(world.alice), req)  # alice is school 1's teacher: she does not even see it
    switched = client_for(world.alice)
    switch(switched, two.school)
    assert "Решение о сбросе собственного пароля принимают другие" in page_text(
        switched.post(reverse("registration:reset", args=[req.pk]), {"decision": "approve"}, follow=True)
    )
    outsider = other_school("Школа № 9", admin="admin9").admin
    assert client_for(outsider).get(reverse("registration:reset", args=[req.pk])).status_code == 404
    assert client_for(world.carol).get(reverse("registration:resets")).status_code == 404
    req.refresh_from_db()
    assert req.status == "pending" and not req.decisions.exists()


def test_a_coordinator_needs_the_system_administrator(world, client_for):
    """ACC-9: a municipal coordinator's login works in every school of the municipality: only the
    superuser's approval opens a recovery code for it."""
    coordinator_of(world.alice, world.school)
    two = other_school()  # same municipality (the factories' one): its administrator cannot approve
    join_as_staff(world.alice, two, role=Role.TEACHER)
    admin = client_for(world.admin)
    assert "муниципальный координатор" in page_text(issue_recovery(admin, "staff", world.alice_staff.pk))
    req = ask(admin, world.alice)
    response = client_for(two.admin).post(reverse("registration:reset", args=[req.pk]), {"decision": "approve"})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == "pending" and not req.decisions.exists()
    root = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    decide(client_for(root), req)
    issue(admin, "staff", world.alice_staff.pk, purpose="recovery")


def test_no_request_for_a_login_the_school_resets_itself(world, client_for):
    """ACC-9: a request is only for what the school may not do alone; a login of another school
    only is not the school's to ask about (404)."""
    admin = client_for(world.admin)
    response = admin.post(reverse("registration:reset_new"), {"user": world.bob.pk, "purpose": "recovery",
                                                                 "reason": "заявление"})  # fmt: skip
    assert "ваша школа сбрасывает сама" in page_text(response)
    stranger = other_school().admin
    url = reverse("registration:reset_new") + f"?user={stranger.pk}&purpose=recovery"
    assert admin.get(url).status_code == 404
    assert not CredentialResetRequest.objects.exists()
    assert Staff.objects.filter(user=world.bob).exists()
