"""The class teacher's daily review of absences: her class's students × the day's lessons, the
reasons she records, who may read and write (JRN-5, JRN-11, ARC-1)."""

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.audit.models import Entry
from apps.journal.models import Attendance, Lesson
from apps.people.models import GroupMembership
from apps.people.services import student_withdraw
from apps.schools.models import AcademicYear, Group
from tests import factories as f

from .helpers import cell, post_json

TODAY = dt.date(2026, 11, 20)  # the frozen Friday
THURSDAY = dt.date(2026, 11, 19)
MONDAY = dt.date(2026, 11, 16)
ILLNESS, EXCUSED, UNEXCUSED = Attendance.Reason.ILLNESS, Attendance.Reason.EXCUSED, Attendance.Reason.UNEXCUSED


def page_url(world, school_class=None, **params) -> str:
    url = reverse("journal:class_attendance", args=[(school_class or world.class_5a).pk])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def text(response) -> str:
    body = response.content.decode()
    main = body[body.index("<main") : body.index("</main>")]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())


def selected_reason(response, attendance) -> str | None:
    """The option selected in the reason select of this absence; None if the page has no select."""
    body = response.content.decode()
    match = re.search(rf'<select name="r-{attendance.pk}"[^>]*>(.*?)</select>', body, re.S)
    if match is None:
        return None
    chosen = re.search(r'<option value="([^"]*)" selected>', match[1])
    return chosen[1] if chosen else None


def row_html(response, student) -> str:
    """The HTML of the table row of this student (the first day shown)."""
    body = response.content.decode()
    return re.search(rf"<tr[^>]*>((?:(?!</tr>).)*>{re.escape(student.short_name)}<.*?)</tr>", body, re.S)[1]


def russian_5a(world):
    """A second subject of 5А, taught by bob, so a day has lessons of two teachers."""
    return f.make_journal(world.class_5a, world.russian, world.bob_staff)


def absences_by_subject_teachers(world, client_for):
    """alice and bob mark «н» in their own journals through the grid's save endpoint."""
    russian = russian_5a(world)
    math_1 = f.make_lesson(world.journal, TODAY, 1)
    russian_3 = f.make_lesson(russian, TODAY, 3)
    math_thu = f.make_lesson(world.journal, THURSDAY, 2)
    alice, bob = client_for(world.alice), client_for(world.bob)
    assert post_json(
        alice, world.journal, cells=[cell(math_1, world.anna, "н"), cell(math_1, world.boris, "н")]
    ).json()["ok"]
    assert post_json(alice, world.journal, cells=[cell(math_thu, world.anna, "н")]).json()["ok"]
    assert post_json(bob, russian, cells=[cell(russian_3, world.anna, "н")]).json()["ok"]

    def att(lesson, student):
        return Attendance.objects.get(lesson=lesson, student=student)

    return {
        "anna_math": att(math_1, world.anna),
        "boris_math": att(math_1, world.boris),
        "anna_russian": att(russian_3, world.anna),
        "anna_thursday": att(math_thu, world.anna),
    }


# ---------------------------------------------------------------------------------------------
# Reading


def test_class_teacher_sees_the_days_absences_from_every_subject(world, client_for):
    """JRN-5, JRN-11: carol, class teacher of 5А, opens her class's attendance for today and sees
    the «н» that alice (mathematics) and bob (Russian) entered, per lesson, with each student's
    total of missed lessons and the list of absences without a reason."""
    absences_by_subject_teachers(world, client_for)
    response = client_for(world.carol).get(page_url(world))  # today by default
    assert response.status_code == 200
    page = text(response)
    assert "Посещаемость класса 5А" in page
    assert "Пятница, 20 ноября 2026" in page or "пятница, 20 ноября 2026" in page
    assert "1 ур. Математика" in page and "3 ур. Русский язык" in page
    assert "19 ноября" not in page  # Thursday's absence is another day
    anna_row = row_html(response, world.anna)
    assert anna_row.count('<span class="absent"') == 2
    assert '<td class="col-total">2</td>' in anna_row  # missed 2 lessons today
    assert '<td class="col-total">1</td>' in row_html(response, world.boris)
    assert '<td class="col-total"></td>' in row_html(response, world.students_5a[2])
    assert "Пропущено уроков за день: 3" in page
    summary = page[page.index("Пропуски без указанной причины") :]
    assert "Аксёнова А. — 20.11.2026, 1-й урок, Математика" in summary
    assert "Аксёнова А. — 20.11.2026, 3-й урок, Русский язык" in summary
    assert "Быков Б. — 20.11.2026, 1-й урок, Математика" in summary
    for option in ("по болезни", "по уважительной причине", "без уважительной причины", "не указана"):
        assert option in page
    assert "Сохранить причины" in page


