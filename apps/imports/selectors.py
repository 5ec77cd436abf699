"""Reads of roster imports: the school's history of batches and one batch of the school."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from .cleaning import CellError, class_label
from .kinds import Kind, columns
from .models import ImportBatch

HISTORY_PAGE = 50


def batches(*, school) -> QuerySet[ImportBatch]:
    """The school's batches, newest first (their rows not loaded: the history shows counts)."""
    return (
        ImportBatch.objects.filter(school=school)
        .select_related("uploaded_by", "decided_by")
        .defer("rows")
        .order_by("-created_at", "-pk")
    )


def history(*, school, page: str | int | None = 1) -> Page:
    """One page of the history (each batch's counts are in its `result`)."""
    return Paginator(batches(school=school), HISTORY_PAGE).get_page(page)


def batch_get(*, school, pk) -> ImportBatch:
    """A batch of this school (DoesNotExist for another school's: the view answers 404)."""
    return ImportBatch.objects.select_related("uploaded_by", "decided_by", "year").get(school=school, pk=pk)


@dataclass
class PreviewRow:
    row: int
    action: str
    values: list[str]  # the cells in the order of the kind's columns
    errors: list[dict]
    note: str


def preview_rows(*, batch: ImportBatch) -> list[PreviewRow]:
    cols = columns(batch.kind)
    return [
        PreviewRow(r["row"], r["action"], [r["cells"].get(c.key, "") for c in cols], r["errors"], r["note"])
        for r in batch.rows
    ]


def loaded_class_keys(*, batch: ImportBatch) -> set[tuple[int, str]]:
    """(grade, letter) of the classes a loaded students' or classes' batch wrote to."""
    if batch.status != ImportBatch.Status.DONE or batch.kind not in (Kind.STUDENTS, Kind.CLASSES):
        return set()
    keys = set()
    for row in batch.rows:
        if row["action"] == ImportBatch.Action.ERROR:
            continue
        cells = row["cells"]
        try:
            if batch.kind == Kind.STUDENTS:
                keys.add(class_label(cells.get("school_class", "")))
            else:
                keys.add((int(cells["grade"]), class_label(f"{cells['grade']}{cells['letter']}")[1]))
        except (CellError, KeyError, ValueError):
            continue
    return keys
