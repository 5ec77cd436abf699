"""The prepared (compiled-once, apps.ops.prepared) reads of issue 5 answer exactly what the plain
querysets answer: whose diary a user may read (ACC-6, ACC-7, DIA-3), the user's memberships with
the school's rights (ACC-2), the class of each student on a day (DIA-2)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from apps.accounts import access
from apps.accounts.middleware import SESSION_KEY, CurrentSchoolMiddleware, memberships_of
from apps.accounts.models import Membership, Role
from apps.diary import selectors
from apps.ops import prepared
from apps.people.models import GuardianLink, Student
from apps.people.services import student_enrol, student_withdraw
from apps.registration.models import Consent
from apps.rights import registry as rights
from apps.rights.models import SchoolRights
from tests import factories as f

pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")
TODAY = dt.date(2026, 11, 20)  # conftest.NOW, the frozen moment of the `world` fixture
TOMORROW = TODAY + dt.timedelta(days=1)
ADULT = dt.date(2007, 4, 1)  # 19 on TODAY
STUDENT_FIELDS = prepared.attnames(Student)


# ---------------------------------------------------------------------------------------------
# Helpers


def request_for(user, school=None):
    """A GET request of `user` after CurrentSchoolMiddleware (school chosen as by the switcher)."""
    request = RequestFactory().get("/")
    request.user = user
    request.session = {SESSION_KEY: school.pk} if school is not None else {}
    return CurrentSchoolMiddleware(lambda r: r)(request)


def client_in(user, school=None):
    client = Client()
    client.force_login(user)
    if school is not None:
        session = client.session
        session[SESSION_KEY] = school.pk
        session.save()
    return client


def values(students):
    return [tuple(getattr(s, name) for name in STUDENT_FIELDS) for s in students]


def diary_list(request):
    """diary_students_list(request), checked against the plain queryset it stands for."""
    got = access.diary_students_list(request)
    expected = list(access.diary_students(request).order_by("last_name", "first_name", "pk"))
    assert values(got) == values(expected)
    assert all(isinstance(s, Student) and not s._state.adding for s in got)
    return got


def index_students(client):
    """The students of the diary index page (a single one: the page redirects to his week)."""
    response = client.get(reverse("diary:index"))
    if response.status_code == 302:
        only = Student.objects.get(pk=response["Location"].split("/")[-3])
        assert response["Location"] == reverse("diary:week", args=[only.pk])
        return [only]
    assert response.status_code == 200
    return [student for student, _class in response.context["children"]]


def week_status(client, student) -> int:
    return client.get(reverse("diary:week", args=[student.pk])).status_code


def new_parent(world, username, last="Петрова", first="Галина", school=None):
    school = school or world.school
    user = f.UserFactory(username=username, last_name=last, first_name=first)
    guardian = f.GuardianFactory(school=school, user=user, last_name=last, first_name=first)
    f.add_role(user, school, Role.PARENT)
    return user, guardian


def child(world, guardian, last, first, *, consent=True, birth=dt.date(2015, 3, 1), school_class=None):
    school_class = school_class or world.class_5a
    student = f.enrol(
        f.StudentFactory(school=school_class.school, last_name=last, first_name=first, birth_date=birth),
        school_class,
    )
    f.link_guardian(guardian, student, relation=GuardianLink.Relation.MOTHER, consent=consent)
    return student


def other_school(world, short_name="Школа № 2"):
    school = f.SchoolFactory(short_name=short_name, municipality=world.school.municipality)
    year = f.YearFactory(school=school)
    return school, f.make_class(year, 6, "В")


# ---------------------------------------------------------------------------------------------
# diary_students_list: the same students as diary_students, in the order of names


def test_parent_sees_only_children_with_the_consents_in_force(world):
    """ACC-6, ACC-7, DIA-3: a parent reads a minor child's diary with her own consent in force, not
    without it; an adult child's only with the child's own consent allowing the parents — not
    with his own consent alone, nor with none. Prepared list = plain queryset, names' order."""
    _user, galina = new_parent(world, "galina")
    minor_ok = child(world, galina, "Петров", "Антон")
    minor_no = child(world, galina, "Петров", "Борис", consent=False)
    adult_no = child(world, galina, "Петров", "Виктор", birth=ADULT)
    adult_ok = child(world, galina, "Петров", "Глеб", birth=ADULT)
    f.make_consent(adult_ok, None, allows_guardians=True)
    adult_own = child(world, galina, "Петров", "Денис", birth=ADULT)
    f.make_consent(adult_own, None, allows_guardians=False)

    assert diary_list(request_for(galina.user)) == [minor_ok, adult_ok]

    client = client_in(galina.user)
    assert index_students(client) == [minor_ok, adult_ok]
    assert {s.last_name + " " + s.first_name: week_status(client, s) for s in (minor_ok, minor_no, adult_no)} == {
        "Петров Антон": 200,
        "Петров Борис": 404,
        "Петров Виктор": 404,
    }
    assert week_status(client, adult_ok) == 200 and week_status(client, adult_own) == 404
    assert week_status(client, world.anna) == 404  # another parent's child (DIA-3)


