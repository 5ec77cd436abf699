"""Access to the year's administration (ACC-1, ORG-2, ORG-3): only «вести учебный год» (the journal
administrator and the deputy by default) opens the pages and writes; everyone else gets a 404 and
changes nothing; the administrator of another school works in his own school only."""

import datetime as dt

import pytest

from apps.schools.models import AcademicYear, Group, Holiday, Period, SchoolClass
from apps.schoolyear import services
from apps.schoolyear.models import CalendarDay, YearSettings
from tests.test_access_matrix import ANON, ROLES, Row, run_case, scene  # noqa: F401 (fixture)

MANAGERS = ("admin", "deputy")
OK = {**ANON, "admin": 200, "deputy": 200}
# The other school's journal administrator has the function in his own school: the school-wide
# pages open on his school, objects of this school are 404 to him.
OK_ALSO_OUTSIDER = {**OK, "outsider": 200}
POST_ONLY = {**ANON, "admin": 405, "deputy": 405, "outsider": 405}


def redirects(outsider=404) -> dict:
    return {**ANON, "admin": 302, "deputy": 302, "outsider": outsider}


# --- Payloads and proofs -------------------------------------------------------------------------------


def year_created(s, response):
    assert AcademicYear.objects.filter(school=s.world.school, name="2028/2029", status="planned").exists()


def edit_year(s):
    return {"name": "2026/2027", "starts": "2026-09-01", "ends": "2027-05-31", "week": "6"}


def year_edited(s, response):
    assert YearSettings.objects.get(year=s.world.year).week == 6


def year_activated(s, response):
    assert AcademicYear.objects.get(pk=s.planned.pk).status == AcademicYear.Status.ACTIVE


def year_closed(s, response):
    assert AcademicYear.objects.get(pk=s.world.year.pk).status == AcademicYear.Status.CLOSED


def edit_periods(s):
    data = {}
    for p in s.world.periods:
        data |= {f"name-{p.pk}": p.name, f"starts-{p.pk}": p.starts.isoformat(), f"ends-{p.pk}": p.ends.isoformat()}
    return data | {f"name-{s.world.periods[0].pk}": "I четверть"}


def periods_edited(s, response):
    assert Period.objects.get(pk=s.world.periods[0].pk).name == "I четверть"


def scheme(s):
    return {"grade_from": "10", "grade_to": "11", "kind": "half"}


def scheme_set(s, response):
    assert Period.objects.filter(year=s.world.year, grade_from=10, kind="half").count() == 2


def new_holiday(s):
    return {"name": "Зимние каникулы", "starts": "2026-12-29", "ends": "2027-01-10"}


def holiday_added(s, response):
    assert Holiday.objects.filter(year=s.world.year, name="Зимние каникулы").exists()


def edit_holiday(s):
    return {"name": "Осенние каникулы", "starts": "2026-10-26", "ends": "2026-11-01"}


def holiday_edited(s, response):
    assert Holiday.objects.get(pk=s.holiday.pk).ends == dt.date(2026, 11, 1)


def holiday_deleted(s, response):
    assert not Holiday.objects.filter(pk=s.holiday.pk).exists()


def new_class(s):
    return {"grade": "6", "letter": "В", "class_teacher": s.world.alice_staff.pk}


def class_added(s, response):
    assert SchoolClass.objects.filter(year=s.world.year, grade=6, letter="В").exists()


def edit_class(s):
    return {"grade": "5", "letter": "Б", "class_teacher": s.world.carol_staff.pk}


def class_edited(s, response):
    assert SchoolClass.objects.get(pk=s.school_class.pk).class_teacher == s.world.carol_staff


def class_deleted(s, response):
    assert not SchoolClass.objects.filter(pk=s.empty_class.pk).exists()


def correction(s):
    return {"date": "2026-11-05", "is_working": "0", "note": "региональный выходной", "year": s.world.year.pk}


def corrected(s, response):
    assert CalendarDay.objects.get(school=s.world.school, date=dt.date(2026, 11, 5)).is_working is False


def close_the_current_year(s):
    AcademicYear.objects.filter(pk=s.world.year.pk).update(status=AcademicYear.Status.CLOSED)


