"""Roles of ACC-1 with their default rights, and the school's switches (ACC-2), through HTTP."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.models import Role
from apps.journal import services as journal_services
from apps.rights import registry
from apps.rights.models import RightChange, SchoolRights
from apps.rights.services import rights_set
from tests import factories as f

NEW_ROLES = {
    Role.NURSE: "медицинская сестра",
    Role.SOCIAL_PEDAGOGUE: "социальный педагог",
    Role.PSYCHOLOGIST: "педагог-психолог",
    Role.PARENT_COMMITTEE: "член родительского комитета",
    Role.LIBRARIAN: "библиотекарь",
    Role.SECRETARY: "секретарь",
    Role.SYSTEM_ADMIN: "системный администратор",
    Role.MUNICIPAL_COORDINATOR: "муниципальный координатор",
}


def member(world, role, username=None):
    user = f.UserFactory(username=username or role)
    f.add_role(user, world.school, role)
    return user


def grid(world):
    return reverse("journal:grid", args=[world.journal.pk])


def attendance(world):
    return reverse("journal:class_attendance", args=[world.class_5a.pk])


def matrix_post(client, world, wanted: dict, version=None):
    """Post the rights page as a journal administrator would: every checkbox as it is now, except `wanted`."""
    row = SchoolRights.objects.filter(school=world.school).first()
    overrides = row.overrides if row else {}
    on = [
        f"{role}:{code}"
        for code in registry.FUNCTIONS
        for role in registry.ROLE_ORDER
        if registry.applies(code, role)
        and wanted.get((role, code), registry.enabled(code, role, overrides))
        and role not in registry.FUNCTIONS[code].locked
    ]
    data = {"version": str(row.version if row else 0) if version is None else str(version), "on": on}
    return client.post(reverse("rights:matrix"), data)


def test_every_role_of_the_regulations_exists():
    """ACC-1: all fifteen roles, with their Russian names; the rights page has a row for each."""
    for role, label in NEW_ROLES.items():
        assert role in Role.values
        assert str(Role(role).label) == label
    assert len(Role.values) == 15
    assert set(registry.ROLE_ORDER) == set(Role.values)


def test_default_rights_of_each_role():
    """ACC-1, ACC-2: sensible defaults — the core's seven roles exactly as before; the nurse and the
    social pedagogue see every class's attendance; the psychologist sees nothing of marks; the
    librarian and a parent-committee member nothing; the secretary the class lists; the system
    administrator administers; the municipal coordinator reads journals, attendance and the reports;
    ORG-2…ORG-11: the deputy runs the school year, the secretary keeps the movement book and staff."""
    d = registry.DEFAULTS
    r = registry
    admin_reads = {r.JOURNALS_ALL, r.ATTENDANCE_ALL, r.CLASS_LISTS}
    # Issue 3: the school year's administration — the deputy runs the year, the timetable, the
    # substitutions; the director keeps the staff list and reads the reports.
    year = {r.YEAR_MANAGE, r.CURRICULUM_MANAGE, r.TIMETABLE_MANAGE, r.SUBSTITUTIONS_MANAGE, r.GRADING_MANAGE}
    assert d[Role.JOURNAL_ADMIN] == admin_reads | year | {
        r.RIGHTS_MANAGE, r.COMPROMISE_MANAGE, r.STAFF_MANAGE, r.MOVEMENT_MANAGE, r.EVENTS_SCHOOL, r.EXAMS_MANAGE,
        r.ROSTER_IMPORT, r.SCHOOL_REPORTS,
    }  # fmt: skip
    assert d[Role.DEPUTY] == admin_reads | year | {r.EVENTS_SCHOOL, r.EXAMS_MANAGE, r.SCHOOL_REPORTS}
    assert d[Role.DIRECTOR] == admin_reads | {r.STAFF_MANAGE, r.EVENTS_SCHOOL, r.SCHOOL_REPORTS}
    assert d[Role.TEACHER] == {r.JOURNALS_OWN}
    assert d[Role.CLASS_TEACHER] == {r.JOURNALS_OWN, r.JOURNALS_CLASS, r.ATTENDANCE_REASONS, r.EVENTS_CLASS}
    assert d[Role.PARENT] == {r.DIARY_CHILDREN}
    assert d[Role.STUDENT] == {r.DIARY_SELF}
    assert d[Role.NURSE] == d[Role.SOCIAL_PEDAGOGUE] == {r.ATTENDANCE_ALL, r.CLASS_LISTS}
    assert d[Role.PSYCHOLOGIST] == {r.CLASS_LISTS}
    assert d[Role.LIBRARIAN] == d[Role.PARENT_COMMITTEE] == frozenset()
    assert d[Role.SECRETARY] == {r.CLASS_LISTS, r.STAFF_MANAGE, r.MOVEMENT_MANAGE, r.SCHOOL_REPORTS}
    assert d[Role.SYSTEM_ADMIN] == {r.RIGHTS_MANAGE, r.COMPROMISE_MANAGE}
    assert d[Role.MUNICIPAL_COORDINATOR] == {r.JOURNALS_ALL, r.ATTENDANCE_ALL, r.SCHOOL_REPORTS}


# What each new role can open by default (ACC-1): a small matrix of its own, by HTTP.
# url key → role → status (GET); everything not listed is 404.
NEW_ROLE_PAGES = {
    "grid": {},
    "attendance": {Role.NURSE: 200, Role.SOCIAL_PEDAGOGUE: 200},
    "classes": dict.fromkeys(
        (Role.NURSE, Role.SOCIAL_PEDAGOGUE, Role.PSYCHOLOGIST, Role.LIBRARIAN, Role.SECRETARY, Role.SYSTEM_ADMIN), 200
    ),
    "class_list": dict.fromkeys((Role.NURSE, Role.SOCIAL_PEDAGOGUE, Role.PSYCHOLOGIST, Role.SECRETARY), 200),
    "rights": {Role.SYSTEM_ADMIN: 200},
    "compromise": {Role.SYSTEM_ADMIN: 200},
    "diary": {},
}


@pytest.mark.parametrize(
    "role",
    [Role.NURSE, Role.SOCIAL_PEDAGOGUE, Role.PSYCHOLOGIST, Role.PARENT_COMMITTEE, Role.LIBRARIAN, Role.SECRETARY,
     Role.SYSTEM_ADMIN],
)  # fmt: skip
def test_what_each_new_role_opens_by_default(world, client_for, role):
    """ACC-1: each new role of the school reaches exactly the pages of its default functions
    (404 elsewhere); none of them writes a journal or reasons of absences."""
    user = member(world, role)
    client = client_for(user)
    lesson = f.make_lesson(world.journal, dt.date(2026, 11, 18))
    journal_services.journal_save(
        journal=world.journal,
        author=world.alice,
        cells=[{"lesson": lesson.pk, "student": world.boris.pk, "value": "н"}],
    )
    urls = {
        "grid": grid(world),
        "attendance": attendance(world),
        "classes": reverse("rights:classes"),
        "class_list": reverse("rights:class_list", args=[world.class_5a.pk]),
        "rights": reverse("rights:matrix"),
        "compromise": reverse("compromise:list"),
        "diary": reverse("diary:week", args=[world.anna.pk]),
    }
    for key, url in urls.items():
        expected = NEW_ROLE_PAGES[key].get(role, 404)
        assert client.get(url).status_code == expected, f"{role}: {key}"
    # Reading the attendance never lets her record reasons.
    absence = world.boris.attendance.get()
    response = client.post(attendance(world), {f"r-{absence.pk}": "illness"})
    assert response.status_code in (403, 404)
    absence.refresh_from_db()
    assert absence.reason == ""


def test_nurse_finds_the_class_attendance_from_her_start_page(world, client_for):
    """ACC-1: a role without journals starts at the classes page, which links to each class's
    attendance and list; the menu has «Классы» and no «Журналы»."""
    client = client_for(member(world, Role.NURSE))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("rights:classes")
    html = client.get(reverse("rights:classes")).content.decode()
    assert attendance(world) in html
    assert reverse("rights:class_list", args=[world.class_5a.pk]) in html
    assert ">Классы<" in html and ">Журналы<" not in html
    listing = client.get(reverse("rights:class_list", args=[world.class_5a.pk])).content.decode()
    assert "Аксёнова Анна" in listing and "Быков Борис" in listing


def test_librarian_is_told_she_has_no_functions(world, client_for):
    """ACC-1: a role with nothing switched on sees a note, not somebody's data."""
    html = client_for(member(world, Role.LIBRARIAN)).get(reverse("rights:classes")).content.decode()
    assert "не включено ни одной функции" in html
    assert "5А" not in html


