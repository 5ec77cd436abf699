"""Substitutions (ORG-8): the substitute writes only the lesson she gives, from the day before it to
the day after it; the journal shows who gave it; the change log names her; with no substitute the
lesson is cancelled; the regular teacher keeps her rights; the report counts the hours."""

import datetime as dt
import json
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.audit.models import Entry
from apps.journal import services as js
from apps.journal.models import Lesson, Mark
from apps.timetable import services
from apps.timetable.models import Substitution

MSK = ZoneInfo("Europe/Moscow")
DAY = dt.date(2026, 11, 20)  # Friday, «today» of the world


@pytest.fixture
def lessons(world):
    """alice's mathematics on Friday 20.11: the 3rd lesson (bob substitutes) and the 1st (hers)."""
    given = js.lesson_create(journal=world.journal, date=DAY, number=3, author=world.alice)
    other = js.lesson_create(journal=world.journal, date=DAY, number=1, author=world.alice)
    services.substitution_record(lesson=given, substitute=world.bob_staff, reason="болезнь", author=world.deputy)
    given.refresh_from_db()
    return given, other


def save(client, journal, **payload):
    return client.post(
        reverse("journal:save", args=[journal.pk]), data=json.dumps(payload), content_type="application/json"
    )


def test_the_substitute_writes_that_lesson_and_nothing_else(world, lessons, client_for):
    """ORG-8: bob opens alice's journal on the day of the lesson he gives; his mark in that lesson is
    saved with him as the author; a mark in her other lesson, her lesson's topic and a period mark are
    refused with the reason, while his cell is kept."""
    given, other = lessons
    assert given.taught_by == world.bob_staff
    bob = client_for(world.bob)
    page = bob.get(reverse("journal:grid", args=[world.journal.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "замена: Борисов Б. П." in html
    assert "Вы заменяете учителя: изменять можно только свой урок на замене" in html
    assert f'name="c-{given.pk}-{world.anna.pk}"' in html  # his lesson's cells take input…
    assert f'name="c-{other.pk}-{world.anna.pk}"' not in html  # …hers do not
    response = save(
        bob,
        world.journal,
        cells=[
            {"lesson": given.pk, "student": world.anna.pk, "value": "5"},
            {"lesson": other.pk, "student": world.boris.pk, "value": "4"},
        ],
        lessons=[{"lesson": other.pk, "topic": "Чужая тема"}],
        period_marks=[{"period": world.periods[1].pk, "student": world.anna.pk, "value": "5"}],
    )
    data = response.json()
    assert response.status_code == 200 and data["ok"] is False
    cells = {c["lesson"]: c for c in data["cells"]}
    assert cells[given.pk]["ok"] is True
    assert cells[other.pk]["error"] == (
        "Вы заменяете учителя только на своём уроке: другие уроки этого журнала изменять нельзя."
    )
    assert data["lessons"][0]["ok"] is False
    assert data["period_marks"][0]["error"] == "Отметку за период ставит учитель, который ведёт журнал."
    mark = Mark.objects.get(lesson=given, student=world.anna)
    assert (mark.value, mark.author) == ("5", world.bob)
    assert not Mark.objects.filter(lesson=other).exists()
    assert Lesson.objects.get(pk=other.pk).topic == ""
    entry = Entry.objects.get(object_type="mark", object_id=mark.pk)
    assert entry.author == world.bob  # the fact of substitution at the moment of entry


def test_the_substitute_may_prepare_the_lesson_the_day_before(world, lessons, client_for, frozen_now):
    """ORG-8: on Thursday bob may already write the topic and homework of Friday's lesson (marks wait
    for the lesson itself, as for any teacher)."""
    given, _other = lessons
    frozen_now.move_to(dt.datetime(2026, 11, 19, 15, 0, tzinfo=MSK))
    bob = client_for(world.bob)
    assert bob.get(reverse("journal:grid", args=[world.journal.pk])).status_code == 200
    data = save(
        bob,
        world.journal,
        lessons=[{"lesson": given.pk, "topic": "Деление дробей", "homework": "№ 15"}],
        cells=[{"lesson": given.pk, "student": world.anna.pk, "value": "5"}],
    ).json()
    assert data["lessons"][0]["ok"] is True
    assert data["cells"][0]["error"].startswith("Урок 20.11.2026 ещё не прошёл")
    given.refresh_from_db()
    assert (given.topic, given.homework) == ("Деление дробей", "№ 15")


def test_the_window_closes_two_days_after_the_lesson(world, lessons, client_for, frozen_now):
    """ORG-8: on Saturday (the day after) bob still writes his lesson; on Sunday (two days after) the
    journal is closed to him again (404) and a save is refused without a trace."""
    given, _other = lessons
    frozen_now.move_to(dt.datetime(2026, 11, 21, 9, 0, tzinfo=MSK))
    bob = client_for(world.bob)
    assert save(bob, world.journal, cells=[{"lesson": given.pk, "student": world.anna.pk, "value": "4"}]).json()["ok"]
    frozen_now.move_to(dt.datetime(2026, 11, 22, 9, 0, tzinfo=MSK))
    bob = client_for(world.bob)
    assert bob.get(reverse("journal:grid", args=[world.journal.pk])).status_code == 404
    response = save(bob, world.journal, cells=[{"lesson": given.pk, "student": world.anna.pk, "value": "2"}])
    assert response.status_code == 404
    assert list(Mark.objects.filter(lesson=given).values_list("value", flat=True)) == ["4"]


def test_the_window_follows_the_schools_zone(world, lessons, client_for, frozen_now):
    """ORG-8: at 23:30 UTC on Saturday it is already Sunday in Moscow: the window is closed."""
    given, _other = lessons
    frozen_now.move_to(dt.datetime(2026, 11, 21, 21, 30, tzinfo=dt.UTC))  # 00:30 on Sunday in Moscow
    assert client_for(world.bob).get(reverse("journal:grid", args=[world.journal.pk])).status_code == 404


def test_the_regular_teacher_keeps_her_rights(world, lessons, client_for):
    """ORG-8: alice still writes both lessons of her journal, the substituted one too."""
    given, other = lessons
    data = save(
        client_for(world.alice),
        world.journal,
        cells=[
            {"lesson": given.pk, "student": world.boris.pk, "value": "3"},
            {"lesson": other.pk, "student": world.boris.pk, "value": "4"},
        ],
    ).json()
    assert data["ok"] is True


def test_the_substitute_finds_the_journal_in_her_list(world, lessons, client_for):
    """ORG-8: bob's journal list has a «Замены» section with alice's 5А mathematics."""
    html = client_for(world.bob).get(reverse("journal:list")).content.decode()
    assert "Замены" in html and reverse("journal:grid", args=[world.journal.pk]) in html


def test_the_substitute_edits_the_lesson_page_and_cells_of_her_lesson_only(world, lessons, client_for):
    """ORG-8: without JavaScript, bob saves his lesson's page and its cell panel; alice's other lesson
    page refuses him (403)."""
    given, other = lessons
    bob = client_for(world.bob)
    response = bob.post(
        reverse("journal:lesson", args=[world.journal.pk, given.pk]), {"topic": "Дроби", "homework": "", "comment": ""}
    )
    assert response.status_code == 302
    assert Lesson.objects.get(pk=given.pk).topic == "Дроби"
    response = bob.post(
        reverse("journal:lesson", args=[world.journal.pk, other.pk]), {"topic": "Чужая", "homework": "", "comment": ""}
    )
    assert response.status_code == 403
    assert Lesson.objects.get(pk=other.pk).topic == ""


def test_no_substitute_cancels_the_lesson(world, client_for):
    """ORG-8: with nobody to replace alice the lesson is cancelled (in the change log); nobody puts
    marks in it; a lesson that already has marks cannot be cancelled."""
    lesson = js.lesson_create(journal=world.journal, date=DAY, number=2, author=world.alice)
    services.substitution_record(lesson=lesson, substitute=None, reason="болезнь", author=world.deputy)
    lesson.refresh_from_db()
    assert lesson.status == Lesson.Status.CANCELLED and lesson.taught_by is None
    assert Entry.objects.filter(object_type="lesson", action="update", object_id=lesson.pk, author=world.deputy)
    data = save(
        client_for(world.alice), world.journal, cells=[{"lesson": lesson.pk, "student": world.anna.pk, "value": "5"}]
    )
    assert data.json()["cells"][0]["error"] == "Урок 20.11.2026 отменён: отметки и пропуски не ставятся."
    marked = js.lesson_create(journal=world.journal, date=DAY, number=4, author=world.alice)
    assert js.journal_save(
        journal=world.journal, author=world.alice, cells=[{"lesson": marked.pk, "student": world.anna.pk, "value": "5"}]
    ).ok
    with pytest.raises(ValidationError) as exc:
        services.substitution_record(lesson=marked, substitute=None, reason="", author=world.deputy)
    assert exc.value.messages == [
        "В уроке уже есть отметки или пропуски: отменить его нельзя — назначьте заменяющего учителя."
    ]


def test_a_busy_teacher_cannot_substitute(world):
    """ORG-8: bob gives 5Б Russian at the 3rd lesson on 20.11: he cannot replace alice then."""
    js.lesson_create(journal=world.journal_5b, date=DAY, number=3, author=world.bob)
    lesson = js.lesson_create(journal=world.journal, date=DAY, number=3, author=world.alice)
    with pytest.raises(ValidationError) as exc:
        services.substitution_record(lesson=lesson, substitute=world.bob_staff, reason="", author=world.deputy)
    assert exc.value.messages == ["Учитель Борисов Б. П. в это время ведёт другой урок: 5Б, Русский язык."]
    assert not Substitution.objects.exists()


def test_a_substitution_is_taken_back_only_before_the_substitute_wrote(world, lessons, client_for):
    """ORG-8: once bob has written in the lesson, the substitution stays; before, it can be removed and
    the lesson is alice's again."""
    given, _other = lessons
    substitution = Substitution.objects.get(lesson=given)
    save(client_for(world.bob), world.journal, cells=[{"lesson": given.pk, "student": world.anna.pk, "value": "5"}])
    with pytest.raises(ValidationError):
        services.substitution_remove(substitution=substitution, author=world.deputy)
    fresh = js.lesson_create(journal=world.journal, date=DAY, number=5, author=world.alice)
    services.substitution_record(lesson=fresh, substitute=world.carol_staff, reason="", author=world.deputy)
    services.substitution_remove(substitution=Substitution.objects.get(lesson=fresh), author=world.deputy)
    fresh.refresh_from_db()
    assert fresh.taught_by is None


def test_the_report_counts_hours_per_teacher(world, lessons, client_for):
    """ORG-8: the report of November lists the substitution (alice replaced by bob) and a cancelled
    lesson, with hours per teacher; the XLSX has the same rows; the print version is a plain page."""
    cancelled = js.lesson_create(journal=world.journal_5b, date=dt.date(2026, 11, 19), number=2, author=world.bob)
    services.substitution_record(lesson=cancelled, substitute=None, reason="курсы", author=world.deputy)
    director = client_for(world.director)
    url = reverse("timetable:substitution_report")
    query = {"starts": "2026-11-01", "ends": "2026-11-30"}
    page = director.get(url, query)
    assert page.status_code == 200
    report = page.context["report"]
    assert [(h.teacher.last_name, h.replaced, h.cancelled, h.given) for h in report.teachers] == [
        ("Алексеева", 1, 0, 0),
        ("Борисов", 0, 1, 1),
    ]
    html = page.content.decode()
    assert "Алексеева А. И." in html and "урок отменён" in html

    xlsx = director.get(url, {**query, "format": "xlsx"})
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in xlsx["Content-Disposition"]
    from openpyxl import load_workbook

    rows = list(load_workbook(BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert [r[3:5] for r in rows if len(r) > 4 and r[2] == "5А, Математика"] == [("Алексеева А. И.", "Борисов Б. П.")]
    assert [r[4] for r in rows if len(r) > 4 and r[2] == "5Б, Русский язык"] == ["урок отменён"]

    printed = director.get(url, {**query, "format": "print"})
    assert "timetable/print.css" in printed.content.decode()

    only_bob = director.get(url, {**query, "teacher": world.bob_staff.pk}).context["report"]
    assert [r.lesson.pk for r in only_bob.rows] == [cancelled.pk, lessons[0].pk]  # by date


def test_a_substitution_gives_nothing_without_the_right_to_keep_journals(world, lessons, client_for):
    """ORG-8, JRN-10, ACC-2: the substitute's access rides on «вести свой журнал»: with it switched
    off for teachers, bob neither opens nor writes alice's journal, substitution or not."""
    from apps.rights.models import SchoolRights

    given, _other = lessons
    SchoolRights.objects.create(school=world.school, overrides={"teacher": {"journals_own": False}})
    bob = client_for(world.bob)
    assert bob.get(reverse("journal:grid", args=[world.journal.pk])).status_code == 404
    response = save(bob, world.journal, cells=[{"lesson": given.pk, "student": world.anna.pk, "value": "5"}])
    assert response.status_code == 404
    assert not Mark.objects.filter(lesson=given).exists()


def test_the_class_teacher_reads_the_substituted_lesson_but_does_not_write_it(world, lessons, client_for):
    """ORG-8, JRN-11: carol, class teacher of 5А, sees «замена: Борисов Б. П.» in the mathematics
    journal of her class and still cannot write it."""
    given, _other = lessons
    carol = client_for(world.carol)
    html = carol.get(reverse("journal:grid", args=[world.journal.pk])).content.decode()
    assert "замена: Борисов Б. П." in html
    response = save(carol, world.journal, cells=[{"lesson": given.pk, "student": world.anna.pk, "value": "5"}])
    assert response.status_code == 403
