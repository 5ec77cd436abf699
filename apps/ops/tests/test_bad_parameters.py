"""A crafted value in a page's address (a day in year 1, a number past 64 bits) is answered 400
with a Russian message saying what is wrong — never a 500 (apps.ops.days, BadParameterMiddleware,
the admin's list filters in apps.accounts.admin_site)."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.http import QueryDict
from django.test import RequestFactory
from django.urls import reverse

from apps.audit.models import Entry
from apps.ops import days
from apps.people.models import Staff

BOUNDS = "между 01.01.1900 и 31.12.2100"


def text(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize("starts", ["0001-01-01", "9999-12-31"])
def test_the_movement_report_refuses_a_day_out_of_range(world, client_for, starts):
    """`/movement/report/?starts=0001-01-01` overflowed the date arithmetic (500): now the report
    page says which field is wrong, with 400, and no spreadsheet is made of it."""
    director = client_for(world.director)
    page = director.get(reverse("movement:report"), {"starts": starts})
    assert page.status_code == 400
    assert f"Укажите дату {BOUNDS}." in text(page)
    sheet = director.get(reverse("movement:report"), {"starts": starts, "format": "xlsx"})
    assert sheet.status_code == 400 and sheet["Content-Type"].startswith("text/html")
    assert director.get(reverse("movement:class_sizes"), {"day": starts}).status_code == 400


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "завтра"])
def test_the_substitutions_page_refuses_a_day_out_of_range(world, client_for, day):
    response = client_for(world.deputy).get(reverse("timetable:substitutions"), {"date": day})
    assert response.status_code == 400
    assert f"Дата «{day}» в адресе страницы не подходит" in text(response)
    assert BOUNDS in text(response)


def test_the_substitutions_page_takes_both_ways_of_writing_a_day(world, client_for):
    deputy = client_for(world.deputy)
    for day in ("2026-11-18", "18.11.2026"):
        response = deputy.get(reverse("timetable:substitutions"), {"date": day})
        assert response.status_code == 200 and response.context["day"] == dt.date(2026, 11, 18)


@pytest.mark.parametrize(
    "path, query",
    [
        ("/admin/audit/entry/", "at__gte=0001-01-01"),
        ("/admin/audit/entry/", "at__lt=0001-01-01+00:00:00"),
        ("/admin/audit/entry/", "at__year=1"),
        ("/admin/audit/entry/", "school=99999999999999999999"),
        ("/admin/accounts/user/", "date_joined__gte=0001-01-01"),
        ("/admin/accounts/user/", "last_login__range=2026-01-01,0001-01-01"),
        ("/admin/people/staff/", "user=99999999999999999999"),
        ("/admin/people/student/", "school__id__in=1,99999999999999999999"),
        ("/admin/schools/academicyear/", "starts__gte=0001-01-01"),
    ],
)
def test_an_admin_list_refuses_a_filter_it_cannot_run(world, client_for, path, query):
    """The admin takes any lookup on a model's own fields from the address; a day before 1900 or
    a number past 64 bits used to end in a 500 when the list was counted."""
    root = get_user_model().objects.create_superuser("root", "root@example.ru", "x" * 12)
    for user in (world.admin, root):
        response = client_for(user).get(f"{path}?{query}")
        assert response.status_code == 400, (user, response.status_code)
        assert "условии отбора" in text(response)


def test_an_admin_list_still_filters_by_a_good_day(world, client_for):
    """The date filter the admin itself offers keeps working."""
    admin = client_for(world.admin)
    response = admin.get(
        "/admin/audit/entry/", {"at__gte": "2026-11-01 00:00:00+03:00", "at__lt": "2026-12-01 00:00:00+03:00"}
    )
    assert response.status_code == 200
    response = admin.get("/admin/people/staff/", {"hired_on__gte": "2020-09-01"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == list(
        Staff.objects.filter(school=world.school, hired_on__gte=dt.date(2020, 9, 1))
    )


def test_day_param_reads_a_day_or_refuses_it():
    request = RequestFactory().get("/", {"a": "2026-11-20", "b": "20.11.2026", "c": "", "d": "1899-12-31"})
    assert days.day_param(request, "a") == days.day_param(request, "b") == dt.date(2026, 11, 20)
    assert days.day_param(request, "c", dt.date(2026, 1, 1)) == dt.date(2026, 1, 1)
    assert days.day_param(request, "missing") is None
    with pytest.raises(days.BadParameter):
        days.day_param(request, "d")


def test_lookup_problem_leaves_what_the_admin_refuses_itself():
    """A word for a day or a number is left to the admin (it shows the list without the filter)."""
    from apps.accounts.admin_site import lookup_problem

    assert lookup_problem(Entry, QueryDict("at__gte=вчера&school=abc&o=1&p=2&q=5")) is None
    assert lookup_problem(Entry, QueryDict("seq__gte=99999999999999999999"))
