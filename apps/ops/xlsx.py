"""The product's one XLSX writer: every spreadsheet the journal hands out is built here.

A renderer builds a `Book`, adds sheets and rows, and returns `book.save()` (bytes). What the
writer guarantees, whatever the caller passes:

- **No text becomes a formula.** openpyxl stores a str starting with «=» as a formula (a topic
  `=HYPERLINK("http://…")` would be a live link, `=WEBSERVICE(…)` a request). Every string is
  written as a string cell in a text-formatted cell («@», so editing it in Excel keeps it text);
  one starting with a character a spreadsheet program reads as a formula or a DDE call
  (= + - @, tab, CR) also gets Excel's own «'» marker (quotePrefix). The text itself is never
  changed: it reads back exactly as typed. Only what XML cannot hold differs: its control
  characters are dropped (openpyxl would refuse the whole file), and a line break is written as
  LF (an XML reader turns CR and CRLF into LF anyway).
- **Typed cells.** int, float and Decimal are numbers; a date is a date (ДД.ММ.ГГГГ), a datetime
  the school's local time (ДД.ММ.ГГГГ ЧЧ:ММ); None an empty cell; anything else its str().
- **Headers**: bold, wrapped, and the first header of a sheet is frozen (the rows above it and,
  if asked, the first columns stay in view).
- **Column widths**: given by the caller, or from the longest value of the table rows
  (titles and notes above a table do not count), between 6 and 60 characters.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Leading characters Excel, LibreOffice or Google Sheets take for a formula or a DDE call.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
DATE_FORMAT = "DD.MM.YYYY"
DATETIME_FORMAT = "DD.MM.YYYY HH:MM"
TEXT_FORMAT = "@"
HIGHLIGHT = "FFF2CC"  # light yellow: a required column
WARNING = "FDE2E1"  # light red: a row that needs attention
MIN_WIDTH, MAX_WIDTH = 6, 60

BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
_THIN = Side(style="thin")
BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
# Excel refuses these in a sheet's name, and names longer than 31 characters.
_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def text(value) -> str:
    """A value as the text a string cell holds: str(), without the characters XML cannot carry."""
    return ILLEGAL_CHARACTERS_RE.sub("", str(value)).replace("\r\n", "\n").replace("\r", "\n")


def put(sheet, row: int, column: int, value):
    """Write one cell through the guard (see the module's docstring) and return it."""
    cell = sheet.cell(row=row, column=column)
    if value is None or value == "":
        return cell
    if isinstance(value, bool):
        cell.value = value
    elif isinstance(value, int | float | Decimal):
        cell.value = value
    elif isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.make_naive(value)  # Excel has no time zones: the school's wall clock
        cell.value = value
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, dt.date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    else:
        string = text(value)
        cell.value = string
        cell.data_type = "s"  # the setter has typed a leading «=» as a formula: it is text
        cell.number_format = TEXT_FORMAT
        if string.startswith(FORMULA_START):
            cell.quotePrefix = True
    return cell


class Sheet:
    """One worksheet, filled from the top: notes (titles), headers and table rows."""

    def __init__(self, worksheet, *, widths: Sequence[float] | None = None, boxed: bool = False):
        self.ws = worksheet
        self.widths = list(widths) if widths else None
        self.boxed = boxed
        self.row_count = 0
        self._frozen = False
        self._longest: dict[int, int] = {}

    def _line(self, values: Iterable, *, font=None, fill=None, fills=None, align=None, measure=True) -> int:
        self.row_count += 1
        r = self.row_count
        fills = list(fills) if fills is not None else None
        for c, value in enumerate(values, start=1):
            cell = put(self.ws, r, c, value)
            if font is not None:
                cell.font = font
            colour = fills[c - 1] if fills is not None and c <= len(fills) else fill
            if colour:
                cell.fill = PatternFill("solid", fgColor=colour)
            if align is not None:
                cell.alignment = align
            if self.boxed:
                cell.border = BOX
            if measure and value is not None:
                shown = f"{value:%d.%m.%Y}" if isinstance(value, dt.date) else text(value)
                longest = max((len(part) for part in shown.splitlines()), default=0)
                self._longest[c] = max(self._longest.get(c, 0), longest)
        return r

    def note(self, *values, bold: bool = False) -> int:
        """A line above or below the tables (a title, a period, an explanation): not measured
        for the column widths."""
        return self._line(values, font=BOLD if bold else None, measure=False)

    def blank(self) -> int:
        self.row_count += 1
        return self.row_count

    def header(self, values: Sequence, *, fills: Sequence[str | None] | None = None, freeze_columns: int = 0) -> int:
        """A table's header row, bold and wrapped; the first one of the sheet stays in view
        (with `freeze_columns` columns at the left)."""
        r = self._line(values, font=BOLD, fills=fills, align=WRAP)
        if not self._frozen:
            self.ws.freeze_panes = f"{get_column_letter(freeze_columns + 1)}{r + 1}"
            self._frozen = True
        return r

    def row(self, values: Sequence, *, bold: bool = False, fill: str | None = None) -> int:
        """A table row: each value a typed cell (numbers, dates, text that stays text)."""
        return self._line(values, font=BOLD if bold else None, fill=fill)

    def _set_widths(self) -> None:
        if self.widths:
            sizes = dict(enumerate(self.widths, start=1))
        else:
            sizes = {c: min(max(n + 2, MIN_WIDTH), MAX_WIDTH) for c, n in self._longest.items()}
        for c, width in sizes.items():
            self.ws.column_dimensions[get_column_letter(c)].width = width


class Book:
    """A workbook of sheets; `save()` gives the file's bytes."""

    def __init__(self):
        self.wb = Workbook()
        self._sheets: list[Sheet] = []

    def sheet(self, title, *, widths: Sequence[float] | None = None, boxed: bool = False) -> Sheet:
        worksheet = self.wb.active if not self._sheets else self.wb.create_sheet()
        worksheet.title = sheet_title(title)
        sheet = Sheet(worksheet, widths=widths, boxed=boxed)
        self._sheets.append(sheet)
        return sheet

    def save(self) -> bytes:
        for sheet in self._sheets:
            sheet._set_widths()
        out = io.BytesIO()
        self.wb.save(out)
        return out.getvalue()


def sheet_title(title) -> str:
    """A sheet's name as Excel accepts it: without []:*?/\\, at most 31 characters."""
    cleaned = _TITLE_FORBIDDEN.sub(" ", text(title)).strip()[:31].strip()
    return cleaned or _("Лист")


def rows_book(rows: Iterable[Sequence], *, title="") -> bytes:
    """A plain one-sheet workbook of these rows, the first of them the header."""
    book = Book()
    sheet = book.sheet(title)
    rows = iter(rows)
    first = next(rows, None)
    if first is not None:
        sheet.header(first)
    for values in rows:
        sheet.row(values)
    return book.save()


def response(content: bytes, filename: str) -> HttpResponse:
    """The file as a download."""
    reply = HttpResponse(content, content_type=CONTENT_TYPE)
    reply["Content-Disposition"] = content_disposition_header(True, filename)
    return reply