def test_switching_attendance_for_the_social_pedagogue(world, client_for):
    """ACC-2, end to end: the journal administrator switches «видеть посещаемость всех классов» off for
    the social pedagogue on the rights page — her class attendance page answers 404; switched on
    again — 200, read-only. Each switch is recorded with who and when."""
    pedagogue = client_for(member(world, Role.SOCIAL_PEDAGOGUE))
    admin = client_for(world.admin)
    assert pedagogue.get(attendance(world)).status_code == 200

    response = matrix_post(admin, world, {(Role.SOCIAL_PEDAGOGUE, registry.ATTENDANCE_ALL): False})
    assert response.status_code == 302
    assert pedagogue.get(attendance(world)).status_code == 404
    assert (
        reverse("journal:class_attendance", args=[world.class_5a.pk])
        not in pedagogue.get(reverse("rights:classes")).content.decode()
    )

    matrix_post(admin, world, {(Role.SOCIAL_PEDAGOGUE, registry.ATTENDANCE_ALL): True})
    response = pedagogue.get(attendance(world))
    assert response.status_code == 200
    assert "Только просмотр" in response.content.decode()

    changes = list(RightChange.objects.filter(school=world.school).order_by("pk"))
    assert [(c.role, c.function, c.enabled, c.author) for c in changes] == [
        (Role.SOCIAL_PEDAGOGUE, registry.ATTENDANCE_ALL, False, world.admin),
        (Role.SOCIAL_PEDAGOGUE, registry.ATTENDANCE_ALL, True, world.admin),
    ]
    assert all(c.at is not None for c in changes)
    # Back at the default: no override left.
    assert SchoolRights.objects.get(school=world.school).overrides == {}


