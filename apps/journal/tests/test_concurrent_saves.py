"""Concurrent saves of one journal through the live server: real HTTP requests at the same moment,
each on its own database connection (issues 11 and 20, docs/architecture.md §4 «Writing a cell or
a lesson field»).

The cells race needs PostgreSQL (READ COMMITTED and row locks: SQLite's BEGIN IMMEDIATE
serialises every writer anyway); the lesson race runs on both databases — on SQLite too the
lesson used to be read before the save's transaction began. Each test runs a few rounds of a dozen
clients released together by a barrier, and then checks what every client was told against the
data and the change log."""

import datetime as dt
import http.client
import json
import secrets
import threading
from collections import defaultdict
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from apps.audit.models import Entry
from apps.audit.verify import verify_school
from apps.journal import services as js
from apps.journal.models import Attendance, Lesson, Mark
from apps.timetable import services as timetable

pytestmark = pytest.mark.django_db(transaction=True)
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks under READ COMMITTED: PostgreSQL only"
)

TODAY = dt.date(2026, 11, 20)
ROUNDS = 4


class Browser:
    """A signed-in session of its own, sending the grid's JSON save over a new HTTP connection."""

    def __init__(self, live_server, user):
        client = Client()
        client.force_login(user)
        self.user = user
        self.token = secrets.token_hex(16)  # 32 characters: a CSRF secret, sent as cookie and header
        self.cookie = (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}; "
            f"{settings.CSRF_COOKIE_NAME}={self.token}"
        )
        url = urlsplit(live_server.url)
        self.host, self.port = url.hostname, url.port

    def save(self, journal, **payload) -> tuple[int, dict | None]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        try:
            conn.request(
                "POST",
                reverse("journal:save", args=[journal.pk]),
                body=json.dumps(payload),
                headers={
                    "Content-Type": "application/json",
                    "Cookie": self.cookie,
                    "X-CSRFToken": self.token,
                    "X-Requested-With": "fetch",
                    "Referer": f"http://{self.host}:{self.port}/",
                },
            )
            response = conn.getresponse()
            body = response.read()
        finally:
            conn.close()
        try:
            return response.status, json.loads(body)
        except ValueError:
            return response.status, None


