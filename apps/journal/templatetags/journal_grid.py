"""The cells of the journal grid, rendered in Python.

A quarter's grid has about 30 students × 45 lessons ≈ 1,300 cells of some twenty template
lookups each; in the template language that was nine tenths of the page's time (`make bench`,
docs/performance.md). `grid_cells` writes one row's cells with the same markup the template
wrote, escaping every value as autoescape does.
"""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def grid_cells(row, can_write, write_lessons=None):
    """write_lessons: for a substitute (ORG-8), the only lessons whose cells take input."""
    student_pk = row.student.pk
    name = escape(row.student.short_name)
    out = []
    for counter, cell in enumerate(row.cells):
        lesson = cell.lesson
        editable = cell.editable
        writable = editable and (can_write or (write_lessons is not None and lesson.pk in write_lessons))
        css = "cell"
        if not editable or (write_lessons is not None and not writable):
            css += " off"
        if cell.error:
            css += " error"
        if cell.column.is_future:
            css += " future"
        title = cell.title or ("" if editable else cell.disabled_reason)
        title_attr = f' title="{escape(title)}"' if title else ""
        out.append(
            f'<td class="{css}" data-col="{counter}" data-lesson="{lesson.pk}" data-student="{student_pk}"{title_attr}>'
        )
        if writable:
            invalid = f' aria-invalid="true" title="{escape(cell.error)}"' if cell.error else ""
            out.append(
                f'<input name="{cell.name}" value="{escape(cell.value)}" data-saved="{escape(cell.text)}" '
                f'class="{escape(cell.css)}" autocomplete="off" spellcheck="false" maxlength="20" '
                f'aria-label="{name}, {lesson.date:%d.%m}, {lesson.number}-й урок"{invalid}>'
            )
        else:
            for text, part_css in cell.parts:
                out.append(f'<span class="{escape(part_css)}">{escape(text)}</span>')
        out.append("</td>")
    return mark_safe("".join(out))  # noqa: S308 — every value above is escaped
