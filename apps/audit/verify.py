"""Verifying the change log (ARC-1, ARC-8): is each school's chain whole, and does the data
still say what the log says?

Two checks per school, both streaming (memory stays flat however long the chain is):

1. The chain. Entries are read in `seq` order and every link is checked: seq runs 1..N with no
   gap or duplicate, each hash recomputes from the entry's content, each `prev_hash` is the
   previous entry's hash (the first one's is GENESIS), and the ChainHead holds the last seq and
   hash (so cutting entries off the end is found too). The first broken link is reported.
2. The data. For every tracked object type (apps.audit.registry), the last logged state of
   each object is merged, by id, with the rows of its table as they are now: a row whose
   snapshot differs, a row that is gone although the log never deleted it, and a row the log
   has never seen are reported — changes made behind the application's back, even when the
   chain itself is intact.

On PostgreSQL each school is read in one REPEATABLE READ, READ ONLY transaction, so writes that
happen during the run cannot look like tampering. SQLite has no such cheap snapshot without
blocking writers (the project opens transactions with BEGIN IMMEDIATE): a difference found
while the journal is in use should be confirmed by running the check again.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection, transaction
from django.utils.translation import gettext as _

from apps.schools.models import School

from .models import ChainHead, Entry
from .registry import TRACKED, Tracked
from .services import GENESIS, entry_hash

CHAIN_FIELDS = (
    "id",
    "seq",
    "at",
    "author_id",
    "action",
    "object_type",
    "object_id",
    "journal_id",
    "lesson_id",
    "student_id",
    "old",
    "new",
    "prev_hash",
    "hash",
)

# Kinds of problems.
GAP, DUPLICATE, HASH, LINK, HEAD = "gap", "duplicate", "hash", "link", "head"
ALTERED, DELETED, INSERTED = "altered", "deleted", "inserted"


@dataclass
class Problem:
    kind: str
    message: str  # Russian, without the school's name
    seq: int | None = None
    entry_id: int | None = None
    object_type: str | None = None
    object_id: int | None = None


@dataclass
class SchoolResult:
    school_id: int
    school_name: str
    entries: int = 0  # entries read before the chain check stopped (all of them when whole)
    chain_problem: Problem | None = None
    data_problems: list[Problem] = field(default_factory=list)  # the first few per object type
    data_counts: dict[str, Counter] = field(default_factory=dict)  # object type → kind → count

    @property
    def chain_ok(self) -> bool:
        return self.chain_problem is None

    @property
    def data_ok(self) -> bool:
        return not any(sum(c.values()) for c in self.data_counts.values())

    @property
    def ok(self) -> bool:
        return self.chain_ok and self.data_ok


@dataclass
class VerifyResult:
    schools: list[SchoolResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.schools)

    @property
    def entries(self) -> int:
        return sum(s.entries for s in self.schools)


def verify_changelog(*, school_id: int | None = None, chunk_size: int = 2000, examples: int = 5) -> VerifyResult:
    """Verify every school (or one). Raises School.DoesNotExist for an unknown school id."""
    schools = School.objects.order_by("pk")
    if school_id is not None:
        schools = [School.objects.get(pk=school_id)]
    result = VerifyResult()
    for school in schools:
        result.schools.append(verify_school(school, chunk_size=chunk_size, examples=examples))
    return result


def verify_school(school: School, *, chunk_size: int = 2000, examples: int = 5) -> SchoolResult:
    result = SchoolResult(school_id=school.pk, school_name=str(school))
    with _consistent_read():
        check_chain(result, chunk_size=chunk_size)
        check_data(result, chunk_size=chunk_size, examples=examples)
    return result


@contextmanager
def _consistent_read():
    """One snapshot for the whole school on PostgreSQL (and true server-side cursors)."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    else:
        yield


# ---------------------------------------------------------------------------------------------
# 1. The chain


def check_chain(result: SchoolResult, *, chunk_size: int = 2000) -> None:
    school_id = result.school_id
    head = ChainHead.objects.filter(school_id=school_id).values_list("seq", "last_hash").first()
    entries = (
        Entry.objects.filter(school_id=school_id)
        .order_by("seq")
        .values_list(*CHAIN_FIELDS)
        .iterator(chunk_size=chunk_size)
    )
    expected, prev = 1, GENESIS
    for (
        pk,
        seq,
        at,
        author_id,
        action,
        object_type,
        object_id,
        journal_id,
        lesson_id,
        student_id,
        old,
        new,
        prev_hash,
        digest,
    ) in entries:
        where = {"seq": seq, "id": pk}
        if seq < expected:
            result.chain_problem = Problem(
                DUPLICATE, _("запись №%(seq)d (id %(id)d) повторяется") % where, seq=seq, entry_id=pk
            )
            return
        if seq > expected:
            if seq == expected + 1:
                message = _("пропущена запись №%(seq)d") % {"seq": expected}
            else:
                message = _("пропущены записи №%(first)d–№%(last)d") % {"first": expected, "last": seq - 1}
            result.chain_problem = Problem(GAP, message, seq=expected)
            return
        recomputed = entry_hash(
            school_id=school_id,
            seq=seq,
            at=at,
            author_id=author_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            journal_id=journal_id,
            lesson_id=lesson_id,
            student_id=student_id,
            old=old,
            new=new,
            prev_hash=prev_hash,
        )
        if recomputed != digest:
            result.chain_problem = Problem(
                HASH, _("запись №%(seq)d (id %(id)d): хеш не совпадает — запись изменена") % where, seq=seq, entry_id=pk
            )
            return
        if prev_hash != prev:
            result.chain_problem = Problem(
                LINK,
                _(
                    "запись №%(seq)d (id %(id)d): ссылка на предыдущую запись не совпадает — "
                    "цепочка разорвана или запись подменена"
                )
                % where,
                seq=seq,
                entry_id=pk,
            )
            return
        result.entries += 1
        expected, prev = seq + 1, digest

    last_seq = expected - 1
    if head is None:
        if last_seq:
            result.chain_problem = Problem(
                HEAD, _("голова цепочки не совпадает: её нет, а записей %(n)d") % {"n": last_seq}, seq=last_seq
            )
        return
    head_seq, head_hash = head
    if head_seq != last_seq:
        result.chain_problem = Problem(
            HEAD,
            _("голова цепочки не совпадает: в голове запись №%(head)d, последняя запись в журнале №%(last)d")
            % {"head": head_seq, "last": last_seq},
            seq=last_seq,
        )
    elif head_hash != prev:
        result.chain_problem = Problem(
            HEAD,
            _("голова цепочки не совпадает: хеш в голове не равен хешу последней записи №%(last)d")
            % {"last": last_seq},
            seq=last_seq,
        )


