"""Files for the import tests: XLSX made with openpyxl, CSV in a chosen encoding and delimiter."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from apps.imports import services

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows, *, encoding="cp1251", delimiter=";", bom=False) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def upload(content: bytes, name: str = "roster.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX_TYPE if name.endswith(".xlsx") else "text/csv")


def check(world, kind, rows=None, *, content=None, name="roster.xlsx"):
    """The batch of a file checked by the journal administrator."""
    return services.batch_upload(
        school=world.school,
        kind=kind,
        file_name=name,
        content=content if content is not None else xlsx(rows),
        uploaded_by=world.admin,
    )


def load(world, kind, rows=None, *, valid_only=False, **kw):
    batch = check(world, kind, rows, **kw)
    return services.batch_confirm(batch=batch, decided_by=world.admin, valid_only=valid_only)


def actions(batch) -> dict[int, str]:
    return {r["row"]: r["action"] for r in batch.rows}


def error_texts(batch) -> list[str]:
    return [e["text"] for r in batch.rows for e in r["errors"]]
