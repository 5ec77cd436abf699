"""Reading a plan from a spreadsheet (JRN-2): XLSX, or CSV in UTF-8 (with or without BOM) or
Windows-1251 with «;» or «,» between the columns.

Columns (the header row is found by its names, in any case, in any order): № / Раздел / Тема /
Часы / Дата (№, Раздел, Дата and Примечание optional). Each row is checked by the plan's own
rules (apps.plans.services.clean_row); a bad row is reported with its row number in the file, as
the spreadsheet shows it. Nothing here writes: the preview carries the rows to the confirmation
in a signed token, and services.plan_import writes them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.core import signing
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .services import PlanError, clean_row

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 1000
HEADER_SEARCH_ROWS = 10  # a title or the school's name may stand above the header
TOKEN_MAX_AGE = 3 * 60 * 60  # a preview left open for three hours must be uploaded again

# Column → the header names it is known by (lowercase, without trailing dots or colons).
# The English names too: a template downloaded in the English interface must load back.
COLUMNS = {
    "number": ("№", "№ п/п", "n", "номер", "номер урока", "№ урока", "no.", "no", "number"),
    "section": ("раздел", "раздел программы", "модуль", "тема раздела", "section"),
    "topic": ("тема", "тема урока", "тема занятия", "темы уроков", "topic"),
    "hours": ("часы", "часов", "кол-во часов", "количество часов", "час", "hours"),
    "date": ("дата", "дата по плану", "планируемая дата", "дата проведения", "дата урока", "date"),
    "note": ("примечание", "примечания", "комментарий", "note"),
}
REQUIRED = ("topic", "hours")
TEMPLATE_HEADER = (
    gettext_lazy("№"),
    gettext_lazy("Раздел"),
    gettext_lazy("Тема"),
    gettext_lazy("Часы"),
    gettext_lazy("Дата"),
    gettext_lazy("Примечание"),
)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class ParsedRow:
    line: int  # the row's number in the file (the spreadsheet's row number)
    shown: dict  # what the file says, as text, for the preview
    values: dict | None = None  # the checked row (services.RowValues.as_dict()) when valid
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def messages(self) -> list[str]:
        return [_("Строка %(n)d: %(error)s") % {"n": self.line, "error": e} for e in self.errors]


@dataclass
class ParsedFile:
    name: str
    rows: list[ParsedRow] = field(default_factory=list)
    error: str = ""  # the whole file refused (unreadable, no header, too big)

    @property
    def valid(self) -> list[ParsedRow]:
        return [r for r in self.rows if r.ok]

    @property
    def bad(self) -> list[ParsedRow]:
        return [r for r in self.rows if not r.ok]


def _norm_header(value) -> str:
    text = " ".join(str(value if value is not None else "").split()).lower().rstrip(".:")
    return text.replace("ё", "е")


_KNOWN = {name.replace("ё", "е"): column for column, names in COLUMNS.items() for name in names}


def _header_map(cells) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        column = _KNOWN.get(_norm_header(cell))
        if column and column not in found:
            found[column] = index
    return found


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return date_format(value, "d.m.Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def _read_rows(name: str, data: bytes) -> list[tuple[int, tuple]]:
    """[(row number, cells)] of the file's first sheet; raises PlanError if it cannot be read."""
    lower = name.lower()
    if data[:4] == b"\xd0\xcf\x11\xe0" or lower.endswith(".xls"):
        raise PlanError(_("Старый формат XLS не поддерживается: сохраните файл как XLSX или CSV."))
    if data[:4] == b"PK\x03\x04" or lower.endswith(".xlsx"):
        return _read_xlsx(data)
    return _read_csv(data)


