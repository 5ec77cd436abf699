"""The substitution report (ORG-8) as a spreadsheet, through the product's one XLSX writer
(apps.ops.xlsx). A renderer is a function returning bytes."""

from __future__ import annotations

from django.utils.translation import gettext as _

from apps.ops import xlsx

from . import selectors


def substitution_report_workbook(report: selectors.SubstitutionReport, *, school) -> bytes:
    """The substitutions of the range (date, lesson, class and subject, who was replaced, who
    replaced, the reason), then each teacher's hours. Each row's `label` is set by the view."""
    book = xlsx.Book()
    sheet = book.sheet(_("Замены"), widths=(12, 8, 36, 24, 24, 30))
    sheet.note(_("Отчёт о заменах уроков"), bold=True)
    sheet.note(school.name)
    sheet.note(_("с %(a)s по %(b)s") % {"a": selectors.fmt(report.starts), "b": selectors.fmt(report.ends)})
    if report.teacher is not None:
        sheet.note(_("Учитель: %(who)s") % {"who": report.teacher.full_name})
    sheet.blank()
    sheet.header([_("Дата"), _("Урок"), _("Класс, предмет"), _("Кого заменяли"), _("Кто заменял"), _("Причина")])
    for r in report.rows:
        sheet.row(
            [
                r.lesson.date,
                r.lesson.number,
                r.label,
                r.absent.short_name,
                r.substitute.short_name if r.substitute else _("урок отменён"),
                r.reason,
            ]
        )
    sheet.blank()
    sheet.header([_("Учитель"), _("Заменяли (часов)"), _("Отменено (часов)"), _("Заменял(а) (часов)")])
    for h in report.teachers:
        sheet.row([h.teacher.full_name, h.replaced, h.cancelled, h.given])
    return book.save()
