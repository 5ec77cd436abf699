"""The dataset generator (`manage.py generate_dataset`): a municipality of N schools with a whole
academic year of journal data, for measuring the application at the size of a district.

Each school is built by `SchoolGenerator`, a `DemoBuilder` (apps/demo/builder.py) that keeps the
demo school's people, curriculum, timetable, lesson content and marking rules, and replaces the
year's big tables with a stream: day by day it makes the lessons with their topics and homework,
the attendance and marks of each lesson and, when a quarter is over, the quarter marks — and the
change-log entry of every one of those rows, chained exactly as `apps.audit.services.append`
chains them (the digest is checked against `entry_hash` on a sample of entries as it goes), so
`manage.py verify_changelog` passes on the result. Rows are buffered a few days at a time and
written with COPY on PostgreSQL (executemany on SQLite); one school is one transaction, and
nothing of a school is kept once it is written, so memory stays flat however many schools.

Speed (D1 on PostgreSQL): the database's share is the index upkeep of the big tables (about
20 µs of server time per mark or change-log row), the generator's share about as much; the
writer thread overlaps the two. The foreign-key triggers are skipped while loading when the
database role may do so (`session_replication_role = replica`, as pg_restore
--disable-triggers does; `check_constraints` keeps them) — nothing is dropped or rebuilt. The
schools share one timetable (same classes and staffing), so its search runs once.

The year. The last academic year that is complete before today (1 September – 31 May; on
1 June 2026 and later that is 2025/2026): every lesson is in the past, every quarter has its
marks, and every rule of the journal holds of the data. Its status is ACTIVE, so the journal and
the diary show it as the current year. `year` pins it, for a dataset that does not depend on the
day it is made.

Deterministic: the same options and seed give the same rows (the password hash has a fixed salt
and the accounts a fixed date of joining; ids are the same when the database starts empty).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import queue
import random
import resource
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.apps import apps as django_apps
from django.contrib.auth.hashers import make_password
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Membership, User
from apps.audit.models import ChainHead, Entry
from apps.audit.services import GENESIS, entry_hash
from apps.journal.grading import GradingSystem
from apps.journal.models import Attendance, Lesson, Mark, PeriodMark
from apps.journal.snapshots import (
    attendance_snapshot,
    homework_snapshot,
    lesson_snapshot,
    mark_snapshot,
    period_mark_snapshot,
)
from apps.people.models import Student
from apps.schools.models import (
    Municipality,
    Period,
    Region,
    School,
)

from . import curriculum as cur
from .builder import BELLS, TWO_COMMENTS, TZ, DemoBuilder, Options
from .bulk import next_id, reset_sequences

PASSWORD = "dataset2026"
PASSWORD_SALT = "journaldataset"  # fixed, so that the same seed gives the same rows
REGION_NAME = "Условная область"
MUNICIPALITY_NAME = "Условный муниципальный округ"

# Named sizes: schools, students per class (classes 1–11 × «А», «Б»).
SIZES = {"school": (1, 25), "district": (20, 25)}

# About 8 marks per lesson over the year (D1: ~3.4 million marks for ~430 thousand lessons).
MARK_CHANCE = 0.315
FLUSH_ROWS = 40_000  # change-log entries buffered before the rows are written
CHECK_EVERY = 997  # every so many entries the digest is recomputed with apps.audit.services.entry_hash

_canon = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode
# mark_snapshot in canonical JSON: comment (JSON), lesson, student, value, weight, work type.
MARK_JSON = '{{"comment":{},"lesson":{},"student":{},"value":"{}","weight":"{}","work_type":{}}}'


def last_complete_year(today: dt.date) -> int:
    """The first calendar year of the last academic year (1 September – 31 May) over by `today`."""
    return today.year - 1 if today >= dt.date(today.year, 6, 1) else today.year - 2


@dataclass
class DatasetOptions:
    schools: int = 1
    students_per_class: int = 25
    grades: tuple[int, ...] = tuple(range(1, 12))
    letters: str = "АБ"
    seed: int = 1
    year: int | None = None  # the academic year's first calendar year; None: the last complete one
    size: str = ""
    check_constraints: bool = False  # PostgreSQL: keep the foreign-key triggers on while loading


def _is_superuser(cursor) -> bool:
    cursor.execute("SELECT current_setting('is_superuser')")
    return cursor.fetchone()[0] == "on"


def rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------------------------------------
# Writing rows in bulk

LESSON_COLUMNS = ["id", "school", "journal", "date", "number", "topic", "homework", "no_homework", "comment"] + [
    "work_type",
    "status",
]
MARK_COLUMNS = ["id", "school", "lesson", "student", "value", "grading_system", "work_type", "weight", "comment"] + [
    "position",
    "author",
    "created_at",
    "updated_at",
]
ATTENDANCE_COLUMNS = ["id", "school", "lesson", "student", "kind", "reason", "author", "updated_at"]
PERIOD_MARK_COLUMNS = ["id", "school", "journal", "period", "student", "value", "author", "updated_at"]
ENTRY_COLUMNS = ["school", "seq", "at", "author", "action", "object_type", "object_id", "journal_id"] + [
    "lesson_id",
    "student_id",
    "old",
    "new",
    "prev_hash",
    "hash",
]
# Parents before children.
TABLES = [
    (Lesson, LESSON_COLUMNS),
    (Attendance, ATTENDANCE_COLUMNS),
    (Mark, MARK_COLUMNS),
    (PeriodMark, PERIOD_MARK_COLUMNS),
    (Entry, ENTRY_COLUMNS),
]


def _copy_text(value: str | None) -> str:
    """A text value in COPY's text format."""
    if value is None:
        return "\\N"
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def _copy_formatter(fields):
    """row → one line of COPY text. psycopg's write_row spends about 8 µs on a row of a dozen
    columns; a line formatted by one f-string made for the table's columns takes about 2 µs,
    and the dates and times (the same few thousand values over and over) are formatted once."""
    cache: dict = {}

    def moment(value) -> str:
        try:
            return cache[value]
        except KeyError:
            cache[value] = text = value.isoformat()
            return text

    parts = []
    for i, f in enumerate(fields):
        if isinstance(f, models.DateField):  # and DateTimeField
            conv = "M"
        elif isinstance(f, models.BooleanField):
            parts.append(f'{{"t" if r[{i}] else "f"}}')
            continue
        elif isinstance(f, (models.CharField, models.TextField, models.JSONField)):
            conv = "E"
        elif f.null:
            conv = "N"
        else:  # integers and keys; decimals come as text already
            parts.append(f"{{r[{i}]}}")
            continue
        parts.append(f"{{{conv}(r[{i}])}}")
    source = "lambda r: f'" + "\\t".join(parts) + "\\n'"
    helpers = {"M": moment, "E": _copy_text, "N": lambda v: "\\N" if v is None else v}
    return eval(source, helpers)  # noqa: S307 — the source is made above from column positions only


