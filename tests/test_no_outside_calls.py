"""OPS-2: the data stay with the school — no page loads anything from outside (no CDN, no web
fonts, no analytics)."""

import re
from pathlib import Path

from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
# Attributes and CSS that make a browser fetch something.
FETCHING = re.compile(r"""(?:src|href|action|poster|data)\s*=\s*["']([^"']+)["']|url\(\s*["']?([^"')]+)""", re.I)
# XML namespaces are identifiers, not fetched.
NAMESPACE = re.compile(r"^https?://www\.w3\.org/")


def external(urls):
    return [u for u in urls if re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", u, re.I) and not NAMESPACE.match(u)]


def fetched_urls(html: str) -> list[str]:
    return [a or b for a, b in FETCHING.findall(html)]


def test_pages_reference_nothing_outside_the_server(world, client_for):
    """OPS-2: the login page, the journal grid, the diary and the admin reference only the
    school's own server."""
    from django.test import Client

    pages = [
        (Client(), reverse("accounts:login")),
        (client_for(world.alice), reverse("journal:list")),
        (client_for(world.alice), reverse("journal:grid", args=[world.journal.pk])),
        (client_for(world.pat), reverse("diary:week", args=[world.anna.pk])),
        (client_for(world.pat), reverse("diary:marks", args=[world.anna.pk])),
        (client_for(world.admin), reverse("admin:index")),
    ]
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert fetched_urls(html), f"the scan found nothing on {url}: the pattern is broken"
        assert external(fetched_urls(html)) == [], url


def test_our_static_files_and_templates_name_no_outside_host():
    """OPS-2: no stylesheet, script or template of ours points at another host."""
    offenders = []
    for folder in ("static", "templates"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".css", ".js", ".html"}:
                text = path.read_text(encoding="utf-8")
                offenders += [f"{path.relative_to(ROOT)}: {u}" for u in external(fetched_urls(text))]
                offenders += [
                    f"{path.relative_to(ROOT)}: {m}"
                    for m in re.findall(r"https?://[^\s\"'<>)]+", text)
                    if not NAMESPACE.match(m)
                ]
    assert offenders == []


def test_the_scan_would_catch_a_cdn():
    """The checks above can fail: a CDN script or a web font is recognised as outside."""
    html = '<script src="https://cdn.example.com/x.js"></script><style>@import url(//fonts.example.com/a.css)</style>'
    assert external(fetched_urls(html)) == ["https://cdn.example.com/x.js", "//fonts.example.com/a.css"]
