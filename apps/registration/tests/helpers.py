"""Shared helpers of the access tests: issuing a code through the pages, registering with it."""

import re

from django.test import Client
from django.urls import reverse

from apps.diary.tests.helpers import page_text
from apps.people.models import GuardianLink
from tests import factories as f

PASSWORD = "Ключ-к-дневнику-2026"  # passes every validator of the settings


def new_parent(world, student, last="Быков", first="Пётр", consent=True):
    """A guardian of `student` without an account yet (a father, with a consent unless told)."""
    guardian = f.GuardianFactory(school=world.school, user=None, last_name=last, first_name=first)
    f.link_guardian(guardian, student, relation=GuardianLink.Relation.FATHER, consent=consent)
    return guardian


def issue(client, kind, pk, purpose="invitation", **data):
    """Issue a code on the page as the signed-in `client` would; returns (code, the page shown)."""
    response = client.post(
        reverse("registration:code_issue", args=[kind, pk]), {"purpose": purpose, "handed_over": "in_person", **data}
    )
    assert response.status_code == 302, page_text(response)
    page = client.get(response["Location"])
    return shown_code(page), page


def shown_code(page) -> str:
    return re.search(r"data-code>([^<]+)<", page.content.decode()).group(1)


def register(code, username, password=PASSWORD, client=None):
    """Both steps of registering with an invitation code; returns (client, last response)."""
    client = client or Client()
    response = client.post(reverse("registration:register"), {"code": code})
    if response.status_code != 302:
        return client, response
    response = client.post(
        reverse("registration:register_account"),
        {"username": username, "password1": password, "password2": password},
    )
    return client, response


__all__ = ["page_text", "PASSWORD", "new_parent", "issue", "shown_code", "register"]
