"""The product's one XLSX writer (apps.ops.xlsx): typed cells, text that never becomes a formula,
a frozen header, column widths."""

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from apps.ops import xlsx

HOSTILE = ['=HYPERLINK("http://evil","x")', "+1+1", "@SUM(A1)", "-2+3", "\tTab", "=1", "\n=1+1"]


def formulas(content: bytes) -> list[str]:
    """The <f> elements of every sheet of the file, as the spreadsheet program would read them."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [
            m
            for name in archive.namelist()
            if name.startswith("xl/worksheets/")
            for m in re.findall(r"<f[ >].*?</f>|<f/>", archive.read(name).decode())
        ]


def one_sheet(*rows, widths=None):
    book = xlsx.Book()
    sheet = book.sheet("Лист", widths=widths)
    sheet.header(["Текст", "Число"])
    for values in rows:
        sheet.row(values)
    return load_workbook(io.BytesIO(book.save()))["Лист"], book


@pytest.mark.parametrize("value", HOSTILE)
def test_text_that_looks_like_a_formula_stays_the_same_text(value):
    """A string starting with = + - @, a tab or a line break is a string cell holding exactly that
    text, marked as text for Excel (quotePrefix), and the file has no formula."""
    book = xlsx.Book()
    sheet = book.sheet("Лист")
    sheet.header(["Тема"])
    sheet.row([value])
    content = book.save()
    cell = load_workbook(io.BytesIO(content))["Лист"]["A2"]
    assert (cell.value, cell.data_type) == (value, "s")
    assert cell.quotePrefix and cell.number_format == "@"
    assert formulas(content) == []


def test_cells_are_typed():
    """Numbers are numbers, a date a date (ДД.ММ.ГГГГ), an aware moment the school's wall clock,
    None an empty cell, a lazy translation and any other object their text."""
    moment = dt.datetime(2026, 11, 20, 9, 5, tzinfo=dt.UTC)
    ws, _book = one_sheet(
        [1, 2.5, Decimal("1.5"), dt.date(2026, 11, 20), moment, None, gettext_lazy("Итого"), True, "5А"]
    )
    values = [c.value for c in ws[2]]
    assert values[:4] == [1, 2.5, 1.5, dt.datetime(2026, 11, 20)]
    assert [ws.cell(2, c).data_type for c in (1, 2, 3)] == ["n", "n", "n"]
    assert ws["D2"].is_date and ws["D2"].number_format == "DD.MM.YYYY"
    local = moment.astimezone(ZoneInfo("Europe/Moscow")).replace(tzinfo=None)
    assert ws["E2"].value == local and ws["E2"].number_format == "DD.MM.YYYY HH:MM"
    assert ws["F2"].value is None
    assert (ws["G2"].value, ws["G2"].data_type) == ("Итого", "s")
    assert ws["H2"].value is True
    assert (ws["I2"].value, ws["I2"].data_type, ws["I2"].quotePrefix) == ("5А", "s", False)


def test_characters_xml_cannot_hold_are_dropped_not_the_file():
    """A vertical tab pasted from a word processor would make openpyxl refuse the whole file: it
    is dropped, the rest of the text is kept; a typed line break (CRLF from a browser, or a CR)
    is one line break, a CR at the start marked as text too."""
    ws, _book = one_sheet(["Дроби\x0bи проценты\x00"], ["стр. 5\r\nупр. 3\rупр. 4"], ["\r=1+1"])
    assert ws["A2"].value == "Дробии проценты"
    assert ws["A3"].value == "стр. 5\nупр. 3\nупр. 4"
    assert (ws["A4"].value, ws["A4"].data_type, ws["A4"].quotePrefix) == ("\n=1+1", "s", True)


def test_the_first_header_is_frozen_with_the_lines_above_it():
    book = xlsx.Book()
    sheet = book.sheet("Отчёт")
    sheet.note("Школа № 1", bold=True)
    sheet.note("с 01.11.2026 по 30.11.2026")
    sheet.blank()
    sheet.header(["Класс", "Учащихся"], freeze_columns=1)
    sheet.row(["5А", 25])
    sheet.blank()
    sheet.header(["Учитель", "Часов"])  # a second table below: the first header stays frozen
    ws = load_workbook(io.BytesIO(book.save()))["Отчёт"]
    assert ws.freeze_panes == "B5"
    assert ws["A4"].font.b and ws["A4"].value == "Класс"
    assert ws["A1"].font.b and not ws["A5"].font.b


def test_widths_as_given_or_from_the_table_rows():
    """Given widths are kept; without them a column is as wide as its longest table value (a
    long title above the table does not widen it), within bounds."""
    ws, _book = one_sheet(["Кравец Карина Олеговна", 5], widths=(30, 8))
    assert (ws.column_dimensions["A"].width, ws.column_dimensions["B"].width) == (30, 8)

    book = xlsx.Book()
    sheet = book.sheet("Лист")
    sheet.note("Очень длинный заголовок отчёта, который не должен расширять первый столбец таблицы")
    sheet.header(["ФИО", "№"])
    sheet.row(["Кравец Карина Олеговна", 5])
    sheet.row(["x" * 200, 1])
    ws = load_workbook(io.BytesIO(book.save()))["Лист"]
    assert ws.column_dimensions["A"].width == xlsx.MAX_WIDTH
    assert ws.column_dimensions["B"].width == xlsx.MIN_WIDTH


def test_a_sheet_name_excel_accepts():
    book = xlsx.Book()
    book.sheet("5А/5Б: замены [ноябрь] — очень длинное название листа")
    (name,) = load_workbook(io.BytesIO(book.save())).sheetnames
    assert name == "5А 5Б  замены  ноябрь  — очень"


def test_the_download():
    response = xlsx.response(b"PK", "ktp-1.xlsx")
    assert response["Content-Type"] == xlsx.CONTENT_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="ktp-1.xlsx"'
