"""The change log in the admin is read-only and confined to the administrator's school (ARC-1)."""

import datetime as dt

import pytest
from django.urls import reverse

from apps.accounts.models import Role, User
from apps.audit.models import Entry
from apps.journal import services as js
from tests import factories as f


@pytest.fixture
def logged(world):
    lesson = js.lesson_create(journal=world.journal, date=dt.date(2026, 11, 18), number=1, author=world.alice)
    js.journal_save(
        journal=world.journal,
        author=world.alice,
        cells=[{"lesson": lesson.pk, "student": world.anna.pk, "value": "5"}],
    )
    return Entry.objects.get(object_type="mark")


def test_admin_shows_entries_but_cannot_add_change_or_delete(world, logged, client_for):
    """ARC-1: even a superuser can only read the change log in the admin; a forged edit is refused
    and the entry stays as written."""
    root = User.objects.create_superuser("root", "root@example.org", f.PASSWORD)
    client = client_for(root)
    listing = client.get(reverse("admin:audit_entry_changelist"))
    assert listing.status_code == 200
    assert "№ в цепочке" in listing.content.decode() and "отметка" in listing.content.decode()

    detail = client.get(reverse("admin:audit_entry_change", args=[logged.pk]))
    assert detail.status_code == 200
    assert "&quot;value&quot;: &quot;5&quot;" in detail.content.decode()
    assert 'name="new"' not in detail.content.decode() and 'name="_save"' not in detail.content.decode()

    assert client.get(reverse("admin:audit_entry_add")).status_code == 403
    posted = client.post(reverse("admin:audit_entry_change", args=[logged.pk]), {"new": '{"value": "2"}'})
    assert posted.status_code == 403
    assert client.post(reverse("admin:audit_entry_delete", args=[logged.pk]), {"post": "yes"}).status_code == 403
    bulk = client.post(
        reverse("admin:audit_entry_changelist"),
        {"action": "delete_selected", "_selected_action": [logged.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert Entry.objects.get(pk=logged.pk).new["value"] == "5"


def test_journal_admin_sees_only_his_schools_log(world, logged, client_for):
    """ARC-1: the journal administrator of another school does not see this school's entries."""
    other = f.SchoolFactory(short_name="Школа № 2")
    stranger = f.UserFactory(username="admin2")
    f.add_role(stranger, other, Role.JOURNAL_ADMIN)
    client = client_for(stranger)
    listing = client.get(reverse("admin:audit_entry_changelist"))
    assert listing.status_code == 200
    assert reverse("admin:audit_entry_change", args=[logged.pk]) not in listing.content.decode()
    assert client.get(reverse("admin:audit_entry_change", args=[logged.pk])).status_code in (302, 404)

    own = client_for(world.admin)
    assert (
        reverse("admin:audit_entry_change", args=[logged.pk])
        in own.get(reverse("admin:audit_entry_changelist")).content.decode()
    )
    assert own.get(reverse("admin:audit_entry_change", args=[logged.pk])).status_code == 200