# fmt: off
ROWS = [
    Row("schoolyear:index", expect=OK_ALSO_OUTSIDER),
    Row("schoolyear:year_add", expect=OK_ALSO_OUTSIDER),
    Row("schoolyear:year_add", method="POST", expect=redirects(outsider=302),
        payload=lambda s: {"starts": "2028-09-01", "ends": "2029-08-31"}, writers=MANAGERS, done=year_created),
    Row("schoolyear:year", ("year",), expect=OK),
    Row("schoolyear:year_edit", ("year",), expect=OK),
    Row("schoolyear:year_edit", ("year",), method="POST", expect=redirects(), payload=edit_year, writers=MANAGERS,
        done=year_edited),
    Row("schoolyear:year_activate", ("planned",), expect=POST_ONLY),
    Row("schoolyear:year_activate", ("planned",), method="POST", expect=redirects(), writers=MANAGERS,
        done=year_activated, label="after closing"),
    Row("schoolyear:year_close", ("year",), expect=POST_ONLY),
    Row("schoolyear:year_close", ("year",), method="POST", expect=redirects(), payload=lambda s: {"confirm": "1"},
        writers=MANAGERS, done=year_closed),
    Row("schoolyear:periods", ("year",), expect=OK),
    Row("schoolyear:periods", ("year",), method="POST", expect=redirects(), payload=edit_periods, writers=MANAGERS,
        done=periods_edited),
    Row("schoolyear:period_scheme", ("year",), expect=POST_ONLY),
    Row("schoolyear:period_scheme", ("year",), method="POST", expect=redirects(), payload=scheme, writers=MANAGERS,
        done=scheme_set),
    Row("schoolyear:holiday_add", ("year",), expect=OK),
    Row("schoolyear:holiday_add", ("year",), method="POST", expect=redirects(), payload=new_holiday,
        writers=MANAGERS, done=holiday_added),
    Row("schoolyear:holiday", ("holiday",), expect=OK),
    Row("schoolyear:holiday", ("holiday",), method="POST", expect=redirects(), payload=edit_holiday,
        writers=MANAGERS, done=holiday_edited),
    Row("schoolyear:holiday", ("holiday",), method="POST", expect=redirects(), payload=lambda s: {"delete": "1"},
        writers=MANAGERS, done=holiday_deleted, label="delete"),
    Row("schoolyear:class_add", ("year",), expect=OK),
    Row("schoolyear:class_add", ("year",), method="POST", expect=redirects(), payload=new_class, writers=MANAGERS,
        done=class_added),
    Row("schoolyear:school_class", ("school_class",), expect=OK),
    Row("schoolyear:school_class", ("school_class",), method="POST", expect=redirects(), payload=edit_class,
        writers=MANAGERS, done=class_edited),
    Row("schoolyear:school_class", ("empty_class",), method="POST", expect=redirects(),
        payload=lambda s: {"delete": "1"}, writers=MANAGERS, done=class_deleted, label="delete"),
    # The outsider's school has no year: his calendar sends him to create one.
    Row("schoolyear:calendar", expect={**OK, "outsider": 302}),
    Row("schoolyear:calendar_day", expect=POST_ONLY),
    Row("schoolyear:calendar_day", method="POST", expect=redirects(outsider=302), payload=correction,
        writers=MANAGERS, done=corrected),
]
# fmt: on

# Set up before the request (and before the snapshot): a planned year is activated only once the
# current one is closed.
PREPARE = {("schoolyear:year_activate", "POST"): close_the_current_year}


@pytest.fixture
def year_scene(scene):  # noqa: F811
    w = scene.world
    scene.year = w.year
    scene.planned = services.year_create_next(year=w.year, author=w.admin)
    scene.holiday = Holiday.objects.create(
        school=w.school, year=w.year, name="Осенние каникулы", starts=dt.date(2026, 10, 26), ends=dt.date(2026, 11, 3)
    )
    scene.school_class = w.class_5b
    scene.empty_class = services.class_save(year=w.year, grade=9, letter="Я", class_teacher=None, author=w.admin)
    return scene


def this_school(s):
    school = s.world.school

    def snapshot():
        return {
            "years": list(AcademicYear.objects.filter(school=school).order_by("pk").values_list()),
            "periods": list(Period.objects.filter(school=school).order_by("pk").values_list()),
            "holidays": list(Holiday.objects.filter(school=school).order_by("pk").values_list()),
            "classes": list(SchoolClass.objects.filter(school=school).order_by("pk").values_list()),
            "groups": list(Group.objects.filter(school=school).order_by("pk").values_list()),
            "calendar": list(CalendarDay.objects.filter(school=school).order_by("pk").values_list()),
            "settings": list(YearSettings.objects.filter(school=school).order_by("pk").values_list()),
        }

    return snapshot


@pytest.mark.parametrize(("row", "role"), [pytest.param(r, role, id=r.id(role)) for r in ROWS for role in ROLES])
def test_access(year_scene, client_for, row, role):
    """ACC-1, ORG-2: each role gets exactly the answer of the matrix for the year's administration;
    a refused request changes none of the school's year structure, a manager's write happens."""
    prepare = PREPARE.get((row.url, row.method))
    if prepare:
        prepare(year_scene)
    run_case(year_scene, client_for, row, role, extra_snapshot=this_school(year_scene))
