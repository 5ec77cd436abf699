"""The register of personal-data consents (ACC-6): no diary without a consent in force, the
class teacher records it on the day it is handed in, a written withdrawal ends access."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.accounts.models import Role
from apps.people.models import Guardian
from apps.registration.models import AccessEnd, Consent
from tests import factories as f

from .helpers import new_parent, page_text


def week(client, student):
    return client.get(reverse("diary:week", args=[student.pk]))


def parent_without_consent(world):
    """Boris's father has an account and the parent role, but the school has no consent of his."""
    father = new_parent(world, world.boris, consent=False)
    father.user = f.UserFactory(username="father")
    father.save(update_fields=["user"])
    f.add_role(father.user, world.school, Role.PARENT)
    return father


def test_no_diary_without_consent_and_the_page_says_why(world, client_for):
    """ACC-6: a parent whose consent is not registered does not see the diary and is told why;
    the class teacher registers the consent on the day it is handed in and the diary opens."""
    father = parent_without_consent(world)
    client = client_for(father.user)
    assert week(client, world.boris).status_code == 404
    index = client.get(reverse("diary:index"))
    assert index.status_code == 200
    assert "не зарегистрировано ваше согласие на обработку персональных данных" in page_text(index)
    assert "Быков Борис" in page_text(client.get(reverse("registration:my_access")))

    carol = client_for(world.carol)
    response = carol.post(
        reverse("registration:consent_add", args=[world.boris.pk]),
        {"giver": f"g{father.pk}", "given_on": "2026-11-20", "note": ""},
    )
    assert response.status_code == 302
    consent = Consent.objects.get(guardian=father)
    assert (consent.given_on, consent.recorded_by) == (dt.date(2026, 11, 20), world.carol)
    assert week(client, world.boris).status_code == 200
    assert week(client, world.anna).status_code == 404

    register = page_text(carol.get(reverse("registration:consents")))
    assert f"{consent.number} 20.11.2026 Быков Борис 5А Быков Пётр" in register


def test_written_withdrawal_ends_access(world, client_for):
    """ACC-6, ACC-7: a parent's written withdrawal, recorded by the class teacher, ends the
    parent's diary (and, with no other consent for the child, the student's own); it is logged
    and explained; a new consent opens it again."""
    pat, sam = client_for(world.pat), client_for(world.sam)
    assert week(pat, world.anna).status_code == 200
    consent = Consent.objects.get(student=world.anna, guardian__user=world.pat)
    carol = client_for(world.carol)
    response = carol.post(
        reverse("registration:consent_end", args=[consent.pk]),
        {"reason": Consent.EndReason.WITHDRAWN, "ended_on": "2026-11-20", "note": "заявление от 20.11.2026"},
    )
    assert response.status_code == 302
    assert week(pat, world.anna).status_code == 404
    assert week(sam, world.anna).status_code == 404
    assert "Доступ прекращён 20.11.2026: согласие отозвано письменным заявлением" in page_text(
        pat.get(reverse("diary:index"))
    )
    ended = AccessEnd.objects.get(user=world.pat)
    assert (ended.reason, ended.by, ended.student) == (AccessEnd.Reason.CONSENT_ENDED, world.carol, world.anna)

    carol.post(
        reverse("registration:consent_add", args=[world.anna.pk]),
        {"giver": f"g{consent.guardian_id}", "given_on": "2026-11-20"},
    )
    assert week(pat, world.anna).status_code == 200


def test_class_teacher_records_consents_of_her_class_only(world, client_for):
    """ACC-6: another class's students and consents are not the class teacher's (404); a teacher
    without a class and the families see no register at all."""
    other = world.students_5b[0]
    other_consent = f.make_consent(other, new_parent(world, other, consent=False))
    carol = client_for(world.carol)
    assert carol.get(reverse("registration:consent_add", args=[other.pk])).status_code == 404
    assert carol.post(reverse("registration:consent_end", args=[other_consent.pk]), {}).status_code == 404
    assert str(other.last_name) not in page_text(carol.get(reverse("registration:consents")))
    for user in (world.alice, world.bob, world.pat, world.sam):
        assert client_for(user).get(reverse("registration:consents")).status_code == 404
    admin = client_for(world.admin)
    assert other.last_name in page_text(admin.get(reverse("registration:consents")))