class Table:
    """One table's buffered rows (tuples in the order of `columns`; JSON columns as JSON text)."""

    def __init__(self, model, columns: list[str]):
        self.model = model
        opts = model._meta
        qn = connection.ops.quote_name
        fields = [opts.get_field(name) for name in columns]
        names = ", ".join(qn(f.column) for f in fields)
        self.copy_sql = f"COPY {qn(opts.db_table)} ({names}) FROM STDIN"
        self.insert_sql = f"INSERT INTO {qn(opts.db_table)} ({names}) VALUES ({', '.join(['%s'] * len(fields))})"
        # SQLite keeps dates and datetimes as text (UTC): each distinct value is prepared once.
        # (DateTimeField is a DateField.)
        self.adapters = [(i, f, {}) for i, f in enumerate(fields) if isinstance(f, models.DateField)]
        self.copy_line = _copy_formatter(fields)
        self.rows: list[tuple] = []  # the generator appends here
        self.written = 0
        self.seconds = 0.0

    def take(self) -> list[tuple]:
        rows = self.rows[:]
        self.rows.clear()  # the same list: the generator holds it
        return rows

    def _sqlite_row(self, row: tuple) -> tuple:
        row = list(row)
        for i, f, cache in self.adapters:
            value = row[i]
            try:
                row[i] = cache[value]
            except KeyError:
                row[i] = cache[value] = f.get_db_prep_save(value, connection)
        return tuple(row)

    def write(self, rows: list[tuple], raw_connection=None) -> None:
        """COPY on PostgreSQL (through `raw_connection`, the psycopg connection of the
        transaction), executemany elsewhere."""
        started = time.monotonic()
        if raw_connection is not None:
            line = self.copy_line
            with raw_connection.cursor() as cursor, cursor.copy(self.copy_sql) as copy:
                for start in range(0, len(rows), 5000):
                    copy.write("".join([line(row) for row in rows[start : start + 5000]]))
        else:
            with connection.cursor() as cursor:
                cursor.executemany(self.insert_sql, [self._sqlite_row(r) for r in rows])
        self.written += len(rows)
        self.seconds += time.monotonic() - started


