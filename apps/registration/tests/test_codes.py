"""Invitation codes (ACC-3, ACC-4): who issues them for whom, what registering with one does, and
the register of issued codes."""

import datetime as dt

from django.test import Client
from django.urls import reverse

from apps.accounts.models import Membership, Role, User
from apps.people.models import Guardian, Staff
from apps.registration import codes
from apps.registration.models import AccessCode, AccessSettings
from tests import factories as f

from .helpers import issue, new_parent, page_text, register


def roles_of(user, school):
    return set(Membership.objects.filter(user=user, school=school).values_list("role", flat=True))


def test_class_teacher_code_links_exactly_that_parent_to_exactly_their_child(world, client_for):
    """ACC-3, ACC-4, DIA-3: the class teacher issues a code for a parent of a child of her class;
    registering with it creates the account, binds it to that guardian and gives the parent role —
    the parent then reads that child's diary and no other."""
    father = new_parent(world, world.boris)
    carol = client_for(world.carol)
    code, page = issue(carol, "guardian", father.pk)
    text = page_text(page)
    assert "Пригласительный код" in text and "Быков Пётр" in text and "Действует до 04.12.2026" in text

    client, response = register(code, "petr.bykov")
    assert response.status_code == 302 and response["Location"] == reverse("home")
    user = User.objects.get(username="petr.bykov")
    assert (user.last_name, user.first_name) == ("Быков", "Пётр")
    assert Guardian.objects.get(pk=father.pk).user == user
    assert roles_of(user, world.school) == {Role.PARENT}
    assert client.get(reverse("diary:week", args=[world.boris.pk])).status_code == 200
    assert client.get(reverse("diary:week", args=[world.anna.pk])).status_code == 404
    used = AccessCode.objects.get()
    assert used.used_at is not None and used.user == user and used.issued_by == world.carol

    # The code was shown once: the page does not show it again.
    again = carol.get(reverse("registration:code_issued", args=[used.pk]))
    assert code not in again.content.decode() and "уже был показан" in page_text(again)


def test_student_code_links_the_student(world, client_for):
    """ACC-3, ACC-4: a code for a student of the class gives the student role bound to that student."""
    code, _page = issue(client_for(world.carol), "student", world.boris.pk)
    client, _response = register(code, "boris.bykov")
    user = User.objects.get(username="boris.bykov")
    world.boris.refresh_from_db()
    assert world.boris.user == user and roles_of(user, world.school) == {Role.STUDENT}
    assert client.get(reverse("diary:week", args=[world.boris.pk])).status_code == 200
    assert client.get(reverse("diary:week", args=[world.anna.pk])).status_code == 404


def test_class_teacher_issues_codes_only_for_her_class(world, client_for):
    """ACC-3: a code for another class, for staff, or by someone who is not a class teacher is
    refused (404) and nothing is issued."""
    other_child = world.students_5b[0]
    other_parent = new_parent(world, other_child, last="Чужой")
    carol = client_for(world.carol)
    for kind, pk in (("student", other_child.pk), ("guardian", other_parent.pk), ("staff", world.alice_staff.pk)):
        assert carol.get(reverse("registration:code_issue", args=[kind, pk])).status_code == 404
        assert (
            carol.post(reverse("registration:code_issue", args=[kind, pk]), {"handed_over": "paper"}).status_code == 404
        )
    for user in (world.bob, world.alice, world.pat, world.sam, world.director):
        response = client_for(user).post(
            reverse("registration:code_issue", args=["student", world.boris.pk]), {"handed_over": "paper"}
        )
        assert response.status_code == 404
    assert not AccessCode.objects.exists()


def test_administrator_issues_staff_codes_with_roles(world, client_for):
    """ACC-3: staff get their codes from the journal administrator, with the roles chosen; the new
    account is bound to the staff record and opens the journals."""
    newcomer = f.StaffFactory(school=world.school, user=None, last_name="Новикова", first_name="Нина")
    code, page = issue(client_for(world.admin), "staff", newcomer.pk, roles=["teacher", "class_teacher"])
    assert "учитель, классный руководитель" in page_text(page)
    client, _response = register(code, "novikova")
    user = User.objects.get(username="novikova")
    assert Staff.objects.get(pk=newcomer.pk).user == user
    assert roles_of(user, world.school) == {Role.TEACHER, Role.CLASS_TEACHER}
    assert client.get(reverse("journal:list")).status_code == 200