def test_granting_the_psychologist_all_journals(world, client_for):
    """ACC-2: switched on, «читать все журналы школы» lets the psychologist read (not write) every
    journal, listed by class on the journal list."""
    psychologist = member(world, Role.PSYCHOLOGIST)
    client = client_for(psychologist)
    assert client.get(grid(world)).status_code == 404
    rights_set(school=world.school, wanted={(Role.PSYCHOLOGIST, registry.JOURNALS_ALL): True}, author=world.admin)
    assert client.get(grid(world)).status_code == 200
    listing = client.get(reverse("journal:list")).content.decode()
    assert "Все журналы школы" in listing and grid(world) in listing
    lesson = f.make_lesson(world.journal, dt.date(2026, 11, 18))
    response = client.post(
        reverse("journal:save", args=[world.journal.pk]),
        {f"c-{lesson.pk}-{world.anna.pk}": "5"},
    )
    assert response.status_code == 403
    assert not world.anna.marks.exists()


def test_switches_apply_to_the_core_roles_too(world, client_for):
    """ACC-2: a school that takes «вести свой журнал» from teachers shuts alice out of her journal;
    switching «читать журналы своего класса» off for class teachers hides alice's journal from carol."""
    alice, carol = client_for(world.alice), client_for(world.carol)
    assert alice.get(grid(world)).status_code == 200 and carol.get(grid(world)).status_code == 200
    rights_set(
        school=world.school,
        wanted={(Role.TEACHER, registry.JOURNALS_OWN): False, (Role.CLASS_TEACHER, registry.JOURNALS_CLASS): False},
        author=world.admin,
    )
    assert alice.get(grid(world)).status_code == 404
    assert carol.get(grid(world)).status_code == 404
    # Carol still keeps her own journal (5Б history) as a class teacher who also teaches.
    assert carol.get(reverse("journal:grid", args=[world.journal_history_5b.pk])).status_code == 200


def test_rights_page_shows_defaults_and_history(world, client_for):
    """ACC-2: the page is a table of roles × functions in Russian; a changed cell shows the default
    next to it; the history says who changed what and when."""
    admin = client_for(world.admin)
    html = admin.get(reverse("rights:matrix")).content.decode()
    for label in ("медицинская сестра", "муниципальный координатор", "Видеть посещаемость всех классов"):
        assert label in html
    assert 'value="nurse:attendance_all" checked' in html
    assert 'value="librarian:attendance_all" aria' in html  # present, not checked
    assert "ещё не меняли" in html

    matrix_post(admin, world, {(Role.NURSE, registry.ATTENDANCE_ALL): False})
    html = admin.get(reverse("rights:matrix")).content.decode()
    assert 'value="nurse:attendance_all" aria' in html
    assert "по умолчанию: да" in html
    assert "Админова Ольга" in html and "выключена" in html


