"""Reading roster files: XLSX and CSV in the encodings and delimiters Russian offices use, with the
row numbers a person sees in the spreadsheet (ORG-3, ORG-6)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from apps.imports.planning import parse_table
from apps.imports.readers import read_table

from .helpers import csv_bytes, xlsx

HEADER = ["Фамилия", "Имя", "Отчество", "Дата рождения", "Класс"]
ROW = ["Ёлкина", "Дарья", "Игоревна", "01.02.2015", "5А"]


@pytest.mark.parametrize(
    ("content", "encoding", "delimiter"),
    [
        (csv_bytes([HEADER, ROW], encoding="cp1251", delimiter=";"), "Windows-1251", ";"),
        (csv_bytes([HEADER, ROW], encoding="utf-8", delimiter=","), "UTF-8", ","),
        (csv_bytes([HEADER, ROW], encoding="utf-8", delimiter=";", bom=True), "UTF-8", ";"),
        (csv_bytes([HEADER, ROW], encoding="utf-16", delimiter="\t"), "UTF-16", "\t"),
    ],
    ids=["cp1251-semicolon", "utf8-comma", "utf8-bom-semicolon", "utf16-tab"],
)
def test_csv_encodings_and_delimiters(content, encoding, delimiter):
    """ORG-3: a CSV saved by Excel in Russian (Windows-1251, «;»), in UTF-8 with or without a BOM
    («,» or «;») reads to the same cells; the header is not taken for data."""
    table = read_table(content=content, file_name="list.csv")
    assert (table.encoding, table.delimiter) == (encoding, delimiter)
    assert table.header == HEADER
    assert table.rows == [(2, ROW)]


def test_xlsx_cells_read_as_a_person_sees_them():
    """ORG-3: a date cell reads as ДД.ММ.ГГГГ, a number cell without «.0», text as typed; empty
    rows are skipped but the row numbers stay those of the spreadsheet."""
    content = xlsx(
        [
            HEADER,
            ["Иванов", "Пётр", None, dt.datetime(2015, 4, 12), "5А"],
            [None, None, None, None, None],
            ["Смирнова", "Ольга", "", "03.11.2015", 5.0],
        ]
    )
    table = read_table(content=content, file_name="list.xlsx")
    assert table.header_row == 1
    assert table.rows == [
        (2, ["Иванов", "Пётр", "", "12.04.2015", "5А"]),
        (4, ["Смирнова", "Ольга", "", "03.11.2015", "5"]),
    ]


def test_headers_any_case_any_order_with_remarks():
    """ORG-3: headers are matched case-insensitively, «ё» or «е», with a «*» or a remark in
    parentheses, in any order; an unknown column is reported, not loaded."""
    content = csv_bytes(
        [
            ["КЛАСС", "дата рождения (ДД.ММ.ГГГГ)", "имя*", "Фамилия", "Примечание"],
            ["5А", "01.02.2015", "Дарья", "Ёлкина", "x"],
        ],
        encoding="utf-8",
    )
    rows, notices = parse_table("students", read_table(content=content, file_name="a.csv"))
    assert rows == [
        (2, {"school_class": "5А", "birth_date": "01.02.2015", "first_name": "Дарья", "last_name": "Ёлкина"})
    ]
    assert "Столбец «Примечание» не распознан и не загружается." in notices


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\xd0\xcf\x11\xe0" + b"\0" * 100, "old.xls", "Файлы .xls (Excel 97–2003) не поддерживаются"),
        (b"PK\x03\x04broken", "bad.xlsx", "Не удалось прочитать файл XLSX"),
        (b"   \n", "empty.csv", "Файл пуст"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(content, name, message):
    """ORG-3: a file that cannot be read is refused with a Russian reason."""
    with pytest.raises(ValidationError) as exc:
        read_table(content=content, file_name=name)
    assert message in exc.value.messages[0]


def test_missing_required_columns_are_named():
    """ORG-3: a file without a required column is refused and the columns are named."""
    content = csv_bytes([["Фамилия", "Имя"], ["Ёлкина", "Дарья"]], encoding="utf-8")
    with pytest.raises(ValidationError) as exc:
        parse_table("students", read_table(content=content, file_name="a.csv"))
    assert "нет столбцов: «Дата рождения», «Класс»" in exc.value.messages[0]


def test_excel_sep_line_names_the_delimiter():
    """ORG-3: a CSV that Excel starts with «sep=;» is read with that delimiter, the line not
    counted as a row."""
    content = b"sep=;\r\n" + csv_bytes([HEADER, ROW], encoding="cp1251", delimiter=";")
    table = read_table(content=content, file_name="list.csv")
    assert (table.delimiter, table.header, table.rows) == (";", HEADER, [(2, ROW)])