def test_staff_code_needs_a_staff_role(world, client_for):
    """ACC-3: a staff invitation without a role, or with a family role, is refused."""
    newcomer = f.StaffFactory(school=world.school, user=None)
    admin = client_for(world.admin)
    url = reverse("registration:code_issue", args=["staff", newcomer.pk])
    assert "Отметьте хотя бы одну роль" in page_text(admin.post(url, {"handed_over": "paper"}))
    assert admin.post(url, {"handed_over": "paper", "roles": ["parent"]}).status_code == 200
    assert not AccessCode.objects.exists()


def test_a_code_works_once(world, client_for):
    """ACC-4: a used code is refused with a clear message, and makes no second account."""
    code, _page = issue(client_for(world.carol), "student", world.boris.pk)
    register(code, "boris.bykov")
    _client, response = register(code, "boris2")
    assert response.status_code == 200
    assert "Этот код уже использован 20.11.2026" in page_text(response)
    assert not User.objects.filter(username="boris2").exists()


def test_a_code_expires(world, client_for, frozen_now):
    """ACC-4: a code is valid for the school's term (14 days by default, per school setting)."""
    carol = client_for(world.carol)
    code, _page = issue(carol, "student", world.boris.pk)
    frozen_now.shift(dt.timedelta(days=14, minutes=1))
    _client, response = register(code, "late")
    assert "Срок действия кода истёк 04.12.2026" in page_text(response)

    AccessSettings.objects.create(school=world.school, invitation_days=3)
    frozen_now.move_to(dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC))
    code, _page = issue(client_for(world.carol), "student", world.boris.pk)
    frozen_now.shift(dt.timedelta(days=2, hours=23))
    _client, response = register(code, "in.time")
    assert response.status_code == 302 and User.objects.filter(username="in.time").exists()


def test_wrong_code_and_too_many_attempts(world, client_for):
    """ACC-4: a wrong code is refused in Russian; an address that keeps guessing is stopped."""
    code, _page = issue(client_for(world.carol), "student", world.boris.pk)
    client = Client()
    response = client.post(reverse("registration:register"), {"code": "KM7QX-4HTRC"})
    assert "Код не найден" in page_text(response)
    for _ in range(9):
        client.post(reverse("registration:register"), {"code": "KM7QX-4HTRC"})
    blocked = client.post(reverse("registration:register"), {"code": code})
    assert blocked.status_code == 429 and "Слишком много попыток" in page_text(blocked)


def test_code_is_typed_loosely_and_stored_only_as_a_hash(world, client_for):
    """ACC-4: case, spaces and Cyrillic look-alike letters do not matter; the database holds no code."""
    code, _page = issue(client_for(world.carol), "student", world.boris.pk)
    stored = AccessCode.objects.values_list()[0]
    assert not any(codes.normalize(code) in str(v).upper().replace("-", "") for v in stored)
    cyrillic = code.lower().replace("a", "а").replace("c", "с").replace("e", "е").replace("-", " ")
    _client, response = register(cyrillic, "boris.bykov")
    assert response.status_code == 302


def test_a_new_code_replaces_the_unused_one(world, client_for):
    """ACC-4: issuing again (a lost slip) revokes the earlier code."""
    carol = client_for(world.carol)
    first, _page = issue(carol, "student", world.boris.pk)
    second, _page = issue(carol, "student", world.boris.pk)
    _client, response = register(first, "old")
    assert "Этот код отозван" in page_text(response)
    _client, response = register(second, "new.one")
    assert response.status_code == 302


def test_registration_checks_username_and_password(world, client_for):
    """ACC-4: the login must be free and the password pass the validators; the code stays unused."""
    code, _page = issue(client_for(world.carol), "student", world.boris.pk)
    _client, response = register(code, "pat")
    assert "Имя пользователя «pat» уже занято" in page_text(response)
    _client, response = register(code, "boris.b", password="12345")
    assert "слишком короткий" in page_text(response)
    assert AccessCode.objects.get().used_at is None
    assert not User.objects.filter(username="boris.b").exists()