def test_week_range_and_quick_links(world, client_for):
    """JRN-5: «Эта неделя» shows every school day from Monday to today; «Вчера» shows Thursday;
    a broken date falls back to today with a message."""
    absences_by_subject_teachers(world, client_for)
    client = client_for(world.carol)
    today_page = client.get(page_url(world))
    body = today_page.content.decode()
    for label in ("Сегодня", "Вчера", "Эта неделя"):
        assert f">{label}</a>" in body
    week_link = html.unescape(re.search(r'<a href="([^"]+)"[^>]*>Эта неделя</a>', body)[1])
    assert "from=2026-11-16" in week_link and "to=2026-11-20" in week_link

    week = text(client.get(week_link))
    assert "четверг, 19 ноября 2026" in week.lower() and "пятница, 20 ноября 2026" in week.lower()
    assert "понедельник" not in week.lower()  # no lessons on Monday: only school days are shown
    summary = week[week.index("Пропуски без указанной причины") :]
    assert "19.11.2026, 2-й урок, Математика" in summary

    yesterday_link = html.unescape(re.search(r'<a href="([^"]+)"[^>]*>Вчера</a>', body)[1])
    yesterday = text(client.get(yesterday_link))
    assert "19.11.2026, 2-й урок, Математика" in yesterday
    assert "20.11.2026" not in yesterday.split("Пропуски без указанной причины")[1]

    broken = client.get(page_url(world, date="2026-13-45"))
    assert broken.status_code == 200
    assert "Неверно указана дата: показан сегодняшний день." in text(broken)
    assert "Быков Б. — 20.11.2026" in text(broken)

    reversed_span = text(client.get(page_url(world, **{"from": "2026-11-20", "to": "2026-11-19"})))
    assert "19.11.2026 – 20.11.2026" in reversed_span
    too_long = text(client.get(page_url(world, **{"from": "2026-11-01", "to": "2027-01-31"})))
    assert "За один раз показывается не больше 31 дней: показаны дни с 01.11.2026 по 01.12.2026." in too_long


def test_subgroup_lessons_and_students_outside_them(world, client_for):
    """JRN-5: a subgroup's lesson (English, group 1) shows the absences of its members; the other
    students' cells for it are marked as not in the group."""
    sub = Group.objects.create(
        school=world.school, year=world.year, school_class=world.class_5a, kind=Group.Kind.SUBGROUP, name="5А-1"
    )
    GroupMembership.objects.create(school=world.school, group=sub, student=world.anna, starts=world.year.starts)
    english = f.SubjectFactory(school=world.school, name="Английский язык")
    journal = f.make_journal(world.class_5a, english, world.bob_staff)
    journal.group = sub
    journal.save(update_fields=["group"])
    lesson = f.make_lesson(journal, TODAY, 4)
    assert post_json(client_for(world.bob), journal, cells=[cell(lesson, world.anna, "н")]).json()["ok"]

    page = client_for(world.carol).get(page_url(world)).content.decode()
    assert "Английский язык" in page and "5А-1" in page
    assert page.count('title="не в группе этого урока"') == len(world.students_5a) - 1


# ---------------------------------------------------------------------------------------------
# Writing the reasons


