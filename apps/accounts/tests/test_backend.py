"""The session's user with his memberships in one statement (apps.accounts.backends, issue 5)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.backends import ModelBackend, user_with_memberships
from apps.accounts.models import Role
from tests import factories as f


def test_user_and_memberships_in_one_statement(world, django_assert_num_queries):
    """ACC-2: the user of a session comes with every membership, its school and the school's role
    rights — one statement for all of it; the roles are the user's own."""
    with django_assert_num_queries(1):
        user = user_with_memberships(world.carol.pk)
        roles = sorted((m.school.short_name, m.role) for m in user._memberships)
        overrides = [
            m.school.role_rights.overrides if hasattr(m.school, "role_rights") else {} for m in user._memberships
        ]
    assert user == world.carol and user.get_session_auth_hash() == world.carol.get_session_auth_hash()
    assert roles == [("Школа № 1", Role.CLASS_TEACHER), ("Школа № 1", Role.TEACHER)]
    assert overrides == [{}, {}]
    lonely = f.UserFactory(username="lonely")
    assert user_with_memberships(lonely.pk)._memberships == []


@pytest.mark.parametrize("bad", [None, "", "x", "0", "-5", str(2**63), "999999"])
def test_a_session_naming_no_user_gives_no_user(db, bad):
    """ACC-11: a session whose user id is missing, malformed or of nobody gives no user."""
    assert ModelBackend().get_user(bad) is None


def test_an_inactive_user_is_not_the_sessions_user(world):
    """ACC-10: a deactivated account is not signed in by its old session."""
    world.alice.is_active = False
    world.alice.save(update_fields=["is_active"])
    assert ModelBackend().get_user(world.alice.pk) is None


def test_a_page_asks_for_the_memberships_with_the_user(world, client_for):
    """ACC-2: a signed-in page reads the memberships in the user's statement, not again; the
    roles still decide the page (a membership removed takes effect on the next request)."""
    client = client_for(world.alice)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("journal:list")).status_code == 200
    from_membership = [
        q for q in queries.captured_queries if q["sql"].lstrip().startswith('SELECT "accounts_membership"')
    ]
    assert from_membership == []
    world.alice.memberships.all().delete()
    assert client.get(reverse("journal:list")).status_code == 404
