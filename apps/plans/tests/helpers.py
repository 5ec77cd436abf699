"""Files and lessons the plan tests share."""

import csv
import datetime as dt
import io

from tests import factories as f

HEADER = ["№", "Раздел", "Тема", "Часы", "Дата"]


def xlsx(rows, header=HEADER, title=None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows, header=HEADER, delimiter=";", encoding="cp1251", bom=False) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)  # as Excel writes it: quotes where needed
    writer.writerow(header)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def school_days(start: dt.date, n: int) -> list[dt.date]:
    days, day = [], start
    while len(days) < n:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def lessons(journal, start: dt.date, n: int, number=1):
    return [f.make_lesson(journal, day, number) for day in school_days(start, n)]
