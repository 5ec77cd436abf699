"""Shared fixtures: one small school with a fixed cast, at a fixed moment.

The cast (healthchecks' alice/bob/charlie habit):
  alice   — teacher of the 5А mathematics journal
  bob     — another teacher (teaches 5Б Russian), no rights on alice's journal
  carol   — class teacher of 5А (teaches 5Б history)
  pat     — parent of Anna (5А);     quinn — parent of Boris (5А)
  sam     — Anna herself, a student account
  admin   — journal administrator;   director;   deputy
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.accounts.models import Role
from tests import factories as f

# Friday of the second quarter, mid-day in Moscow: lessons up to today may take marks.
NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=ZoneInfo("Europe/Moscow"))


def pytest_configure(config):
    """Test-only settings: plain static storage (no collectstatic manifest needed to render
    pages) and a fast password hasher (the real one costs seconds per fixture world)."""
    from django.conf import settings

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Each test process its own cache (the file cache of var/ is shared by processes).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture(autouse=True)
def russian():
    """Every test starts in the school's language, whatever the previous test activated."""
    from django.utils import translation

    with translation.override("ru"):
        yield


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache: test databases reuse ids, so a page cached by one
    test could otherwise match the key of another's (apps.diary.cache)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def frozen_now():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def ticking_now():
    """The same moment, but the clock runs (for the live server and the browser)."""
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@dataclass
class World:
    school: object
    year: object
    periods: list
    work_types: list
    class_5a: object
    class_5b: object
    math: object
    russian: object
    history: object
    journal: object  # 5А mathematics, alice
    journal_5b: object  # 5Б russian, bob
    journal_history_5b: object  # 5Б history, carol
    alice: object
    bob: object
    carol: object
    pat: object
    quinn: object
    sam: object
    admin: object
    director: object
    deputy: object
    anna: object
    boris: object
    students_5a: list
    students_5b: list
    alice_staff: object
    bob_staff: object
    carol_staff: object

    def users(self) -> dict:
        return {
            "alice": self.alice,
            "bob": self.bob,
            "carol": self.carol,
            "pat": self.pat,
            "quinn": self.quinn,
            "sam": self.sam,
            "admin": self.admin,
            "director": self.director,
            "deputy": self.deputy,
        }


def build_world(n_students=5):
    school = f.SchoolFactory(short_name="Школа № 1")
    year = f.YearFactory(school=school)
    periods = f.make_periods(year)
    work_types = f.make_work_types(school)
    f.make_bells(school)

    def staff(username, last, first, middle, *roles):
        user = f.UserFactory(username=username, last_name=last, first_name=first)
        st = f.StaffFactory(school=school, user=user, last_name=last, first_name=first, middle_name=middle)
        for r in roles:
            f.add_role(user, school, r)
        return user, st

    alice, alice_staff = staff("alice", "Алексеева", "Алла", "Ивановна", Role.TEACHER)
    bob, bob_staff = staff("bob", "Борисов", "Борис", "Петрович", Role.TEACHER)
    carol, carol_staff = staff("carol", "Кравец", "Карина", "Олеговна", Role.TEACHER, Role.CLASS_TEACHER)
    admin, _ = staff("admin", "Админова", "Ольга", "Сергеевна", Role.JOURNAL_ADMIN)
    director, _ = staff("director", "Директоров", "Дмитрий", "Ильич", Role.DIRECTOR)
    deputy, _ = staff("deputy", "Завучева", "Зоя", "Андреевна", Role.DEPUTY)

    class_5a = f.make_class(year, 5, "А", class_teacher=carol_staff)
    class_5b = f.make_class(year, 5, "Б", class_teacher=bob_staff)
    math = f.SubjectFactory(school=school, name="Математика")
    russian = f.SubjectFactory(school=school, name="Русский язык")
    history = f.SubjectFactory(school=school, name="История")
    journal = f.make_journal(class_5a, math, alice_staff)
    journal_5b = f.make_journal(class_5b, russian, bob_staff)
    journal_history_5b = f.make_journal(class_5b, history, carol_staff)

    anna = f.enrol(f.StudentFactory(school=school, last_name="Аксёнова", first_name="Анна"), class_5a)
    boris = f.enrol(f.StudentFactory(school=school, last_name="Быков", first_name="Борис"), class_5a)
    students_5a = [anna, boris] + [f.enrol(f.StudentFactory(school=school), class_5a) for _ in range(n_students - 2)]
    students_5b = [f.enrol(f.StudentFactory(school=school), class_5b) for _ in range(3)]

    sam = f.UserFactory(username="sam", last_name="Аксёнова", first_name="Анна")
    anna.user = sam
    anna.save(update_fields=["user"])
    f.add_role(sam, school, Role.STUDENT)

    pat = f.UserFactory(username="pat", last_name="Аксёнова", first_name="Полина")
    f.link_guardian(f.GuardianFactory(school=school, user=pat, last_name="Аксёнова", first_name="Полина"), anna)
    f.add_role(pat, school, Role.PARENT)
    quinn = f.UserFactory(username="quinn", last_name="Быкова", first_name="Ксения")
    f.link_guardian(f.GuardianFactory(school=school, user=quinn, last_name="Быкова", first_name="Ксения"), boris)
    f.add_role(quinn, school, Role.PARENT)

    return World(
        school=school,
        year=year,
        periods=periods,
        work_types=work_types,
        class_5a=class_5a,
        class_5b=class_5b,
        math=math,
        russian=russian,
        history=history,
        journal=journal,
        journal_5b=journal_5b,
        journal_history_5b=journal_history_5b,
        alice=alice,
        bob=bob,
        carol=carol,
        pat=pat,
        quinn=quinn,
        sam=sam,
        admin=admin,
        director=director,
        deputy=deputy,
        anna=anna,
        boris=boris,
        students_5a=students_5a,
        students_5b=students_5b,
        alice_staff=alice_staff,
        bob_staff=bob_staff,
        carol_staff=carol_staff,
    )


@pytest.fixture
def world(db, frozen_now):
    return build_world()


@pytest.fixture
def client_for(client):
    """client_for(user) → a test client signed in as that user."""
    from django.test import Client

    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make
