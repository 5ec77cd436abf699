"""Builds the demo school in one transaction, with bulk inserts only (see `load_demo`).

Everything is drawn from one `random.Random(seed)`, so a seed and a date give the same school.
The change log (ARC-1) is written for every lesson, homework, mark, attendance and period mark
row, chained exactly as `apps.audit.services.append` chains it, so `verify_changelog` passes.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.models import Membership, Role, User
from apps.audit.models import ChainHead, Entry
from apps.audit.services import GENESIS, entry_hash
from apps.journal.grading import GradingSystem
from apps.journal.models import Attendance, Journal, Lesson, Mark, PeriodMark
from apps.journal.snapshots import (
    attendance_snapshot,
    homework_snapshot,
    lesson_snapshot,
    mark_snapshot,
    period_mark_snapshot,
)
from apps.people.models import Enrolment, GroupMembership, Guardian, GuardianLink, Staff, Student
from apps.registration.deadlines import is_adult
from apps.registration.models import Consent
from apps.schools.models import (
    AcademicYear,
    BellSlot,
    Group,
    Holiday,
    Municipality,
    Period,
    Region,
    School,
    SchoolClass,
    Subject,
    WorkType,
)

from . import curriculum as cur
from . import names
from .bulk import insert_rows, next_id, reset_sequences

DEMO_PASSWORD = "demo2026"
REGION_NAME = "Демонстрационная область"
MUNICIPALITY_NAME = "Городской округ Энск"
SCHOOL_NAME = "Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа № 1»"
SCHOOL_SHORT_NAME = "МБОУ «Средняя общеобразовательная школа № 1»"
TZ = ZoneInfo("Europe/Moscow")

# The fixed demo logins, in the order they are printed.
LOGINS = [
    ("admin", Role.JOURNAL_ADMIN),
    ("director", Role.DIRECTOR),
    ("zavuch", Role.DEPUTY),
    ("teacher", Role.TEACHER),
    ("klass", Role.CLASS_TEACHER),
    ("parent", Role.PARENT),
    ("student", Role.STUDENT),
]

# name, short, weight, written, default — the same list as tests.factories.WORK_TYPES
WORK_TYPES = [
    ("Ответ на уроке", "отв", "1", False, True),
    ("Контрольная работа", "кр", "2", True, False),
    ("Самостоятельная работа", "ср", "1.5", True, False),
    ("Диктант", "дикт", "2", True, False),
    ("Лабораторная работа", "лаб", "1.5", True, False),
    ("Практическая работа", "пр", "1.5", True, False),
    ("Домашняя работа", "дз", "1", True, False),
]

BELLS = [
    (dt.time(8, 30), dt.time(9, 15)),
    (dt.time(9, 25), dt.time(10, 10)),
    (dt.time(10, 30), dt.time(11, 15)),
    (dt.time(11, 35), dt.time(12, 20)),
    (dt.time(12, 30), dt.time(13, 15)),
    (dt.time(13, 25), dt.time(14, 10)),
    (dt.time(14, 20), dt.time(15, 5)),
    (dt.time(15, 15), dt.time(16, 0)),
]

# Marks: overall shares ≈ 5: 30 %, 4: 42 %, 3: 22 %, 2: 6 %. A student's score is his ability
# plus noise; the cut points are the normal quantiles of those shares.
ABILITY_WEIGHT = 0.8
_SCORE_SD = math.sqrt(1 + ABILITY_WEIGHT**2)
CUTS = [(-1.555 * _SCORE_SD, "2"), (-0.583 * _SCORE_SD, "3"), (0.524 * _SCORE_SD, "4")]
MARK_CHANCE = 0.28  # about one mark per 3–4 students per lesson
SECOND_MARK_CHANCE = 0.04
SICK_START = 0.009  # chance a healthy student falls ill on a school day (2–6 days)
SKIP_CHANCE = 0.008  # single missed lesson
LATE_CHANCE = 0.004
TWO_COMMENTS = ["Не готов к уроку", "Не выполнено домашнее задание", "Работа не закончена"]
ABSENT_REASONS = [Attendance.Reason.UNEXCUSED, Attendance.Reason.EXCUSED, Attendance.Reason.UNKNOWN]
FUTURE_SCHOOL_DAYS = 5  # lessons planned ahead with topics and homework
WEEKS_IN_YEAR = 33
Q = Decimal("0.01")


@dataclass
class Options:
    seed: int = 2026
    students_per_class: int = 25
    grades: tuple[int, ...] = tuple(range(1, 12))
    letters: str = "АБ"
    today: dt.date | None = None


def parse_grades(text: str) -> tuple[int, ...]:
    """«1-11», «1,5», «5-7,9» → sorted grades; ValueError if any is outside 1–11."""
    grades: set[int] = set()
    for part in str(text).replace(" ", "").split(","):
        if not part:
            continue
        if "-" in part:
            first, last = (int(x) for x in part.split("-", 1))
            grades.update(range(first, last + 1))
        else:
            grades.add(int(part))
    if not grades or min(grades) < 1 or max(grades) > 11:
        raise ValueError(text)
    return tuple(sorted(grades))


def year_start_for(today: dt.date) -> int:
    """The academic year to show: the one running on `today`. In June–August that is the year
    that has just finished its lessons (legally it runs until 31 August), which still has a
    full journal to look at."""
    return today.year if today.month >= 9 else today.year - 1


# ---------------------------------------------------------------------------------------------
# In-memory records


@dataclass
class ClassRec:
    grade: int
    letter: str
    obj: SchoolClass | None = None
    group: Group | None = None
    subgroups: list[Group] = field(default_factory=list)
    students: list[StudentRec] = field(default_factory=list)
    teacher: TeacherRec | None = None  # class teacher

    @property
    def label(self) -> str:
        return f"{self.grade}{self.letter}"


@dataclass
class TeacherRec:
    specialism: str
    staff: Staff
    user: User
    load: int = 0


@dataclass
class Family:
    surname: str
    father: tuple[str, str]  # first name, patronymic
    mother: tuple[str, str]
    guardians: str  # "both", "mother", "father"
    children: list[StudentRec] = field(default_factory=list)


@dataclass
class StudentRec:
    obj: Student
    cls: ClassRec
    family: Family
    female: bool
    ability: float
    starts: dt.date
    ends: dt.date | None = None
    subgroup: int = 0
    user: User | None = None


@dataclass
class Unit:
    """One line of a class's timetable: a subject taught in some journals by some teachers."""

    cls: ClassRec
    subject: str
    hours: int
    journals: list[Journal]
    teachers: list[int]


