"""The curriculum page (ORG-5): grades × subjects of a year, edited in one form."""

from decimal import Decimal

from django.urls import reverse

from apps.curriculum.models import CurriculumLine
from apps.schools.models import AcademicYear

from .helpers import plan_line


def test_plan_saves_good_cells_and_reports_each_bad_one(world, client_for):
    """ORG-5: one invalid cell never drops the others — 0,5 hours and the subgroup box are saved,
    an emptied cell removes its line, and each bad cell is named (subject and grade) in Russian."""
    plan_line(world.year, 5, world.history, 2)
    client = client_for(world.deputy)
    url = reverse("curriculum:plan") + f"?year={world.year.pk}"
    page = client.get(url).content.decode()
    assert f'name="h-{world.math.pk}-5"' in page and f'name="h-{world.history.pk}-5" value="2"' in page

    response = client.post(
        url,
        {
            "year": world.year.pk,
            f"h-{world.math.pk}-5": "5",
            f"h-{world.russian.pk}-5": "0,5",
            f"d-{world.russian.pk}-5": "on",
            f"h-{world.history.pk}-5": "",
        },
    )
    assert response.status_code == 302
    lines = {
        (x.subject_id, x.grade): (x.hours_per_week, x.divided_into_subgroups) for x in CurriculumLine.objects.all()
    }
    assert lines == {(world.math.pk, 5): (Decimal("5"), False), (world.russian.pk, 5): (Decimal("0.5"), True)}

    response = client.post(
        url,
        {
            "year": world.year.pk,
            f"h-{world.math.pk}-5": "пять",
            f"h-{world.russian.pk}-5": "50",
            f"h-{world.history.pk}-5": "1,5",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Математика, 5 класс: «пять» — не число часов" in html
    assert "Русский язык, 5 класс: «50» — больше 40 часов в неделю не бывает." in html
    assert 'value="пять"' in html  # what was typed stays in the cell
    assert CurriculumLine.objects.get(subject=world.history).hours_per_week == Decimal("1.5")
    assert CurriculumLine.objects.get(subject=world.math).hours_per_week == Decimal("5")


def test_plan_of_a_closed_year_is_read_only(world, client_for):
    """ORG-5, ORG-2: a closed year's curriculum is not changed."""
    world.year.status = AcademicYear.Status.CLOSED
    world.year.save()
    client = client_for(world.admin)
    url = reverse("curriculum:plan") + f"?year={world.year.pk}"
    assert "Учебный год закрыт" in client.get(url).content.decode()
    response = client.post(url, {"year": world.year.pk, f"h-{world.math.pk}-5": "5"}, follow=True)
    assert "закрыт" in response.content.decode()
    assert not CurriculumLine.objects.exists()


def test_new_subject_appears_as_a_row(world, client_for):
    """ORG-5: a subject added from the curriculum page becomes a row of the grid."""
    client = client_for(world.admin)
    client.post(reverse("curriculum:subject_add"), {"year": world.year.pk, "name": "Астрономия", "short_name": "астр."})
    assert "Астрономия" in client.get(reverse("curriculum:plan")).content.decode()
    response = client.post(
        reverse("curriculum:subject_add"), {"year": world.year.pk, "name": "астрономия"}, follow=True
    )
    assert "Предмет «астрономия» уже есть." in response.content.decode()
