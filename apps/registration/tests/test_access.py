"""Access to the requests to reset a login shared with another school (issue 11): the journal
administrators ask and decide for their school, the server's superuser sees and decides all;
everyone else gets a 404 (the admin's list: the superuser only) and changes nothing.

The scene: «twofold» teaches in this school and in the outsider's (the other school's journal
administrator); this school's administrator has asked for a recovery code for her."""

from types import SimpleNamespace

import pytest

from apps.accounts.models import CredentialResetDecision, CredentialResetRequest, Membership, Role, User
from tests import factories as f
from tests.test_access_matrix import ANON, ROLES, Latest, Row, To, run_case, scene  # noqa: F401 (fixture)

DECIDE = ("outsider", "root")  # the other school's administrator, the system administrator
SEE = {**ANON, "admin": 200, "outsider": 200, "root": 200}
TO_ADMIN_LOGIN = To("admin:login")


def ask_form(s):
    return {"user": s.twofold.pk, "purpose": "temporary", "reason": "Письменное заявление владельца"}


def asked(s, response):
    assert CredentialResetRequest.objects.filter(
        requested_by=response.wsgi_request.user, user=s.twofold, purpose="temporary", status="pending"
    ).exists()


def approve(s):
    return {"decision": "approve", "note": ""}


def approved(s, response):
    decision = CredentialResetDecision.objects.get(request=s.reset_request)
    assert decision.by == response.wsgi_request.user and decision.approved


# fmt: off
ROWS = [
    Row("registration:resets", expect=SEE),
    Row("registration:reset_new", expect={**ANON, "admin": 200, "outsider": 200},
        query={"user": "twofold", "purpose": "purpose_recovery"}),
    Row("registration:reset_new", method="POST", payload=ask_form, writers=("admin", "outsider"), done=asked,
        expect={**ANON, "admin": To("registration:reset", ("latest_request",)),
                "outsider": To("registration:reset", ("latest_request",))}),
    Row("registration:reset", ("reset_request",), expect=SEE),
    # The requester herself is sent back with the reason; the deciders register their approval.
    Row("registration:reset", ("reset_request",), method="POST", payload=approve, writers=DECIDE, done=approved,
        expect={**ANON, **dict.fromkeys(("admin", *DECIDE), To("registration:reset", ("reset_request",)))}),
    # The system administrator's list in the admin.
    Row("admin:accounts_credentialresetrequest_changelist", default=TO_ADMIN_LOGIN,
        expect={"root": 200, "admin": 403, "outsider": 403}),
    Row("admin:accounts_credentialresetrequest_change", ("reset_request",), default=TO_ADMIN_LOGIN,
        expect={"root": 200, "admin": 403, "outsider": 403}),
]
# fmt: on


@pytest.fixture
def reset_scene(scene):  # noqa: F811
    from apps.accounts import credentials

    w = scene.world
    other = Membership.objects.get(user=scene.users["outsider"]).school
    twofold = f.UserFactory(username="twofold", last_name="Двойная")
    f.StaffFactory(school=w.school, user=twofold)
    f.add_role(twofold, w.school, Role.TEACHER)
    f.add_role(twofold, other, Role.TEACHER)
    scene.twofold = twofold
    scene.reset_request = credentials.request_create(
        school=w.school, user=twofold, purpose="recovery", reason="Заявление", requested_by=w.admin
    )
    scene.latest_request = Latest("accounts.CredentialResetRequest")
    scene.purpose_recovery = SimpleNamespace(pk="recovery")
    return scene


def resets_snapshot():
    return {
        "requests": list(CredentialResetRequest.objects.order_by("pk").values_list()),
        "decisions": list(CredentialResetDecision.objects.order_by("pk").values_list()),
        "passwords": list(User.objects.order_by("pk").values_list("pk", "password")),
    }


@pytest.mark.parametrize(("row", "role"), [pytest.param(r, role, id=r.id(role)) for r in ROWS for role in ROLES])
def test_access(reset_scene, client_for, row, role):
    """ACC-9: each role gets exactly the answer of the matrix for the reset requests; a refused
    request changes no request, decision or password; a writer's request or approval is registered."""
    run_case(reset_scene, client_for, row, role, extra_snapshot=resets_snapshot)