def test_children_come_in_the_order_of_names_and_once(world):
    """DIA-3: children come by last name, then first name (not the order they were added), two of
    the same name in the order of their ids; a child linked to the parent twice (two guardian
    profiles of one account) is listed once."""
    user, first_profile = new_parent(world, "galina")
    second_profile = f.GuardianFactory(school=world.school, user=user, last_name="Петрова", first_name="Галина")
    petr = child(world, first_profile, "Иванов", "Пётр")
    twin_a = child(world, first_profile, "Иванов", "Иван")
    twin_b = child(world, first_profile, "Иванов", "Иван")
    f.link_guardian(second_profile, twin_a, relation=GuardianLink.Relation.OTHER)
    elder = child(world, first_profile, "Абрамов", "Яков")

    assert diary_list(request_for(user)) == [elder, twin_a, twin_b, petr]
    assert petr.pk < twin_a.pk < twin_b.pk < elder.pk


def test_student_reads_his_own_diary_with_the_consents_in_force(world):
    """ACC-6, ACC-7, DIA-3: a minor student reads his own diary with a guardian's consent in force;
    an adult one only with a consent of his own (a parent's is no longer enough)."""
    assert diary_list(request_for(world.sam)) == [world.anna]
    assert index_students(client_in(world.sam)) == [world.anna]

    viktor_user = f.UserFactory(username="viktor")
    f.add_role(viktor_user, world.school, Role.STUDENT)
    _user, galina = new_parent(world, "galina")
    viktor = child(world, galina, "Волков", "Виктор", birth=ADULT)
    viktor.user = viktor_user
    viktor.save(update_fields=["user"])
    client = client_in(viktor_user)

    assert diary_list(request_for(viktor_user)) == []
    assert index_students(client) == [] and week_status(client, viktor) == 404

    f.make_consent(viktor, None)
    assert diary_list(request_for(viktor_user)) == [viktor]
    assert week_status(client, viktor) == 200
    assert week_status(client, world.anna) == 404


def test_user_with_both_roles_sees_the_child_and_herself(world):
    """DIA-3, ACC-6, ACC-7: an adult student who is also a parent reads her own diary (her own
    consent) and her child's (her consent as the parent), in the order of names; a second child
    without consent is not among them."""
    user, mother = new_parent(world, "yana", last="Яковлева", first="Яна")
    f.add_role(user, world.school, Role.STUDENT)
    herself = f.enrol(
        f.StudentFactory(school=world.school, user=user, last_name="Яковлева", first_name="Яна", birth_date=ADULT),
        world.class_5b,
    )
    f.make_consent(herself, None)
    son = child(world, mother, "Яковлев", "Артём")
    child(world, mother, "Яковлев", "Борис", consent=False)

    request = request_for(user)
    assert access.can(request, rights.DIARY_CHILDREN) and access.can(request, rights.DIARY_SELF)
    assert diary_list(request) == [son, herself]
    client = client_in(user)
    assert index_students(client) == [son, herself]
    assert week_status(client, son) == 200 and week_status(client, herself) == 200


def test_user_in_two_schools_sees_the_chosen_schools_children_only(world):
    """DIA-3 (the school is the tenant): a parent with a child in each of two schools reads, in
    each chosen school, that school's child only — the same compiled SQL, another school bound."""
    user, in_first = new_parent(world, "galina")
    school_2, class_2 = other_school(world)
    in_second = f.GuardianFactory(school=school_2, user=user, last_name="Петрова", first_name="Галина")
    f.add_role(user, school_2, Role.PARENT)
    first_child = child(world, in_first, "Петров", "Антон")
    second_child = child(world, in_second, "Петров", "Борис", school_class=class_2)

    assert diary_list(request_for(user, world.school)) == [first_child]
    assert diary_list(request_for(user, school_2)) == [second_child]
    assert diary_list(request_for(user, world.school)) == [first_child]

    client = client_in(user, school_2)
    assert index_students(client) == [second_child]
    assert week_status(client, second_child) == 200 and week_status(client, first_child) == 404
    client = client_in(user, world.school)
    assert index_students(client) == [first_child]
    assert week_status(client, first_child) == 200 and week_status(client, second_child) == 404