def test_class_teacher_records_reasons_saved_and_logged(world, client_for):
    """JRN-5, ARC-1: carol chooses a reason for each absence and saves once; the reasons are
    stored, each change is in the change log with carol as its author, and the page shows them."""
    a = absences_by_subject_teachers(world, client_for)
    client = client_for(world.carol)
    response = client.post(
        page_url(world, date="2026-11-20"),
        {
            f"r-{a['anna_math'].pk}": ILLNESS,
            f"r-{a['anna_russian'].pk}": EXCUSED,
            f"r-{a['boris_math'].pk}": UNEXCUSED,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == page_url(world, date="2026-11-20")
    for key, reason in (("anna_math", ILLNESS), ("anna_russian", EXCUSED), ("boris_math", UNEXCUSED)):
        a[key].refresh_from_db()
        assert a[key].reason == reason
        entry = Entry.objects.filter(object_type="attendance", object_id=a[key].pk, action="update").get()
        assert entry.author == world.carol
        assert entry.old["reason"] == "" and entry.new["reason"] == reason
    a["anna_thursday"].refresh_from_db()
    assert a["anna_thursday"].reason == ""

    page = client.get(response["Location"])
    assert "Сохранено причин пропусков: 3." in text(page)
    assert selected_reason(page, a["anna_math"]) == ILLNESS
    assert selected_reason(page, a["boris_math"]) == UNEXCUSED
    assert "Причины всех пропусков указаны." in text(page)

    # Saving the same form again changes nothing and logs nothing.
    entries = Entry.objects.count()
    again = client.post(page_url(world, date="2026-11-20"), {f"r-{a['anna_math'].pk}": ILLNESS}, follow=True)
    assert "Изменений нет." in text(again)
    assert Entry.objects.count() == entries


def test_a_bad_row_is_reported_and_the_others_are_kept(world, client_for):
    """JRN-5: one form, each row on its own: an unknown reason and an absence the teacher has
    since removed are reported in Russian; the valid row of the same save is stored."""
    a = absences_by_subject_teachers(world, client_for)
    response = client_for(world.carol).post(
        page_url(world, date="2026-11-20"),
        {
            f"r-{a['anna_math'].pk}": "headache",
            f"r-{a['boris_math'].pk}": ILLNESS,
            "r-999999": ILLNESS,
        },
    )
    assert response.status_code == 200
    page = text(response)
    assert "Аксёнова А., 20.11.2026, 1-й урок (Математика): Недопустимая причина отсутствия." in page
    assert "Пропуск не найден в журналах класса" in page
    assert "Сохранено причин пропусков: 1." in page
    assert "Не сохранено строк: 2" in page
    a["anna_math"].refresh_from_db()
    a["boris_math"].refresh_from_db()
    assert a["anna_math"].reason == ""
    assert a["boris_math"].reason == ILLNESS
    assert 'aria-invalid="true"' in response.content.decode()
    assert selected_reason(response, a["boris_math"]) == ILLNESS


def test_whole_day_by_illness_for_one_student(world, client_for):
    """JRN-5: «Отметить весь день по болезни» sets illness on every «н» of that student that day
    (not on other days, not on a late arrival, not on other students); the selects of the same
    form are saved too."""
    a = absences_by_subject_teachers(world, client_for)
    history = f.make_lesson(f.make_journal(world.class_5a, world.history, world.carol_staff), TODAY, 5)
    late = Attendance.objects.create(
        school=world.school, lesson=history, student=world.anna, kind=Attendance.Kind.LATE, author=world.carol
    )
    client = client_for(world.carol)
    page = client.get(page_url(world)).content.decode()
    button = f'name="illness_day" value="{world.anna.pk}:2026-11-20"'
    assert button in page

    response = client.post(
        page_url(world, date="2026-11-20"),
        {
            f"r-{a['anna_math'].pk}": EXCUSED,  # the button wins for anna's day
            f"r-{a['anna_russian'].pk}": "",
            f"r-{a['boris_math'].pk}": UNEXCUSED,
            f"r-{late.pk}": "",
            "illness_day": f"{world.anna.pk}:2026-11-20",
        },
    )
    assert response.status_code == 302
    for obj in (*a.values(), late):
        obj.refresh_from_db()
    assert a["anna_math"].reason == ILLNESS
    assert a["anna_russian"].reason == ILLNESS
    assert a["anna_thursday"].reason == ""
    assert late.reason == ""
    assert a["boris_math"].reason == UNEXCUSED
    assert set(Entry.objects.filter(object_type="attendance", action="update").values_list("author_id", flat=True)) == {
        world.carol.pk
    }


def test_diary_shows_the_reason_the_class_teacher_recorded(world, client_for):
    """JRN-5, DIA-2: after carol records «по болезни», anna's week in pat's diary shows it."""
    a = absences_by_subject_teachers(world, client_for)
    diary = client_for(world.pat)
    week_url = reverse("diary:week", args=[world.anna.pk])
    assert "по болезни" not in text(diary.get(week_url))
    client_for(world.carol).post(page_url(world), {"illness_day": f"{world.anna.pk}:2026-11-20"})
    assert "по болезни" in text(diary.get(week_url))
    a["boris_math"].refresh_from_db()
    assert a["boris_math"].reason == ""


# ---------------------------------------------------------------------------------------------
# Who may read and write


@pytest.mark.parametrize("who", ["bob", "alice"])
def test_teachers_who_are_not_her_class_teacher_get_404(world, client_for, who):
    """JRN-11: a subject teacher of the class (alice) or another teacher (bob) cannot open the
    class's attendance page, nor post to it; nothing changes."""
    a = absences_by_subject_teachers(world, client_for)
    client = client_for(getattr(world, who))
    assert client.get(page_url(world)).status_code == 404
    assert client.post(page_url(world), {f"r-{a['anna_math'].pk}": ILLNESS}).status_code == 404
    a["anna_math"].refresh_from_db()
    assert a["anna_math"].reason == ""


def test_class_teacher_of_another_class_only(world, client_for):
    """JRN-11: carol leads 5А only: 5Б's page is 404 for her, as is a class of another school."""
    client = client_for(world.carol)
    assert client.get(page_url(world, world.class_5b)).status_code == 404
    other = f.make_class(f.YearFactory(school=f.SchoolFactory()), 5, "А", class_teacher=world.carol_staff)
    assert client.get(page_url(world, other)).status_code == 404


def test_class_teacher_needs_the_role(world, client_for):
    """JRN-11: bob is recorded as 5Б's class teacher but holds no class-teacher role: 404."""
    assert client_for(world.bob).get(page_url(world, world.class_5b)).status_code == 404


@pytest.mark.parametrize("who", ["deputy", "director", "admin"])
def test_administration_reads_but_cannot_write(world, client_for, who):
    """JRN-5, JRN-11: the administration sees the absences and their reasons read-only (selects
    disabled, no save button); a POST is refused with 403 and nothing changes or is logged."""
    a = absences_by_subject_teachers(world, client_for)
    client = client_for(getattr(world, who))
    response = client.get(page_url(world))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Только просмотр" in body
    assert re.search(rf'<select name="r-{a["anna_math"].pk}" disabled', body)
    assert "Сохранить причины" not in body
    assert "illness_day" not in body
    entries = Entry.objects.count()
    post = client.post(
        page_url(world),
        {f"r-{a['anna_math'].pk}": ILLNESS, "illness_day": f"{world.boris.pk}:2026-11-20"},
    )
    assert post.status_code == 403
    assert set(Attendance.objects.values_list("reason", flat=True)) == {""}
    assert Entry.objects.count() == entries


@pytest.mark.parametrize("who", ["pat", "quinn", "sam"])
def test_families_get_404(world, client_for, who):
    """JRN-10: parents and students never reach the class's attendance page, read or write."""
    a = absences_by_subject_teachers(world, client_for)
    client = client_for(getattr(world, who))
    assert client.get(page_url(world)).status_code == 404
    assert client.post(page_url(world), {f"r-{a['anna_math'].pk}": ILLNESS}).status_code == 404
    a["anna_math"].refresh_from_db()
    assert a["anna_math"].reason == ""


def test_anonymous_is_sent_to_login(world, client):
    response = client.get(page_url(world))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_closed_year_is_read_only_for_the_class_teacher(world, client_for):
    """JRN-5: once the year is closed, carol still reads her class's absences but cannot change them."""
    a = absences_by_subject_teachers(world, client_for)
    AcademicYear.objects.filter(pk=world.year.pk).update(status=AcademicYear.Status.CLOSED)
    client = client_for(world.carol)
    response = client.get(page_url(world))
    assert response.status_code == 200
    assert "Только просмотр: учебный год закрыт." in text(response)
    assert client.post(page_url(world), {f"r-{a['anna_math'].pk}": ILLNESS}).status_code == 403


def test_a_student_who_left_still_shows_with_his_absences(world, client_for):
    """JRN-5: a student withdrawn from the class is listed on the days he still has a «н» there
    (even when the withdrawal was backdated before it), and not on the other days."""
    absences_by_subject_teachers(world, client_for)
    leaver = world.students_5a[2]
    lesson = Lesson.objects.get(journal=world.journal, date=THURSDAY)
    assert post_json(client_for(world.alice), world.journal, cells=[cell(lesson, leaver, "н")]).json()["ok"]
    student_withdraw(student=leaver, school_class=world.class_5a, ends=dt.date(2026, 11, 18))
    client = client_for(world.carol)
    thursday = client.get(page_url(world, date="2026-11-19"))
    assert '<td class="col-total">1</td>' in row_html(thursday, leaver)
    assert f"{leaver.short_name} — 19.11.2026, 2-й урок, Математика" in text(thursday)
    assert leaver.short_name not in text(client.get(page_url(world, date="2026-11-20")))


# ---------------------------------------------------------------------------------------------
# The list links to the page


def test_journal_list_links_to_the_class_attendance(world, client_for):
    """JRN-5: the class teacher's list offers «Посещаемость класса 5А»; the administration has a
    link per class; a subject teacher has none."""
    link_5a = page_url(world)
    carol = client_for(world.carol).get(reverse("journal:list")).content.decode()
    assert carol.count(f'href="{link_5a}"') == 1
    assert "Посещаемость класса 5А" in carol
    assert page_url(world, world.class_5b) not in carol
    director = client_for(world.director).get(reverse("journal:list")).content.decode()
    assert link_5a in director and page_url(world, world.class_5b) in director
    assert "/attendance/" not in client_for(world.alice).get(reverse("journal:list")).content.decode()


# ---------------------------------------------------------------------------------------------
# Query budget


def fill_days(world, journals, days, students):
    """Four lessons a day over two subjects, a «н» or «оп» for every other student at each."""
    lessons = [
        Lesson(school=world.school, journal=journal, date=day, number=n)
        for day in days
        for n, journal in enumerate(journals * 2, start=1)
    ]
    Lesson.objects.bulk_create(lessons)
    Attendance.objects.bulk_create(
        Attendance(
            school=world.school,
            lesson=lesson,
            student=student,
            kind=Attendance.Kind.ABSENT if i % 3 else Attendance.Kind.LATE,
            reason=ILLNESS if i % 4 == 0 else "",
            author=world.alice,
        )
        for lesson in lessons
        for i, student in enumerate(students)
        if (i + lesson.number) % 2 == 0
    )


def page_queries(client, url, expect):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    for snippet in expect:
        assert snippet in page
    return ctx.captured_queries


def assert_same_count(label, baseline, queries):
    if len(baseline) != len(queries):
        print(f"\n=== baseline: {len(baseline)} queries ===")
        for q in baseline:
            print(q["sql"])
        print(f"\n=== {label}: {len(queries)} queries ===")
        for q in queries:
            print(q["sql"])
        pytest.fail(f"the page ran {len(queries)} queries for {label}, {len(baseline)} for the baseline")


@pytest.mark.parametrize("who", ["carol", "deputy"])  # the writable page and the read-only one
def test_query_count_does_not_grow_with_students_or_days(world, client_for, who):
    """JRN-5, ARC-1: the class's attendance costs the same number of queries for 5 students × 1
    day as for 5 × 5 days and for 30 × 5 days."""
    journals = [world.journal, russian_5a(world)]
    week = [MONDAY + dt.timedelta(days=i) for i in range(5)]
    client = client_for(getattr(world, who))
    fill_days(world, journals, week[-1:], world.students_5a)
    one_day = page_queries(client, page_url(world, date="2026-11-20"), ["4 ур."])

    fill_days(world, journals, week[:-1], world.students_5a)
    five_days = page_queries(client, page_url(world, **{"from": "2026-11-16", "to": "2026-11-20"}), ["16 ноября"])
    assert_same_count("5 students × 5 days", one_day, five_days)

    more = [f.enrol(f.StudentFactory(school=world.school), world.class_5a) for _ in range(25)]
    fill_days(world, [f.make_journal(world.class_5a, world.history, world.carol_staff)], week, more)
    everything = page_queries(client, page_url(world, **{"from": "2026-11-16", "to": "2026-11-20"}), [">30<"])
    assert_same_count("30 students × 5 days", one_day, everything)
    assert Attendance.objects.count() > 150


# The page's cached body (issue 5): never stale, never another reader's variant.


def test_cached_page_shows_a_new_absence_and_a_new_reason_at_once(world, client_for):
    """JRN-5: the class teacher's page, cached, shows an absence a subject teacher marks a moment
    later and the reason she has just recorded, on the next look."""
    lesson = f.make_lesson(world.journal, TODAY, 1)
    carol = client_for(world.carol)
    assert 'name="r-' not in carol.get(page_url(world)).content.decode()  # no absence yet: cached so
    assert post_json(client_for(world.alice), world.journal, cells=[cell(lesson, world.anna, "н")]).json()["ok"]
    absence = Attendance.objects.get(lesson=lesson, student=world.anna)
    assert selected_reason(carol.get(page_url(world)), absence) == ""

    assert carol.post(page_url(world), {f"r-{absence.pk}": ILLNESS}).status_code == 302
    assert selected_reason(carol.get(page_url(world)), absence) == ILLNESS


def test_cached_page_of_the_reader_never_reaches_the_class_teacher(world, client_for):
    """JRN-5, JRN-11: the director's read-only page, cached first, is not what the class teacher
    gets: she has the reason selects and the save button; the director has neither."""
    lesson = f.make_lesson(world.journal, TODAY, 1)
    post_json(client_for(world.alice), world.journal, cells=[cell(lesson, world.anna, "н")])
    absence = Attendance.objects.get(lesson=lesson, student=world.anna)
    read_only = client_for(world.director).get(page_url(world)).content.decode()
    assert re.search(rf'<select name="r-{absence.pk}" disabled', read_only)
    writable = client_for(world.carol).get(page_url(world)).content.decode()
    assert re.search(rf'<select name="r-{absence.pk}"(?! disabled)', writable)
    assert "Сохранить причины" in writable and "Сохранить причины" not in read_only


def test_the_whole_page_is_kept_and_a_note_on_the_dates_is_shown_each_time(world, client_for):
    """JRN-5: the class teacher's page opened again renders no template; a page with a note about
    wrongly typed dates is rendered each time with the note and never kept without it."""
    carol = client_for(world.carol)
    first = carol.get(page_url(world))
    again = carol.get(page_url(world))
    assert first.templates and again.templates == []
    # The same page, but for the CSRF token each response masks afresh.
    token = re.compile(r'(name="csrfmiddlewaretoken" value=)"[^"]+"')
    tokenless = [token.sub(r"\1", r.content.decode()) for r in (first, again)]
    assert tokenless[0] == tokenless[1] and "csrfmiddlewaretoken" in tokenless[1]
    for _ in range(2):
        noted = carol.get(page_url(world, date="31.02.2026"))
        assert "Неверно указана дата" in html.unescape(noted.content.decode())
        assert noted.templates
