"""The events calendar (ORG-10): who manages which events, the rules of an event, the month view."""

import datetime as dt
import html
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.events import services
from apps.events.models import Event
from apps.schools.models import AcademicYear

pytestmark = pytest.mark.django_db


def text(response) -> str:
    body = response.content.decode()
    main = body[body.index("<main") : body.index("</main>")]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())


def event(world, school_class=None, title="Родительское собрание", date=dt.date(2026, 11, 24), **kw):
    return services.event_create(
        school=world.school, school_class=school_class, date=date, title=title, author=world.deputy, **kw
    )


def form(school_class="", date="2026-11-25", title="Экскурсия в музей", **kw):
    return {"school_class": school_class, "date": date, "title": title, "ends": "", "time": "", "place": "",
            "description": "", **kw}  # fmt: skip


def test_deputy_adds_a_school_event_that_shows_in_its_month(world, client_for):
    """ORG-10: the deputy director adds a school-wide event with time and place; it appears in the
    month of its date with «вся школа», and the month navigation moves between months."""
    client = client_for(world.deputy)
    response = client.post(
        reverse("events:add"),
        form(title="День открытых дверей", date="2026-12-05", time="10:00", place="Актовый зал"),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("events:index") + "?month=2026-12"
    created = Event.objects.get()
    assert (created.school_class, created.year, created.created_by) == (None, world.year, world.deputy)

    page = text(client.get(response["Location"]))
    assert "Декабрь 2026" in page
    assert "День открытых дверей" in page and "10:00" in page and "Актовый зал" in page and "вся школа" in page
    # November (today's month) lists no event of its own; its grid's last week shows 5 December.
    assert "События месяца В этом месяце событий нет." in text(client.get(reverse("events:index")))
    november = client.get(reverse("events:index")).content.decode()
    assert 'href="?month=2026-12"' in november and 'href="?month=2026-10"' in november


def test_class_teacher_manages_only_her_own_class_events(world, client_for):
    """ORG-10: Carol (class teacher of 5А) adds events of 5А only: «вся школа» and 5Б are not hers
    to choose, and the school's or 5Б's events are «not found» for editing; she sees the school's
    events (read-only) and her class's, not 5Б's."""
    school_event = event(world, title="Общешкольное собрание")
    other_class = event(world, world.class_5b, title="Поход 5Б")
    carol = client_for(world.carol)

    ok = carol.post(reverse("events:add"), form(school_class=world.class_5a.pk, title="Экскурсия 5А"))
    assert ok.status_code == 302
    assert Event.objects.get(title="Экскурсия 5А").school_class == world.class_5a

    for refused in (form(school_class=world.class_5b.pk, title="Чужое"), form(school_class="", title="Чужое")):
        response = carol.post(reverse("events:add"), refused)
        assert response.status_code == 200
        assert "Выберите класс из списка." in text(response)
    assert not Event.objects.filter(title="Чужое").exists()

    assert carol.get(reverse("events:edit", args=[school_event.pk])).status_code == 404
    assert carol.get(reverse("events:edit", args=[other_class.pk])).status_code == 404
    assert carol.post(reverse("events:delete", args=[other_class.pk])).status_code == 404
    assert Event.objects.filter(pk=other_class.pk).exists()

    page = text(carol.get(reverse("events:index")))
    assert "Общешкольное собрание" in page and "Экскурсия 5А" in page
    assert "Поход 5Б" not in page


def test_class_teacher_edits_and_deletes_her_class_event(world, client_for):
    """ORG-10: the class teacher changes her class's event and deletes it."""
    mine = event(world, world.class_5a, title="Классный час")
    carol = client_for(world.carol)
    assert carol.get(reverse("events:edit", args=[mine.pk])).status_code == 200

    response = carol.post(
        reverse("events:edit", args=[mine.pk]),
        form(school_class=world.class_5a.pk, title="Классный час: профориентация", date="2026-11-27"),
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.title, mine.date) == ("Классный час: профориентация", dt.date(2026, 11, 27))

    assert carol.post(reverse("events:delete", args=[mine.pk])).status_code == 302
    assert not Event.objects.filter(pk=mine.pk).exists()


def test_end_before_start_is_refused_with_a_russian_message(world, client_for):
    """ORG-10: an event that ends before it starts is refused, the form keeps what was typed."""
    response = client_for(world.deputy).post(
        reverse("events:add"), form(title="Неделя науки", date="2026-12-10", ends="2026-12-08")
    )
    assert response.status_code == 200
    page = text(response)
    assert "Дата окончания не может быть раньше даты начала." in page
    assert 'value="Неделя науки"' in response.content.decode()
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "  "}, "Укажите название события."),
        ({"date": ""}, "Укажите дату события."),
        ({"date": "32.13.2026"}, "Дата не распознана"),
        ({"date": "2027-07-01"}, "Дата события не входит ни в один учебный год школы."),
        ({"time": "25:99"}, "Время не распознано"),
    ],
)
def test_bad_event_input_gets_a_clear_message(world, client_for, data, message):
    """ORG-10: a missing title or date, an unreadable date or time, a date outside the school
    years: a Russian message and nothing saved."""
    response = client_for(world.deputy).post(reverse("events:add"), form(**data))
    assert response.status_code == 200
    assert message in text(response)
    assert not Event.objects.exists()


def test_class_event_must_be_within_its_class_year(world):
    """ORG-10: a class's event lies within the class's school year."""
    with pytest.raises(ValidationError) as error:
        event(world, world.class_5a, date=dt.date(2026, 11, 24), ends=dt.date(2027, 6, 3))
    assert "в пределах учебного года 2026/2027" in " ".join(error.value.messages)


def test_events_of_a_closed_year_do_not_change(world, client_for):
    """ORG-10, ORG-2: once the year is closed its events stay as they were."""
    past = event(world, title="Выпускной")
    AcademicYear.objects.filter(pk=world.year.pk).update(status=AcademicYear.Status.CLOSED)
    deputy = client_for(world.deputy)
    response = deputy.post(reverse("events:delete", args=[past.pk]), follow=True)
    assert "закрыт: его события не меняются" in text(response)
    assert Event.objects.filter(pk=past.pk).exists()


def test_multi_day_event_shows_on_each_of_its_days(world, client_for):
    """ORG-10: an event of several days fills each of its days in the month grid."""
    event(world, title="Неделя математики", date=dt.date(2026, 11, 23), ends=dt.date(2026, 11, 25))
    body = client_for(world.deputy).get(reverse("events:index")).content.decode()
    grid = body[body.index('class="data month-grid"') : body.index("</table>")]
    assert grid.count("Неделя математики") == 3


def test_people_without_the_calendar_functions_get_404(world, client_for):
    """ORG-10, ACC-1: a teacher who leads no class (or has no class-teacher role), a parent and a
    student cannot open the calendar's administration."""
    for user in (world.alice, world.bob, world.pat, world.sam):
        assert client_for(user).get(reverse("events:index")).status_code == 404
        assert client_for(user).get(reverse("events:add")).status_code == 404


def test_bad_month_falls_back_to_the_current_one(world, client_for):
    """ORG-10: an unreadable month shows the current month with a message."""
    page = text(client_for(world.deputy).get(reverse("events:index") + "?month=2026-13"))
    assert "Месяц не распознан" in page and "Ноябрь 2026" in page


def test_calendar_page_links_back_to_the_administration(world, client_for):
    """ORG-10: the page leads back to «Управление»."""
    body = client_for(world.director).get(reverse("events:index")).content.decode()
    assert f'href="{reverse("office:index")}"' in body and "← Управление" in body
