"""Concurrent writers of one school take their places in its chain one after another: no link is
lost, none is taken twice, the chain does not fork (ARC-1, ARC-8).

Needs real concurrent connections and row locks, so it runs on PostgreSQL only (SQLite serialises
every writer on the whole database anyway)."""

import datetime as dt
import threading

import pytest
from django.db import connection

from apps.audit import services as audit
from apps.audit.models import ChainHead, Entry
from apps.audit.verify import verify_school
from apps.journal import services as js
from apps.journal.models import Mark
from tests import factories as f

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent row locks need PostgreSQL; SQLite has one writer"
    ),
    pytest.mark.django_db(transaction=True),
]

THREADS, PER_THREAD = 4, 25


def run_in_threads(work):
    """Run work(index) in THREADS threads started together, each with its own connection."""
    barrier = threading.Barrier(THREADS)
    errors = []

    def target(index):
        try:
            barrier.wait()
            work(index)
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors


def assert_single_line(school):
    entries = list(Entry.objects.filter(school=school).order_by("seq").values_list("seq", "prev_hash", "hash"))
    assert [seq for seq, _prev, _hash in entries] == list(range(1, len(entries) + 1))
    prevs = [prev for _seq, prev, _hash in entries]
    assert len(set(prevs)) == len(prevs), "two entries link to the same predecessor: the chain forked"
    assert prevs == [audit.GENESIS] + [h for _seq, _prev, h in entries[:-1]]
    head = ChainHead.objects.get(school=school)
    assert (head.seq, head.last_hash) == (entries[-1][0], entries[-1][2])
    return entries


def test_concurrent_appends_to_a_new_chain_form_one_line():
    """ARC-1: four writers appending 25 entries each to a school whose chain does not exist yet
    (they race to create its head) produce entries 1..100, each linked to the one before."""
    school = f.SchoolFactory(short_name="Школа № 7")

    def work(index):
        for i in range(PER_THREAD):
            audit.append(
                school.pk,
                [
                    audit.Change(
                        school_id=school.pk,
                        author_id=None,
                        action="create",
                        object_type="probe",
                        object_id=index * 1000 + i,
                        old=None,
                        new={"writer": index, "n": i},
                    )
                ],
            )

    run_in_threads(work)
    entries = assert_single_line(school)
    assert len(entries) == THREADS * PER_THREAD
    assert set(Entry.objects.filter(school=school).values_list("object_id", flat=True)) == {
        index * 1000 + i for index in range(THREADS) for i in range(PER_THREAD)
    }
    assert verify_school(school).chain_ok


def test_concurrent_grid_saves_of_one_school_keep_the_chain_and_the_data(world):
    """ARC-1: four teachers' saves landing at the same moment in one school are all logged in one
    unbroken chain, and the data match the log."""
    lessons = [
        js.lesson_create(
            journal=world.journal, date=dt.date(2026, 9, 1) + dt.timedelta(days=d), number=1, author=world.alice
        )
        for d in range(PER_THREAD)
    ]
    students = world.students_5a[:THREADS]

    def work(index):
        for i, lesson in enumerate(lessons):
            result = js.journal_save(
                journal=world.journal,
                author=world.alice,
                cells=[{"lesson": lesson.pk, "student": students[index].pk, "value": "5" if i % 2 else "4"}],
            )
            assert result.ok, result.cells

    run_in_threads(work)
    entries = assert_single_line(world.school)
    assert len(entries) == len(lessons) + THREADS * PER_THREAD
    assert Mark.objects.count() == THREADS * PER_THREAD
    result = verify_school(world.school)
    assert result.ok, (result.chain_problem, result.data_problems)
