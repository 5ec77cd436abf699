"""The workload report as a spreadsheet, through the product's one XLSX writer (apps.ops.xlsx):
the teachers' hours and the check against the curriculum. A renderer is a function returning
bytes."""

from __future__ import annotations

from django.utils.translation import gettext as _

from apps.ops import xlsx

from . import selectors


def workload_workbook(data: selectors.Workload, *, school) -> bytes:
    """One sheet of hours (each teacher's lines and total, the school's total), one of the check."""
    book = xlsx.Book()
    sheet = book.sheet(_("Нагрузка"), widths=(34, 18, 34, 30, 16))
    title = _("Нагрузка учителей, %(year)s учебный год — %(school)s") % {"year": data.year, "school": school}
    sheet.note(title, bold=True)
    sheet.blank()
    sheet.header([_("Учитель"), _("Должность"), _("Предмет"), _("Класс, группа"), _("Часов в неделю")])
    for load in data.teachers:
        for item in load.items:
            label = item.label + (" " + _("(безотметочное обучение)") if item.first_grade else "")
            sheet.row([load.teacher.full_name, load.teacher.position, item.subject.name, label, item.hours])
        sheet.row([load.teacher.full_name, "", _("Итого"), "", load.total], bold=True)
    sheet.row([_("Всего по школе"), "", "", "", sum((t.total for t in data.teachers), 0)], bold=True)
    check = book.sheet(_("Проверка"), widths=(100,))
    check.note(_("Проверка нагрузки по учебному плану"), bold=True)
    for issue in data.issues or [_("Расхождений нет: у каждой строки плана есть учитель, часы совпадают.")]:
        check.note(issue)
    return book.save()
