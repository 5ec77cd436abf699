"""Personal pages and files are never kept by a browser or a proxy (apps.ops.middleware.
PrivateCacheMiddleware): `Cache-Control: private, no-store` on every response to a signed-in
user and on every response that sets or varies by a cookie; static files keep their own."""

import datetime as dt

from django.core.files.base import ContentFile
from django.test import Client, override_settings
from django.urls import reverse

from tests import factories as f

PRIVATE = "private, no-store"


def test_the_diary_and_the_grid_are_not_kept(world, client_for):
    """OPS-3: a parent's week and a teacher's grid (both served from the page cache the second
    time) tell the browser and any proxy not to store them."""
    f.make_lesson(world.journal, dt.date(2026, 11, 18), topic="Дроби")
    pat, alice = client_for(world.pat), client_for(world.alice)
    week = reverse("diary:week", args=[world.anna.pk]) + "?date=2026-11-16"
    grid = reverse("journal:grid", args=[world.journal.pk])
    for client, url in ((pat, week), (pat, week), (alice, grid), (alice, grid)):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == PRIVATE


def test_an_export_and_a_consent_scan_are_not_kept(world, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    admin = client_for(world.admin)
    export = admin.get(reverse("plans:export", args=[world.journal.pk]))
    assert export.status_code == 200 and export["Cache-Control"] == PRIVATE

    consent = f.make_consent(world.boris, scan=ContentFile(b"%PDF-1.4 consent", name="consent.pdf"))
    scan = admin.get(reverse("registration:consent_scan", args=[consent.pk]))
    assert scan.status_code == 200 and b"".join(scan.streaming_content) == b"%PDF-1.4 consent"
    assert scan["Cache-Control"] == PRIVATE


def test_the_sign_in_page_is_not_kept(db):
    """Nobody is signed in yet, but the page sets the CSRF cookie: not stored either (Django's
    LoginView says never_cache itself, which includes private and no-store)."""
    response = Client().get(reverse("accounts:login"))
    assert response.status_code == 200
    assert response.cookies
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_a_response_with_its_own_cache_header_keeps_it(world, client_for):
    """The admin says never_cache itself (no-store among its words): left as it says."""
    response = client_for(world.admin).get(reverse("admin:index"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]


@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_MAX_AGE=31536000)
def test_a_static_file_keeps_its_long_cache_lifetime(world):
    """WhiteNoise answers static files before the middleware: public and long-lived, even for a
    signed-in user."""
    browser = Client()  # made after the override: its WhiteNoise finds the files
    browser.force_login(world.pat)
    response = browser.get("/static/css/app.css")
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=31536000, public"
