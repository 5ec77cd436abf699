"""Security headers and a strict Content-Security-Policy, no inline code in any template, CSRF
on every write, and `manage.py check --deploy` clean with production settings (OPS-3)."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from apps.journal.models import Mark
from apps.security.middleware import CONTENT_SECURITY_POLICY
from apps.security.models import UserSession
from tests import factories as f

from .helpers import browser, sign_in

ROOT = Path(settings.BASE_DIR)
STRICT = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
]


def test_the_policy_is_strict():
    """OPS-3: the policy allows only the site's own files — no inline script or style, no eval,
    no plugin, no other host, no framing."""
    directives = [d.strip() for d in CONTENT_SECURITY_POLICY.split(";")]
    assert directives == STRICT
    assert "unsafe" not in CONTENT_SECURITY_POLICY and "*" not in CONTENT_SECURITY_POLICY


@pytest.mark.django_db
def test_every_page_carries_the_security_headers(world, client_for):
    """OPS-3: the sign-in page, the journal, the diary, the security page and the admin all carry
    the strict CSP, nosniff, no framing, a same-origin referrer and a locked-down Permissions-Policy."""
    pages = [
        (Client(), reverse("accounts:login")),
        (client_for(world.alice), reverse("journal:list")),
        (client_for(world.alice), reverse("journal:grid", args=[world.journal.pk])),
        (client_for(world.pat), reverse("diary:week", args=[world.anna.pk])),
        (client_for(world.alice), reverse("security:index")),
        (client_for(world.admin), reverse("admin:index")),
        (client_for(world.admin), reverse("admin:people_student_changelist")),
    ]
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, url
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert "camera=()" in response["Permissions-Policy"]


# --- No inline code in templates -------------------------------------------------------------

SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.I | re.S)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
TAG = re.compile(r"<[a-zA-Z][^<>]*>", re.S)
STYLE_ATTR = re.compile(r"\sstyle\s*=", re.I)
HANDLER_ATTR = re.compile(r"\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)


def inline_code(source: str) -> list[str]:
    """What a strict CSP would block (or what would force it to be relaxed) in a template:
    script elements with code, style elements and attributes, on* handlers, javascript: URLs.
    A script element with src= and no body is fine; so is a JSON data block."""
    found = []
    for attrs, body in SCRIPT.findall(source):
        is_data = re.search(r"""type\s*=\s*["']?application/(?:ld\+)?json""", attrs, re.I)
        if body.strip() and not is_data:
            found.append(f"<script> with inline code: {body.strip()[:60]!r}")
        if not body.strip() and "src=" not in attrs and not is_data:
            found.append("<script> without src")
    if STYLE_ELEMENT.search(source):
        found.append("<style> element")
    for tag in TAG.findall(source):
        if STYLE_ATTR.search(tag):
            found.append(f"style attribute: {tag[:80]!r}")
        if HANDLER_ATTR.search(tag):
            found.append(f"event handler attribute: {tag[:80]!r}")
    if JS_URL.search(source):
        found.append("javascript: URL")
    return found


def project_templates() -> list[Path]:
    dirs = [ROOT / "templates", *sorted((ROOT / "apps").glob("*/templates"))]
    return sorted(p for d in dirs for p in d.rglob("*.html"))


def test_the_scanner_finds_inline_code():
    """OPS-3: the template check itself catches each kind of inline code (so its silence means something)."""
    assert inline_code('<script src="/static/js/grid.js" defer></script>') == []
    assert inline_code('<script id="m" type="application/json">{"a": 1}</script>') == []
    assert inline_code('<p class="x" data-onclick="1">on=</p>') == []
    assert inline_code("<script>alert(1)</script>")
    assert inline_code("<style>p { color: red }</style>")
    assert inline_code('<p class="a" style="color: red">')
    assert inline_code('<button\n  onclick="go()">')
    assert inline_code('<a href="javascript:void(0)">')


def test_no_template_has_inline_code():
    """OPS-3: no template of the product holds inline script code, a style element or attribute,
    an event-handler attribute or a javascript: URL, so the strict CSP breaks nothing."""
    templates = project_templates()
    assert len(templates) > 15
    offenders = {str(p.relative_to(ROOT)): found for p in templates if (found := inline_code(p.read_text()))}
    assert not offenders, json.dumps(offenders, ensure_ascii=False, indent=1)


@pytest.mark.django_db
def test_rendered_pages_have_no_inline_code(world, client_for):
    """OPS-3: the pages as served (forms, widgets and json_script data included) hold no inline code."""
    f.make_lesson(world.journal, world.periods[1].starts, topic="Дроби")
    pages = [
        (Client(), reverse("accounts:login")),
        (client_for(world.alice), reverse("journal:grid", args=[world.journal.pk])),
        (client_for(world.pat), reverse("diary:week", args=[world.anna.pk])),
        (client_for(world.alice), reverse("security:index")),
        (client_for(world.alice), reverse("security:totp")),
        (client_for(world.alice), reverse("security:password_change")),
    ]
    for client, url in pages:
        assert inline_code(client.get(url).content.decode()) == [], url


# --- CSRF ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_writes_without_the_csrf_token_are_refused(world):
    """OPS-3: a POST without the CSRF token is refused with 403 and changes nothing — the journal
    save, ending sessions, signing out, signing in."""
    attacker_page = Client(enforce_csrf_checks=True, HTTP_USER_AGENT="x", REMOTE_ADDR="203.0.113.10")
    attacker_page.force_login(world.alice)
    other = browser()
    sign_in(other, "alice")
    lesson = f.make_lesson(world.journal, world.periods[1].starts, topic="Дроби")

    payload = {"cells": [{"lesson": lesson.pk, "student": world.anna.pk, "value": "2"}]}
    response = attacker_page.post(
        reverse("journal:save", args=[world.journal.pk]), json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == 403
    assert not Mark.objects.exists()

    sessions = UserSession.objects.filter(user=world.alice).count()
    assert attacker_page.post(reverse("security:sessions_end_others")).status_code == 403
    assert attacker_page.post(reverse("accounts:logout")).status_code == 403
    assert UserSession.objects.filter(user=world.alice).count() == sessions == 2

    anonymous = Client(enforce_csrf_checks=True)
    assert anonymous.post(reverse("accounts:login"), {"username": "alice", "password": f.PASSWORD}).status_code == 403


# --- manage.py check --deploy ----------------------------------------------------------------


def deploy_check(tmp_path, **env):
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "JOURNAL_", "SECRET_KEY", "PYTEST"))
    }
    environment.update(
        JOURNAL_VAR_DIR=str(tmp_path),
        DJANGO_DEBUG="0",
        SECRET_KEY="k" * 10 + "Zq8-vN3xL0pR7sT1uW4yB6cE9fH2jK5mA8dG1iO4lQ7nS0" + "x" * 10,
        ALLOWED_HOSTS="journal.school.example",
        **env,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    """OPS-3: with JOURNAL_HTTPS=1 (HTTPS only, secure cookies, HSTS) Django's deployment check
    finds nothing; without it, it does complain — the check really looks."""
    result = deploy_check(tmp_path, JOURNAL_HTTPS="1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout

    plain = deploy_check(tmp_path)
    assert plain.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in plain.stderr + plain.stdout