# ---------------------------------------------------------------------------------------------
# 2. The data against the log


def check_data(result: SchoolResult, *, chunk_size: int = 2000, examples: int = 5) -> None:
    primary_of: dict[str, str] = {}  # model path → the first object type registered for it
    for tracked in TRACKED.values():
        primary_of.setdefault(tracked.model_path, tracked.object_type)
    for tracked in TRACKED.values():
        counts: Counter = Counter()
        shown = 0
        facet = primary_of[tracked.model_path] != tracked.object_type
        for problem in _compare(result.school_id, tracked, facet=facet, chunk_size=chunk_size):
            counts[problem.kind] += 1
            if shown < examples:
                result.data_problems.append(problem)
                shown += 1
        result.data_counts[tracked.object_type] = counts


def _compare(school_id: int, tracked: Tracked, *, facet: bool, chunk_size: int) -> Iterator[Problem]:
    """Merge the last logged state of each object with the rows, both by id, ascending.

    A facet is a second object type kept on the same row (homework on the lesson): it is logged
    only when it changes, so a row without entries of its own must still hold the state of a
    freshly created row, and whether the row should exist at all is the primary type's concern.
    """
    model = apps.get_model(tracked.model_path)
    label = _(tracked.label)
    fresh = tracked.snapshot(model()) if facet else None
    logged_iter = _last_states(school_id, tracked.object_type, chunk_size)
    rows_iter = model._default_manager.filter(school_id=school_id).order_by("pk").iterator(chunk_size=chunk_size)
    logged, row = next(logged_iter, None), next(rows_iter, None)
    while logged is not None or row is not None:
        if row is None or (logged is not None and logged[0] < row.pk):
            # Logged, but no row.
            object_id, action, _new = logged
            logged = next(logged_iter, None)
            if action != Entry.Action.DELETE and not facet:
                yield Problem(
                    DELETED,
                    _("%(what)s id %(id)d: нет в базе, хотя в журнале изменений удаления нет")
                    % {"what": label, "id": object_id},
                    object_type=tracked.object_type,
                    object_id=object_id,
                )
            continue
        object_id, current = row.pk, tracked.snapshot(row)
        if logged is None or object_id < logged[0]:
            # A row the log has never seen.
            row = next(rows_iter, None)
            if facet:
                if current != fresh:
                    yield _altered(tracked, label, object_id, fresh, current)
            else:
                yield Problem(
                    INSERTED,
                    _("%(what)s id %(id)d: есть в базе, но не записано в журнал изменений")
                    % {"what": label, "id": object_id},
                    object_type=tracked.object_type,
                    object_id=object_id,
                )
            continue
        _object_id, action, new = logged
        logged, row = next(logged_iter, None), next(rows_iter, None)
        if action == Entry.Action.DELETE:
            if not facet:
                yield Problem(
                    INSERTED,
                    _("%(what)s id %(id)d: есть в базе, хотя в журнале изменений записано удаление")
                    % {"what": label, "id": object_id},
                    object_type=tracked.object_type,
                    object_id=object_id,
                )
        elif new != current:
            yield _altered(tracked, label, object_id, new, current)


def _altered(tracked: Tracked, label: str, object_id: int, logged: dict | None, current: dict) -> Problem:
    logged = logged or {}
    diffs = [
        _("%(field)s: по журналу %(logged)s, в базе %(current)s")
        % {"field": key, "logged": _show(logged.get(key)), "current": _show(current.get(key))}
        for key in sorted(set(logged) | set(current))
        if logged.get(key) != current.get(key)
    ]
    return Problem(
        ALTERED,
        _("%(what)s id %(id)d: в базе не то, что записано в журнале изменений (%(diff)s)")
        % {"what": label, "id": object_id, "diff": "; ".join(diffs)},
        object_type=tracked.object_type,
        object_id=object_id,
    )


def _show(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return f"«{value[:60]}»" + ("…" if len(value) > 60 else "")
    return json.dumps(value, ensure_ascii=False)


def _last_states(school_id: int, object_type: str, chunk_size: int) -> Iterator[tuple[int, str, dict | None]]:
    """(object id, last action, last logged state) per object, by object id ascending.

    Reads the (school, object_type, object_id, seq) index forwards and keeps the last entry of
    each object's run.
    """
    rows = (
        Entry.objects.filter(school_id=school_id, object_type=object_type)
        .order_by("object_id", "seq")
        .values_list("object_id", "action", "new")
        .iterator(chunk_size=chunk_size)
    )
    last = None
    for row in rows:
        if last is not None and row[0] != last[0]:
            yield last
        last = row
    if last is not None:
        yield last