def _read_xlsx(data: bytes) -> list[tuple[int, tuple]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file
        raise PlanError(
            _("Файл не читается как таблица XLSX. Сохраните его в Excel или LibreOffice как XLSX.")
        ) from None
    try:
        sheet = book.worksheets[0]
        rows = []
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            rows.append((number, tuple(cells)))
            if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS + 50:
                break
        return rows
    finally:
        book.close()


def decode_text(data: bytes) -> str:
    """UTF-8 with a BOM, UTF-8, or else Windows-1251 (what Excel writes for «CSV» in Russia)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1251", errors="replace")


def _read_csv(data: bytes) -> list[tuple[int, tuple]]:
    text = decode_text(data)
    if "\x00" in text:
        raise PlanError(_("Файл не читается как CSV или XLSX."))
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        # A quoted cell may span lines: the row number is the line it starts on.
        rows = []
        line = 1
        for cells in reader:
            rows.append((line, tuple(cells)))
            line = reader.line_num + 1
            if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS + 50:
                break
        return rows
    except csv.Error:
        raise PlanError(_("Файл не читается как CSV: проверьте кавычки в строке %(n)d.") % {"n": line}) from None


def too_big(name: str) -> ParsedFile:
    return ParsedFile(
        name=name,
        error=_("Файл больше %(mb)d МБ: в плане столько строк не бывает.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)},
    )


def read_plan_file(*, name: str, data: bytes, year) -> ParsedFile:
    """Read and check every row of a plan file; writes nothing."""
    if len(data) > MAX_FILE_BYTES:
        return too_big(name)
    result = ParsedFile(name=name)
    if not data.strip():
        result.error = _("Файл пустой.")
        return result
    try:
        rows = _read_rows(name, data)
    except PlanError as exc:
        result.error = " ".join(exc.messages)
        return result
    header = None
    for number, cells in rows[:HEADER_SEARCH_ROWS]:
        found = _header_map(cells)
        if all(c in found for c in REQUIRED):
            header = (number, found)
            break
    if header is None:
        result.error = _(
            "Не найдена строка заголовков: нужны столбцы «Тема» и «Часы» (и, если есть, «№», «Раздел», «Дата»). "
            "Скачайте шаблон и сверьте заголовки."
        )
        return result
    header_line, columns = header
    section = ""
    for number, cells in rows:
        if number <= header_line:
            continue

        def cell(column, cells=cells):
            index = columns.get(column)
            return cells[index] if index is not None and index < len(cells) else None

        raw = {column: cell(column) for column in COLUMNS}
        shown = {column: _shown(value) for column, value in raw.items()}
        if not any(shown[c] for c in ("section", "topic", "hours", "date", "note")):
            continue  # an empty row (or only its number)
        if len(result.rows) >= MAX_ROWS:
            result.error = _("В файле больше %(n)d строк: загрузите план частями.") % {"n": MAX_ROWS}
            result.rows = []
            return result
        # A section written once (often a merged cell) holds for the rows below it.
        if shown["section"]:
            section = shown["section"]
        else:
            shown["section"] = section
        row = ParsedRow(line=number, shown=shown)
        try:
            values = clean_row(
                year=year,
                section=section,
                topic=raw["topic"],
                hours=raw["hours"],
                planned_date=raw["date"],
                note=raw["note"],
            )
            row.values = {**values.as_dict(), "line": number}
        except PlanError as exc:
            row.errors = list(exc.messages)
        result.rows.append(row)
    if not result.rows:
        result.error = _("Под заголовком нет ни одной строки плана.")
    return result


# ---------------------------------------------------------------------------------------------
# The preview's rows carried to the confirmation


def _salt(journal) -> str:
    return f"plans.import.{journal.school_id}.{journal.pk}"


def preview_token(journal, parsed: ParsedFile) -> str:
    return signing.dumps(
        {"name": parsed.name[:200], "rows": [r.values for r in parsed.valid], "bad": len(parsed.bad)},
        salt=_salt(journal),
        compress=True,
    )


def preview_load(journal, token: str) -> dict:
    """The preview's rows; PlanError if the token is forged, of another journal or too old."""
    try:
        return signing.loads(token or "", salt=_salt(journal), max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise PlanError(_("Предпросмотр устарел: загрузите файл ещё раз.")) from None
    except signing.BadSignature:
        raise PlanError(_("Предпросмотр не найден: загрузите файл ещё раз.")) from None
