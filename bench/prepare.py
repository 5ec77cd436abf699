"""Pick who the load generator plays and sign them in: writes the plan (JSON) for bench/locustfile.py.

Run by bench/run.py against a benchmark database (DATABASE_URL in the environment):
    .venv/bin/python bench/prepare.py --out PLAN.json [--seed 1] [--parents 300] ...

Users are picked from the data itself (deterministically, spread over every school), so any
dataset works — the demo school or `generate_dataset` — without relying on a manifest format.
Each picked user gets a session exactly as the sign-in view creates it (user id, backend and the
password-derived hash), so the measured requests are those of signed-in users and no PBKDF2
sign-in is paid during the runs. The CSRF cookie and header carry one random secret, as Django
accepts for the JSON saves of the grid.

What is picked, per school, around "the bench day" — the last day on or before today with lessons:
- parents (with one child each, whose diary the access rules open: a consent in force, ACC-6):
  the diary week (the last complete week up to that day) and the marks of its period;
- teachers with their journals: the grid for that period;
- save slots: a past, held lesson of a journal whose group has at least --cells members on the
  lesson's date without an absence at it, with those students and two allowed values to
  alternate; slots are split between the save scenario and the mixed profile so no two
  load-generator users write the same lesson;
- class teachers: their class's attendance for the bench week and a grid of a class journal
  they do not teach (read-only for them).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--parents", type=int, default=300)
    parser.add_argument("--teachers", type=int, default=60)
    parser.add_argument("--class-teachers", type=int, default=30)
    parser.add_argument("--save-slots", type=int, default=40, help="lessons for the save scenario")
    parser.add_argument("--mixed-slots", type=int, default=40, help="lessons written by the mixed profile")
    parser.add_argument("--cells", type=int, default=25, help="marks in one save")
    args = parser.parse_args(argv)
    setup_django()
    started = time.monotonic()
    plan = build_plan(args)
    args.out.write_text(json.dumps(plan, ensure_ascii=False, indent=1))
    counts = {k: len(v) for k, v in plan.items() if isinstance(v, list)}
    print(f"plan: {counts} in {time.monotonic() - started:.1f} s", file=sys.stderr)
    return 0


def _spread(items: list, n: int, rng: random.Random) -> list:
    """n items drawn without repetition, deterministic for the seed."""
    items = list(items)
    rng.shuffle(items)
    return items[:n]


def _round_robin(by_school: dict[int, list], n: int) -> list:
    """Take items school by school in turn, so a district plan touches every school."""
    out, queues = [], [list(v) for _k, v in sorted(by_school.items())]
    while len(out) < n and any(queues):
        for q in queues:
            if q and len(out) < n:
                out.append(q.pop(0))
    return out


def build_plan(args) -> dict:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db.models import Max
    from django.utils.crypto import get_random_string

    from apps.accounts.models import Role, User
    from apps.journal.grading import GradingSystem
    from apps.journal.models import Journal, Lesson, Mark
    from apps.journal.services import school_today
    from apps.people.models import GuardianLink
    from apps.schools.models import Period, School, SchoolClass

    rng = random.Random(args.seed)
    Session.objects.all().delete()  # the benchmark database's sessions are all ours
    csrf = get_random_string(32)
    cookies: dict[int, str] = {}

    def cookie(user: User) -> str:
        if user.pk not in cookies:
            s = SessionStore()
            s[SESSION_KEY] = str(user.pk)
            s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
            s[HASH_SESSION_KEY] = user.get_session_auth_hash()
            s.create()
            cookies[user.pk] = f"sessionid={s.session_key}; csrftoken={csrf}"
        return cookies[user.pk]

    # The bench day and its period, school by school.
    schools = list(School.objects.order_by("pk"))
    schools_by_id = {school.pk: school for school in schools}
    day_of, monday_of, period_of = {}, {}, {}
    for school in schools:
        today = school_today(school)
        last = Lesson.objects.filter(school_id=school.pk, date__lte=today).aggregate(d=Max("date"))["d"]
        if last is None:
            continue
        period = Period.objects.filter(school_id=school.pk, starts__lte=last, ends__gte=last).first()
        if period is None:
            continue
        day_of[school.pk] = last
        # The diary week: the last complete school week (Monday to Saturday) up to that day.
        monday = last - dt.timedelta(days=last.weekday())
        monday_of[school.pk] = monday if last.weekday() >= 5 else monday - dt.timedelta(days=7)
        period_of[school.pk] = period
    if not day_of:
        raise SystemExit("prepare: no school with lessons up to today in this database")

    # Parents: one child each, whose diary they read.
    links = (
        GuardianLink.objects.filter(guardian__user__isnull=False, school_id__in=day_of)
        .select_related("guardian__user")
        .order_by("guardian_id", "student_id")
    )
    first_child: dict[int, GuardianLink] = {}
    for link in links.iterator(chunk_size=5000):
        first_child.setdefault(link.guardian_id, link)
    by_school = defaultdict(list)
    for link in _spread(sorted(first_child.values(), key=lambda li: li.pk), len(first_child), rng):
        by_school[link.school_id].append(link)
    parents = []
    for link in _round_robin(by_school, len(first_child)):
        if len(parents) >= args.parents:
            break
        sid = link.school_id
        if not _may_read(link, school_today(schools_by_id[sid])):
            continue  # no consent in force (ACC-6) or the like: the diary answers 404
        parents.append(
            {
                "cookie": cookie(link.guardian.user),
                "week": f"/diary/{link.student_id}/week/?date={monday_of[sid].isoformat()}",
                "marks": f"/diary/{link.student_id}/marks/?period={period_of[sid].pk}",
            }
        )

    # Journals of the bench year, by teacher.
    journals = list(
        Journal.objects.filter(school_id__in=day_of, teacher__user__isnull=False, year_id__in=_years(period_of))
        .select_related("teacher__user", "group")
        .order_by("pk")
    )
    by_teacher = defaultdict(list)
    for j in journals:
        by_teacher[j.teacher_id].append(j)
    by_school = defaultdict(list)
    for tid in _spread(sorted(by_teacher), len(by_teacher), rng):
        by_school[by_teacher[tid][0].school_id].append(tid)
    teacher_order = _round_robin(by_school, len(by_teacher))
    teachers = []
    for tid in teacher_order[: args.teachers]:
        js = by_teacher[tid]
        teachers.append(
            {
                "cookie": cookie(js[0].teacher.user),
                "grids": [f"/journal/{j.pk}/?period={period_of[j.school_id].pk}" for j in js[:6]],
            }
        )

    # Save slots: one past lesson per teacher (then a second one, …), each with --cells students.
    slots_needed = args.save_slots + args.mixed_slots
    slots: list[dict] = []
    used_lessons: set[int] = set()
    for round_ in range(30):
        for tid in teacher_order:
            if len(slots) >= slots_needed:
                break
            js = by_teacher[tid]
            j = js[round_ % len(js)]
            slot = _save_slot(j, day_of[j.school_id], period_of[j.school_id], args.cells, used_lessons, rng)
            if slot is not None:
                slot["cookie"] = cookie(j.teacher.user)
                slots.append(slot)
        if len(slots) >= slots_needed:
            break
    # Alternate between two allowed values, starting with one that differs from the cell now.
    marks = defaultdict(list)
    for m in Mark.objects.filter(lesson_id__in=[s["lesson"] for s in slots]).order_by("position", "pk"):
        marks[(m.lesson_id, m.student_id)].append(m.value)
    for s in slots:
        allowed = sorted(GradingSystem.allowed(s.pop("grading_system")), reverse=True)
        a, b = allowed[0], allowed[1]
        s["cells"] = [
            {"student": sid, "values": [b, a] if marks.get((s["lesson"], sid)) == [a] else [a, b]}
            for sid in s.pop("students")
        ]

    # Class teachers: the class's week of attendance and a class journal they only read.
    classes = list(
        SchoolClass.objects.filter(
            school_id__in=day_of, class_teacher__user__isnull=False, year_id__in=_years(period_of)
        )
        .select_related("class_teacher__user")
        .order_by("pk")
    )
    class_journals = defaultdict(list)
    for j in journals:
        if j.group.school_class_id is not None:
            class_journals[j.group.school_class_id].append(j)
    by_school = defaultdict(list)
    for c in _spread(classes, len(classes), rng):
        by_school[c.school_id].append(c)
    class_teachers = []
    for c in _round_robin(by_school, args.class_teachers):
        others = [j for j in class_journals.get(c.pk, []) if j.teacher_id != c.class_teacher_id]
        if not others:
            continue
        monday = monday_of[c.school_id]
        saturday = monday + dt.timedelta(days=5)
        class_teachers.append(
            {
                "cookie": cookie(c.class_teacher.user),
                "attendance": f"/journal/class/{c.pk}/attendance/?from={monday.isoformat()}&to={saturday.isoformat()}",
                "grids": [f"/journal/{j.pk}/?period={period_of[j.school_id].pk}" for j in others[:4]],
            }
        )

    # The administration's reports (issue 3), one deputy per school: the programme's completion
    # (every journal of the school: lessons given against the plan), the movement of students
    # and the class sizes, the substitutions of the quarter.
    deputies = []
    for school in schools:
        deputy = User.objects.filter(memberships__school=school, memberships__role=Role.DEPUTY).order_by("pk").first()
        if deputy is None:
            continue
        period = period_of.get(school.pk)
        if period is None:
            continue
        deputies.append(
            {
                "cookie": cookie(deputy),
                "reports": [
                    "/plans/completion/",
                    f"/movement/report/?starts={period.starts.isoformat()}&ends={period.ends.isoformat()}",
                    f"/timetable/substitutions/report/?period={period.pk}",
                ],
            }
        )

    # What the dataset is, for the results file.
    dataset = {
        "schools": len(schools),
        "students": _count("people_student"),
        "lessons": _count("journal_lesson"),
        "marks": _count("journal_mark"),
        "attendance": _count("journal_attendance"),
        "changelog": _count("audit_entry"),
        "bench_days": sorted({d.isoformat() for d in day_of.values()}),
    }
    return {
        "csrf": csrf,
        "dataset": dataset,
        "parents": parents,
        "teachers": teachers,
        "save_slots": slots[: args.save_slots],
        "mixed_slots": slots[args.save_slots :],
        "class_teachers": class_teachers,
        "deputies": deputies,
    }


def _may_read(link, today) -> bool:
    """Whether the parent may read this child's diary today, by the rules of
    apps.accounts.access.diary_students (consents in force, ACC-6/ACC-7)."""
    from apps.people.models import Student

    try:
        from apps.registration.selectors import parent_may_read_q
    except ImportError:  # before the consents register existed
        return True
    user = link.guardian.user
    return Student.objects.filter(pk=link.student_id).filter(parent_may_read_q(user, today)).exists()


def _years(period_of) -> set[int]:
    return {p.year_id for p in period_of.values()}


def _count(table: str) -> int:
    """Row count from the planner's statistics on PostgreSQL (exact count elsewhere)."""
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
            row = cur.fetchone()
            if row and row[0] and row[0] > 0:
                return int(row[0])
        cur.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 — a fixed table name
        return int(cur.fetchone()[0])