# ---------------------------------------------------------------------------------------------


class DemoBuilder:
    def __init__(self, options: Options, out=None, password: str | None = None):
        self.o = options
        self.rng = random.Random(options.seed)
        self.out = out
        real_now = timezone.now()
        if options.today is None:
            self.today = timezone.localtime(real_now, TZ).date()
            self.now = real_now
        else:
            self.today = options.today
            self.now = dt.datetime.combine(options.today, dt.time(18, 0), TZ)
        self.password = password or make_password(DEMO_PASSWORD)  # one hash for every demo user
        self.usernames: set[str] = {u for u, _r in LOGINS}
        self.users: list[User] = []
        self.memberships: list[tuple[User, str]] = []
        self.stats: dict[str, int] = {}
        self.timings: dict[str, float] = {}

    # -- entry point ---------------------------------------------------------------------------

    @transaction.atomic
    def build(self) -> School:
        if connection.vendor == "sqlite":
            # A big page cache keeps the indexes of the large tables in memory while loading.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -262144")
        for step in (
            self._school_and_year,
            self._teachers_needed,
            self._people,
            self._save_people,
            self._journals,
            self._timetable,
            self._lessons,
            self._marks_and_attendance,
            self._period_marks,
            self._change_log,
        ):
            started = time.monotonic()
            step()
            self.timings[step.__name__.strip("_")] = time.monotonic() - started
        return self.school

    # -- school, year, calendar ------------------------------------------------------------------

    def _make_school(self) -> School:
        """The school row (a hook: the dataset generator names its schools differently)."""
        region, _ = Region.objects.get_or_create(name=REGION_NAME)
        municipality, _ = Municipality.objects.get_or_create(region=region, name=MUNICIPALITY_NAME)
        return School.objects.create(
            municipality=municipality, name=SCHOOL_NAME, short_name=SCHOOL_SHORT_NAME, timezone="Europe/Moscow"
        )

    def _school_and_year(self):
        self.school = school = self._make_school()
        y = year_start_for(self.today)
        self.year = AcademicYear.objects.create(
            school=school,
            name=f"{y}/{y + 1}",
            starts=dt.date(y, 9, 1),
            ends=dt.date(y + 1, 5, 31),
            status=AcademicYear.Status.ACTIVE,
        )
        vacations = [
            ("Осенние каникулы", dt.date(y, 10, 26), dt.date(y, 11, 3)),
            ("Зимние каникулы", dt.date(y, 12, 29), dt.date(y + 1, 1, 11)),
            ("Весенние каникулы", dt.date(y + 1, 3, 23), dt.date(y + 1, 3, 31)),
        ]
        days_off = [
            ("День народного единства", dt.date(y, 11, 4)),
            ("День защитника Отечества", dt.date(y + 1, 2, 23)),
            ("Международный женский день", dt.date(y + 1, 3, 8)),
            ("Праздник Весны и Труда", dt.date(y + 1, 5, 1)),
            ("День Победы", dt.date(y + 1, 5, 9)),
        ]
        holidays = [Holiday(school=school, year=self.year, name=n, starts=s, ends=e) for n, s, e in vacations]
        holidays += [Holiday(school=school, year=self.year, name=n, starts=d, ends=d) for n, d in days_off]
        Holiday.objects.bulk_create(holidays)
        bounds = [self.year.starts]
        for _n, s, e in vacations:
            bounds += [s - dt.timedelta(days=1), e + dt.timedelta(days=1)]
        bounds.append(self.year.ends)
        self.periods = Period.objects.bulk_create(
            [
                Period(
                    school=school,
                    year=self.year,
                    name=f"{i + 1} четверть",
                    order=i + 1,
                    starts=bounds[2 * i],
                    ends=bounds[2 * i + 1],
                )
                for i in range(4)
            ]
        )
        BellSlot.objects.bulk_create(
            [BellSlot(school=school, number=i + 1, starts=s, ends=e) for i, (s, e) in enumerate(BELLS)]
        )
        self.work_types = {
            n: wt
            for wt, (n, *_rest) in zip(
                WorkType.objects.bulk_create(
                    [
                        WorkType(
                            school=school,
                            name=n,
                            short_name=s,
                            weight=Decimal(w).quantize(Q),
                            is_written=wr,
                            is_default=d,
                            order=i,
                        )
                        for i, (n, s, w, wr, d) in enumerate(WORK_TYPES)
                    ]
                ),
                WORK_TYPES,
                strict=True,
            )
        }
        subjects = sorted({s for g in self.o.grades for s, _h in cur.CURRICULUM[g]})
        self.subjects = {
            s.name: s
            for s in Subject.objects.bulk_create(
                [Subject(school=school, name=n, short_name=cur.SUBJECTS[n]) for n in subjects]
            )
        }
        off = set()
        for h in holidays:
            d = h.starts
            while d <= h.ends:
                off.add(d)
                d += dt.timedelta(days=1)
        self.school_days = []
        d = self.year.starts
        while d <= self.year.ends:
            if d.weekday() < 5 and d not in off:
                self.school_days.append(d)
            d += dt.timedelta(days=1)
        self.past_days = [d for d in self.school_days if d <= self.today]
        ahead = [d for d in self.school_days if d > self.today][:FUTURE_SCHOOL_DAYS]
        self.lesson_days = self.past_days + ahead

    # -- people --------------------------------------------------------------------------------

    def _username(self, last, first, middle) -> str:
        base = names.login_base(last, first, middle)
        name, n = base, 1
        while name in self.usernames:
            n += 1
            name = f"{base}{n}"
        self.usernames.add(name)
        return name

    def _user(self, last, first, middle, username=None, email="") -> User:
        user = User(
            username=username or self._username(last, first, middle),
            password=self.password,
            last_name=last,
            first_name=first,
            middle_name=middle,
            email=email,
        )
        self.users.append(user)
        return user

    def _person_name(self, female: bool, used: set) -> tuple[str, str, str]:
        rng = self.rng
        while True:
            surname = rng.choice(names.SURNAMES)
            first = rng.choice(names.FEMALE_NAMES if female else names.MALE_NAMES)
            middle = names.patronymic(rng.choice(names.MALE_NAMES), female)
            last = names.feminine_surname(surname) if female else surname
            if (last, first, middle) not in used:
                used.add((last, first, middle))
                return last, first, middle

    def _teachers_needed(self):
        """Classes, and the teachers their curriculum needs: bundles of hours (a specialism's
        subjects in one class or subgroup) shared out so that loads stay near TARGET_LOAD."""
        self.classes = [ClassRec(g, letter) for g in self.o.grades for letter in self.o.letters]
        self.bundles: dict[tuple[str, int, int], int] = defaultdict(int)  # (spec, class idx, subgroup) → hours
        for ci, c in enumerate(self.classes):
            for subject, hours in cur.CURRICULUM[c.grade]:
                spec = cur.specialism_for(subject, c.grade)
                for sg in (1, 2) if subject in cur.SPLIT_SUBJECTS else (0,):
                    self.bundles[(spec, ci, sg)] += hours
        used: set = set()
        self.teachers: list[TeacherRec] = []
        self.bundle_teacher: dict[tuple[str, int, int], TeacherRec] = {}
        for spec, (position, _subjects) in cur.SPECIALISMS.items():
            mine = sorted(
                ((k, h) for k, h in self.bundles.items() if k[0] == spec), key=lambda kh: (-kh[1], kh[0][1], kh[0][2])
            )
            if not mine:
                continue
            total = sum(h for _k, h in mine)
            if spec == "primary":
                count = len(mine)
            else:
                count = max(math.ceil(total / cur.TARGET_LOAD), 2 if any(k[2] for k, _h in mine) else 1)
            staff = []
            for _i in range(count):
                female = self.rng.random() < (0.55 if spec in ("pe", "informatics", "physics") else 0.88)
                last, first, middle = self._person_name(female, used)
                user = self._user(last, first, middle)
                rec = TeacherRec(
                    spec,
                    Staff(
                        school=self.school,
                        last_name=last,
                        first_name=first,
                        middle_name=middle,
                        position=position,
                        hired_on=dt.date(self.rng.randint(1995, self.year.starts.year - 1), 8, 25),
                    ),
                    user,
                )
                staff.append(rec)
                self.teachers.append(rec)
            for (sp, ci, sg), hours in mine:
                pool = staff
                if sg == 2:  # the two subgroups of a class meet at once: two different teachers
                    other = self.bundle_teacher.get((sp, ci, 1))
                    pool = [t for t in staff if t is not other] or staff
                teacher = min(pool, key=lambda t: (t.load, staff.index(t)))
                teacher.load += hours
                self.bundle_teacher[(sp, ci, sg)] = teacher
        # The «teacher» login: a subject teacher with a full load, kept free of a class of her own
        # so that the login shows the plain teacher role.
        prefs = ["math", "russian", "english", "history", "physics", "biology", "geography"]
        subject_teachers = [t for t in self.teachers if t.specialism != "primary"] or self.teachers
        self.demo_teacher = min(
            subject_teachers,
            key=lambda t: (prefs.index(t.specialism) if t.specialism in prefs else 99, -t.load),
            default=None,
        )
        # Class teachers: the primary teacher of her class; in grades 5–11 a teacher of the class.
        taken: set[int] = {id(self.demo_teacher)} if len(self.teachers) > len(self.classes) else set()
        for ci, c in enumerate(self.classes):
            hours_here: dict[int, int] = defaultdict(int)
            for (_sp, cj, _sg), t in self.bundle_teacher.items():
                if cj == ci:
                    hours_here[id(t)] += self.bundles[(_sp, cj, _sg)]
            candidates = [t for t in self.teachers if id(t) in hours_here and id(t) not in taken]
            if c.grade <= 4:
                candidates = [t for t in candidates if t.specialism == "primary"] or candidates
            if not candidates:
                candidates = [t for t in self.teachers if id(t) not in taken]
            if candidates:
                best = max(candidates, key=lambda t: (hours_here.get(id(t), 0), -self.teachers.index(t)))
                c.teacher = best
                taken.add(id(best))
        # Administration.
        self.admin_staff = {}
        for username, role, position, female in [
            ("director", Role.DIRECTOR, "директор", False),
            ("zavuch", Role.DEPUTY, "заместитель директора по учебно-воспитательной работе", True),
            ("admin", Role.JOURNAL_ADMIN, "администратор электронного журнала", True),
        ]:
            last, first, middle = self._person_name(female, used)
            user = self._user(last, first, middle, username=username)
            self.memberships.append((user, role))
            self.admin_staff[username] = Staff(
                school=self.school, last_name=last, first_name=first, middle_name=middle, position=position
            )
            self.admin_staff[username].user = user

    def _people(self):
        rng = self.rng
        y0 = self.year.starts
        used: set = set()
        families: list[Family] = []
        self.students: list[StudentRec] = []
        for c in self.classes:
            n = self.o.students_per_class
            if n >= 10:
                n += rng.randint(-2, 2)
            for _i in range(n):
                female = rng.random() < 0.5
                family = None
                if families and rng.random() < 0.1:
                    family = rng.choice(families)
                    if len(family.children) >= 3 or any(ch.cls is c for ch in family.children):
                        family = None
                if family is None:
                    fam_name = rng.choice(names.SURNAMES)
                    family = Family(
                        surname=fam_name,
                        father=(rng.choice(names.MALE_NAMES), names.patronymic(rng.choice(names.MALE_NAMES), False)),
                        mother=(rng.choice(names.FEMALE_NAMES), names.patronymic(rng.choice(names.MALE_NAMES), True)),
                        guardians=rng.choices(["both", "mother", "father"], [70, 25, 5])[0],
                    )
                    families.append(family)
                last = names.feminine_surname(family.surname) if female else family.surname
                while True:
                    first = rng.choice(names.FEMALE_NAMES if female else names.MALE_NAMES)
                    middle = names.patronymic(family.father[0], female)
                    if (last, first, middle) not in used:
                        used.add((last, first, middle))
                        break
                age_days = int(365.25 * (c.grade + 5.5)) + rng.randint(0, 364)
                rec = StudentRec(
                    obj=Student(
                        school=self.school,
                        last_name=last,
                        first_name=first,
                        middle_name=middle,
                        birth_date=y0 - dt.timedelta(days=age_days),
                    ),
                    cls=c,
                    family=family,
                    female=female,
                    ability=rng.gauss(0, 1),
                    starts=y0,
                )
                family.children.append(rec)
                c.students.append(rec)
                self.students.append(rec)
            c.students.sort(key=lambda s: (s.obj.last_name, s.obj.first_name))
            # Movement: now and then a student arrives late or leaves during the year.
            past = [d for d in self.past_days if d >= y0 + dt.timedelta(days=14)]
            if len(past) > 10 and len(c.students) >= 4:
                if rng.random() < 0.25:
                    arrival = rng.choice(past[: min(len(past), 25)])
                    rng.choice(c.students).starts = arrival
                if rng.random() < 0.15:
                    leaver = rng.choice([s for s in c.students if s.starts == y0])
                    leaver.ends = rng.choice(past[:-5] or past)
            for i, s in enumerate(c.students):
                s.subgroup = 1 if i < (len(c.students) + 1) // 2 else 2
        self.families = families
        # Accounts: students from grade 5 on; every guardian.
        for s in self.students:
            if s.cls.grade >= 5:
                s.user = self._user(s.obj.last_name, s.obj.first_name, s.obj.middle_name)
                self.memberships.append((s.user, Role.STUDENT))
        self.guardians: list[tuple[Guardian, Family, str]] = []
        for fam in families:
            who = {"both": ["mother", "father"], "mother": ["mother"], "father": ["father"]}[fam.guardians]
            for relation in who:
                female = relation == "mother"
                first, middle = fam.mother if female else fam.father
                last = names.feminine_surname(fam.surname) if female else fam.surname
                username = self._username(last, first, middle)
                user = self._user(last, first, middle, username=username, email=f"{username}@example.org")
                self.memberships.append((user, Role.PARENT))
                g = Guardian(
                    school=self.school,
                    last_name=last,
                    first_name=first,
                    middle_name=middle,
                    phone=f"+7 9{rng.randint(10, 99)} {rng.randint(100, 999)}-{rng.randint(10, 99)}-"
                    f"{rng.randint(10, 99)}",
                    email=user.email,
                )
                g.user = user
                self.guardians.append((g, fam, relation))
        self._pick_demo_logins()

    def _pick_demo_logins(self):
        """Give the fixed usernames to people who tell one story: a parent of several children,
        one of them in grade 5+ with marks (the «student» login) in a class that «teacher»
        teaches, and that class's class teacher, who teaches it too («klass»)."""
        y0 = self.year.starts
        teacher = self.demo_teacher
        taught = {ci for (_sp, ci, _sg), t in self.bundle_teacher.items() if t is teacher}

        def kid_order(ch):
            g = ch.cls.grade
            steady = ch.starts == y0 and ch.ends is None
            return (not steady, not 5 <= g <= 9, self.classes.index(ch.cls) not in taught, g < 5, g if g >= 5 else -g)

        families = sorted(
            self.families,
            key=lambda f: (min(kid_order(ch) for ch in f.children), -len(f.children), self.families.index(f)),
        )
        family = families[0] if families else None
        child = min(family.children, key=kid_order) if family else None

        led = [c for c in self.classes if c.teacher is not None]
        klass_class = child.cls if child is not None and child.cls.teacher is not None else None
        if klass_class is None or (klass_class.grade < 5 and any(c.grade >= 5 for c in led)):
            klass_class = next((c for c in led if c.grade >= 5), led[0] if led else None)
        klass = klass_class.teacher if klass_class else None
        if teacher is klass:
            teacher = next((t for t in self.teachers if t is not klass), None)

        for username, rec in (("klass", klass), ("teacher", teacher)):
            if rec is not None:
                self.usernames.discard(rec.user.username)
                rec.user.username = username
        if family is not None:
            parent = next(g for g, fam, _r in self.guardians if fam is family)
            self.usernames.discard(parent.user.username)
            parent.user.username = "parent"
            parent.user.email = parent.email = "parent@example.org"
        if child is not None:
            if child.user is None:
                child.user = self._user(child.obj.last_name, child.obj.first_name, child.obj.middle_name)
                self.memberships.append((child.user, Role.STUDENT))
            self.usernames.discard(child.user.username)
            child.user.username = "student"

    def _save_people(self):
        User.objects.bulk_create(self.users, batch_size=500)
        for t in self.teachers:
            t.staff.user = t.user
            self.memberships.append((t.user, Role.TEACHER))
        for c in self.classes:
            if c.teacher is not None:
                self.memberships.append((c.teacher.user, Role.CLASS_TEACHER))
        Staff.objects.bulk_create([t.staff for t in self.teachers] + list(self.admin_staff.values()))
        for c in self.classes:
            c.obj = SchoolClass(
                school=self.school,
                year=self.year,
                grade=c.grade,
                letter=c.letter,
                class_teacher=c.teacher.staff if c.teacher else None,
            )
        SchoolClass.objects.bulk_create([c.obj for c in self.classes])
        groups = []
        for c in self.classes:
            c.group = Group(school=self.school, year=self.year, school_class=c.obj, kind=Group.Kind.CLASS, name=c.label)
            groups.append(c.group)
            if any(s in cur.SPLIT_SUBJECTS for s, _h in cur.CURRICULUM[c.grade]):
                c.subgroups = [
                    Group(
                        school=self.school,
                        year=self.year,
                        school_class=c.obj,
                        kind=Group.Kind.SUBGROUP,
                        name=f"{c.label} — английский язык, {n} группа",
                    )
                    for n in (1, 2)
                ]
                groups += c.subgroups
        Group.objects.bulk_create(groups)
        for s in self.students:
            s.obj.user = s.user
        Student.objects.bulk_create([s.obj for s in self.students], batch_size=500)
        Guardian.objects.bulk_create([g for g, _f, _r in self.guardians], batch_size=500)
        links, enrolments, members = [], [], []
        for g, fam, relation in self.guardians:
            for ch in fam.children:
                links.append(GuardianLink(school=self.school, guardian=g, student=ch.obj, relation=relation))
        for s in self.students:
            enrolments.append(
                Enrolment(
                    school=self.school,
                    student=s.obj,
                    school_class=s.cls.obj,
                    starts=s.starts,
                    ends=s.ends,
                    order_number=f"{self.rng.randint(10, 180)}-у" if s.starts != self.year.starts else "",
                )
            )
            groups_of = [s.cls.group] + ([s.cls.subgroups[s.subgroup - 1]] if s.cls.subgroups else [])
            for grp in groups_of:
                members.append(
                    GroupMembership(school=self.school, group=grp, student=s.obj, starts=s.starts, ends=s.ends)
                )
        GuardianLink.objects.bulk_create(links, batch_size=500)
        self._consents()
        Enrolment.objects.bulk_create(enrolments, batch_size=500)
        GroupMembership.objects.bulk_create(members, batch_size=500)
        Membership.objects.bulk_create(
            [Membership(user=u, school=self.school, role=r) for u, r in self.memberships], batch_size=500
        )
        self.stats.update(
            users=len(self.users),
            teachers=len(self.teachers),
            students=len(self.students),
            guardians=len(self.guardians),
        )

    def _consents(self):
        """ACC-6: every parent handed in the personal-data consent on the child's first day (the
        diary opens only with one); a student of age agreed that the parents keep reading it."""
        consents = [
            Consent(school=self.school, student=ch.obj, guardian=g, given_on=ch.starts, recorded_at=self.now)
            for g, fam, _r in self.guardians
            for ch in fam.children
        ] + [
            Consent(
                school=self.school,
                student=s.obj,
                given_on=s.starts,
                allows_guardians=True,
                recorded_at=self.now,
            )
            for s in self.students
            if is_adult(s.obj.birth_date, self.year.ends)
        ]
        for number, consent in enumerate(consents, start=1):
            consent.number = number
        Consent.objects.bulk_create(consents, batch_size=500)

    # -- journals and the timetable ----------------------------------------------------------------

    def _journals(self):
        self.units: list[Unit] = []
        journals = []
        for ci, c in enumerate(self.classes):
            for subject, hours in cur.CURRICULUM[c.grade]:
                spec = cur.specialism_for(subject, c.grade)
                parts = [(1, c.subgroups[0]), (2, c.subgroups[1])] if subject in cur.SPLIT_SUBJECTS else [(0, c.group)]
                unit = Unit(c, subject, hours, [], [])
                for sg, grp in parts:
                    teacher = self.bundle_teacher[(spec, ci, sg)]
                    j = Journal(
                        school=self.school,
                        year=self.year,
                        subject=self.subjects[subject],
                        group=grp,
                        teacher=teacher.staff,
                        grading_system=GradingSystem.FIVE,
                        hours_per_week=hours,
                    )
                    j.demo_teacher = teacher
                    j.demo_cls = c
                    j.demo_subgroup = sg
                    unit.journals.append(j)
                    unit.teachers.append(id(teacher))
                    journals.append(j)
                self.units.append(unit)
        Journal.objects.bulk_create(journals)
        self.journals = journals
        self.stats["journals"] = len(journals)

    def _day_lengths(self, hours: int) -> list[int]:
        """Lessons per weekday for a class: as even as possible, Friday a little shorter."""
        base, extra = divmod(hours, 5)
        days = sorted(range(5), key=lambda d: self.rng.random() + (0.3 if d == 4 else 0))
        lengths = [base] * 5
        for d in days[:extra]:
            lengths[d] += 1
        return lengths

    def _timetable(self):
        """A weekly timetable per class: its hours fill Mon–Fri from the first lesson on, no
        teacher is in two rooms at once, and a subject comes at most once a day where its hours
        allow. Min-conflicts search: start from a random timetable of each class, then keep
        swapping two lessons of a class where that removes a clash."""
        rng = self.rng
        by_class: dict[int, list[Unit]] = defaultdict(list)
        for u in self.units:
            by_class[id(u.cls)].append(u)
        table: dict[int, dict[tuple[int, int], Unit]] = {}
        units_by_id = {id(u): u for u in self.units}
        busy: dict[tuple[int, tuple], int] = defaultdict(int)  # (teacher, slot) → lessons
        per_day: dict[tuple[int, int], int] = defaultdict(int)  # (unit, weekday) → lessons
        for c in self.classes:
            units = by_class[id(c)]
            lengths = self._day_lengths(sum(u.hours for u in units))
            slots = [(d, n) for d in range(5) for n in range(1, lengths[d] + 1)]
            lessons = [u for u in units for _ in range(u.hours)]
            rng.shuffle(lessons)
            table[id(c)] = dict(zip(slots, lessons, strict=True))
            for slot, u in table[id(c)].items():
                for t in u.teachers:
                    busy[(t, slot)] += 1
                per_day[(id(u), slot[0])] += 1

        def place(u, slot, sign):
            for t in u.teachers:
                busy[(t, slot)] += sign
            per_day[(id(u), slot[0])] += sign

        def cost(u, slot):
            """What putting `u` at `slot` costs, given everything else: a teacher clash is far
            worse than a subject twice in a day."""
            clash = sum(busy[(t, slot)] for t in u.teachers)
            allowed = -(-u.hours // 5)
            return 10 * clash + max(0, per_day[(id(u), slot[0])] + 1 - allowed)

        def bad():
            teacher_clash, twice = [], []
            for cid, slots in table.items():
                for s, u in slots.items():
                    if any(busy[(t, s)] > 1 for t in u.teachers):
                        teacher_clash.append((cid, s))
                    elif per_day[(id(u), s[0])] > -(-u.hours // 5):
                        twice.append((cid, s))
            return teacher_clash or twice

        clashes = []
        for step in range(20000):
            if step % 25 == 0:
                clashes = bad()
                if not clashes:
                    break
            cid, a = rng.choice(clashes)
            row = table[cid]
            ua = row[a]
            best, best_delta = [], None
            for b, ub in row.items():
                if ub is ua:
                    continue
                place(ua, a, -1)
                place(ub, b, -1)
                before = cost(ua, a) + cost(ub, b)
                after = cost(ua, b) + cost(ub, a)
                place(ua, a, 1)
                place(ub, b, 1)
                delta = after - before
                if best_delta is None or delta < best_delta:
                    best, best_delta = [b], delta
                elif delta == best_delta:
                    best.append(b)
            if not best or (best_delta > 0 and rng.random() > 0.05):
                continue
            b = rng.choice(best)
            ub = row[b]
            place(ua, a, -1)
            place(ub, b, -1)
            row[a], row[b] = ub, ua
            place(ub, a, 1)
            place(ua, b, 1)
        self.timetable = table
        self.stats["teacher_clashes"] = sum(n - 1 for n in busy.values() if n > 1)
        self.stats["twice_a_day"] = sum(1 for (uid, _d), n in per_day.items() if n > -(-units_by_id[uid].hours // 5))
        self.stats["timetable_steps"] = step

    # -- lessons -------------------------------------------------------------------------------

    def _at(self, day: dt.date, number: int) -> dt.datetime:
        """When the teacher filled in the journal for a lesson: at its end, never in the future."""
        at = dt.datetime.combine(day, BELLS[number - 1][1], TZ)
        return min(at, self.now - dt.timedelta(minutes=30))

    def _lesson_plans(self) -> dict[int, tuple[str, int] | None]:
        """Per journal (by id()): which kind of assessed lesson comes every how many lessons."""
        rng = self.rng
        plans = {}
        for u in self.units:
            kind = cur.SUBJECT_KIND[u.subject]
            graded = u.subject not in cur.UNGRADED and u.cls.grade >= 2
            for j in u.journals:
                if not graded:
                    plans[id(j)] = None
                elif kind == "activity":
                    plans[id(j)] = ("test", max(6, u.hours * 4) + rng.randint(0, 2))
                elif kind in ("lab", "practical"):
                    plans[id(j)] = ("practical", max(5, u.hours * 3) + rng.randint(0, 2))
                else:
                    extra = 2 if kind == "oral" else 0
                    plans[id(j)] = ("control", max(6, u.hours * 3 + extra) + rng.randint(0, 2))
        return plans

    def _lesson_content(self, u: Unit, j: Journal, i: int, plans: dict, practical_no: dict):
        """The `i`-th lesson (from 0) of journal `j`: (topic, homework, no_homework, work type id,
        special) where special is "control", "practical", "test" or None."""
        c = u.cls
        topics = cur.topics_for(u.subject, c.grade)
        topic, ti = cur.lesson_topic(topics, i, u.hours * WEEKS_IN_YEAR)
        plan = plans[id(j)]
        special = plan[0] if plan and i % plan[1] == plan[1] - 1 else None
        work_type_id = None
        if special == "control":
            topic = cur.control_topic(u.subject, topics[ti])
            name = "Диктант" if u.subject == "Русский язык" else "Контрольная работа"
            work_type_id = self.work_types[name].pk
        elif special == "practical":
            practical_no[id(j)] += 1
            name = "Лабораторная работа" if cur.SUBJECT_KIND[u.subject] == "lab" else "Практическая работа"
            topic = f"{name} № {practical_no[id(j)]}. {topics[ti]}"
            work_type_id = self.work_types[name].pk
        elif special == "test":
            topic = f"{topics[ti]}. Контрольные упражнения"
            work_type_id = self.work_types["Практическая работа"].pk
        homework, no_homework = "", False
        if c.grade >= 2:  # JRN-6: no homework in the first grade
            text = cur.homework(u.subject, c.grade, ti + 1, self.rng)
            homework, no_homework = (text, False) if text else ("", True)
        return topic, homework, no_homework, work_type_id, special

    def _lessons(self):
        """Lessons from the year's first day up to today, and a few days ahead with their topics
        and homework, following the timetable."""
        index = {id(j): 0 for j in self.journals}
        plans = self._lesson_plans()
        practical_no = defaultdict(int)
        lessons = []
        lesson_id = next_id(Lesson)
        planned_at = self.now - dt.timedelta(hours=2)
        for day in self.lesson_days:
            weekday = day.weekday()
            for c in self.classes:
                table = self.timetable[id(c)]
                for number in range(1, len(BELLS) + 1):
                    u = table.get((weekday, number))
                    if u is None:
                        continue
                    for j in u.journals:
                        i = index[id(j)]
                        index[id(j)] = i + 1
                        topic, homework, no_homework, work_type_id, special = self._lesson_content(
                            u, j, i, plans, practical_no
                        )
                        past = day <= self.today
                        lessons.append(
                            SimpleNamespace(
                                id=lesson_id,
                                school_id=self.school.pk,
                                journal_id=j.pk,
                                date=day,
                                number=number,
                                topic=topic,
                                homework=homework,
                                no_homework=no_homework,
                                comment="",
                                work_type_id=work_type_id,
                                status=Lesson.Status.HELD,
                                # not columns:
                                journal=j,
                                unit=u,
                                special=special if past else None,
                                past=past,
                                at=self._at(day, number) if past else planned_at,
                            )
                        )
                        lesson_id += 1
        insert_rows(
            Lesson,
            lessons,
            ["id", "school", "journal", "date", "number", "topic", "homework", "no_homework", "comment"]
            + ["work_type", "status"],
        )
        self.lessons = lessons
        self.stats["lessons"] = len(lessons)

    # -- marks, attendance, period marks -----------------------------------------------------------

    def _value(self, ability: float, shift: float = 0.0) -> str:
        score = ability * ABILITY_WEIGHT + self.rng.gauss(0, 1) + shift
        for cut, value in CUTS:
            if score < cut:
                return value
        return "5"

    def _sick_days(self, student: StudentRec) -> dict[dt.date, str]:
        """Illness comes in spells of whole school days."""
        rng = self.rng
        days: dict[dt.date, str] = {}
        past = self.past_days
        k = 0
        while k < len(past):
            if rng.random() < SICK_START:
                length = rng.randint(2, 6)
                reason = Attendance.Reason.ILLNESS if rng.random() < 0.85 else Attendance.Reason.UNKNOWN
                for d in past[k : k + length]:
                    days[d] = reason
                k += length
            else:
                k += 1
        return days

    mark_chance = MARK_CHANCE  # a knob for the dataset generator

    def _cell(self, sick_reason, ability: float, graded: bool, special, lesson_type, activity: bool):
        """One student at one lesson: (attendance kind or None, its reason, [(work type, value,
        comment)]). `sick_reason` is set on the days of an illness; `lesson_type` is the lesson's
        work type (for a control, practical or test lesson, where everyone present is marked)."""
        rng = self.rng
        reason = sick_reason
        r = rng.random()
        if reason is None and r < SKIP_CHANCE:
            reason = rng.choices(ABSENT_REASONS, [4, 3, 3])[0]
        late = reason is None and r < SKIP_CHANCE + LATE_CHANCE
        kind = None
        if reason is not None or late:
            kind = Attendance.Kind.LATE if late else Attendance.Kind.ABSENT
            reason = reason or Attendance.Reason.UNKNOWN
            if not late:
                return kind, reason, ()
        if not graded:
            return kind, reason, ()
        if special is not None:
            types = [lesson_type]
            shift = -0.25 if special == "control" else 0.1
        elif rng.random() < self.mark_chance:
            wt = self.work_types
            answer, independent = wt["Ответ на уроке"], wt["Самостоятельная работа"]
            shift = 0.0
            types = [answer if activity else rng.choices([answer, wt["Домашняя работа"], independent], [60, 20, 20])[0]]
            if rng.random() < SECOND_MARK_CHANCE:
                types.append(independent if types[0] is not independent else answer)
        else:
            return kind, reason, ()
        marks = []
        for work_type in types:
            value = self._value(ability, shift)
            comment = ""
            if value == "2" and rng.random() < 0.3:
                comment = rng.choice(TWO_COMMENTS)
            marks.append((work_type, value, comment))
        return kind, reason, marks

    def _marks_and_attendance(self):
        rng = self.rng
        sick = {id(s): self._sick_days(s) for s in self.students}
        # Who sits in each journal, each with an ability in this subject.
        self.members = {
            id(j): [
                (s, s.ability + rng.gauss(0, 0.5)) for s in j.demo_cls.students if j.demo_subgroup in (0, s.subgroup)
            ]
            for j in self.journals
        }
        period_of = {d: p.order for p in self.periods for d in self.school_days if p.starts <= d <= p.ends}
        self.sums: dict[tuple[int, int, int], list] = defaultdict(lambda: [Decimal(0), Decimal(0)])
        by_pk = {w.pk: w for w in self.work_types.values()}
        school_id = self.school.pk
        marks, absences = [], []
        mark_id, attendance_id = next_id(Mark), next_id(Attendance)
        for lesson in self.lessons:
            if not lesson.past:
                continue
            j, u, special = lesson.journal, lesson.unit, lesson.special
            author_id = j.demo_teacher.user.pk
            at = lesson.at
            graded = u.cls.grade >= 2 and u.subject not in cur.UNGRADED
            activity = cur.SUBJECT_KIND[u.subject] == "activity"
            lesson_type = by_pk.get(lesson.work_type_id)
            for s, ability in self.members[id(j)]:
                if lesson.date < s.starts or (s.ends and lesson.date > s.ends):
                    continue
                kind, reason, cell_marks = self._cell(
                    sick[id(s)].get(lesson.date), ability, graded, special, lesson_type, activity
                )
                if kind is not None:
                    absences.append(
                        SimpleNamespace(
                            id=attendance_id,
                            school_id=school_id,
                            lesson_id=lesson.id,
                            student_id=s.obj.pk,
                            kind=kind,
                            reason=reason,
                            author_id=author_id,
                            updated_at=at,
                            lesson=lesson,
                        )
                    )
                    attendance_id += 1
                if not cell_marks:
                    continue
                acc = self.sums[(id(j), period_of[lesson.date], id(s))]
                for position, (work_type, value, comment) in enumerate(cell_marks):
                    marks.append(
                        SimpleNamespace(
                            id=mark_id,
                            school_id=school_id,
                            lesson_id=lesson.id,
                            student_id=s.obj.pk,
                            value=value,
                            grading_system=GradingSystem.FIVE,
                            work_type_id=work_type.pk,
                            weight=work_type.weight,
                            comment=comment,
                            position=position,
                            author_id=author_id,
                            created_at=at,
                            updated_at=at,
                            lesson=lesson,
                        )
                    )
                    mark_id += 1
                    acc[0] += int(value) * work_type.weight
                    acc[1] += work_type.weight
        insert_rows(
            Mark,
            marks,
            ["id", "school", "lesson", "student", "value", "grading_system", "work_type", "weight", "comment"]
            + ["position", "author", "created_at", "updated_at"],
        )
        insert_rows(
            Attendance,
            absences,
            ["id", "school", "lesson", "student", "kind", "reason", "author", "updated_at"],
        )
        self.marks, self.absences = marks, absences
        self.stats.update(marks=len(marks), absences=sum(a.kind == Attendance.Kind.ABSENT for a in absences))

    def _period_marks(self):
        """Quarter marks for the quarters already over, from the weighted averages (JRN-7)."""
        result = []
        pm_id = next_id(PeriodMark)
        for p in self.periods:
            if p.ends >= self.today:
                continue
            at = dt.datetime.combine(p.ends, dt.time(16, 0), TZ)
            for j in self.journals:
                if j.demo_cls.grade < 2:
                    continue
                ungraded = j.subject.name in cur.UNGRADED
                for s, _ability in self.members[id(j)]:
                    if s.starts > p.ends or (s.ends and s.ends < p.ends):
                        continue
                    if ungraded:
                        value = "зач"
                    else:
                        total, weight = self.sums.get((id(j), p.order, id(s)), (0, 0))
                        if weight:
                            avg = (Decimal(total) / weight).quantize(Decimal(1), rounding=ROUND_HALF_UP)
                            value = str(min(5, max(2, int(avg))))
                        else:
                            value = "н/а"
                    result.append(
                        SimpleNamespace(
                            id=pm_id,
                            school_id=self.school.pk,
                            journal_id=j.pk,
                            period_id=p.pk,
                            student_id=s.obj.pk,
                            value=value,
                            author_id=j.demo_teacher.user.pk,
                            updated_at=at,
                        )
                    )
                    pm_id += 1
        insert_rows(
            PeriodMark, result, ["id", "school", "journal", "period", "student", "value", "author", "updated_at"]
        )
        self.period_marks = result
        self.stats["period_marks"] = len(result)

    # -- the change log ------------------------------------------------------------------------

    def _change_log(self):
        """One entry per row written above, in time order, chained as audit.services.append does:
        the lesson (with its topic), then its homework, its attendance and its marks."""
        changes = []  # (at, lesson id, order, author, action, type, object id, old, new, journal, lesson, student)
        no_homework = {"homework": "", "no_homework": False}
        for lesson in self.lessons:
            author = lesson.journal.demo_teacher.user.pk
            at, lid, jid = lesson.at, lesson.id, lesson.journal_id
            changes.append((at, lid, 0, author, "create", "lesson", lid, None, lesson_snapshot(lesson), jid, lid, None))
            homework = homework_snapshot(lesson)
            if homework != no_homework:
                changes.append((at, lid, 1, author, "update", "homework", lid, no_homework, homework, jid, lid, None))
        for a in self.absences:
            lesson = a.lesson
            changes.append(
                (lesson.at, lesson.id, 2, a.author_id, "create", "attendance", a.id, None, attendance_snapshot(a))
                + (lesson.journal_id, lesson.id, a.student_id)
            )
        for m in self.marks:
            lesson = m.lesson
            changes.append(
                (lesson.at, lesson.id, 3, m.author_id, "create", "mark", m.id, None, mark_snapshot(m))
                + (lesson.journal_id, lesson.id, m.student_id)
            )
        for pm in self.period_marks:
            changes.append(
                (pm.updated_at, 0, 4, pm.author_id, "create", "period_mark", pm.id, None, period_mark_snapshot(pm))
                + (pm.journal_id, None, pm.student_id)
            )
        changes.sort(key=lambda ch: ch[:3] + (ch[6],))
        school_id = self.school.pk
        seq, prev = 0, GENESIS
        entries = []
        for at, _lid, _order, author, action, otype, oid, old, new, journal_id, lesson_id, student_id in changes:
            seq += 1
            digest = entry_hash(
                school_id=school_id,
                seq=seq,
                at=at,
                author_id=author,
                action=action,
                object_type=otype,
                object_id=oid,
                journal_id=journal_id,
                lesson_id=lesson_id,
                student_id=student_id,
                old=old,
                new=new,
                prev_hash=prev,
            )
            entries.append(
                SimpleNamespace(
                    school_id=school_id,
                    seq=seq,
                    at=at,
                    author_id=author,
                    action=action,
                    object_type=otype,
                    object_id=oid,
                    journal_id=journal_id,
                    lesson_id=lesson_id,
                    student_id=student_id,
                    old=old,
                    new=new,
                    prev_hash=prev,
                    hash=digest,
                )
            )
            prev = digest
        insert_rows(
            Entry,
            entries,
            ["school", "seq", "at", "author", "action", "object_type", "object_id", "journal_id", "lesson_id"]
            + ["student_id", "old", "new", "prev_hash", "hash"],
        )
        reset_sequences(Lesson, Mark, Attendance, PeriodMark)
        ChainHead.objects.update_or_create(school_id=school_id, defaults={"seq": seq, "last_hash": prev})
        self.stats["changelog"] = seq
