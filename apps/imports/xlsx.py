"""The downloadable templates: one XLSX per kind with its header row, example rows and a sheet
of explanations, written through the product's one XLSX writer (apps.ops.xlsx). A renderer is a
function returning bytes."""

from __future__ import annotations

from django.utils.translation import gettext as _

from apps.ops import xlsx

from .kinds import EXAMPLES, columns, label


def template_name(kind: str) -> str:
    return f"obrazec-{kind}.xlsx"


def template_xlsx(kind: str) -> bytes:
    cols = columns(kind)
    book = xlsx.Book()
    sheet = book.sheet(label(kind), widths=[max(14, len(str(col.label)) + 4) for col in cols])
    sheet.header(
        [f"{col.label}*" if col.required else str(col.label) for col in cols],
        fills=[xlsx.HIGHLIGHT if col.required else None for col in cols],
    )
    for example in EXAMPLES[kind]:
        sheet.row(list(example))

    notes = book.sheet(_("Пояснения"), widths=(28, 14, 90))
    notes.header([_("Столбец"), _("Обязательный"), _("Что писать")])
    for col in cols:
        notes.row([str(col.label), _("да") if col.required else _("нет"), str(col.hint)])
    notes.blank()
    for line in (
        _("Первая строка — названия столбцов (порядок любой, регистр не важен); дальше — по строке на запись."),
        _("Строки-примеры замените своими. Ошибки будут показаны с номером строки, как в этой таблице."),
        _("Можно сохранить как CSV (UTF-8 или Windows-1251, разделитель «;» или «,»)."),
    ):
        notes.note(line)
    return book.save()


def rows_xlsx(rows) -> bytes:
    """A plain one-sheet XLSX of these rows, the first of them the header (dates as dates), e.g.
    for the demo."""
    return xlsx.rows_book(rows)
