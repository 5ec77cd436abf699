"""Return addresses from a request (`?back=…` on the access pages) are only ever this site's own
(apps.ops.redirects.safe_back): a hostile one is never rendered as «Отмена» / «Готово» nor
followed after a save — the page's default is used instead."""

import re

import pytest
from django.test import RequestFactory, override_settings
from django.urls import reverse

from apps.ops.redirects import safe_back
from apps.registration.models import AccessCode, Consent

HOSTILE = [
    "/\\evil.example/",  # browsers read «\» as «/»: //evil.example/
    "/\t/evil.example/",  # /%09/evil.example/ decoded: browsers drop the tab
    "//evil.example/",
    "https://evil.example/access/",
    "javascript:alert(1)",
    " //evil.example/",
]


def link(page, label: str) -> str:
    return re.search(rf'<a href="([^"]*)">{label}</a>', page.content.decode())[1]


def hidden_back(page) -> str:
    return re.search(r'<input type="hidden" name="back" value="([^"]*)">', page.content.decode())[1]


@pytest.mark.parametrize("back", HOSTILE)
def test_the_access_pages_never_link_to_a_hostile_back(world, client_for, back):
    """«Отмена» on issuing a code, registering and ending a consent, and «Готово» after the code
    is shown, go to the page's default when `back` is not an address of this site."""
    carol = client_for(world.carol)
    issue = carol.get(reverse("registration:code_issue", args=["student", world.boris.pk]), {"back": back})
    assert issue.status_code == 200
    assert link(issue, "Отмена") == hidden_back(issue) == reverse("registration:index")

    add = carol.get(reverse("registration:consent_add", args=[world.boris.pk]), {"back": back})
    assert link(add, "Отмена") == hidden_back(add) == reverse("registration:consents")

    consent = Consent.objects.filter(student=world.anna).first()
    end = carol.get(reverse("registration:consent_end", args=[consent.pk]), {"back": back})
    assert link(end, "Отмена") == hidden_back(end) == reverse("registration:consents")

    issued = carol.post(
        reverse("registration:code_issue", args=["student", world.boris.pk]), {"handed_over": "paper", "back": back}
    )
    assert issued.status_code == 302
    shown = carol.get(issued["Location"])
    assert link(shown, "Готово") == reverse("registration:codes")
    code = AccessCode.objects.get(student=world.boris)
    again = carol.get(reverse("registration:code_issued", args=[code.pk]), {"back": back})
    assert link(again, "Готово") == reverse("registration:codes")

    revoked = carol.post(reverse("registration:code_revoke", args=[code.pk]), {"back": back})
    assert revoked.status_code == 302 and revoked["Location"] == reverse("registration:codes")


def test_the_tab_in_the_address_as_a_browser_sends_it(world, client_for):
    """The literal address `?back=/%09/evil.example/` of the report."""
    carol = client_for(world.carol)
    url = reverse("registration:code_issue", args=["student", world.boris.pk])
    page = carol.get(f"{url}?back=/%09/evil.example/")
    assert link(page, "Отмена") == reverse("registration:index")


def test_a_back_of_this_site_is_kept(world, client_for):
    """The list the page was opened from is where «Отмена» and the save return."""
    carol = client_for(world.carol)
    back = f"{reverse('registration:class_people', args=[world.class_5a.pk])}?all=1"
    page = carol.get(reverse("registration:code_issue", args=["student", world.boris.pk]), {"back": back})
    assert link(page, "Отмена").replace("&amp;", "&") == back


@override_settings(ALLOWED_HOSTS=["journal.school.ru"])
def test_safe_back_follows_the_request_host_and_scheme():
    plain = RequestFactory().get("/", HTTP_HOST="journal.school.ru")
    secure = RequestFactory().get("/", HTTP_HOST="journal.school.ru", secure=True)
    assert safe_back(plain, "http://journal.school.ru/access/", "/d") == "http://journal.school.ru/access/"
    assert safe_back(secure, "http://journal.school.ru/access/", "/d") == "/d"  # no step down to http
    assert safe_back(secure, "https://journal.school.ru/access/", "/d") == "https://journal.school.ru/access/"
    assert safe_back(plain, "http://other.school.ru/", "/d") == "/d"
    assert safe_back(plain, None, "/d") == safe_back(plain, "", "/d") == "/d"
