"""factory_boy factories for every model the core needs. Dates default to the 2026/2027 year."""

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from apps.accounts.models import Membership, User
from apps.journal.models import Journal, Lesson
from apps.people.models import Guardian, GuardianLink, Staff, Student
from apps.people.services import class_group, student_enrol
from apps.schools.models import (
    AcademicYear,
    BellSlot,
    Municipality,
    Period,
    Region,
    School,
    SchoolClass,
    Subject,
    WorkType,
)

PASSWORD = "test-pass-123"


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("name",)

    name = "Тестовая область"


class MunicipalityFactory(DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("region", "name")

    region = factory.SubFactory(RegionFactory)
    name = "Тестовый район"


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Муниципальное общеобразовательное учреждение «Школа № {n + 1}»")
    short_name = factory.Sequence(lambda n: f"Школа № {n + 1}")


class YearFactory(DjangoModelFactory):
    class Meta:
        model = AcademicYear

    school = factory.SubFactory(SchoolFactory)
    name = "2026/2027"
    starts = dt.date(2026, 9, 1)
    ends = dt.date(2027, 5, 31)
    status = AcademicYear.Status.ACTIVE


QUARTERS = [
    ("1 четверть", dt.date(2026, 9, 1), dt.date(2026, 10, 24)),
    ("2 четверть", dt.date(2026, 11, 5), dt.date(2026, 12, 27)),
    ("3 четверть", dt.date(2027, 1, 12), dt.date(2027, 3, 21)),
    ("4 четверть", dt.date(2027, 4, 1), dt.date(2027, 5, 31)),
]

WORK_TYPES = [
    # name, short, weight, written, default
    ("Ответ на уроке", "отв", "1", False, True),
    ("Контрольная работа", "кр", "2", True, False),
    ("Самостоятельная работа", "ср", "1.5", True, False),
    ("Диктант", "дикт", "2", True, False),
    ("Лабораторная работа", "лаб", "1.5", True, False),
    ("Практическая работа", "пр", "1.5", True, False),
    ("Домашняя работа", "дз", "1", True, False),
]


def make_periods(year):
    return [
        Period.objects.create(school=year.school, year=year, name=name, order=i + 1, starts=s, ends=e)
        for i, (name, s, e) in enumerate(QUARTERS)
    ]


def make_work_types(school):
    return [
        WorkType.objects.create(school=school, name=n, short_name=s, weight=w, is_written=wr, is_default=d, order=i)
        for i, (n, s, w, wr, d) in enumerate(WORK_TYPES)
    ]


def make_bells(school):
    start = dt.datetime(2000, 1, 1, 8, 30)
    for n in range(1, 9):
        s = start + dt.timedelta(minutes=(45 + 10) * (n - 1))
        BellSlot.objects.create(school=school, number=n, starts=s.time(), ends=(s + dt.timedelta(minutes=45)).time())


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Имя"
    last_name = factory.Sequence(lambda n: f"Фамилия{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(DjangoModelFactory):
    class Meta:
        model = Staff

    school = factory.SubFactory(SchoolFactory)
    user = factory.SubFactory(UserFactory)
    last_name = factory.Sequence(lambda n: f"Учитель{n}")
    first_name = "Анна"
    middle_name = "Петровна"


class StudentFactory(DjangoModelFactory):
    class Meta:
        model = Student

    school = factory.SubFactory(SchoolFactory)
    user = None
    last_name = factory.Sequence(lambda n: f"Ученик{n:03d}")
    first_name = "Иван"
    birth_date = dt.date(2015, 3, 1)


class GuardianFactory(DjangoModelFactory):
    class Meta:
        model = Guardian

    school = factory.SubFactory(SchoolFactory)
    user = factory.SubFactory(UserFactory)
    last_name = factory.Sequence(lambda n: f"Родитель{n}")
    first_name = "Мария"


class SubjectFactory(DjangoModelFactory):
    class Meta:
        model = Subject

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Предмет {n}")


def add_role(user, school, role):
    Membership.objects.get_or_create(user=user, school=school, role=role)
    return user


def make_class(year, grade=5, letter="А", class_teacher=None):
    return SchoolClass.objects.create(
        school=year.school, year=year, grade=grade, letter=letter, class_teacher=class_teacher
    )


def enrol(student, school_class, starts=None):
    student_enrol(student=student, school_class=school_class, starts=starts or school_class.year.starts)
    return student


def link_guardian(guardian, student, relation=GuardianLink.Relation.MOTHER, consent=True):
    """A guardian of the student; with a personal-data consent in force (ACC-6) unless consent=False."""
    link = GuardianLink.objects.create(school=student.school, guardian=guardian, student=student, relation=relation)
    if consent:
        make_consent(student, guardian)
    return link


def make_consent(student, guardian=None, given_on=dt.date(2020, 9, 1), **kw):
    """A registered consent to the processing of personal data (ACC-6): a guardian's for the
    child, or (guardian=None) the student's own."""
    from django.db.models import Max
    from django.utils import timezone

    from apps.registration.models import Consent

    number = (Consent.objects.filter(school=student.school).aggregate(m=Max("number"))["m"] or 0) + 1
    return Consent.objects.create(
        school=student.school,
        number=number,
        student=student,
        guardian=guardian,
        given_on=given_on,
        recorded_at=timezone.now(),
        **kw,
    )


def make_journal(school_class, subject, teacher, hours=2):
    return Journal.objects.create(
        school=school_class.school,
        year=school_class.year,
        subject=subject,
        group=class_group(school_class),
        teacher=teacher,
        hours_per_week=hours,
    )


def make_lesson(journal, date, number=1, **kw):
    return Lesson.objects.create(school=journal.school, journal=journal, date=date, number=number, **kw)