def run_rounds(clients, work, *, before_round=None, after_round=None):
    """ROUNDS rounds; in each, work(index, round) runs in every client's thread at once."""
    start = threading.Barrier(len(clients) + 1)
    done = threading.Barrier(len(clients) + 1)
    errors = []

    def target(index):
        for r in range(ROUNDS):
            try:
                start.wait(timeout=120)
            except threading.BrokenBarrierError:
                return  # the test stopped
            try:
                work(index, r)
            except Exception as exc:  # reported in the test's thread; the rounds go on
                errors.append(exc)
            finally:
                try:
                    done.wait(timeout=120)
                except threading.BrokenBarrierError:
                    return

    threads = [threading.Thread(target=target, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    try:
        for r in range(ROUNDS):
            if before_round:
                before_round(r)
            start.wait(timeout=120)
            done.wait(timeout=300)
            assert not errors, errors
            if after_round:
                after_round(r)
    finally:
        start.abort()  # a failed round: the clients' threads stop waiting for the next one
        done.abort()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors


def substitute(world, lesson):
    timetable.substitution_record(lesson=lesson, substitute=world.bob_staff, reason="болезнь", author=world.deputy)


# ---------------------------------------------------------------------------------------------
# Cells (PostgreSQL)


def marks_for(code: int) -> str:
    """A value nobody else sends to the cell: the code in base 4 written as three marks 2…5."""
    return " ".join(str(2 + (code >> shift) % 4) for shift in (4, 2, 0))


def cell_states(school_id, lesson_id, student_id) -> list[str]:
    """Every state the change log says the cell went through, in order (marks in the order they
    were created, which is their order in the cell; the absence last)."""
    marks, absence, states = {}, None, [""]
    for e in Entry.objects.filter(
        school_id=school_id, lesson_id=lesson_id, student_id=student_id, object_type__in=("mark", "attendance")
    ).order_by("seq"):
        if e.object_type == "mark":
            if e.action == "delete":
                marks.pop(e.object_id)
            else:
                marks[e.object_id] = e.new["value"]
        else:
            absence = None if e.action == "delete" else e.new["kind"]
        parts = [marks[k] for k in sorted(marks)] + ({"absent": ["н"], "late": ["оп"]}.get(absence, []))
        states.append(" ".join(parts))
    return states


def stored(lesson_id, student_id) -> str:
    marks = list(Mark.objects.filter(lesson_id=lesson_id, student_id=student_id).order_by("position", "id"))
    return js.cell_text(marks, Attendance.objects.filter(lesson_id=lesson_id, student_id=student_id).first())


@postgresql_only
def test_twelve_clients_saving_cells_at_once_get_answers_the_log_and_the_data_agree_on(live_server, world, ticking_now):
    """Issue 11: twelve browsers — the teacher in nine tabs, a substitute in three — save at the
    same moment the same cell, other cells of one lesson's column and cells of another lesson,
    marks and «н» mixed, half with the value they last saw (was), half without. No request fails;
    each cell ends in a state one of them asked for, with its marks in distinct positions; what
    each client was told stored is a state the change log went through; verify_changelog passes."""
    given = js.lesson_create(journal=world.journal, date=TODAY, number=1, author=world.alice)
    other = js.lesson_create(journal=world.journal, date=TODAY - dt.timedelta(days=1), number=1, author=world.alice)
    substitute(world, given)
    students = world.students_5a
    hot = (given.pk, world.anna.pk)
    clients = [Browser(live_server, world.alice) for _ in range(9)]
    clients += [Browser(live_server, world.bob) for _ in range(3)]
    seen = defaultdict(str)  # (client, cell) → the value that client last saw stored
    asked = defaultdict(set)  # cell → every value some request asked for
    answers = []  # (cell, item of the answer)
    lock = threading.Lock()

    def work(index, r):
        code = index * ROUNDS + r
        targets = [hot, (given.pk, students[(index + r) % len(students)].pk)]
        if index < 9:  # the substitute writes only the lesson she gives
            targets.append((other.pk, students[(index * 3 + r) % len(students)].pk))
        if index % 2:
            targets.reverse()  # the same cells in another order: no two saves may deadlock
        cells = []
        for n, (lesson_id, student_id) in enumerate(targets):
            value = "н" if (index + n + r) % 4 == 3 else marks_for(code)
            item = {"lesson": lesson_id, "student": student_id, "value": value}
            if index % 2 == 0:
                item["was"] = seen[(index, (lesson_id, student_id))]
            cells.append(item)
            with lock:
                asked[(lesson_id, student_id)].add(value)
        status, data = clients[index].save(world.journal, period=world.periods[1].pk, cells=cells)
        assert status == 200, (status, data)
        with lock:
            for item in data["cells"]:
                key = (item["lesson"], item["student"])
                answers.append((key, item))
                if item["value"] is not None:
                    seen[(index, key)] = item["value"]

    run_rounds(clients, work)

    for key, values in asked.items():
        final = stored(*key)
        assert final in values | {""}, f"cell {key} holds «{final}», which nobody asked for"
        positions = list(Mark.objects.filter(lesson_id=key[0], student_id=key[1]).values_list("position", flat=True))
        assert sorted(positions) == list(range(len(positions))), f"cell {key}: positions {positions}"
        states = cell_states(world.school.pk, *key)
        assert states[-1] == final
    for key, item in answers:
        assert item["ok"] or item["conflict"], item  # no other refusal: every request was valid
        states = cell_states(world.school.pk, *key)
        assert item["value"] in states, f"cell {key}: the answer «{item['value']}» is no state of the log {states}"
    assert any(item["ok"] for _key, item in answers)
    result = verify_school(world.school)
    assert result.ok, (result.chain_problem, result.data_problems)


# ---------------------------------------------------------------------------------------------
# A lesson (both databases)


def test_concurrent_partial_and_whole_lesson_saves_lose_no_field_and_the_log_matches(live_server, world, ticking_now):
    """Issue 20: at the same moment three tabs send only the topic, three only the homework, one the
    whole record with the values it showed (changing the comment), and the substitute the topic with
    the value he saw. After every round the topic is one sent in that round, the homework one sent
    in that round, the comment the whole-record save's; the change log's last topic and homework
    are the lesson's; verify_changelog passes."""
    lesson = js.lesson_create(journal=world.journal, date=TODAY, number=2, author=world.alice)
    substitute(world, lesson)
    clients = [Browser(live_server, world.alice) for _ in range(7)] + [Browser(live_server, world.bob)]
    shown = {}  # the lesson as every page showed it at the start of the round
    sent = defaultdict(lambda: defaultdict(set))  # round → field → values sent
    answers = defaultdict(list)  # round → (client, item)
    lock = threading.Lock()

    def before_round(r):
        row = Lesson.objects.get(pk=lesson.pk)
        shown.clear()
        shown.update(
            topic=row.topic, homework=row.homework, no_homework=row.no_homework, work_type=None, comment=row.comment
        )

    def work(index, r):
        if index < 3:
            item = {"lesson": lesson.pk, "topic": f"Тема {index}.{r}"}
        elif index < 6:
            item = {"lesson": lesson.pk, "homework": f"Задание {index}.{r}"}
        elif index == 6:
            item = {"lesson": lesson.pk, **shown, "comment": f"Комментарий {r}", "was": dict(shown)}
        else:
            item = {"lesson": lesson.pk, "topic": f"Тема замены {r}", "was": {"topic": shown["topic"]}}
        with lock:
            for name in ("topic", "homework", "comment"):
                if name in item and (index != 6 or name == "comment"):
                    sent[r][name].add(item[name])
        status, data = clients[index].save(world.journal, lessons=[item])
        assert status == 200, (status, data)
        with lock:
            answers[r].append((index, data["lessons"][0]))

    def after_round(r):
        row = Lesson.objects.get(pk=lesson.pk)
        assert row.topic in sent[r]["topic"], f"round {r}: topic «{row.topic}» was not sent in this round"
        assert row.homework in sent[r]["homework"], f"round {r}: homework «{row.homework}» lost"
        assert row.comment == f"Комментарий {r}"
        for index, item in answers[r]:
            if index == 7:  # the substitute: written, or told the topic changed meanwhile
                assert item["ok"] or set(item["conflicts"]) == {"topic"}, item
            else:
                assert item["ok"], item
        topics = Entry.objects.filter(object_type="lesson", object_id=lesson.pk).order_by("-seq")
        assert next(e.new["topic"] for e in topics if e.old and e.old["topic"] != e.new["topic"]) == row.topic
        homework = Entry.objects.filter(object_type="homework", object_id=lesson.pk).latest("seq")
        assert homework.new["homework"] == row.homework

    run_rounds(clients, work, before_round=before_round, after_round=after_round)

    # Every topic a partial save was told it saved is in the log, and the log has no other.
    logged = {
        e.new["topic"]
        for e in Entry.objects.filter(object_type="lesson", object_id=lesson.pk, action="update")
        if e.old["topic"] != e.new["topic"]
    }
    told = {f"Тема {i}.{r}" for r in range(ROUNDS) for i in range(3)} | {
        f"Тема замены {r}" for r in range(ROUNDS) for index, item in answers[r] if index == 7 and item["ok"]
    }
    assert logged == told
    result = verify_school(world.school)
    assert result.ok, (result.chain_problem, result.data_problems)
