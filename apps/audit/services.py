"""Appending to the change log.

Every service that changes a lesson, mark, attendance or period mark calls `record()` inside
its own transaction, so the change and its log entry commit or roll back together.

Chain: entry.hash = sha256(canonical JSON of the entry including prev_hash). Each school has
its own chain; a writer takes the next link by locking the school's ChainHead row, which
serialises writers of that school only. `batch()` collects the entries of one save and
appends them under a single lock.
"""

import datetime as dt
import hashlib
import json
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import ChainHead, Entry

GENESIS = "0" * 64
# One encoder for every link: json.dumps with options builds a new encoder per call.
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))

_batch: ContextVar[list | None] = ContextVar("audit_batch", default=None)


@dataclass
class Change:
    school_id: int
    author_id: int | None
    action: str
    object_type: str
    object_id: int
    old: dict | None
    new: dict | None
    journal_id: int | None = None
    lesson_id: int | None = None
    student_id: int | None = None
    at: datetime = field(default_factory=timezone.now)


def entry_hash(
    *,
    school_id,
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
) -> str:
    """The link's digest covers every column of the entry, including where it sits in the journal
    (journal, lesson, student), so a cell's history cannot be silently redirected."""
    payload = {
        "school": school_id,
        "seq": seq,
        "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "author": author_id,
        "action": action,
        "type": object_type,
        "id": object_id,
        "journal": journal_id,
        "lesson": lesson_id,
        "student": student_id,
        "old": old,
        "new": new,
        "prev": prev_hash,
    }
    canonical = _CANONICAL.encode(payload)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record(change: Change) -> None:
    """Log one change; inside `batch()` it is appended when the batch closes."""
    pending = _batch.get()
    if pending is not None:
        pending.append(change)
        return
    append(change.school_id, [change])


@contextmanager
def batch():
    """Collect the changes of one save and append them together. Use inside transaction.atomic."""
    parent = _batch.get()
    if parent is not None:
        # Nested batch: acts like a savepoint. Its changes join the outer batch only if the
        # block succeeds, so a rejected cell leaves no entry behind.
        token = _batch.set([])
        try:
            yield
            parent.extend(_batch.get())
        finally:
            _batch.reset(token)
        return
    token = _batch.set([])
    try:
        yield
        pending = _batch.get()
    finally:
        _batch.reset(token)
    by_school: dict[int, list[Change]] = {}
    for change in pending:
        by_school.setdefault(change.school_id, []).append(change)
    for school_id in sorted(by_school):  # fixed lock order across schools
        append(school_id, by_school[school_id])


def _lock_head(school_id: int) -> ChainHead:
    head = ChainHead.objects.select_for_update().filter(school_id=school_id).first()
    if head is not None:
        return head
    try:
        with transaction.atomic():
            ChainHead.objects.create(school_id=school_id)
    except IntegrityError:
        pass  # another writer created it first
    return ChainHead.objects.select_for_update().get(school_id=school_id)


def append(school_id: int, changes: list[Change]) -> list[Entry]:
    if not changes:
        return []
    if not transaction.get_connection().in_atomic_block:
        with transaction.atomic():
            return append(school_id, changes)
    journal_ids = sorted({ch.journal_id for ch in changes if ch.journal_id is not None})
    if journal_ids:
        # The diary's cached pages of these journals' students are stale from now (apps.diary.cache).
        # Before the chain head: the lock order of every writer is its journals (ascending), then
        # the head (apps.journal.locking), so even a writer that did not lock its journals first
        # cannot deadlock against one that did.
        from apps.journal.locking import lock_journals
        from apps.journal.models import Journal

        lock_journals(journal_ids)
        Journal.objects.filter(pk__in=journal_ids).update(version=F("version") + 1)
    head = _lock_head(school_id)
    seq, prev = head.seq, head.last_hash
    entries = []
    for ch in changes:
        seq += 1
        digest = entry_hash(
            school_id=school_id,
            seq=seq,
            at=ch.at,
            author_id=ch.author_id,
            action=ch.action,
            object_type=ch.object_type,
            object_id=ch.object_id,
            journal_id=ch.journal_id,
            lesson_id=ch.lesson_id,
            student_id=ch.student_id,
            old=ch.old,
            new=ch.new,
            prev_hash=prev,
        )
        entries.append(
            Entry(
                school_id=school_id,
                seq=seq,
                at=ch.at,
                author_id=ch.author_id,
                action=ch.action,
                object_type=ch.object_type,
                object_id=ch.object_id,
                journal_id=ch.journal_id,
                lesson_id=ch.lesson_id,
                student_id=ch.student_id,
                old=ch.old,
                new=ch.new,
                prev_hash=prev,
                hash=digest,
            )
        )
        prev = digest
    Entry.objects.bulk_create(entries, batch_size=1000)
    ChainHead.objects.filter(school_id=school_id).update(seq=seq, last_hash=prev)
    return entries