def test_a_consent_ends_on_its_day_although_the_sql_was_prepared_the_day_before(world, frozen_now, monkeypatch):
    """ACC-6: a consent ended today no longer counts today; one ending tomorrow counts today and
    not tomorrow; one given tomorrow counts from tomorrow — the list follows the date although
    its SQL was compiled on the day before (the date is part of the shape)."""
    _user, galina = new_parent(world, "galina")
    ended_today = child(world, galina, "Петров", "Антон", consent=False)
    f.make_consent(ended_today, galina, ended_on=TODAY, end_reason=Consent.EndReason.WITHDRAWN)
    ends_tomorrow = child(world, galina, "Петров", "Борис", consent=False)
    f.make_consent(ends_tomorrow, galina, ended_on=TOMORROW, end_reason=Consent.EndReason.WITHDRAWN)
    given_tomorrow = child(world, galina, "Петров", "Виктор", consent=False)
    f.make_consent(given_tomorrow, galina, given_on=TOMORROW)
    client = client_in(galina.user)
    # This test's own count of compilations (other tests may have prepared these days already).
    monkeypatch.setattr(access._DIARY_STUDENTS, "_compiled", {})
    monkeypatch.setattr(access._DIARY_STUDENTS, "compilations", 0)

    assert diary_list(request_for(galina.user)) == [ends_tomorrow]
    assert diary_list(request_for(galina.user)) == [ends_tomorrow]
    assert week_status(client, ends_tomorrow) == 200 and week_status(client, ended_today) == 404
    assert access._DIARY_STUDENTS.compilations == 1  # the day's SQL, made once and reused

    frozen_now.move_to(dt.datetime(2026, 11, 21, 0, 5, tzinfo=MOSCOW))
    client = client_in(galina.user)  # a new sign-in: the old session timed out overnight
    assert diary_list(request_for(galina.user)) == [given_tomorrow]
    assert access._DIARY_STUDENTS.compilations == 2  # the new day is a new shape
    assert week_status(client, ends_tomorrow) == 404 and week_status(client, given_tomorrow) == 200
    assert index_students(client) == [given_tomorrow]


def test_the_day_is_the_schools_not_the_servers(world, frozen_now):
    """ACC-6: «today» is the school's date: at 23:30 in Moscow on the 20th (already the 21st in
    Yekaterinburg) a consent ending on the 21st still counts for a Moscow school, not for a
    Yekaterinburg one."""
    _user, galina = new_parent(world, "galina")
    kid = child(world, galina, "Петров", "Антон", consent=False)
    f.make_consent(kid, galina, ended_on=TOMORROW, end_reason=Consent.EndReason.WITHDRAWN)
    frozen_now.move_to(dt.datetime(2026, 11, 20, 23, 30, tzinfo=MOSCOW))

    assert diary_list(request_for(galina.user)) == [kid]
    world.school.timezone = "Asia/Yekaterinburg"
    world.school.save(update_fields=["timezone"])
    assert diary_list(request_for(galina.user)) == []


def test_nobody_without_the_diary_functions_gets_students(world, django_assert_num_queries):
    """DIA-3, ACC-2: a teacher, and a parent whose school switched «Видеть дневник своих детей»
    off, get no students — without a query (the functions decide before any SQL)."""
    request = request_for(world.alice)
    with django_assert_num_queries(0):
        assert access.diary_students_list(request) == []
    assert list(access.diary_students(request)) == []

    SchoolRights.objects.create(school=world.school, overrides={Role.PARENT: {rights.DIARY_CHILDREN: False}})
    request = request_for(world.pat)
    with django_assert_num_queries(0):
        assert access.diary_students_list(request) == []
    assert diary_list(request) == []
    assert week_status(client_in(world.pat), world.anna) == 404


# ---------------------------------------------------------------------------------------------
# memberships_of: the memberships, their schools and the schools' rights in one query


