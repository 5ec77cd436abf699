"""Reading an uploaded roster: XLSX (openpyxl) or CSV (UTF-8 with or without BOM, or
Windows-1251; «;», «,» or tab as the delimiter, whichever the header line uses).

The result is a plain table of strings with the row numbers a person sees in the spreadsheet
(the header is the first non-empty row; empty rows are skipped but keep their numbers).
Anything that makes the whole file unreadable raises `ValidationError` with a Russian message.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000

XLSX_SIGNATURE = b"PK\x03\x04"
XLS_SIGNATURE = b"\xd0\xcf\x11\xe0"


@dataclass
class Table:
    header_row: int
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (row number, cells)
    encoding: str = ""  # for CSV: the encoding it was read in
    delimiter: str = ""


def cell_text(value) -> str:
    """A cell as the person sees it: dates as ДД.ММ.ГГГГ, 5.0 as «5», 79001234567.0 as digits."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.strftime("%d.%m.%Y")
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, bool):
        return _("да") if value else _("нет")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).replace("\xa0", " ").split())


def _table(records) -> Table:
    """The first non-empty record is the header; the rest are data rows, empty ones dropped."""
    header_row, header, rows = 0, [], []
    for number, record in records:
        cells = [cell_text(v) for v in record]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        if not header_row:
            header_row, header = number, cells
            continue
        rows.append((number, cells))
        if len(rows) > MAX_ROWS:
            raise ValidationError(
                _("В файле больше %(max)s строк: разделите его на несколько файлов.") % {"max": MAX_ROWS}
            )
    if not header_row:
        raise ValidationError(_("Файл пуст: в нём нет ни строки заголовков, ни данных."))
    return Table(header_row=header_row, header=header, rows=rows)


def read_xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ValidationError(_("Не удалось прочитать файл XLSX: он повреждён или это не таблица Excel.")) from exc
    try:
        sheet = book.worksheets[0]
        return _table(enumerate(sheet.iter_rows(values_only=True), start=1))
    finally:
        book.close()


def decode(content: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (a BOM is dropped), UTF-16 with a BOM, else Windows-1251."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="strict"), "UTF-8"
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16"), "UTF-16"
    try:
        return content.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1251"), "Windows-1251"
    except UnicodeDecodeError as exc:
        raise ValidationError(
            _("Не удалось прочитать текст файла: сохраните CSV в кодировке UTF-8 или Windows-1251.")
        ) from exc


def sniff_delimiter(text: str) -> str:
    """The delimiter the header line uses most: «;» (Excel in Russian), «,» or a tab."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(content: bytes) -> Table:
    try:
        text, encoding = decode(content)
    except UnicodeDecodeError as exc:
        raise ValidationError(_("Не удалось прочитать текст файла: он повреждён.")) from exc
    if "\x00" in text:
        raise ValidationError(_("Это не текстовый файл CSV: загрузите таблицу XLSX или CSV."))
    # Excel may start a CSV with a «sep=;» line naming the delimiter; it does not show it as a row.
    first, _newline, rest = text.partition("\n")
    if first.strip().lower().startswith("sep=") and len(first.strip()) == 5:
        delimiter, text = first.strip()[4], rest
    else:
        delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        table = _table(enumerate(reader, start=1))
    except csv.Error as exc:
        raise ValidationError(_("Файл CSV повреждён: %(error)s") % {"error": exc}) from exc
    table.encoding, table.delimiter = encoding, delimiter
    return table


def read_table(*, content: bytes, file_name: str) -> Table:
    """The table of an uploaded file, told by its content (the name only for the message)."""
    if len(content) > MAX_BYTES:
        raise ValidationError(
            _("Файл больше %(mb)s МБ: разделите его на несколько файлов.") % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    if not content.strip():
        raise ValidationError(_("Файл пуст."))
    if content.startswith(XLSX_SIGNATURE):
        return read_xlsx(content)
    if content.startswith(XLS_SIGNATURE) or file_name.lower().endswith(".xls"):
        raise ValidationError(
            _("Файлы .xls (Excel 97–2003) не поддерживаются: сохраните таблицу как .xlsx или CSV и загрузите снова.")
        )
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        raise ValidationError(_("Не удалось прочитать файл XLSX: он повреждён или это не таблица Excel."))
    return read_csv(content)
