"""The «Управление» page lists what the user may do, and every listed section opens."""

import pytest
from django.urls import reverse

from apps.office.sections import SECTIONS


@pytest.mark.django_db
def test_every_section_is_a_page():
    """ORG-2: every section of the administration is a real page of the product (none promised
    and missing)."""
    for section in SECTIONS:
        assert reverse(section.url_name)


def test_deputy_sees_the_year_and_timetable_sections_and_opens_them(world, client_for):
    """ORG-2, ORG-7, ORG-8: the deputy director finds the school year's sections on one page,
    each link opens for her; the teacher has no such page."""
    deputy = client_for(world.deputy)
    page = deputy.get(reverse("office:index"))
    assert page.status_code == 200
    text = page.content.decode()
    for name in ("schoolyear:index", "timetable:index", "timetable:substitutions", "curriculum:workload"):
        url = reverse(name)
        assert f'href="{url}"' in text
        assert deputy.get(url).status_code == 200, name
    assert client_for(world.alice).get(reverse("office:index")).status_code == 404
    nav = client_for(world.deputy).get(reverse("journal:list")).content.decode()
    assert f'href="{reverse("office:index")}"' in nav
