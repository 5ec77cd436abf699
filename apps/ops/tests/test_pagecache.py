"""apps.ops.pagecache.compact (issue 5): the templates' indentation is folded out of kept pages, and
nothing a browser shows differently is touched."""

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