def test_a_stale_rights_page_does_not_overwrite(world, client_for):
    """ACC-2: two administrators: the second one's form, opened before the first saved, is refused
    with a message and changes nothing."""
    admin = client_for(world.admin)
    matrix_post(admin, world, {(Role.NURSE, registry.CLASS_LISTS): False})
    response = matrix_post(admin, world, {(Role.SECRETARY, registry.CLASS_LISTS): False}, version=0)
    assert response.status_code == 302
    assert SchoolRights.objects.get(school=world.school).overrides == {"nurse": {"class_lists": False}}
    page = admin.get(reverse("rights:matrix")).content.decode()
    assert "только что изменил другой пользователь" in page


def test_the_journal_administrator_cannot_lock_himself_out(world, client_for):
    """ACC-2: «настраивать права ролей» stays on for the journal administrator whatever is posted."""
    admin = client_for(world.admin)
    admin.post(reverse("rights:matrix"), {"version": "0", "on": []})
    assert admin.get(reverse("rights:matrix")).status_code == 200
    assert admin.get(reverse("compromise:list")).status_code == 200


def test_only_the_rights_managers_see_the_page(world, client_for):
    """ACC-2: teachers, the director and families get 404; a system administrator may."""
    for user in (world.alice, world.carol, world.director, world.pat, world.sam):
        assert client_for(user).get(reverse("rights:matrix")).status_code == 404
    assert client_for(member(world, Role.SYSTEM_ADMIN)).get(reverse("rights:matrix")).status_code == 200


def test_rights_cost_no_query(world, client_for):
    """ACC-2: checking rights adds no query — the school's rights come with the memberships — so a
    school with switches serves the journal list in as many queries as one without."""
    client = client_for(world.director)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("journal:list")).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    rights_set(school=world.school, wanted={(Role.NURSE, registry.CLASS_LISTS): False}, author=world.admin)
    assert count() == before


# ---------------------------------------------------------------------------------------------
# Municipal coordinator (ORG-1)


@pytest.fixture
def municipality(world):
    """The world's school and a second school of the same municipality, with a journal of its own;
    a third school elsewhere."""
    second = f.SchoolFactory(municipality=world.school.municipality, short_name="Школа № 7")
    year = f.YearFactory(school=second)
    f.make_periods(year)
    teacher = f.StaffFactory(school=second)
    school_class = f.make_class(year, 6, "В", class_teacher=teacher)
    journal = f.make_journal(school_class, f.SubjectFactory(school=second, name="Физика"), teacher)
    elsewhere = f.SchoolFactory(municipality=f.MunicipalityFactory(name="Другой район"), short_name="Школа № 9")
    return second, journal, elsewhere


def test_municipal_coordinator_reads_every_school_of_the_municipality(world, client_for, municipality):
    """ORG-1, ACC-1: a municipal coordinator switches between the municipality's schools and reads
    every journal and class attendance there, read-only; a school of another municipality is not
    offered; withdrawing the membership ends the access at once."""
    from apps.rights.models import MunicipalMembership

    second, second_journal, elsewhere = municipality
    coordinator = f.UserFactory(username="coordinator")
    membership = MunicipalMembership.objects.create(user=coordinator, municipality=world.school.municipality)
    client = client_for(coordinator)  # signing in notes the coordination in the session

    home = client.get(reverse("home"))
    assert home.status_code == 302 and home["Location"] == reverse("journal:list")
    page = client.get(reverse("journal:list")).content.decode()
    assert "Все журналы школы" in page
    assert "Школа № 7" in page and "Школа № 9" not in page  # the school switch offers both schools
    assert client.get(grid(world)).status_code == 200
    assert client.get(attendance(world)).status_code == 200
    lesson = f.make_lesson(world.journal, dt.date(2026, 11, 18))
    response = client.post(reverse("journal:save", args=[world.journal.pk]), {f"c-{lesson.pk}-{world.anna.pk}": "5"})
    assert response.status_code == 403 and not world.anna.marks.exists()

    assert client.get(reverse("journal:grid", args=[second_journal.pk])).status_code == 404  # another school
    client.post(reverse("accounts:school_switch"), {"school": second.pk})
    assert client.get(reverse("journal:grid", args=[second_journal.pk])).status_code == 200
    assert client.post(reverse("accounts:school_switch"), {"school": elsewhere.pk}).status_code == 404

    membership.delete()
    assert client.get(reverse("journal:grid", args=[second_journal.pk])).status_code == 404
    assert client.get(reverse("journal:list")).status_code == 404


def test_coordination_costs_other_users_no_query(world, client_for):
    """ORG-1: only a coordinator's requests look up the municipality's schools."""
    client = client_for(world.alice)
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("journal:list"))
    assert not any("rights_municipalmembership" in q["sql"] for q in ctx.captured_queries)