def test_memberships_with_schools_and_rights_in_one_query(world, django_assert_num_queries):
    """ACC-2: memberships_of gives the user's memberships (ordered by id) with the school loaded
    and the school's SchoolRights read — its overrides when the school has a row, {} from
    school_overrides when not — all in ONE query."""
    overrides = {Role.PARENT: {rights.DIARY_CHILDREN: False}}
    SchoolRights.objects.create(school=world.school, overrides=overrides, version=3)
    school_2, _class = other_school(world)
    user = world.carol  # teacher and class teacher of the first school
    f.add_role(user, school_2, Role.TEACHER)
    expected = list(Membership.objects.filter(user=user).order_by("pk").values_list("pk", "role", "school_id"))

    with django_assert_num_queries(1):
        found = memberships_of(user.pk)
        assert [(m.pk, m.role, m.school_id) for m in found] == expected
        assert all(m.user_id == user.pk and not m._state.adding for m in found)
        by_school = {m.school_id: m.school for m in found}
        first, second = by_school[world.school.pk], by_school[school_2.pk]
        assert (first.pk, first.short_name, first.name, first.timezone) == (
            world.school.pk,
            world.school.short_name,
            world.school.name,
            world.school.timezone,
        )
        assert first == world.school and second == school_2
        assert first.role_rights.overrides == overrides and first.role_rights.version == 3
        assert access.school_overrides(first) == overrides
        assert access.school_overrides(second) == {}
        with pytest.raises(SchoolRights.DoesNotExist):
            second.role_rights  # noqa: B018


def test_memberships_of_a_user_with_none_is_empty(world, django_assert_num_queries):
    """ACC-2: a user without any role has no memberships (one query, no error)."""
    lonely = f.UserFactory(username="lonely")
    with django_assert_num_queries(1):
        assert memberships_of(lonely.pk) == []
    assert len(memberships_of(world.carol.pk)) == 2  # the same SQL, another user


def test_middleware_reads_roles_and_rights_in_one_query(world, django_assert_num_queries):
    """ACC-2: CurrentSchoolMiddleware sets the school, the roles and (through the school's rights
    read with the memberships) the functions, in one query; a school's switch takes effect."""
    SchoolRights.objects.create(school=world.school, overrides={Role.PARENT: {rights.DIARY_CHILDREN: False}})
    with django_assert_num_queries(1):
        request = request_for(world.pat)
        assert request.school == world.school and request.roles == {Role.PARENT}
        assert not access.can(request, rights.DIARY_CHILDREN)
    with django_assert_num_queries(1):
        request = request_for(world.carol)
        assert request.roles == {Role.TEACHER, Role.CLASS_TEACHER}
        assert access.can(request, rights.JOURNALS_OWN)


def test_middleware_chooses_the_school_of_the_session(world):
    """ACC-2 (the tenant): a user with roles in two schools works in the one chosen in the session,
    with the roles and rights of that school only; a school not hers is ignored."""
    school_2, _class = other_school(world, short_name="Школа № 0")  # sorts before «Школа № 1»
    SchoolRights.objects.create(school=school_2, overrides={Role.TEACHER: {rights.JOURNALS_OWN: False}})
    f.add_role(world.alice, school_2, Role.DEPUTY)
    f.add_role(world.alice, school_2, Role.TEACHER)

    default = request_for(world.alice)
    assert default.school == school_2 and default.roles == {Role.DEPUTY, Role.TEACHER}
    assert not access.can(default, rights.JOURNALS_OWN)
    assert [s.pk for s in default.schools] == [school_2.pk, world.school.pk]

    first = request_for(world.alice, world.school)
    assert first.school == world.school and first.roles == {Role.TEACHER}
    assert access.can(first, rights.JOURNALS_OWN)

    stranger = f.SchoolFactory()
    assert request_for(world.alice, stranger).school == school_2


# ---------------------------------------------------------------------------------------------
# current_classes: the class of each student on a day, prepared up to 8 students


def transfer_anna(world):
    """Anna moves from 5А to 5Б: her last day in 5А is 17 November, her first in 5Б the 18th."""
    student_withdraw(student=world.anna, school_class=world.class_5a, ends=dt.date(2026, 11, 17))
    student_enrol(student=world.anna, school_class=world.class_5b, starts=dt.date(2026, 11, 18))


def classes_on(world, students, day):
    found = selectors.current_classes(school=world.school, student_ids=[s.pk for s in students], day=day)
    return {pk: (c.pk, c.grade, c.letter, c.year_id) for pk, c in found.items()}


def expected_on(world, students, day):
    """Straight from the enrolments: the latest stay covering the day."""
    result = {}
    for student in students:
        stays = [
            e
            for e in student.enrolments.select_related("school_class").order_by("starts", "pk")
            if e.school_id == world.school.pk and e.starts <= day and (e.ends is None or e.ends >= day)
        ]
        if stays:
            c = stays[-1].school_class
            result[student.pk] = (c.pk, c.grade, c.letter, c.year_id)
    return result