class Sink:
    """The year's big tables, written together (parents first) whenever enough has piled up.

    On PostgreSQL the rows go out with COPY from a writer thread on the same connection (so in
    the same transaction), while the generator goes on making the next days: the database
    ingests on one core while Python generates on the other. At most two batches wait in the
    queue, so memory stays bounded. `drain()` waits for the writer before the school commits.
    """

    def __init__(self, flush_rows: int = FLUSH_ROWS):
        self.tables = {model: Table(model, columns) for model, columns in TABLES}
        self.flush_rows = flush_rows
        self.pg = connection.vendor == "postgresql"
        self.waited = 0.0  # the generator's time spent waiting for the database
        self._queue: queue.Queue | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def rows(self, model) -> list[tuple]:
        return self.tables[model].rows

    @property
    def seconds(self) -> float:
        return sum(t.seconds for t in self.tables.values())

    def maybe_flush(self) -> None:
        if len(self.tables[Entry].rows) >= self.flush_rows:
            self.flush()

    def flush(self) -> None:
        batch = [(t, t.take()) for t in self.tables.values() if t.rows]
        if not batch:
            return
        started = time.monotonic()
        if not self.pg:
            for table, rows in batch:
                table.write(rows)
        else:
            if self._thread is None:
                connection.ensure_connection()
                self._queue = queue.Queue(maxsize=2)
                self._thread = threading.Thread(
                    target=self._writer, args=(connection.connection,), name="dataset-writer", daemon=True
                )
                self._thread.start()
            self._raise()
            self._queue.put(batch)
        self.waited += time.monotonic() - started

    def drain(self) -> None:
        """Wait until every queued row is written."""
        if self._thread is not None:
            started = time.monotonic()
            self._queue.put(None)
            self._thread.join()
            self._thread = self._queue = None
            self.waited += time.monotonic() - started
        self._raise()

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _writer(self, raw_connection) -> None:
        while True:
            batch = self._queue.get()
            if batch is None:
                return
            if self._error is not None:
                continue  # keep taking batches so that the generator never blocks; it will raise
            try:
                for table, rows in batch:
                    table.write(rows, raw_connection)
            except BaseException as error:  # noqa: BLE001 — handed to the generator's thread
                self._error = error


# ---------------------------------------------------------------------------------------------
# The change log


class Chain:
    """A school's change log, linked as apps.audit.services.append links it: the digest is the
    sha256 of the canonical JSON of the entry (here formatted directly, keys in sorted order —
    and checked against `entry_hash` every CHECK_EVERY entries and on the first of each kind)."""

    def __init__(self, school_id: int, rows: list):
        self.school_id = school_id
        self.rows = rows
        self.seq = 0
        self.prev = GENESIS
        self._checked: set[str] = set()

    def add(
        self, at, at_utc: str, author_id, action, object_type, object_id, journal_id, lesson_id, student_id, old, new
    ):
        """`old`/`new` are canonical JSON text (or None); `at_utc` is `at` as entry_hash writes it."""
        self.seq += 1
        seq, prev = self.seq, self.prev
        canonical = (
            f'{{"action":"{action}","at":"{at_utc}","author":{"null" if author_id is None else author_id},'
            f'"id":{object_id},"journal":{"null" if journal_id is None else journal_id},'
            f'"lesson":{"null" if lesson_id is None else lesson_id},"new":{new or "null"},"old":{old or "null"},'
            f'"prev":"{prev}","school":{self.school_id},"seq":{seq},'
            f'"student":{"null" if student_id is None else student_id},"type":"{object_type}"}}'
        )
        digest = hashlib.sha256(canonical.encode()).hexdigest()
        if seq % CHECK_EVERY == 0 or object_type not in self._checked:
            self._checked.add(object_type)
            expected = entry_hash(
                school_id=self.school_id,
                seq=seq,
                at=at,
                author_id=author_id,
                action=action,
                object_type=object_type,
                object_id=object_id,
                journal_id=journal_id,
                lesson_id=lesson_id,
                student_id=student_id,
                old=None if old is None else json.loads(old),
                new=None if new is None else json.loads(new),
                prev_hash=prev,
            )
            if digest != expected:
                raise RuntimeError(f"the generator's change-log digest differs from entry_hash at {object_type} {seq}")
        self.rows.append(
            (self.school_id, seq, at, author_id, action, object_type, object_id, journal_id, lesson_id, student_id)
            + (old, new, prev, digest)
        )
        self.prev = digest


