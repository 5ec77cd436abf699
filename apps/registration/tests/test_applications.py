"""Applications for diary access (ACC-7, ACC-8): submitted by the applicant, decided within the
school's term of working days, refused only for a reason of the exhaustive list with a written
refusal, granted with an invitation code; the applicant learns the result."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from apps.people.models import Guardian, GuardianLink
from apps.registration.deadlines import add_working_days
from apps.registration.models import AccessApplication, AccessCode, Consent
from tests import factories as f

from .helpers import page_text, register, shown_code


@pytest.mark.parametrize(
    "registered, due",
    [
        (dt.date(2026, 11, 20), dt.date(2026, 11, 25)),  # Friday → Mon, Tue, Wed
        (dt.date(2026, 11, 21), dt.date(2026, 11, 25)),  # Saturday → counted from Monday
        (dt.date(2026, 11, 2), dt.date(2026, 11, 6)),  # 4 November is a public holiday
        (dt.date(2026, 12, 30), dt.date(2027, 1, 13)),  # 31 Dec (day off moved from 4 Jan), New Year, a weekend
    ],
)
def test_deadline_counts_working_days(registered, due):
    """ACC-7: three working days from the day after registration; weekends and public holidays
    are not counted (000 прил.3:2.9–2.10)."""
    assert add_working_days(registered, 3) == due


def application_data(world, **changes):
    data = {
        "kind": "parent",
        "last_name": "Быков",
        "first_name": "Пётр",
        "middle_name": "Ильич",
        "relation": "father",
        "student_last_name": "Быков",
        "student_first_name": "Борис",
        "student_birth_date": "2015-03-01",
        "school_class": world.class_5a.pk,
        "phone": "+7 900 000-00-00",
        "email": "petr@example.org",
        "preferred_handover": "email",
        "documents": ["identity", "birth"],
    }
    return {**data, **changes}


def apply(world, client=None, **changes):
    """Apply through the public page; returns (number, secret, the client)."""
    client = client or Client()
    response = client.post(reverse("registration:apply"), application_data(world, **changes))
    assert response.status_code == 302, page_text(response)
    done = page_text(client.get(response["Location"]))
    number, secret = re.search(r"Номер заявления (\d+) Ключ заявления ([A-Z0-9-]+)", done).groups()
    return int(number), secret, client


def status(number, secret):
    return page_text(Client().post(reverse("registration:application_status"), {"number": number, "secret": secret}))


def test_applicant_applies_and_follows_the_decision(world, mailoutbox):
    """ACC-7: the public form registers the application with a number and a secret key, the
    applicant gets them by e-mail, and the status page shows the state and the deadline."""
    number, secret, _client = apply(world)
    application = AccessApplication.objects.get(number=number)
    assert (application.received_on, application.due_on) == (dt.date(2026, 11, 20), dt.date(2026, 11, 25))
    assert secret.replace("-", "") not in str(AccessApplication.objects.values_list())  # kept as a hash only
    (letter,) = mailoutbox
    assert letter.to == ["petr@example.org"] and str(number) in letter.body and secret in letter.body
    assert "на рассмотрении" in status(number, secret) and "25.11.2026" in status(number, secret)
    assert "Заявление не найдено" in status(number, "KM7QX-4HTRC")


def test_form_asks_for_what_the_decision_needs(world):
    """ACC-7: a parent says who they are to the student; someone must be reachable."""
    response = Client().post(reverse("registration:apply"), application_data(world, relation="", phone="", email=""))
    text = page_text(response)
    assert "Укажите, кем вы приходитесь учащемуся" in text and "Укажите телефон или электронную почту" in text
    assert not AccessApplication.objects.exists()


def test_overdue_applications_are_highlighted(world, client_for, frozen_now):
    """ACC-7: an undecided application past its term is marked on the responsible person's list."""
    number, _secret, _client = apply(world)
    carol = client_for(world.carol)
    assert "просрочено" not in page_text(carol.get(reverse("registration:applications")))
    frozen_now.move_to(dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC))
    carol = client_for(world.carol)  # a new sign-in: the old session ended while idle (ACC-11)
    page = carol.get(reverse("registration:applications"))
    assert re.search(rf'<tr class="overdue" data-application="{number}">', page.content.decode())
    assert "просрочено" in page_text(page)
    assert "просрочено: 1" in page_text(carol.get(reverse("registration:index")))


