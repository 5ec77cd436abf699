"""`manage.py verify_changelog`: the chain of each school is whole and the journal's data are what
the change log says (ARC-1, ARC-8). Tampering is simulated the way an intruder with database
access would do it: raw SQL, or the ORM bypassing the services."""

import datetime as dt
import json
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from apps.audit import services as audit
from apps.audit.models import ChainHead, Entry
from apps.audit.verify import verify_changelog
from apps.journal import services as js
from apps.journal.models import Mark
from tests import factories as f

SUCCESS = "Цепочка цела, данные совпадают с журналом изменений"


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def raw_set_json(entry_id, column, value):
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    raw(f"UPDATE audit_entry SET {column} = %s{cast} WHERE id = %s", [json.dumps(value, ensure_ascii=False), entry_id])


def run(*args, **kwargs):
    """Run the command; returns (ok, stdout, stderr)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_changelog", *args, stdout=out, stderr=err, **kwargs)
    except CommandError as exc:
        err.write(str(exc))
        return False, out.getvalue(), err.getvalue()
    return True, out.getvalue(), err.getvalue()


@pytest.fixture
def activity(world):
    """A teacher's ordinary day, through the services: lessons, marks, an absence, homework and a
    quarter mark — every change logged."""
    lesson1 = js.lesson_create(journal=world.journal, date=dt.date(2026, 11, 18), number=1, author=world.alice)
    lesson2 = js.lesson_create(journal=world.journal, date=dt.date(2026, 11, 19), number=1, author=world.alice)
    third = world.students_5a[2]
    result = js.journal_save(
        journal=world.journal,
        author=world.alice,
        lessons=[{"lesson": lesson1.pk, "topic": "Дроби", "homework": "§12, №5"}],
        cells=[
            {"lesson": lesson1.pk, "student": world.anna.pk, "value": "5"},
            {"lesson": lesson1.pk, "student": world.boris.pk, "value": "4 3"},
            {"lesson": lesson1.pk, "student": third.pk, "value": "н"},
            {"lesson": lesson2.pk, "student": world.anna.pk, "value": "4"},
        ],
        period_marks=[{"period": world.periods[1].pk, "student": world.anna.pk, "value": "5"}],
    )
    assert result.ok
    anna_mark = Mark.objects.get(lesson=lesson1, student=world.anna)
    return SimpleNamespace(lesson1=lesson1, lesson2=lesson2, anna_mark=anna_mark, third=third)


def test_clean_log_passes(world, activity):
    """ARC-1: on data written only through the application the check passes and says so."""
    ok, out, err = run()
    assert ok, err
    n = Entry.objects.filter(school=world.school).count()
    assert f"Школа № 1: цепочка цела (записей: {n}), данные совпадают с журналом изменений" in out
    assert SUCCESS in out
    result = verify_changelog()
    assert result.ok and result.entries == n


def test_entry_altered_with_raw_sql_is_found(world, activity):
    """ARC-1, ARC-8: an entry whose recorded value was rewritten in the database is reported as the
    first broken link, with its number and id."""
    entry = Entry.objects.get(object_type="mark", object_id=activity.anna_mark.pk)
    raw_set_json(entry.pk, "new", {**entry.new, "value": "2"})
    ok, out, err = run()
    assert not ok
    assert f"Школа № 1: запись №{entry.seq} (id {entry.pk}): хеш не совпадает — запись изменена" in err
    assert SUCCESS not in out


def test_entry_altered_and_rehashed_breaks_the_next_link(world, activity):
    """ARC-8: rewriting an entry and recomputing its own hash does not help — the next entry's
    link to it no longer matches."""
    entry = Entry.objects.get(object_type="mark", object_id=activity.anna_mark.pk)
    forged_new = {**entry.new, "value": "2"}
    forged_hash = audit.entry_hash(
        school_id=entry.school_id,
        seq=entry.seq,
        at=entry.at,
        author_id=entry.author_id,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        journal_id=entry.journal_id,
        lesson_id=entry.lesson_id,
        student_id=entry.student_id,
        old=entry.old,
        new=forged_new,
        prev_hash=entry.prev_hash,
    )
    raw_set_json(entry.pk, "new", forged_new)
    raw("UPDATE audit_entry SET hash = %s WHERE id = %s", [forged_hash, entry.pk])
    following = Entry.objects.get(school=world.school, seq=entry.seq + 1)
    ok, _out, err = run()
    assert not ok
    assert f"запись №{following.seq} (id {following.pk}): ссылка на предыдущую запись не совпадает" in err


def test_deleted_entry_is_found(world, activity):
    """ARC-1, ARC-8: an entry removed from the middle of the chain is reported as missing."""
    victim = Entry.objects.get(school=world.school, seq=3)
    raw("DELETE FROM audit_entry WHERE id = %s", [victim.pk])
    ok, _out, err = run()
    assert not ok
    assert "Школа № 1: пропущена запись №3" in err


def test_rewound_chain_head_is_found(world, activity):
    """ARC-8: a chain head moved back (to hide the last entries) does not match the chain."""
    head = ChainHead.objects.get(school=world.school)
    previous = Entry.objects.get(school=world.school, seq=head.seq - 1)
    raw(
        "UPDATE audit_chainhead SET seq = %s, last_hash = %s WHERE school_id = %s",
        [previous.seq, previous.hash, world.school.pk],
    )
    ok, _out, err = run()
    assert not ok
    assert f"Школа № 1: голова цепочки не совпадает: в голове запись №{previous.seq}" in err


def test_mark_changed_behind_the_back_is_found_though_the_chain_is_whole(world, activity):
    """ARC-1: a mark changed with raw SQL leaves the chain intact, but its value no longer matches the
    last logged state — the check names the mark, the field, and both values."""
    raw("UPDATE journal_mark SET value = '2' WHERE id = %s", [activity.anna_mark.pk])
    result = verify_changelog()
    school = result.schools[0]
    assert school.chain_ok and not school.ok
    ok, _out, err = run()
    assert not ok
    assert (
        f"Школа № 1: отметка id {activity.anna_mark.pk}: в базе не то, что записано в журнале изменений "
        "(value: по журналу «5», в базе «2»)"
    ) in err
    assert "Школа № 1: отметка — изменено в обход журнала: 1, удалено: 0, добавлено: 0" in err


def test_mark_inserted_without_log_entry_is_found(world, activity):
    """ARC-1: a mark put into the table without the application (no log entry) is reported."""
    sneaked = Mark.objects.create(
        school=world.school,
        lesson=activity.lesson2,
        student=world.boris,
        value="5",
        work_type=world.work_types[0],
        author=world.alice,
    )
    ok, _out, err = run()
    assert not ok
    assert f"Школа № 1: отметка id {sneaked.pk}: есть в базе, но не записано в журнал изменений" in err
    assert "добавлено: 1" in err


def test_mark_deleted_behind_the_back_is_found(world, activity):
    """ARC-1: a mark deleted with raw SQL is reported: the log says it exists."""
    raw("DELETE FROM journal_mark WHERE id = %s", [activity.anna_mark.pk])
    ok, _out, err = run()
    assert not ok
    assert f"Школа № 1: отметка id {activity.anna_mark.pk}: нет в базе, хотя в журнале изменений удаления нет" in err


def test_mark_deleted_through_the_application_passes(world, activity):
    """ARC-1: a mark cleared in the grid is gone from the table and logged as deleted — no alarm."""
    js.journal_save(
        journal=world.journal,
        author=world.alice,
        cells=[{"lesson": activity.lesson1.pk, "student": world.anna.pk, "value": ""}],
    )
    assert run()[0]


def test_homework_changed_behind_the_back_is_found(world, activity):
    """ARC-1: homework written into a lesson directly, never logged, differs from the lesson as created."""
    raw("UPDATE journal_lesson SET homework = 'стр. 40' WHERE id = %s", [activity.lesson2.pk])
    ok, _out, err = run()
    assert not ok
    assert (
        f"домашнее задание id {activity.lesson2.pk}: в базе не то, что записано в журнале изменений "
        "(homework: по журналу «», в базе «стр. 40»)"
    ) in err


def test_unlogged_lesson_is_found(world, activity):
    """ARC-1: a lesson created around the services is reported as not in the log."""
    lesson = f.make_lesson(world.journal, dt.date(2026, 11, 17))
    ok, _out, err = run()
    assert not ok
    assert f"урок id {lesson.pk}: есть в базе, но не записано в журнал изменений" in err


def test_cut_tail_with_head_rewound_is_still_found_by_the_data_check(world, activity):
    """ARC-8: deleting the last entry and rewinding the head makes a consistent shorter chain, but
    the data it described remain and have no logged state."""
    head = ChainHead.objects.get(school=world.school)
    last = Entry.objects.get(school=world.school, seq=head.seq)
    previous = Entry.objects.get(school=world.school, seq=head.seq - 1)
    raw("DELETE FROM audit_entry WHERE id = %s", [last.pk])
    raw(
        "UPDATE audit_chainhead SET seq = %s, last_hash = %s WHERE school_id = %s",
        [previous.seq, previous.hash, world.school.pk],
    )
    result = verify_changelog()
    school = result.schools[0]
    assert school.chain_ok
    assert not school.data_ok
    assert [(p.object_type, p.object_id) for p in school.data_problems] == [(last.object_type, last.object_id)]


def test_many_differences_show_the_first_few_and_the_count(world, activity):
    """ARC-1: when many rows differ the report stays readable: a few examples and the total."""
    raw("UPDATE journal_mark SET comment = 'подделка' WHERE school_id = %s", [world.school.pk])
    total = Mark.objects.count()
    assert total == 4
    ok, _out, err = run(examples=2)
    assert not ok
    assert f"отметка — изменено в обход журнала: {total}, удалено: 0, добавлено: 0" in err
    assert err.count("comment: по журналу «», в базе «подделка»") == 2
    first_two = sorted(Mark.objects.values_list("pk", flat=True))[:2]
    assert [p.object_id for p in verify_changelog(examples=2).schools[0].data_problems] == first_two


def test_unknown_school(world):
    """ARC-1: asking for a school that does not exist is an error, not a silent success."""
    with pytest.raises(CommandError, match="Школа с id 999999 не найдена"):
        call_command("verify_changelog", "--school", "999999", stdout=StringIO(), stderr=StringIO())


def make_second_school():
    school = f.SchoolFactory(short_name="Школа № 2")
    year = f.YearFactory(school=school)
    f.make_work_types(school)
    teacher = f.UserFactory(username="teacher2")
    staff = f.StaffFactory(school=school, user=teacher)
    school_class = f.make_class(year, 6, "А")
    journal = f.make_journal(school_class, f.SubjectFactory(school=school, name="Физика"), staff)
    student = f.enrol(f.StudentFactory(school=school), school_class)
    return SimpleNamespace(school=school, teacher=teacher, journal=journal, student=student)


def test_chains_of_two_schools_are_independent(world, activity):
    """ARC-1: each school has its own chain — another school's writes neither extend nor touch it,
    and tampering in one school is reported for that school only."""
    chain_a = list(Entry.objects.filter(school=world.school).order_by("seq").values_list("seq", "hash"))
    head_a = ChainHead.objects.filter(school=world.school).values_list("seq", "last_hash").get()

    b = make_second_school()
    lesson_b = js.lesson_create(journal=b.journal, date=dt.date(2026, 11, 16), number=3, author=b.teacher)
    js.journal_save(
        journal=b.journal, author=b.teacher, cells=[{"lesson": lesson_b.pk, "student": b.student.pk, "value": "3"}]
    )

    assert list(Entry.objects.filter(school=world.school).order_by("seq").values_list("seq", "hash")) == chain_a
    assert ChainHead.objects.filter(school=world.school).values_list("seq", "last_hash").get() == head_a
    chain_b = list(Entry.objects.filter(school=b.school).order_by("seq"))
    assert [e.seq for e in chain_b] == [1, 2]
    assert chain_b[0].prev_hash == audit.GENESIS and chain_b[1].prev_hash == chain_b[0].hash
    assert ChainHead.objects.get(school=b.school).seq == 2

    raw("UPDATE journal_mark SET value = '5' WHERE school_id = %s", [b.school.pk])
    ok, out, err = run()
    assert not ok
    assert "Школа № 1: цепочка цела" in out
    assert "Школа № 2: отметка id" in err and "Школа № 1: отметка" not in err
    assert run("--school", str(world.school.pk))[0]
    assert not run("--school", str(b.school.pk))[0]


def test_hash_covers_every_logged_field(world, activity):
    """ARC-8: the hash covers the entry's author, time, object and action as well as its values —
    changing any of them breaks the chain at that entry."""
    entry = Entry.objects.get(object_type="mark", object_id=activity.anna_mark.pk)
    original = {"author_id": entry.author_id, "at": entry.at, "object_id": entry.object_id, "action": entry.action}
    forgeries = {
        "author_id": world.bob.pk,
        "at": entry.at - dt.timedelta(days=1),
        "object_id": entry.object_id + 1000,
        "action": Entry.Action.UPDATE,
    }
    for name, value in forgeries.items():
        Entry.objects.filter(pk=entry.pk).update(**{name: value})
        problem = verify_changelog().schools[0].chain_problem
        assert problem is not None and problem.entry_id == entry.pk, name
        Entry.objects.filter(pk=entry.pk).update(**original)
    assert verify_changelog().ok


def test_entry_moved_to_another_cell_breaks_the_chain(world, activity):
    """ARC-1, ARC-8: the locator of an entry (which lesson and student it belongs to) is part of
    its hash: pointing a mark's history at another student is found."""
    entry = Entry.objects.get(object_type="mark", object_id=activity.anna_mark.pk)
    raw("UPDATE audit_entry SET student_id = %s WHERE id = %s", [world.boris.pk, entry.pk])
    ok, _out, err = run()
    assert not ok
    assert f"запись №{entry.seq} (id {entry.pk}): хеш не совпадает — запись изменена" in err
