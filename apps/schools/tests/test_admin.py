"""Setting up a school through the Django admin, confined to the journal administrator's school."""

import datetime as dt

import pytest
from django.urls import reverse

from apps.accounts.models import Membership, Role, User
from apps.journal.models import Journal
from apps.people.models import Enrolment, GroupMembership, Student
from apps.people.services import class_group
from apps.schools.models import AcademicYear, Group, School, SchoolClass, Subject
from tests import factories as f

SCOPED_MODELS = [
    "schools/school",
    "schools/academicyear",
    "schools/bellslot",
    "schools/schoolclass",
    "schools/group",
    "schools/subject",
    "schools/worktype",
    "people/staff",
    "people/student",
    "people/guardian",
    "journal/journal",
    "accounts/user",
]


def changelist(model: str) -> str:
    app, name = model.split("/")
    return reverse(f"admin:{app}_{name}_changelist")


def change(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def add(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")


def inline_management(prefix: str, total: int = 0, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


@pytest.fixture
def other(world):
    """A second school with its own year, class, staff, student, guardian and journal."""
    school = f.SchoolFactory(short_name="Школа № 99")
    year = f.YearFactory(school=school)
    staff = f.StaffFactory(school=school, last_name="Посторонний", first_name="Пётр")
    school_class = f.make_class(year, 7, "В", class_teacher=staff)
    student = f.enrol(f.StudentFactory(school=school, last_name="Чужаков", first_name="Семён"), school_class)
    guardian = f.GuardianFactory(school=school, last_name="Чужакова", first_name="Вера")
    f.link_guardian(guardian, student)
    subject = f.SubjectFactory(school=school, name="Астрономия")
    journal = f.make_journal(school_class, subject, staff)
    user = f.UserFactory(username="stranger", last_name="Посторонний")
    f.add_role(user, school, Role.TEACHER)
    return {
        "school": school,
        "year": year,
        "staff": staff,
        "school_class": school_class,
        "student": student,
        "guardian": guardian,
        "subject": subject,
        "journal": journal,
        "user": user,
    }


@pytest.mark.parametrize("model", SCOPED_MODELS)
def test_journal_admin_opens_every_changelist(world, client_for, model):
    """ACC-2: the journal administrator (no is_staff, no Django permissions) sets the school up
    in the admin: every list of the set-up opens."""
    assert not world.admin.is_staff
    response = client_for(world.admin).get(changelist(model))
    assert response.status_code == 200


@pytest.mark.parametrize("model", [m for m in SCOPED_MODELS if m != "schools/school"])
def test_journal_admin_opens_every_add_form(world, client_for, model):
    """ACC-2: every set-up form opens for the journal administrator, without a school field
    (the school is his)."""
    response = client_for(world.admin).get(changelist(model) + "add/")
    assert response.status_code == 200
    assert "school" not in response.context["adminform"].form.fields


def test_journal_admin_opens_change_pages_with_their_inlines(world, client_for):
    """ACC-2: the year (periods, holidays), the class group (its students, read-only), a student
    (enrolments, guardians), a guardian and a login (roles) open for editing."""
    client = client_for(world.admin)
    year_page = client.get(change(world.year)).content.decode()
    assert "2 четверть" in year_page
    group_page = client.get(change(world.journal.group)).content.decode()
    assert "Аксёнова" in group_page
    assert 'name="memberships-0-student"' not in group_page  # whole-class list follows enrolments
    student_page = client.get(change(world.anna)).content.decode()
    assert "Аксёнова Полина" in student_page and "5А" in student_page
    guardian = world.anna.guardians.get()
    assert client.get(change(guardian)).status_code == 200
    user_page = client.get(change(world.carol)).content.decode()
    assert "классный руководитель" in user_page


def test_journal_admin_index_lists_the_setup_of_his_school(world, client_for):
    """ACC-2: the admin index shows the school's set-up sections; marks are not among them."""
    response = client_for(world.admin).get(reverse("admin:index"))
    assert response.status_code == 200
    body = response.content.decode()
    for label in ("Классы", "Учащиеся", "Сотрудники", "Журналы (нагрузка)", "Учебные годы", "Пользователи"):
        assert label in body
    assert "Отметки" not in body
    assert "Регионы" not in body
    assert world.school.short_name in body


@pytest.mark.parametrize(
    ("model", "name_key", "name"),
    [
        ("schools/school", "school", "Школа № 99"),
        ("schools/schoolclass", "school_class", "7В"),
        ("schools/subject", "subject", "Астрономия"),
        ("people/staff", "staff", "Посторонний"),
        ("people/student", "student", "Чужаков"),
        ("people/guardian", "guardian", "Чужакова"),
        ("journal/journal", "journal", "Астрономия"),
        ("accounts/user", "user", "stranger"),
    ],
)
def test_journal_admin_sees_only_his_school(world, other, client_for, model, name_key, name):
    """ORG-1: another school's rows are absent from his lists and their pages do not open."""
    client = client_for(world.admin)
    listing = client.get(changelist(model))
    assert listing.status_code == 200
    assert name not in listing.content.decode()

    page = client.get(change(other[name_key]))
    assert page.status_code in (302, 404)
    if page.status_code == 302:
        assert page.url == reverse("admin:index")
    assert name not in client.get(reverse("admin:index")).content.decode()


def test_journal_admin_cannot_create_schools_or_see_regions(world, client_for):
    """ORG-1: schools, regions and municipalities are the system administrator's."""
    client = client_for(world.admin)
    assert client.get(add(School)).status_code == 403
    assert client.get(reverse("admin:schools_region_changelist")).status_code == 403
    delete = reverse("admin:schools_school_delete", args=[world.school.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert School.objects.filter(pk=world.school.pk).exists()


def test_journal_admin_creates_a_class_with_a_class_teacher(world, client_for):
    """ORG-3, ACC-2: a class with its class teacher is created from the add form; the school is
    set by itself and the class gets its whole-class group for the journals."""
    response = client_for(world.admin).post(
        add(SchoolClass),
        {"year": world.year.pk, "grade": "6", "letter": "А", "class_teacher": world.alice_staff.pk},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = SchoolClass.objects.get(year=world.year, grade=6, letter="А")
    assert created.school == world.school
    assert created.class_teacher == world.alice_staff
    assert Group.objects.filter(school_class=created, kind=Group.Kind.CLASS, name="6А", school=world.school).exists()


def test_class_teacher_choices_do_not_offer_another_schools_staff(world, other, client_for):
    """ORG-1, ORG-3: the class teacher is chosen among this school's staff only; another
    school's teacher posted by hand is refused and nothing is created."""
    client = client_for(world.admin)
    form = client.get(add(SchoolClass)).context["adminform"].form
    choices = set(form.fields["class_teacher"].queryset)
    assert world.carol_staff in choices
    assert other["staff"] not in choices
    assert set(form.fields["year"].queryset) == {world.year}
    assert "Посторонний" not in client.get(add(SchoolClass)).content.decode()

    response = client.post(
        add(SchoolClass), {"year": world.year.pk, "grade": "6", "letter": "Б", "class_teacher": other["staff"].pk}
    )
    assert response.status_code == 200
    assert "class_teacher" in response.context["adminform"].form.errors
    assert not SchoolClass.objects.filter(grade=6, letter="Б").exists()


def test_other_schools_year_is_refused_for_a_class(world, other, client_for):
    """ORG-1: a class cannot be attached to another school's year."""
    response = client_for(world.admin).post(add(SchoolClass), {"year": other["year"].pk, "grade": "8", "letter": "А"})
    assert response.status_code == 200
    assert not SchoolClass.objects.filter(grade=8).exists()


def test_duplicate_subject_is_a_form_error_not_a_crash(world, client_for):
    """ACC-2: a second «Математика» in the same school is refused with a message."""
    response = client_for(world.admin).post(add(Subject), {"name": "Математика", "short_name": ""})
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()


def student_post(student: Student, enrolments: list[dict], initial: int = 0) -> dict:
    data = {
        "last_name": student.last_name,
        "first_name": student.first_name,
        "middle_name": "",
        "birth_date": "",
        "user": "",
        **inline_management("enrolments", total=len(enrolments), initial=initial),
        **inline_management("guardian_links"),
    }
    for i, row in enumerate(enrolments):
        for key, value in row.items():
            data[f"enrolments-{i}-{key}"] = value
        data[f"enrolments-{i}-student"] = student.pk
    return data


def test_enrolling_through_the_student_page_puts_the_student_in_the_class_group(world, client_for):
    """ORG-9, ACC-2: a student enrolled in 5Б on the student page joins the whole-class group of
    5Б from that date, so he appears in the class's journals."""
    newcomer = f.StudentFactory(school=world.school, last_name="Новиков", first_name="Никита")
    response = client_for(world.admin).post(
        change(newcomer),
        student_post(
            newcomer,
            [{"school_class": world.class_5b.pk, "starts": "16.11.2026", "ends": "", "order_number": "12-у"}],
        ),
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    enrolment = Enrolment.objects.get(student=newcomer)
    assert (enrolment.school_class, enrolment.starts, enrolment.school) == (
        world.class_5b,
        dt.date(2026, 11, 16),
        world.school,
    )
    membership = GroupMembership.objects.get(student=newcomer)
    assert membership.group == class_group(world.class_5b) == world.journal_5b.group
    assert (membership.starts, membership.ends, membership.school) == (dt.date(2026, 11, 16), None, world.school)


def test_ending_an_enrolment_in_the_admin_ends_the_class_group_membership(world, client_for):
    """ORG-9: a withdrawal date set on the student page ends his stay in the class group too."""
    boris = world.boris
    enrolment = Enrolment.objects.get(student=boris)
    row = {
        "id": enrolment.pk,
        "school_class": world.class_5a.pk,
        "starts": enrolment.starts.strftime("%d.%m.%Y"),
        "ends": "20.11.2026",
        "order_number": "",
    }
    response = client_for(world.admin).post(change(boris), student_post(boris, [row], initial=1))
    assert response.status_code == 302
    membership = GroupMembership.objects.get(student=boris, group=class_group(world.class_5a))
    assert membership.ends == dt.date(2026, 11, 20)


def test_enrolling_in_another_schools_class_is_refused(world, other, client_for):
    """ORG-1: the class of an enrolment is one of this school's classes."""
    newcomer = f.StudentFactory(school=world.school)
    row = {"school_class": other["school_class"].pk, "starts": "16.11.2026", "ends": "", "order_number": ""}
    response = client_for(world.admin).post(change(newcomer), student_post(newcomer, [row]))
    assert response.status_code == 200
    assert not Enrolment.objects.filter(student=newcomer).exists()
    assert not GroupMembership.objects.filter(student=newcomer).exists()


def test_journal_admin_creates_a_teaching_assignment(world, client_for):
    """ACC-2: a teaching assignment (teacher × subject × group × year) is created in the admin
    and belongs to the school."""
    biology = f.SubjectFactory(school=world.school, name="Биология")
    response = client_for(world.admin).post(
        add(Journal),
        {
            "year": world.year.pk,
            "group": class_group(world.class_5a).pk,
            "subject": biology.pk,
            "teacher": world.bob_staff.pk,
            "hours_per_week": "2",
            "grading_system": world.journal.grading_system,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    journal = Journal.objects.get(subject=biology)
    assert (journal.school, journal.group.school_class, journal.teacher) == (
        world.school,
        world.class_5a,
        world.bob_staff,
    )


def test_teaching_assignment_choices_stay_in_the_school(world, other, client_for):
    """ORG-1: a journal's year, group, subject and teacher are offered from this school only."""
    form = client_for(world.admin).get(add(Journal)).context["adminform"].form
    assert other["staff"] not in set(form.fields["teacher"].queryset)
    assert other["subject"] not in set(form.fields["subject"].queryset)
    assert other["journal"].group not in set(form.fields["group"].queryset)
    assert other["year"] not in set(form.fields["year"].queryset)


@pytest.mark.parametrize("who", ["alice", "carol", "pat", "sam", "director"])
def test_everybody_else_is_refused_the_admin(world, client_for, who):
    """ACC-2, ORG-1: teachers, parents, students (even the director) do not get into the admin
    and see nothing of it."""
    client = client_for(getattr(world, who))
    for url in (reverse("admin:index"), changelist("people/student"), change(world.anna)):
        response = client.get(url, follow=True)
        assert response.status_code == 403
        assert "Аксёнова" not in response.content.decode()


def test_staff_flag_alone_does_not_open_the_admin(world, client_for):
    """ACC-2: rights come from the role, never from is_staff."""
    world.alice.is_staff = True
    world.alice.save(update_fields=["is_staff"])
    assert client_for(world.alice).get(reverse("admin:index"), follow=True).status_code == 403


def test_anonymous_visitor_is_sent_to_the_sign_in_page(world, client):
    """ACC-2: the admin has no login page of its own; a stranger signs in where everybody does."""
    response = client.get(changelist("people/student"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))
    assert "Аксёнова" not in response.content.decode()


def test_journal_admin_role_in_another_school_does_not_open_this_one(world, other, client_for):
    """ORG-1: the role counts in the school the user is working in, not anywhere."""
    f.add_role(world.alice, other["school"], Role.JOURNAL_ADMIN)
    client = client_for(world.alice)
    session = client.session
    session["school_id"] = world.school.pk
    session.save()
    assert client.get(reverse("admin:index"), follow=True).status_code == 403


def test_journal_admin_creates_a_login_with_a_role_in_his_school_only(world, other, client_for):
    """ACC-2, ACC-3: a new login gets its role in the administrator's school, whatever school
    the request names."""
    data = {
        "username": "newteacher",
        "usable_password": "true",
        "password1": "Xy7-long-enough-pass",
        "password2": "Xy7-long-enough-pass",
        "last_name": "Новая",
        "first_name": "Нина",
        "middle_name": "",
        "email": "",
        **inline_management("memberships", total=1),
        "memberships-0-role": Role.TEACHER,
        "memberships-0-school": other["school"].pk,
    }
    response = client_for(world.admin).post(add(User), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    user = User.objects.get(username="newteacher")
    assert list(user.memberships.values_list("school", "role")) == [(world.school.pk, Role.TEACHER)]
    assert not user.is_superuser


def test_a_login_without_a_role_is_not_created(world, client_for):
    """ACC-2: a login made by the journal administrator must hold a role in his school."""
    data = {
        "username": "nobody",
        "usable_password": "true",
        "password1": "Xy7-long-enough-pass",
        "password2": "Xy7-long-enough-pass",
        **inline_management("memberships", total=0),
    }
    response = client_for(world.admin).post(add(User), data)
    assert response.status_code == 200
    assert not User.objects.filter(username="nobody").exists()


def user_change_post(user: User, memberships: list[Membership], **extra) -> dict:
    data = {
        "username": user.username,
        "last_name": user.last_name,
        "first_name": user.first_name,
        "middle_name": user.middle_name,
        "email": user.email,
        "is_active": "on",
        **inline_management("memberships", total=len(memberships), initial=len(memberships)),
        **extra,
    }
    for i, m in enumerate(memberships):
        data.update({f"memberships-{i}-id": m.pk, f"memberships-{i}-user": user.pk, f"memberships-{i}-role": m.role})
    return data


def test_journal_admin_cannot_make_anyone_superuser(world, client_for):
    """ACC-2: the journal administrator cannot raise a login above his own rights."""
    memberships = list(world.alice.memberships.all())
    response = client_for(world.admin).post(
        change(world.alice),
        user_change_post(world.alice, memberships, is_superuser="on", is_staff="on", last_name="Алексеева-Новая"),
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    world.alice.refresh_from_db()
    assert world.alice.last_name == "Алексеева-Новая"
    assert not world.alice.is_superuser
    assert not world.alice.is_staff


def test_journal_admin_does_not_see_or_edit_superusers(world, client_for):
    """ACC-2: a superuser, even one with a role in the school, is out of the journal
    administrator's reach."""
    root = f.UserFactory(username="root", is_superuser=True)
    f.add_role(root, world.school, Role.DIRECTOR)
    client = client_for(world.admin)
    assert "root" not in client.get(changelist("accounts/user")).content.decode()
    assert client.get(change(root)).status_code in (302, 404)
    response = client.post(reverse("admin:auth_user_password_change", args=[root.pk]), {})
    assert response.status_code in (302, 403, 404)
    root.refresh_from_db()
    assert root.check_password(f.PASSWORD)


def test_login_shared_with_another_school_is_read_only(world, other, client_for):
    """ORG-1: a login holding a role in another school is not changed by this school's
    administrator (its password would open the other school too)."""
    f.add_role(world.bob, other["school"], Role.TEACHER)
    client = client_for(world.admin)
    page = client.get(change(world.bob))
    assert page.status_code == 200
    assert "Школа № 99" not in page.content.decode()
    memberships = list(world.bob.memberships.filter(school=world.school))
    response = client.post(change(world.bob), user_change_post(world.bob, memberships, last_name="Взломов"))
    assert response.status_code == 403
    world.bob.refresh_from_db()
    assert world.bob.last_name == "Борисов"


def test_superuser_keeps_full_access(world, other, client_for):
    """ORG-1: the system administrator sees every school."""
    root = f.UserFactory(username="root", is_superuser=True)
    client = client_for(root)
    body = client.get(changelist("people/student")).content.decode()
    assert "Чужаков" in body and "Аксёнова" in body
    assert client.get(reverse("admin:schools_region_changelist")).status_code == 200


def test_superuser_adds_a_year_with_its_quarters_in_one_form(world, other, client_for):
    """ORG-2: the periods entered with a new year take the year's school."""
    root = f.UserFactory(username="root", is_superuser=True)
    data = {
        "school": other["school"].pk,
        "name": "2027/2028",
        "starts": "01.09.2027",
        "ends": "31.05.2028",
        "status": "planned",
        **inline_management("periods", total=1),
        "periods-0-order": "1",
        "periods-0-name": "1 четверть",
        "periods-0-starts": "01.09.2027",
        "periods-0-ends": "26.10.2027",
        **inline_management("holidays"),
    }
    response = client_for(root).post(add(AcademicYear), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    year = AcademicYear.objects.get(name="2027/2028")
    assert year.school == other["school"]
    assert [(p.name, p.school) for p in year.periods.all()] == [("1 четверть", other["school"])]
