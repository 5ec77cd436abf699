"""Signing in and the signed-in user on every request (issue 5).

`ModelBackend` is Django's, with one change: the user of a session is read together with his
memberships, their schools and the schools' role rights — one prepared statement
(apps.ops.prepared) instead of two queries on every page. CurrentSchoolMiddleware takes the
memberships from the user (`user._memberships`) instead of asking again. Signing in, passwords and
permissions are Django's own.

Sessions made before this backend existed name django.contrib.auth.backends.ModelBackend, which
is no longer in AUTHENTICATION_BACKENDS: those users sign in once more after the upgrade. (Keeping
Django's backend listed as well would hash every wrong password twice.)
"""

from __future__ import annotations

from django.contrib.auth import backends
from django.db import router

from apps.ops import prepared
from apps.rights.models import SchoolRights
from apps.schools.models import School

from .models import Membership, User

_USER_FIELDS = prepared.attnames(User)
_SCHOOL_FIELDS = prepared.attnames(School)
_RIGHTS_FIELDS = prepared.attnames(SchoolRights)

_USER = prepared.Prepared(
    "session-user",
    build=lambda user_id: User._default_manager.filter(pk=user_id).order_by("memberships__pk"),
    ids=("user_id",),
    fields=(
        *_USER_FIELDS,
        "memberships__pk",
        "memberships__role",
        *(f"memberships__school__{f}" for f in _SCHOOL_FIELDS),
        *(f"memberships__school__role_rights__{f}" for f in _RIGHTS_FIELDS),
    ),
)


def _membership_from(row, *, user_id: int, using: str, at: int) -> Membership:
    """A membership with its school and the school's rights, from the columns of `row` from `at`:
    membership id, role, the school's fields, the rights' fields (None when the school has none)."""
    n_school, n_rights = len(_SCHOOL_FIELDS), len(_RIGHTS_FIELDS)
    school = School.from_db(using, _SCHOOL_FIELDS, row[at + 2 : at + 2 + n_school])
    rights_row = row[at + 2 + n_school : at + 2 + n_school + n_rights]
    role_rights = SchoolRights.from_db(using, _RIGHTS_FIELDS, rights_row) if rights_row[0] is not None else None
    School.role_rights.related.set_cached_value(school, role_rights)
    if role_rights is not None:
        SchoolRights.school.field.set_cached_value(role_rights, school)
    membership = Membership(pk=row[at], user_id=user_id, school_id=school.pk, role=row[at + 1])
    membership._state.adding, membership._state.db = False, using
    Membership.school.field.set_cached_value(membership, school)
    return membership


def user_with_memberships(user_id) -> User | None:
    """The user and, on `user._memberships`, his memberships (one statement)."""
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    if not 0 < user_id < 2**63:
        return None
    using = router.db_for_read(User)
    rows = _USER.rows(using, user_id=user_id)
    if not rows:
        return None
    n_user = len(_USER_FIELDS)
    user = User.from_db(using, _USER_FIELDS, rows[0][:n_user])
    user._memberships = [
        _membership_from(row, user_id=user.pk, using=using, at=n_user) for row in rows if row[n_user] is not None
    ]
    return user


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id):
        user = user_with_memberships(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
