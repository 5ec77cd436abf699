"""The staff list: positions and attestation records (ORG-6)."""

import datetime as dt

from django.urls import reverse

from apps.curriculum import selectors, services
from apps.curriculum.models import StaffAttestation

TODAY = dt.date(2026, 11, 20)


def attest(staff, date, valid_until, category=StaffAttestation.Category.FIRST):
    return services.attestation_save(
        staff=staff, date=date, category=category, order_number="12-к", valid_until=valid_until
    )


def test_attestations_expiring_within_three_months_or_expired_are_flagged(world, client_for):
    """ORG-6: the list flags an attestation that has run out and one running out within three
    months; a valid one and one replaced by a later record are not flagged."""
    attest(world.alice_staff, dt.date(2021, 10, 1), dt.date(2026, 9, 30))  # expired
    attest(world.bob_staff, dt.date(2022, 2, 1), dt.date(2027, 2, 19))  # within three months
    attest(world.carol_staff, dt.date(2021, 1, 1), dt.date(2026, 1, 1))  # replaced by the next one
    attest(world.carol_staff, dt.date(2025, 12, 20), dt.date(2030, 12, 19), StaffAttestation.Category.HIGHEST)
    data = selectors.staff_list(school=world.school, today=TODAY)
    assert {a.record.staff.last_name: a.status for a in data.flagged} == {"Алексеева": "expired", "Борисов": "expiring"}

    html = client_for(world.director).get(reverse("curriculum:staff")).content.decode()
    flagged = html[html.index('id="flagged"') :]
    flagged = flagged[: flagged.index("</ul>")]
    assert "Алексеева Алла Ивановна" in flagged and "срок истёк" in flagged
    assert "Борисов Борис Петрович" in flagged and "истекает в ближайшие 3 месяца" in flagged
    assert "Кравец" not in flagged


def test_attestation_holds_five_years_by_default(world, client_for):
    """ORG-6: a record added without «действует до» holds five years; «до» before the date is refused."""
    client = client_for(world.admin)
    response = client.post(
        reverse("curriculum:attestation_new"),
        {"staff": world.alice_staff.pk, "date": "2026-03-15", "category": "highest", "order_number": "45"},
    )
    assert response.status_code == 302
    record = StaffAttestation.objects.get()
    assert (record.staff, record.valid_until, record.order_number) == (world.alice_staff, dt.date(2031, 3, 14), "45")
    response = client.post(
        reverse("curriculum:attestation", args=[record.pk]),
        {
            "staff": world.alice_staff.pk,
            "date": "2026-03-15",
            "category": "highest",
            "order_number": "45",
            "valid_until": "2026-01-01",
        },
    )
    assert "«Действует до» должно быть позже даты аттестации." in response.content.decode()
    record.refresh_from_db()
    assert record.valid_until == dt.date(2031, 3, 14)


def test_staff_form_saves_positions_and_reports_a_bad_row(world, client_for):
    """ORG-6: positions and dates are edited in one form; a row with the leaving date before the
    hiring date is reported by name, the other rows are saved."""
    client = client_for(world.director)
    response = client.post(
        reverse("curriculum:staff"),
        {
            f"p-{world.alice_staff.pk}": "учитель математики",
            f"h-{world.alice_staff.pk}": "2015-08-25",
            f"l-{world.alice_staff.pk}": "",
            f"p-{world.bob_staff.pk}": "учитель русского языка",
            f"h-{world.bob_staff.pk}": "2020-09-01",
            f"l-{world.bob_staff.pk}": "2019-06-30",
        },
    )
    assert response.status_code == 200
    assert "Борисов Б. П.: дата увольнения раньше даты приёма." in response.content.decode()
    world.alice_staff.refresh_from_db()
    world.bob_staff.refresh_from_db()
    assert (world.alice_staff.position, world.alice_staff.hired_on) == ("учитель математики", dt.date(2015, 8, 25))
    assert (world.bob_staff.position, world.bob_staff.left_on) == ("учитель", None)