# ---------------------------------------------------------------------------------------------
# One school


@dataclass
class SchoolResult:
    number: int
    school_id: int
    counts: Counter
    seconds: float
    timings: dict[str, float]
    manifest: dict = field(default_factory=dict)


class SchoolGenerator(DemoBuilder):
    """School № `number` of the dataset: the demo school's people, curriculum, timetable and
    marking rules, a whole past year written as a stream, and predictable logins:

    admin{n} (journal administrator), director{n}, zavuch{n} (deputy), k{n}_{c} — the class
    teacher of the c-th class (1А = 1, 1Б = 2, …), t{n}_{i} — the other teachers, p{n}_{i} —
    parents, s{n}_{i} — students (grades 5–11)."""

    mark_chance = MARK_CHANCE

    def __init__(
        self,
        number: int,
        options: DatasetOptions,
        municipality: Municipality,
        password: str,
        sink: Sink,
        shared: dict | None = None,
    ):
        super().__init__(
            Options(
                students_per_class=options.students_per_class,
                grades=options.grades,
                letters=options.letters,
                today=dt.date(options.year + 1, 6, 1),  # the day after the year's last day
            ),
            password=password,
        )
        self.rng = random.Random(f"journal-dataset:{options.seed}:{number}")
        self.number = number
        self.municipality = municipality
        self.sink = sink
        self.joined = dt.datetime(options.year, 8, 25, 9, 0, tzinfo=TZ)
        self.shared = {} if shared is None else shared  # what one school can hand to the next
        self.check_constraints = options.check_constraints

    def generate(self) -> SchoolResult:
        started = time.monotonic()
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    # A generator's commit need not wait for the disk; the data is rebuilt if lost.
                    cursor.execute("SET LOCAL synchronous_commit = off")
                    if not self.check_constraints and _is_superuser(cursor):
                        # The foreign keys are right by construction (the ids are the generator's
                        # own; the SQLite test checks every constraint): skip their per-row
                        # triggers, as pg_restore --disable-triggers does. Nothing is dropped.
                        cursor.execute("SET LOCAL session_replication_role = replica")
            for step in (
                self._school_and_year,
                self._teachers_needed,
                self._people,
                self._save_people,
                self._journals,
                self._timetable,
                self._year,
            ):
                t0 = time.monotonic()
                step()
                self.timings[step.__name__.strip("_")] = time.monotonic() - t0
            t0 = time.monotonic()
        self.timings["commit"] = time.monotonic() - t0
        # Rows per table, as the database has them (each table of the school, by its index).
        counts = Counter({"schools_school": 1, User._meta.db_table: len(self.users)})
        for model in _school_models():
            n = model._default_manager.filter(school=self.school).count()
            if n:
                counts[model._meta.db_table] = n
        return SchoolResult(
            self.number, self.school.pk, counts, time.monotonic() - started, self.timings, self.manifest()
        )

    # -- the school and its people ----------------------------------------------------------------

    def _make_school(self) -> School:
        n = self.number
        return School.objects.create(
            municipality=self.municipality,
            name=f"Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа № {n}»",
            short_name=f"МБОУ СОШ № {n}",
            timezone="Europe/Moscow",
        )

    def _pick_demo_logins(self):
        """Predictable usernames instead of the demo's named ones (see the class docstring)."""
        n = self.number
        for username, staff in self.admin_staff.items():
            staff.user.username = f"{username}{n}"
        led = {}
        for ci, c in enumerate(self.classes):
            if c.teacher is not None:
                led[id(c.teacher)] = ci + 1
        i = 0
        for t in self.teachers:
            if id(t) in led:
                t.user.username = f"k{n}_{led[id(t)]}"
            else:
                i += 1
                t.user.username = f"t{n}_{i}"
        for i, (g, _fam, _relation) in enumerate(self.guardians, 1):
            g.user.username = f"p{n}_{i}"
            g.user.email = g.email = f"p{n}_{i}@example.org"
        i = 0
        for s in self.students:
            if s.user is not None:
                i += 1
                s.user.username = f"s{n}_{i}"
        for user in self.users:
            user.date_joined = self.joined

    def _timetable(self):
        """Every school of the dataset has the same classes and staffing, so the first school's
        timetable (a search of a few seconds) serves them all, each with its weekdays shuffled."""
        shape = [
            (self.classes.index(u.cls), u.subject, u.hours, [self.teachers.index(t) for t in self._unit_teachers(u)])
            for u in self.units
        ]
        cached = self.shared.get("timetable")
        if cached is None or cached[0] != shape:
            super()._timetable()
            position = {id(u): k for k, u in enumerate(self.units)}
            layout = [{slot: position[id(u)] for slot, u in self.timetable[id(c)].items()} for c in self.classes]
            self.shared["timetable"] = (shape, layout)
            return
        days = list(range(5))
        self.rng.shuffle(days)
        self.timetable = {
            id(c): {(days[d], n): self.units[k] for (d, n), k in layout.items()}
            for c, layout in zip(self.classes, cached[1], strict=True)
        }

    def _unit_teachers(self, u) -> list:
        by_id = {id(t): t for t in self.teachers}
        return [by_id[t] for t in u.teachers]

    # -- the year ----------------------------------------------------------------------------------

    def _year(self):
        """The year day by day: lessons in the order they end, each with its attendance and marks;
        the quarter marks when a quarter is over; the change log in the same order."""
        rng = self.rng
        sink = self.sink
        school_id = self.school.pk
        lessons, attendance, marks = sink.rows(Lesson), sink.rows(Attendance), sink.rows(Mark)
        self.chain = chain = Chain(school_id, sink.rows(Entry))
        add = chain.add
        lesson_id, mark_id, attendance_id = next_id(Lesson), next_id(Mark), next_id(Attendance)
        self._period_mark_id = next_id(PeriodMark)

        plans = self._lesson_plans()
        practical_no: dict = defaultdict(int)
        index = {id(j): 0 for j in self.journals}
        sick = {id(s): self._sick_days(s) for s in self.students}
        self.members = {
            id(j): [
                (s, s.ability + rng.gauss(0, 0.5)) for s in j.demo_cls.students if j.demo_subgroup in (0, s.subgroup)
            ]
            for j in self.journals
        }
        # Per journal: its id, the teacher's user id, and who sits in it (with what is needed per lesson).
        self.seats = seats = {
            id(j): (
                j.pk,
                j.demo_teacher.user.pk,
                [(ability, s.obj.pk, s.starts, s.ends, sick[id(s)]) for s, ability in self.members[id(j)]],
            )
            for j in self.journals
        }
        by_pk = {w.pk: w for w in self.work_types.values()}
        # The mark's work type: its id, its weight as logged ("1.50") and in hundredths.
        work_type_info = {id(w): (w.pk, f"{w.weight:.2f}", int(w.weight * 100)) for w in self.work_types.values()}
        comment_json = {c: _canon(c) for c in ["", *TWO_COMMENTS]}
        five = GradingSystem.FIVE
        held = Lesson.Status.HELD
        # (journal, period order, student) → [Σ value × weight·100, Σ weight·100]
        self.sums: dict[tuple[int, int, int], list[int]] = defaultdict(lambda: [0, 0])
        sums = self.sums
        no_homework = _canon(homework_snapshot(SimpleNamespace(homework="", no_homework=False)))
        cell = self._cell
        self._check_mark_format()

        pending = sorted(self.periods, key=lambda p: p.order)
        self.first_day = self.last_day = None
        for day in self.past_days:
            while pending and pending[0].ends < day:
                self._period_marks_of(pending.pop(0))
            self.first_day = self.first_day or day
            self.last_day = day
            weekday = day.weekday()
            period = next(p.order for p in self.periods if p.starts <= day <= p.ends)
            for number in range(1, len(BELLS) + 1):
                at = self._at(day, number)
                at_utc = at.astimezone(dt.UTC).isoformat(timespec="microseconds")
                for c in self.classes:
                    u = self.timetable[id(c)].get((weekday, number))
                    if u is None:
                        continue
                    graded = c.grade >= 2 and u.subject not in cur.UNGRADED
                    activity = cur.SUBJECT_KIND[u.subject] == "activity"
                    for j in u.journals:
                        i = index[id(j)]
                        index[id(j)] = i + 1
                        topic, homework, no_hw, work_type_id, special = self._lesson_content(
                            u, j, i, plans, practical_no
                        )
                        jid, author, members = seats[id(j)]
                        lid = lesson_id
                        lesson_id += 1
                        lessons.append(
                            (lid, school_id, jid, day, number, topic, homework, no_hw, "", work_type_id, held)
                        )
                        lesson = SimpleNamespace(
                            journal_id=jid,
                            date=day,
                            number=number,
                            topic=topic,
                            comment="",
                            work_type_id=work_type_id,
                            status=held,
                            homework=homework,
                            no_homework=no_hw,
                        )
                        add(
                            at,
                            at_utc,
                            author,
                            "create",
                            "lesson",
                            lid,
                            jid,
                            lid,
                            None,
                            None,
                            _canon(lesson_snapshot(lesson)),
                        )
                        hw = _canon(homework_snapshot(lesson))
                        if hw != no_homework:
                            add(at, at_utc, author, "update", "homework", lid, jid, lid, None, no_homework, hw)
                        lesson_type = by_pk.get(work_type_id)
                        cell_marks = []
                        for ability, sid, starts, ends, ill in members:
                            if day < starts or (ends and day > ends):
                                continue
                            kind, reason, given = cell(ill.get(day), ability, graded, special, lesson_type, activity)
                            if kind is not None:
                                attendance.append((attendance_id, school_id, lid, sid, kind, reason, author, at))
                                snapshot = attendance_snapshot(
                                    SimpleNamespace(lesson_id=lid, student_id=sid, kind=kind, reason=reason)
                                )
                                add(
                                    at,
                                    at_utc,
                                    author,
                                    "create",
                                    "attendance",
                                    attendance_id,
                                    jid,
                                    lid,
                                    sid,
                                    None,
                                    _canon(snapshot),
                                )
                                attendance_id += 1
                            if given:
                                cell_marks.append((sid, given))
                        # The marks after the attendance, as a teacher fills in the column.
                        for sid, given in cell_marks:
                            acc = sums[(jid, period, sid)]
                            for position, (work_type, value, comment) in enumerate(given):
                                wt, weight, weight100 = work_type_info[id(work_type)]
                                marks.append(
                                    (
                                        mark_id,
                                        school_id,
                                        lid,
                                        sid,
                                        value,
                                        five,
                                        wt,
                                        weight,
                                        comment,
                                        position,
                                        author,
                                        at,
                                        at,
                                    )
                                )
                                new = MARK_JSON.format(comment_json[comment], lid, sid, value, weight, wt)
                                add(at, at_utc, author, "create", "mark", mark_id, jid, lid, sid, None, new)
                                mark_id += 1
                                acc[0] += int(value) * weight100
                                acc[1] += weight100
            sink.maybe_flush()
        for p in pending:
            self._period_marks_of(p)
        sink.flush()
        sink.drain()
        reset_sequences(Lesson, Mark, Attendance, PeriodMark)
        ChainHead.objects.update_or_create(school_id=school_id, defaults={"seq": chain.seq, "last_hash": chain.prev})
        del self.sums

    def _check_mark_format(self) -> None:
        """The marks' logged state is formatted directly (MARK_JSON), for speed: it must be what
        apps.journal.snapshots.mark_snapshot gives, in canonical JSON."""
        for comment in ["", *TWO_COMMENTS]:
            weight = "1.50"
            expected = mark_snapshot(
                SimpleNamespace(lesson_id=12, student_id=34, value="4", work_type_id=5, weight=weight, comment=comment)
            )
            if MARK_JSON.format(_canon(comment), 12, 34, "4", weight, 5) != _canon(expected):
                raise RuntimeError("MARK_JSON differs from apps.journal.snapshots.mark_snapshot")

    def _period_marks_of(self, p: Period) -> None:
        """Quarter marks of every student from the weighted average (JRN-7), «зач» where the
        subject has no marks, «н/а» for a student without marks; dated the quarter's last day."""
        rows = self.sink.rows(PeriodMark)
        school_id = self.school.pk
        at = dt.datetime.combine(p.ends, dt.time(16, 0), TZ)
        at_utc = at.astimezone(dt.UTC).isoformat(timespec="microseconds")
        pid, order, add = p.pk, p.order, self.chain.add
        for j in self.journals:
            if j.demo_cls.grade < 2:
                continue
            ungraded = j.subject.name in cur.UNGRADED
            jid, author, members = self.seats[id(j)]
            for _ability, sid, starts, ends, _ill in members:
                if starts > p.ends or (ends and ends < p.ends):
                    continue
                if ungraded:
                    value = "зач"
                else:
                    total, weight = self.sums.get((jid, order, sid), (0, 0))
                    # Rounded half up, as the journal rounds a weighted average.
                    value = str(min(5, max(2, (2 * total + weight) // (2 * weight)))) if weight else "н/а"
                pm_id = self._period_mark_id
                self._period_mark_id += 1
                rows.append((pm_id, school_id, jid, pid, sid, value, author, at))
                snapshot = period_mark_snapshot(
                    SimpleNamespace(journal_id=jid, period_id=pid, student_id=sid, value=value)
                )
                add(at, at_utc, author, "create", "period_mark", pm_id, jid, None, sid, None, _canon(snapshot))
        self.sink.maybe_flush()

    # -- what the benchmark needs to know ------------------------------------------------------------

    def manifest(self) -> dict:
        journals_of = defaultdict(list)
        for j in self.journals:
            journals_of[id(j.demo_teacher)].append(
                {"id": j.pk, "class_id": j.demo_cls.obj.pk, "group_id": j.group_id, "subject": j.subject.name}
            )
        led = {id(c.teacher): c for c in self.classes if c.teacher is not None}
        teachers, class_teachers = [], []
        for t in self.teachers:
            item = {
                "username": t.user.username,
                "user_id": t.user.pk,
                "staff_id": t.staff.pk,
                "journals": journals_of[id(t)],
            }
            c = led.get(id(t))
            if c is None:
                teachers.append(item)
            else:
                item["class_id"] = c.obj.pk
                item["class"] = c.label
                item["students"] = [s.obj.pk for s in c.students]
                class_teachers.append(item)
        return {
            "number": self.number,
            "id": self.school.pk,
            "name": self.school.short_name,
            "year": {
                "id": self.year.pk,
                "name": self.year.name,
                "starts": self.year.starts.isoformat(),
                "ends": self.year.ends.isoformat(),
            },
            "periods": [
                {
                    "id": p.pk,
                    "order": p.order,
                    "name": p.name,
                    "starts": p.starts.isoformat(),
                    "ends": p.ends.isoformat(),
                }
                for p in self.periods
            ],
            "dates": {"first": self.first_day.isoformat(), "last": self.last_day.isoformat()},
            "admins": [
                {"username": s.user.username, "user_id": s.user.pk, "position": s.position}
                for s in self.admin_staff.values()
            ],
            "teachers": teachers,
            "class_teachers": class_teachers,
            "parents": [
                {
                    "username": g.user.username,
                    "user_id": g.user.pk,
                    "children": [ch.obj.pk for ch in fam.children],
                }
                for g, fam, _relation in self.guardians
            ],
            "students": [
                {"username": s.user.username, "user_id": s.user.pk, "student_id": s.obj.pk, "class_id": s.cls.obj.pk}
                for s in self.students
                if s.user is not None
            ],
        }


# ---------------------------------------------------------------------------------------------
# The whole dataset


def dataset_schools():
    return School.objects.filter(municipality__name=MUNICIPALITY_NAME, municipality__region__name=REGION_NAME)


@functools.cache
def _school_models() -> list:
    """Every model with a `school` foreign key (the school's own rows), those that reference
    others of them first."""
    found = []
    for model in django_apps.get_models():
        try:
            school = model._meta.get_field("school")
        except FieldDoesNotExist:
            continue
        if school.is_relation and school.related_model is School:
            found.append(model)
    ordered: list = []

    def visit(model, path=()):
        if model in ordered or model in path:
            return
        for other in found:  # the models that point at this one go first
            if other is not model and any(
                f.is_relation and f.many_to_one and f.related_model is model for f in other._meta.get_fields()
            ):
                visit(other, (*path, model))
        if model not in ordered:
            ordered.append(model)

    for model in found:
        visit(model)
    return ordered


@transaction.atomic
def delete_dataset() -> int:
    """Remove the generated schools with every row that belongs to them (plain DELETEs by school,
    no objects loaded) and the accounts that have no role in any other school. Returns the
    number of schools removed."""
    ids = list(dataset_schools().values_list("pk", flat=True))
    if not ids:
        return 0
    user_ids = set(Membership.objects.filter(school_id__in=ids).values_list("user_id", flat=True))
    keep = set(
        Membership.objects.filter(user_id__in=user_ids).exclude(school_id__in=ids).values_list("user_id", flat=True)
    )
    qn = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        for model in _school_models():
            column = model._meta.get_field("school").column
            cursor.execute(f"DELETE FROM {qn(model._meta.db_table)} WHERE {qn(column)} IN ({marks})", ids)
    School.objects.filter(pk__in=ids).delete()
    doomed = sorted(user_ids - keep)
    for start in range(0, len(doomed), 5000):
        User.objects.filter(pk__in=doomed[start : start + 5000]).delete()
    Municipality.objects.filter(name=MUNICIPALITY_NAME, schools=None).delete()
    Region.objects.filter(name=REGION_NAME, municipalities=None).delete()
    return len(ids)


def generate(options: DatasetOptions, write=None, verbose: bool = False) -> dict:
    """Generate the dataset; `write(line)` reports progress. Returns the summary and manifest."""
    write = write or (lambda line: None)
    if options.year is None:
        options.year = last_complete_year(timezone.localdate())
    started = time.monotonic()
    password = make_password(PASSWORD, salt=PASSWORD_SALT)  # one hash for every generated user
    with transaction.atomic():
        region, _created = Region.objects.get_or_create(name=REGION_NAME)
        municipality, _created = Municipality.objects.get_or_create(region=region, name=MUNICIPALITY_NAME)
    sink = Sink()
    totals: Counter = Counter()
    schools = []
    shared: dict = {}
    for number in range(1, options.schools + 1):
        result = SchoolGenerator(number, options, municipality, password, sink, shared).generate()
        totals.update(result.counts)
        schools.append(result.manifest)
        c = result.counts
        write(
            _(
                "Школа %(n)d из %(total)d: учащихся %(students)d, уроков %(lessons)d, отметок %(marks)d, "
                "записей в журнале изменений %(log)d — %(sec).1f с (всего %(all).0f с, память %(rss).0f МБ)"
            )
            % {
                "n": number,
                "total": options.schools,
                "students": c[Student._meta.db_table],
                "lessons": c[Lesson._meta.db_table],
                "marks": c[Mark._meta.db_table],
                "log": c[Entry._meta.db_table],
                "sec": result.seconds,
                "all": time.monotonic() - started,
                "rss": rss_mb(),
            }
        )
        if verbose:
            write("  " + ", ".join(f"{k} {v:.1f} с" for k, v in result.timings.items()))
            write(
                "  "
                + ", ".join(f"{t.model._meta.db_table} {t.seconds:.1f} с" for t in sink.tables.values())
                + f"; ожидание записи {sink.waited:.1f} с"
            )
    first = min((s["dates"]["first"] for s in schools), default=None)
    last = max((s["dates"]["last"] for s in schools), default=None)
    return {
        "size": options.size,
        "seed": options.seed,
        "password": PASSWORD,
        "year": f"{options.year}/{options.year + 1}",
        "dates": {"first": first, "last": last},
        "counts": dict(totals),
        "seconds": round(time.monotonic() - started, 1),
        "write_seconds": round(sink.seconds, 1),
        "wait_seconds": round(sink.waited, 1),
        "peak_rss_mb": round(rss_mb(), 1),
        "schools": schools,
    }