def _save_slot(journal, bench_day, period, cells, used_lessons, rng) -> dict | None:
    """A held lesson of `journal` in the bench period, up to the bench day, with `cells` members."""
    from django.db.models import Q

    from apps.journal.models import Attendance, Lesson
    from apps.people.models import GroupMembership

    if journal.first_grade:  # JRN-6: a first grade's journal refuses marks; its saves would all fail
        return None
    lessons = list(
        Lesson.objects.filter(
            journal=journal, date__gte=period.starts, date__lte=bench_day, status=Lesson.Status.HELD
        ).order_by("-date", "-number")[:20]
    )
    lessons = [lesson for lesson in lessons if lesson.pk not in used_lessons]
    if not lessons:
        return None
    lesson = lessons[rng.randrange(len(lessons))]
    students = list(
        GroupMembership.objects.filter(group_id=journal.group_id, starts__lte=lesson.date)
        .filter(Q(ends__isnull=True) | Q(ends__gte=lesson.date))
        .order_by("student_id")
        .values_list("student_id", flat=True)
        .distinct()
    )
    # Students without an absence or lateness at that lesson: each cell then holds marks only and
    # the value sent is exactly the value saved.
    marked = set(Attendance.objects.filter(lesson=lesson).values_list("student_id", flat=True))
    students = [sid for sid in students if sid not in marked]
    if len(students) < cells:
        return None
    used_lessons.add(lesson.pk)
    return {
        "url": f"/journal/{journal.pk}/save/",
        "period": period.pk,
        "lesson": lesson.pk,
        "grading_system": journal.grading_system,
        "students": students[:cells],
    }


if __name__ == "__main__":
    sys.exit(main())
