"""Exam choices (ORG-11): recorded per student of grades 9 and 11 by the administration."""

import html
import re

import pytest
from django.urls import reverse

from apps.events.models import ExamChoice

from .helpers import exam_classes

pytestmark = pytest.mark.django_db


def text(response) -> str:
    body = response.content.decode()
    main = body[body.index("<main") : body.index("</main>")]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())


@pytest.fixture
def ex(world):
    return exam_classes(world)


def add(client, ex, student, subject, exam="oge", level="", note="", school_class=None):
    data = {"student": student.pk, "exam": exam, "subject": subject.pk, "level": level, "note": note}
    if school_class is not None:
        data["class"] = school_class.pk
    return client.post(reverse("events:exam_add"), data)


def test_deputy_records_choices_per_class_and_removes_one(world, client_for, ex):
    """ORG-11: the page lists the 9th and 11th classes; for 9А the deputy records Vera's ОГЭ in
    mathematics and physics, sees them by her name, and removes one."""
    deputy = client_for(world.deputy)
    page = text(deputy.get(reverse("events:exams")))
    assert "9А класс" in page and "11А класс" in page and "5А класс" not in page

    response = add(deputy, ex, ex.vera, ex.math, school_class=ex.class_9a)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('events:exams')}?class={ex.class_9a.pk}"
    add(deputy, ex, ex.vera, ex.physics, note="по заявлению от 01.11")

    page = text(deputy.get(response["Location"]))
    assert "Волкова Вера ОГЭ — Математика удалить ОГЭ — Физика — по заявлению от 01.11" in page
    assert "Глебов Глеб не выбраны" in page

    physics = ExamChoice.objects.get(student=ex.vera, subject=ex.physics)
    assert deputy.post(reverse("events:exam_remove", args=[physics.pk]), {"class": ex.class_9a.pk}).status_code == 302
    assert list(ExamChoice.objects.filter(student=ex.vera).values_list("subject__name", flat=True)) == ["Математика"]


def test_students_outside_grades_9_and_11_are_refused(world, client_for, ex):
    """ORG-11: a 5th-grader has no exams to choose: a message, nothing saved."""
    response = add(client_for(world.deputy), ex, world.anna, ex.math, school_class=ex.class_9a)
    assert response.status_code == 200
    assert "Экзамены выбирают учащиеся 9 и 11 классов; Аксёнова А. учится не в них." in text(response)
    assert not ExamChoice.objects.exists()


def test_a_second_choice_of_the_same_subject_is_refused(world, client_for, ex):
    """ORG-11: one form of exam per subject: Vera cannot have both ОГЭ and ГВЭ in mathematics."""
    deputy = client_for(world.deputy)
    add(deputy, ex, ex.vera, ex.math)
    response = add(deputy, ex, ex.vera, ex.math, exam="gve", school_class=ex.class_9a)
    assert response.status_code == 200
    assert "У учащегося уже выбран экзамен по предмету «Математика» в этом году." in text(response)
    assert ExamChoice.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "exam", "subject", "level", "message"),
    [
        ("nina", "oge", "math", "", "ОГЭ не сдают в 11 классе: в 9 классе — ОГЭ или ГВЭ, в 11 — ЕГЭ или ГВЭ."),
        ("vera", "ege", "russian", "", "ЕГЭ не сдают в 9 классе"),
        ("nina", "ege", "math", "", "Для ЕГЭ по математике укажите уровень: базовый или профильный."),
        ("nina", "ege", "physics", "profile", "Уровень указывается только для ЕГЭ по математике."),
        ("vera", "oge", "math", "base", "Уровень указывается только для ЕГЭ по математике."),
    ],
)
def test_exam_must_fit_the_grade_and_the_level_only_mathematics(world, client_for, ex, who, exam, subject, level,
                                                                 message):  # fmt: skip
    """ORG-11: ОГЭ is the 9th grade's, ЕГЭ the 11th's; ЕГЭ in mathematics needs its level, and no
    other exam has one."""
    response = add(client_for(world.deputy), ex, getattr(ex, who), getattr(ex, subject), exam=exam, level=level)
    assert response.status_code == 200
    assert message in text(response)
    assert not ExamChoice.objects.exists()


def test_ege_mathematics_with_its_level(world, client_for, ex):
    """ORG-11: Nina (11А) takes ЕГЭ in profile mathematics and ГВЭ in Russian."""
    deputy = client_for(world.deputy)
    assert add(deputy, ex, ex.nina, ex.math, exam="ege", level="profile").status_code == 302
    assert add(deputy, ex, ex.nina, ex.russian, exam="gve").status_code == 302
    page = text(deputy.get(reverse("events:exams") + f"?class={ex.class_11a.pk}"))
    assert "ЕГЭ — Математика (профильный)" in page and "ГВЭ — Русский язык" in page


def test_only_exam_managers_open_the_page(world, client_for, ex):
    """ORG-11, ACC-1: the journal administrator and the deputy record exam choices; the director,
    teachers and families get 404."""
    for user in (world.admin, world.deputy):
        assert client_for(user).get(reverse("events:exams")).status_code == 200
    for user in (world.director, world.carol, world.alice, world.pat, world.sam):
        assert client_for(user).get(reverse("events:exams")).status_code == 404
    assert add(client_for(world.carol), ex, ex.vera, ex.math).status_code == 404
    assert not ExamChoice.objects.exists()
