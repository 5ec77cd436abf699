"""Compromised credentials (ACC-10): report, revert, issue a temporary password.

Reporting (`compromise_report`) at once makes the password unusable — which by itself
invalidates every Django session of the account, since the session carries a hash of the
password — and also deletes the account's sessions from the store; one case per school of the
account is opened, since each school's administrator reviews the operations in his school.

Reverting (`compromise_revert`, on the administrator's confirmation) puts back every journal
record the account changed in the school between the reported moment and the report, unless
somebody else — or the account's owner after the report — changed that record after the forged
operation: such records are left alone and reported («изменено позже — не откатывается, проверьте
вручную»), so a teacher's legitimate corrections are never lost. Each revert goes through
apps.journal.restore (logged in the change log, author = the confirming administrator); the case
keeps, per operation, what was done and which change-log entry did it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from importlib import import_module

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts import credentials
from apps.accounts.models import Membership
from apps.audit.models import ChainHead, Entry
from apps.journal import restore
from apps.journal.locking import lock_journals
from apps.journal.models import Attendance, Lesson, Mark, PeriodMark
from apps.journal.snapshots import (
    attendance_snapshot,
    homework_snapshot,
    lesson_snapshot,
    mark_snapshot,
    period_mark_snapshot,
)

from .models import CompromiseItem, CompromiseReport, PasswordChangeRequired

JOURNAL_TYPES = ("mark", "attendance", "period_mark", "lesson", "homework")
Result = CompromiseItem.Result


class CompromiseError(ValidationError):
    """Refused; the message is for the user, in Russian."""


# ---------------------------------------------------------------------------------------------
# Reporting


def compromise_report(*, user, moment, reported_by, school, note: str = "") -> list[CompromiseReport]:
    """Report `user`'s credentials compromised since `moment`: sessions end, the password becomes
    unusable, and a case opens in `school` and in every other school where the account has a role.
    Returns the cases, the one of `school` (None: only the schools of the account's roles) first.

    Allowed for a login shared with other schools too (issue 11): it only protects — nobody gets
    in with an unusable password — and each of those schools finds its own case in its list, with
    the school it was reported from. Opening the account again (the temporary password) is what
    needs the escalation: temporary_password_issue."""
    now = timezone.now()
    if moment > now:
        raise CompromiseError(_("Момент компрометации не может быть в будущем."))
    if user.is_superuser:
        raise CompromiseError(_("Учётную запись суперпользователя так отметить нельзя."))
    first = [school.pk] if school is not None else []
    schools = first + sorted(set(Membership.objects.filter(user=user).values_list("school_id", flat=True)) - set(first))
    with transaction.atomic():
        user.set_unusable_password()
        user.save(update_fields=["password"])
        # A temporary password issued before is void as well: only a new one opens the account.
        PasswordChangeRequired.objects.filter(user=user).delete()
        reports = [
            CompromiseReport.objects.create(
                school_id=school_id,
                user=user,
                reported_by=reported_by,
                reported_in=school,
                moment=moment,
                reported_at=now,
                note=note,
            )
            for school_id in schools
        ]
        sessions_end(user)
    return reports


def sessions_end(user) -> int:
    """Delete every stored session of the user (their browsers are signed out at once)."""
    ended = 0
    try:
        from apps.security.services import sessions_end_all
    except ImportError:  # the security app keeps the list of sessions; without it, sweep the store
        sessions_end_all = None
    if sessions_end_all is not None:
        ended += sessions_end_all(user=user)
    engine = import_module(settings.SESSION_ENGINE)
    store = getattr(engine, "SessionStore", None)
    if store is None or not hasattr(store, "get_model_class"):
        return ended  # a cache or cookie store: the password hash already invalidates those sessions
    model = store.get_model_class()
    owner = str(user.pk)
    doomed = []
    for session in model.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=2000):
        if session.get_decoded().get("_auth_user_id") == owner:
            doomed.append(session.session_key)
    for key in doomed:
        store().delete(key)  # the store's own delete: a cached_db session leaves the cache too
    return ended + len(doomed)


# ---------------------------------------------------------------------------------------------
# What the account did, and what reverting would do


def operations(report: CompromiseReport):
    """The journal operations made with the account in the case's school from the reported moment
    until the report (later ones were made after the password was reset: legitimate)."""
    return (
        Entry.objects.filter(
            school_id=report.school_id,
            author_id=report.user_id,
            at__gte=report.moment,
            at__lte=report.reported_at,
            object_type__in=JOURNAL_TYPES,
        )
        .select_related("author")
        .order_by("seq")
    )


@dataclass
class Group:
    """The forged operations on one record, and the state the record had before the first."""

    object_type: str
    object_id: int
    entries: list[Entry] = field(default_factory=list)
    result: str = Result.REVERTED
    later: Entry | None = None  # the change made after the forged operation by somebody else

    @property
    def target(self) -> dict | None:
        return self.entries[0].old

    @property
    def first_seq(self) -> int:
        return self.entries[0].seq


SNAPSHOTS = {
    "mark": (Mark, mark_snapshot),
    "attendance": (Attendance, attendance_snapshot),
    "period_mark": (PeriodMark, period_mark_snapshot),
    "lesson": (Lesson, lesson_snapshot),
    "homework": (Lesson, homework_snapshot),
}


def plan(report: CompromiseReport, entries: list[Entry] | None = None) -> list[Group]:
    """Group the operations by record and decide for each record: revert to its state before the
    first forged operation; or leave it, because a later change by somebody else (or by the owner
    after the report) touched it; or nothing to do, because it already is in that state."""
    if entries is None:
        entries = list(operations(report))
    groups: dict[tuple[str, int], Group] = {}
    for e in entries:
        groups.setdefault((e.object_type, e.object_id), Group(e.object_type, e.object_id)).entries.append(e)
    if not groups:
        return []
    forged_ids = {e.pk for e in entries}
    by_type: dict[str, set[int]] = {}
    for object_type, object_id in groups:
        by_type.setdefault(object_type, set()).add(object_id)
    touched = Q(pk__in=[])
    for object_type, ids in by_type.items():
        touched |= Q(object_type=object_type, object_id__in=ids)
    others = (
        Entry.objects.filter(touched, school_id=report.school_id, seq__gt=min(g.first_seq for g in groups.values()))
        .exclude(pk__in=forged_ids)
        .select_related("author")
        .order_by("seq")
    )
    for other in others:
        group = groups[(other.object_type, other.object_id)]
        if other.seq > group.first_seq and group.later is None:
            group.later = other
            group.result = Result.LATER

    # Records already back in their earlier state need nothing, whoever brought them back.
    current: dict[tuple[str, int], dict | None] = {}
    for object_type, ids in by_type.items():
        model, snapshot = SNAPSHOTS[object_type]
        rows = {row.pk: snapshot(row) for row in model.objects.filter(pk__in=ids, school_id=report.school_id)}
        for object_id in ids:
            current[(object_type, object_id)] = rows.get(object_id)
    for key, group in groups.items():
        if current[key] == group.target:
            group.result = Result.UNCHANGED  # whoever changed it later, it is as it was before
        if group.object_type == "homework" and group.result == Result.REVERTED and current[key] is None:
            group.result = Result.UNCHANGED  # the lesson itself is gone: nothing to put back
    # A lesson the account created is removed only if nothing stays on it.
    for group in groups.values():
        if group.object_type == "lesson" and group.result == Result.REVERTED and group.target is None:
            removed = {
                (g.object_type, g.object_id)
                for g in groups.values()
                if g.result == Result.REVERTED and g.target is None and g.object_type in ("mark", "attendance")
            }
            staying = [
                ("mark", pk) for pk in Mark.objects.filter(lesson_id=group.object_id).values_list("pk", flat=True)
            ] + [
                ("attendance", pk)
                for pk in Attendance.objects.filter(lesson_id=group.object_id).values_list("pk", flat=True)
            ]
            if any(item not in removed for item in staying):
                group.result = Result.LATER
    return sorted(groups.values(), key=lambda g: g.first_seq)


# ---------------------------------------------------------------------------------------------
# Reverting


@dataclass
class Outcome:
    reverted: int = 0
    later: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict:
        return {"reverted": self.reverted, "later": self.later, "unchanged": self.unchanged}


def compromise_revert(*, report: CompromiseReport, confirmed_by) -> Outcome:
    """Revert the case's operations (see the module's docstring). One transaction, holding the
    school's change-log lock, so no journal write of the school slips in between the check
    «changed later?» and the revert."""
    with transaction.atomic():
        report = CompromiseReport.objects.select_for_update().get(pk=report.pk)
        if report.confirmed_at is not None:
            raise CompromiseError(_("Откат по этому сообщению уже выполнен."))
        # The journals it reverts, then the chain head: the lock order of every journal writer.
        lock_journals(operations(report).values_list("journal_id", flat=True).distinct())
        ChainHead.objects.select_for_update().filter(school_id=report.school_id).first()
        groups = plan(report)
        outcome = Outcome()
        items = []
        # The latest record first: marks on a lesson the account created go before the lesson.
        for group in sorted(groups, key=lambda g: g.first_seq, reverse=True):
            result, reversion = group.result, None
            if result == Result.REVERTED:
                try:
                    with transaction.atomic():
                        change = restore.restore(
                            object_type=group.object_type,
                            school_id=report.school_id,
                            object_id=group.object_id,
                            state=group.target,
                            author=confirmed_by,
                        )
                except restore.RestoreError:
                    change, result = None, Result.LATER
                else:
                    if change is None:
                        result = Result.UNCHANGED
                    else:
                        reversion = (
                            Entry.objects.filter(
                                school_id=report.school_id, object_type=group.object_type, object_id=group.object_id
                            )
                            .order_by("-seq")
                            .first()
                        )
            for e in group.entries:
                items.append(CompromiseItem(report=report, entry=e, result=result, reversion=reversion))
                setattr(outcome, result, getattr(outcome, result) + 1)
        CompromiseItem.objects.bulk_create(items)
        report.confirmed_by, report.confirmed_at, report.outcome = confirmed_by, timezone.now(), outcome.as_dict()
        report.save(update_fields=["confirmed_by", "confirmed_at", "outcome"])
    return outcome


# ---------------------------------------------------------------------------------------------
# A new password


ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no look-alikes (l/1, o/0, i)


def temporary_password() -> str:
    groups = ["".join(secrets.choice(ALPHABET) for _ in range(4)) for _ in range(3)]
    return "-".join(groups)


def temporary_password_issue(*, report: CompromiseReport, issued_by) -> str:
    """Give the account a temporary password (shown once to the administrator, who hands it
    over); the owner must replace it at the first sign-in. Only for a login whose every role is in
    the case's school, or under an approved request (apps.accounts.credentials, issue 11): the
    password opens every school of the login."""
    password = temporary_password()
    now = timezone.now()
    with transaction.atomic():
        user = report.user
        credentials.reset_authorize(
            school=report.school, user=user, purpose=credentials.Purpose.TEMPORARY_PASSWORD, by=issued_by
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        PasswordChangeRequired.objects.update_or_create(user=user, defaults={"since": now, "set_by": issued_by})
        CompromiseReport.objects.filter(user=user, password_issued_at__isnull=True).update(
            password_issued_by=issued_by, password_issued_at=now
        )
        sessions_end(user)
    return password


def password_change_done(*, user) -> None:
    PasswordChangeRequired.objects.filter(user=user).delete()