def test_consent_dates_and_duplicates(world, client_for):
    """ACC-6: a consent is not registered ahead of its day, nor twice from the same person; only
    an adult student may let the parents read his diary."""
    carol = client_for(world.carol)
    url = reverse("registration:consent_add", args=[world.boris.pk])
    quinn_guardian = Guardian.objects.get(user=world.quinn)
    before = Consent.objects.count()
    tomorrow = carol.post(url, {"giver": "self", "given_on": "2026-11-21"})
    assert "Дата согласия не может быть позже сегодняшней" in page_text(tomorrow)
    twice = carol.post(url, {"giver": f"g{quinn_guardian.pk}", "given_on": "2026-11-20"})
    assert "Согласие уже зарегистрировано" in page_text(twice)
    minor = carol.post(url, {"giver": "self", "given_on": "2026-11-20", "allows_guardians": "on"})
    assert "Учащемуся нет 18 лет" in page_text(minor)
    assert Consent.objects.count() == before


def test_scan_is_kept_and_shown_only_to_whoever_keeps_the_register(world, client_for, media):
    """ACC-6: the scan of the paper consent is stored under MEDIA_ROOT and opens only for the class
    teacher and the administrator; other files are refused."""
    father = parent_without_consent(world)
    carol = client_for(world.carol)
    url = reverse("registration:consent_add", args=[world.boris.pk])
    bad = SimpleUploadedFile("consent.html", b"<script>", content_type="text/html")
    assert "PDF, JPG или PNG" in page_text(
        carol.post(url, {"giver": f"g{father.pk}", "given_on": "2026-11-20", "scan": bad})
    )
    scan = SimpleUploadedFile("consent.pdf", b"%PDF-1.4 consent", content_type="application/pdf")
    carol.post(url, {"giver": f"g{father.pk}", "given_on": "2026-11-20", "scan": scan})
    consent = Consent.objects.get(guardian=father)
    assert (media / consent.scan.name).read_bytes() == b"%PDF-1.4 consent"
    scan_url = reverse("registration:consent_scan", args=[consent.pk])
    for user in (world.carol, world.admin):
        response = client_for(user).get(scan_url)
        assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 consent"
        assert response["Content-Type"] == "application/pdf"
    for user in (world.alice, world.bob, world.pat, father.user):
        assert client_for(user).get(scan_url).status_code == 404


def test_adult_student_decides_about_the_parents(world, client_for):
    """ACC-7, ACC-8: from the 18th birthday the parents read the diary only with the student's own
    consent allowing it, and the student needs a consent of his own."""
    pat, sam = client_for(world.pat), client_for(world.sam)
    world.anna.birth_date = dt.date(2008, 11, 21)  # 18 tomorrow
    world.anna.save(update_fields=["birth_date"])
    assert week(pat, world.anna).status_code == 200 and week(sam, world.anna).status_code == 200

    world.anna.birth_date = dt.date(2008, 11, 20)  # 18 today
    world.anna.save(update_fields=["birth_date"])
    assert week(pat, world.anna).status_code == 404 and week(sam, world.anna).status_code == 404
    assert "Учащемуся исполнилось 18 лет" in page_text(pat.get(reverse("diary:index")))
    assert "Вам исполнилось 18 лет" in page_text(sam.get(reverse("registration:my_access")))

    own = f.make_consent(world.anna, given_on=dt.date(2026, 11, 20))
    assert week(sam, world.anna).status_code == 200 and week(pat, world.anna).status_code == 404
    own.allows_guardians = True
    own.save(update_fields=["allows_guardians"])
    assert week(pat, world.anna).status_code == 200