def test_current_class_of_one_student_follows_a_transfer(world):
    """DIA-2: for one student (the prepared path) the class on a day is the old class up to the
    last day there and the new class from the day of the move; before the year: none."""
    transfer_anna(world)
    a, b = world.class_5a, world.class_5b
    assert classes_on(world, [world.anna], dt.date(2026, 11, 17)) == {world.anna.pk: (a.pk, 5, "А", a.year_id)}
    assert classes_on(world, [world.anna], dt.date(2026, 11, 18)) == {world.anna.pk: (b.pk, 5, "Б", b.year_id)}
    assert classes_on(world, [world.anna], dt.date(2026, 9, 1)) == {world.anna.pk: (a.pk, 5, "А", a.year_id)}
    assert classes_on(world, [world.anna], dt.date(2026, 8, 31)) == {}
    assert classes_on(world, [world.boris], dt.date(2026, 11, 18)) == {world.boris.pk: (a.pk, 5, "А", a.year_id)}
    assert 1 in selectors._CLASSES_OF  # the prepared path was taken
    found = selectors.current_classes(school=world.school, student_ids=[world.anna.pk], day=dt.date(2026, 11, 18))
    assert found[world.anna.pk] == b and found[world.anna.pk].school_id == world.school.pk


@pytest.mark.parametrize("count", [2, 8, 9])
def test_current_classes_of_several_students_follow_a_transfer(world, count):
    """DIA-2: for several students — prepared up to eight, the plain ORM for nine — each gets the
    class he is in on the day (the moved student the old class before the move, the new one from
    it); a student of another school is not answered for (the tenant)."""
    transfer_anna(world)
    everyone = [world.anna, *world.students_5a[1:], *world.students_5b]  # 8 students
    everyone.append(f.enrol(f.StudentFactory(school=world.school), world.class_5b))  # 9
    students = everyone[:count]
    assert len(students) == count
    _school_2, class_2 = other_school(world)
    stranger = f.enrol(f.StudentFactory(school=class_2.school), class_2)

    for day in (dt.date(2026, 11, 17), dt.date(2026, 11, 18)):
        got = selectors.current_classes(
            school=world.school, student_ids=[s.pk for s in students] + [stranger.pk], day=day
        )
        assert {pk: (c.pk, c.grade, c.letter, c.year_id) for pk, c in got.items()} == expected_on(world, students, day)
        assert set(got) == {s.pk for s in students}
    old, new = (
        classes_on(world, students, d)[world.anna.pk][0] for d in (dt.date(2026, 11, 17), dt.date(2026, 11, 18))
    )
    assert (old, new) == (world.class_5a.pk, world.class_5b.pk)
    assert (count in selectors._CLASSES_OF) is (count <= 8)


def test_current_classes_of_nobody_is_empty_without_a_query(world, django_assert_num_queries):
    """DIA-2: no students, no query and no classes; duplicated ids count once."""
    with django_assert_num_queries(0):
        assert selectors.current_classes(school=world.school, student_ids=[], day=TODAY) == {}
    with django_assert_num_queries(1):
        got = selectors.current_classes(school=world.school, student_ids=[world.anna.pk] * 3, day=TODAY)
    assert list(got) == [world.anna.pk]


def test_the_diary_index_shows_each_childs_class_of_today(world, frozen_now):
    """DIA-2: the parent's list of diaries names the class each child is in today: after a
    transfer, the new class from the day of the move (prepared per day, too)."""
    user, galina = new_parent(world, "galina")
    first = child(world, galina, "Петров", "Антон")
    second = child(world, galina, "Петров", "Борис")
    student_withdraw(student=second, school_class=world.class_5a, ends=TODAY)
    student_enrol(student=second, school_class=world.class_5b, starts=TOMORROW)
    client = client_in(user)

    def shown():
        response = client.get(reverse("diary:index"))
        return [(s.pk, c.pk if c else None) for s, c in response.context["children"]]

    assert shown() == [(first.pk, world.class_5a.pk), (second.pk, world.class_5a.pk)]
    frozen_now.move_to(dt.datetime(2026, 11, 21, 9, 0, tzinfo=MOSCOW))
    client = client_in(user)  # a new sign-in: the old session timed out overnight
    assert shown() == [(first.pk, world.class_5a.pk), (second.pk, world.class_5b.pk)]
