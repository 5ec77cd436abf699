"""Fast inserts for the demo's big tables (lessons, marks, attendance, change log).

`bulk_create` spends most of its time preparing every field of every model instance; for a
quarter of a million rows that alone is over a minute on SQLite. Here the columns come from the
model's own metadata and each value is prepared by the field itself (`get_db_prep_save`), once
per distinct date, time and decimal, then the rows go to the database with `executemany`.
Primary keys are given up front, so the change log can name each row without reading it back.
"""

from __future__ import annotations

from operator import attrgetter

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max

CHUNK = 5000


def next_id(model) -> int:
    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def _adapter(field):
    if isinstance(field, (models.DateField, models.DecimalField)):  # DateTimeField is a DateField
        cache: dict = {}

        def adapt(value):
            try:
                return cache[value]
            except KeyError:
                cache[value] = prepared = field.get_db_prep_save(value, connection)
                return prepared

        return adapt
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


def insert_rows(model, rows, fields: list[str]) -> None:
    """INSERT `rows` (objects with the fields' attributes: `journal_id`, not `journal`)."""
    if not rows:
        return
    opts = model._meta
    qn = connection.ops.quote_name
    model_fields = [opts.get_field(name) for name in fields]
    adapters = [_adapter(f) for f in model_fields]
    get = attrgetter(*[f.attname for f in model_fields])
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        qn(opts.db_table), ", ".join(qn(f.column) for f in model_fields), ", ".join(["%s"] * len(model_fields))
    )
    params = []
    with connection.cursor() as cursor:
        for row in rows:
            params.append(tuple(a(v) if a else v for a, v in zip(adapters, get(row), strict=True)))
            if len(params) >= CHUNK:
                cursor.executemany(sql, params)
                params = []
        if params:
            cursor.executemany(sql, params)


def reset_sequences(*model_list) -> None:
    """After inserting explicit ids: move PostgreSQL's sequences past them (SQLite's
    AUTOINCREMENT follows by itself)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_list))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