def test_refusal_only_for_a_listed_reason_printed_and_told(world, client_for, mailoutbox):
    """ACC-7: a reason outside the exhaustive list is refused; a listed one produces the written
    refusal to print with that reason, the status page and a letter tell the applicant."""
    number, secret, _client = apply(world)
    application = AccessApplication.objects.get(number=number)
    carol = client_for(world.carol)
    url = reverse("registration:application_refuse", args=[application.pk])
    response = carol.post(url, {"reason": "не понравился", "details": ""})
    assert response.status_code == 400 and "только по одному из оснований" in page_text(response)
    application.refresh_from_db()
    assert application.status == AccessApplication.Status.NEW

    response = carol.post(url, {"reason": "not_student", "details": "В школе не числится.", "documents": ["identity"]})
    assert response["Location"] == reverse("registration:application_refusal", args=[application.pk])
    letter = page_text(carol.get(response["Location"]))
    assert "Решение об отказе в предоставлении услуги" in letter
    assert "Быков Пётр Ильич" in letter and f"заявление № {number} от 20.11.2026" in letter
    assert (
        "Основание отказа: лицо, о котором запрашивается информация, не является обучающимся данной школы "
        "(пункт 2 исчерпывающего перечня оснований для отказа)" in letter
    )
    assert "Пояснение: В школе не числится." in letter and "Кравец Карина" in letter

    assert "Отказано 20.11.2026" in status(number, secret)
    assert "не является обучающимся данной школы" in status(number, secret)
    assert "не является обучающимся данной школы" in mailoutbox[-1].body
    again = carol.post(reverse("registration:application_approve", args=[application.pk]), {"student": world.boris.pk})
    assert again.status_code == 400 and AccessApplication.objects.get(pk=application.pk).status == "refused"


def test_approval_issues_the_code_that_links_the_applicant_to_the_child(world, client_for, mailoutbox):
    """ACC-7: granting adds the father to the child's guardians, registers the consent handed in
    with the application and issues the code — sent by e-mail as he asked; registering with it
    opens exactly that child's diary."""
    number, secret, _client = apply(world)
    application = AccessApplication.objects.get(number=number)
    carol = client_for(world.carol)
    detail = page_text(carol.get(reverse("registration:application", args=[application.pk])))
    assert "Быков Пётр Ильич" in detail and "25.11.2026" in detail
    response = carol.post(
        reverse("registration:application_approve", args=[application.pk]),
        {
            "student": world.boris.pk,
            "guardian": "new",
            "documents": ["identity", "birth"],
            "consent_presented": "on",
            "handed_over": "email",
        },
    )
    assert response.status_code == 302
    code = shown_code(carol.get(response["Location"]))
    father = Guardian.objects.get(last_name="Быков", first_name="Пётр")
    assert GuardianLink.objects.get(guardian=father).student == world.boris
    assert Consent.objects.get(guardian=father).given_on == dt.date(2026, 11, 20)
    assert AccessCode.objects.get(guardian=father).application == AccessApplication.objects.get(pk=application.pk)
    assert code in mailoutbox[-1].body and "удовлетворено" in mailoutbox[-1].body
    assert "удовлетворено" in status(number, secret)

    client, _response = register(code, "petr.bykov")
    assert client.get(reverse("diary:week", args=[world.boris.pk])).status_code == 200
    assert client.get(reverse("diary:week", args=[world.anna.pk])).status_code == 404