def test_no_invitation_for_someone_with_an_account(world, client_for):
    """ACC-4, ACC-9: a person who already has an account gets a recovery code, not an invitation."""
    pat_guardian = Guardian.objects.get(user=world.pat)
    carol = client_for(world.carol)
    response = carol.post(
        reverse("registration:code_issue", args=["guardian", pat_guardian.pk]), {"handed_over": "paper"}
    )
    assert "уже есть учётная запись «pat»" in page_text(response)
    assert not AccessCode.objects.exists()


def test_signed_in_user_adds_the_person_to_their_account(world, client_for):
    """ACC-4: a parent who already has an account (here: in another school) adds a child there
    with the code instead of making a second login."""
    school2 = f.SchoolFactory(short_name="Школа № 2")
    year2 = f.YearFactory(school=school2)
    teacher2 = f.StaffFactory(school=school2)
    f.add_role(teacher2.user, school2, Role.CLASS_TEACHER)
    child = f.enrol(
        f.StudentFactory(school=school2, last_name="Аксёнов", first_name="Артём"), f.make_class(year2, 2, "В", teacher2)
    )
    guardian = f.GuardianFactory(school=school2, user=None, last_name="Аксёнова", first_name="Полина")
    f.link_guardian(guardian, child)
    code, _page = issue(client_for(teacher2.user), "guardian", guardian.pk)

    pat = client_for(world.pat)
    pat.post(reverse("registration:register"), {"code": code})
    page = pat.get(reverse("registration:register_account"))
    assert "Роль будет добавлена к вашей учётной записи «pat»" in page_text(page)
    assert pat.post(reverse("registration:register_account")).status_code == 302
    assert Guardian.objects.get(pk=guardian.pk).user == world.pat
    assert roles_of(world.pat, school2) == {Role.PARENT}


def test_register_of_issued_codes_prints_as_the_form(world, client_for):
    """ACC-4: «Учёт выдачи пригласительных кодов»: № / ФИО / роль / класс / дата выдачи / способ /
    кто выдал / срок / использован — the class teacher's for her class, the administrator's for
    the school; printable and downloadable as CSV."""
    carol = client_for(world.carol)
    father = new_parent(world, world.boris)
    code, _page = issue(carol, "guardian", father.pk)
    issue(carol, "student", world.boris.pk, handed_over="paper")
    newcomer = f.StaffFactory(school=world.school, user=None, last_name="Новикова", first_name="Нина")
    issue(client_for(world.admin), "staff", newcomer.pk, roles=["teacher"])
    register(code, "petr.bykov")

    page = carol.get(reverse("registration:codes"))
    text = page_text(page)
    assert "Учёт выдачи пригласительных кодов" in text
    assert "№ ФИО Роль Класс Дата выдачи Способ Кто выдал Срок Использован Подпись получателя" in text
    assert (
        "1 Быков Пётр родитель (Быков Б.) 5А 20.11.2026 лично Кравец Карина 04.12.2026 использован 20.11.2026" in text
    )
    assert "2 Быков Борис учащийся 5А 20.11.2026 на бумаге Кравец Карина 04.12.2026 не использован" in text
    assert "Новикова" not in text  # a staff code is not in the class teacher's register
    assert 'class="landscape"' in page.content.decode()  # the print stylesheet's landscape page

    admin_text = page_text(client_for(world.admin).get(reverse("registration:codes")))
    assert "3 Новикова Нина Петровна учитель 20.11.2026 лично Админова Ольга 04.12.2026 не использован" in admin_text

    csv = carol.get(reverse("registration:codes_csv") + f"?class={world.class_5a.pk}").content.decode("utf-8-sig")
    lines = csv.strip().splitlines()
    assert lines[0] == "№;ФИО;Роль;Класс;Дата выдачи;Способ;Кто выдал;Срок;Использован"
    assert lines[1].startswith("1;Быков Пётр;родитель (Быков Б.);5А;20.11.2026;лично;Кравец Карина;04.12.2026;")
    assert len(lines) == 3
    other = client_for(world.carol).get(reverse("registration:codes") + f"?class={world.class_5b.pk}")
    assert other.status_code == 404  # another class's register
