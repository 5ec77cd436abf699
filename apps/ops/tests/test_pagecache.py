"""apps.ops.pagecache: the templates' indentation is folded out of kept pages (compact, issue 5), and
nothing a browser shows differently is touched; each reader's CSRF token is put where the template
put the token, and nowhere else."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from apps.ops.pagecache import compact


def test_indentation_is_folded_to_one_line_break():
    """OPS-1: runs of whitespace holding a line break become one line break (a browser shows both as
    one space); spaces inside a line stay."""
    html = "<ul>\n    <li>Русский  язык</li>\n\n    <li> § 16 </li>\n  </ul>\n"
    assert compact(html) == "<ul>\n<li>Русский  язык</li>\n<li> § 16 </li>\n</ul>\n"


def test_pre_and_textarea_keep_their_text():
    """OPS-1: inside <pre> and <textarea> every space and line is the user's text (a homework
    typed over several lines), and is left as it is."""
    html = '<div>\n  <textarea name="homework">\n§ 16\n\n  упр. 82\n</textarea>\n  <PRE>a\n\n   b</PRE>\n</div>'
    kept = '<div>\n<textarea name="homework">\n§ 16\n\n  упр. 82\n</textarea>\n<PRE>a\n\n   b</PRE>\n</div>'
    assert compact(html) == kept


def test_a_line_break_in_a_script_is_kept():
    """OPS-1: a line break is never removed, only the indentation around it (JavaScript's automatic
    semicolons depend on it)."""
    assert compact("<script>\n  let a = 1\n  let b = 2\n</script>") == "<script>\nlet a = 1\nlet b = 2\n</script>"


# --- The CSRF token goes where the template put it, never into what a user typed -----------------

OLD_PLACEHOLDER = "csrfPlaceholderQ7v3Kx9w"  # the fixed string the cache used to search and replace
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _topic_with_placeholders():
    from apps.ops.pagecache import CSRF_PLACEHOLDER

    return f"Дроби {OLD_PLACEHOLDER} и {CSRF_PLACEHOLDER}{'0' * 32}"


def _browsers(user, n=2):
    from django.test import Client

    browsers = [Client(enforce_csrf_checks=True) for _ in range(n)]
    for browser in browsers:
        browser.force_login(user)
    return browsers


def _shown_twice(browsers, url):
    """The page for each browser, the second one from the cache; each must be a 200."""
    pages = []
    for browser in browsers:
        response = browser.get(url)
        assert response.status_code == 200
        pages.append(response)
    assert pages[-1].templates == []  # served from the cache
    return [p.content.decode() for p in pages]


def test_a_topic_holding_the_placeholder_is_shown_as_typed_in_the_cached_grid(world):
    """A topic containing the cache's CSRF placeholder is shown as typed to every reader of the
    kept grid, not with the reader's token in its place; the form's token is still each
    browser's own, and the form posts with it."""
    import html as html_lib

    from apps.journal.models import Lesson
    from tests import factories as f

    topic = _topic_with_placeholders()
    lesson = f.make_lesson(world.journal, dt.date(2026, 11, 18), topic=topic)
    url = reverse("journal:grid", args=[world.journal.pk])
    browsers = _browsers(world.alice)
    pages = _shown_twice(browsers, url)
    tokens = []
    for page in pages:
        assert f'data-topic="{html_lib.escape(topic)}"' in page
        found = set(TOKEN.findall(page))
        assert found and not any(t in topic for t in found)
        tokens.append(found)
    assert tokens[0].isdisjoint(tokens[1])  # each browser's own (masked) token
    name = f"c-{lesson.pk}-{world.anna.pk}"
    response = browsers[1].post(
        reverse("journal:save", args=[world.journal.pk]),
        {name: "5", "orig": "{}", "csrfmiddlewaretoken": tokens[1].pop(), "period": world.periods[1].pk},
    )
    assert response.status_code == 302
    assert Lesson.objects.get(pk=lesson.pk).marks.get(student=world.anna).value == "5"


def test_a_topic_holding_the_placeholder_is_shown_as_typed_in_the_kept_diary(world):
    """The same in the parent's kept week: the topic reads as the teacher typed it."""
    from tests import factories as f

    topic = _topic_with_placeholders()
    f.make_lesson(world.journal, dt.date(2026, 11, 18), topic=topic)
    url = reverse("diary:week", args=[world.anna.pk]) + "?date=2026-11-16"
    browsers = _browsers(world.pat)
    pages = _shown_twice(browsers, url)
    for page in pages:
        assert f'<dd class="lesson-topic">{topic}</dd>' in page
        found = TOKEN.findall(page)
        assert found and not any(t in topic for t in found)
    for browser, page in zip(browsers, pages, strict=True):
        token = TOKEN.findall(page)[-1]
        response = browser.post(reverse("set_language"), {"language": "ru", "next": "/", "csrfmiddlewaretoken": token})
        assert response.status_code == 302


def test_a_kept_fragment_is_made_in_a_page_only():
    """fragment(token=False) leaves the tokens to the page around it: outside one it is a mistake."""
    from django.test import RequestFactory

    from apps.ops import pagecache

    with pytest.raises(RuntimeError):
        pagecache.fragment(RequestFactory().get("/"), "k", "base.html", dict, token=False)