def test_approval_needs_the_documents_and_the_consent(world, client_for):
    """ACC-6, ACC-7: without the birth certificate, or without a consent, the application cannot be
    granted (the page says which refusal reason fits); nothing is created."""
    number, _secret, _client = apply(world)
    application = AccessApplication.objects.get(number=number)
    url = reverse("registration:application_approve", args=[application.pk])
    carol = client_for(world.carol)
    base = {"student": world.boris.pk, "guardian": "new", "handed_over": "in_person"}
    response = carol.post(url, {**base, "documents": ["identity"], "consent_presented": "on"})
    assert "Не представлены документы: свидетельство о рождении учащегося" in page_text(response)
    response = carol.post(url, {**base, "documents": ["identity", "birth"]})
    assert "Согласие на обработку персональных данных не зарегистрировано" in page_text(response)
    assert not Guardian.objects.filter(first_name="Пётр").exists() and not AccessCode.objects.exists()
    assert AccessApplication.objects.get(pk=application.pk).status == "new"


def decide(client, application, student, **data):
    return client.post(
        reverse("registration:application_approve", args=[application.pk]),
        {"student": student.pk, "handed_over": "in_person", "consent_presented": "on", **data},
    )


def test_students_apply_from_14_with_a_parent_consent_and_as_adults(world, client_for):
    """ACC-8: a student from 14 applies with a parent's written consent, an adult student himself;
    a younger student cannot be granted, and a parent of an adult student only with his consent."""
    carol = client_for(world.carol)
    boris = world.boris
    student_docs = {"documents": ["identity", "parent_consent"]}

    number, _s, _c = apply(world, kind="student14", relation="", first_name="Борис", **student_docs)
    young = AccessApplication.objects.get(number=number)
    assert "Учащемуся нет 14 лет" in page_text(decide(carol, young, boris, **student_docs))

    boris.birth_date = dt.date(2012, 6, 1)  # 14
    boris.save(update_fields=["birth_date"])
    assert decide(carol, young, boris, **student_docs).status_code == 302
    assert AccessCode.objects.get(application=young).student == boris

    third = world.students_5a[2]
    third.birth_date = dt.date(2008, 1, 15)  # 18
    third.save(update_fields=["birth_date"])
    number, _s, _c = apply(world, kind="adult", relation="", documents=["identity"])
    adult = AccessApplication.objects.get(number=number)
    assert decide(carol, adult, third, documents=["identity"]).status_code == 302
    assert Consent.objects.filter(student=third, guardian__isnull=True).exists()

    f.link_guardian(f.GuardianFactory(school=world.school, user=None, last_name="Быков", first_name="Пётр"), third)
    number, _s, _c = apply(world)
    parent_of_adult = AccessApplication.objects.get(number=number)
    response = decide(
        carol,
        parent_of_adult,
        third,
        guardian=str(Guardian.objects.get(first_name="Пётр").pk),
        documents=["identity", "birth"],
    )
    assert "обучающийся достиг возраста 18 лет" in page_text(response)


def test_class_teacher_decides_her_class_only(world, client_for):
    """ACC-7: an application about another class is not the class teacher's (404, not listed);
    the journal administrator decides any."""
    number, _secret, _client = apply(world, school_class=world.class_5b.pk)
    application = AccessApplication.objects.get(number=number)
    carol = client_for(world.carol)
    assert carol.get(reverse("registration:application", args=[application.pk])).status_code == 404
    assert "Быков Пётр" not in page_text(carol.get(reverse("registration:applications")))
    refuse = reverse("registration:application_refuse", args=[application.pk])
    assert carol.post(refuse, {"reason": "declined"}).status_code == 404
    admin = client_for(world.admin)
    assert admin.get(reverse("registration:application", args=[application.pk])).status_code == 200
    assert admin.post(refuse, {"reason": "declined"}).status_code == 302
