"""Query budget of the access pages (ACC-4, ACC-6): the class page, the register of codes and the
register of consents answer in the same number of queries for a small and a large class."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.registration import services
from apps.registration.models import AccessCode
from tests import factories as f

from .helpers import new_parent


def grow(world, n):
    """n more students of 5А, each with a father (consent given) and a code issued for the father."""
    for i in range(n):
        student = f.enrol(f.StudentFactory(school=world.school), world.class_5a)
        father = new_parent(world, student, last=f"Отец{i}")
        services.code_issue(
            school=world.school,
            purpose=AccessCode.Purpose.INVITATION,
            issued_by=world.carol,
            handed_over="paper",
            guardian=father,
        )


def counts(client, world) -> dict[str, int]:
    urls = {
        "class": reverse("registration:class_people", args=[world.class_5a.pk]),
        "codes": reverse("registration:codes"),
        "consents": reverse("registration:consents"),
    }
    result = {}
    for name, url in urls.items():
        client.get(url)  # warm the session and the caches
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        result[name] = len(ctx.captured_queries)
    return result


def test_access_pages_do_not_grow_with_the_class(world, client_for):
    """ACC-4, ACC-6: 2 more families or 30 more: the same number of queries per page."""
    carol = client_for(world.carol)
    grow(world, 2)
    small = counts(carol, world)
    grow(world, 30)
    large = counts(carol, world)
    assert small == large, f"queries grew: {small} → {large}"
