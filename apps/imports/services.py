"""Writes of roster imports: check a file into a batch (the dry run), confirm it once, cancel it.

Nothing reaches the school's lists before `batch_confirm`, and it writes either every row of the
file (only when none has an error) or, when the user chose so, exactly the rows without errors —
all in one transaction, planned again inside it so that what is written is what the preview
said. Students are enrolled through apps.people.services.student_enrol (the whole-class group
follows). Guardians are written without accounts or consents (those are given in person,
ACC-3, ACC-6).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.people.models import Guardian, GuardianLink, Staff, Student
from apps.people.services import class_group, student_enrol
from apps.registration.deadlines import school_today
from apps.schools.models import SchoolClass

from .kinds import Kind
from .models import ImportBatch, StaffEmail
from .planning import Context, RowPlan, active_year, load_context, parse_table, plan_rows
from .readers import read_table

A = ImportBatch.Action
NEEDS_YEAR = (Kind.CLASSES, Kind.STUDENTS)


def no_year_message() -> str:
    return _(
        "В школе нет текущего учебного года: классы и учащиеся загружаются в текущий год. "
        "Сначала сделайте год текущим в разделе «Учебный год»."
    )


def batch_upload(*, school, kind: str, file_name: str, content: bytes, uploaded_by) -> ImportBatch:
    """Read and check a file (nothing of the school is changed): the batch holds every row with
    what it would do, or its errors. A file that cannot be read at all raises ValidationError."""
    if kind not in Kind.values:
        raise ValidationError(_("Выберите, что загружается."))
    year = active_year(school)
    if kind in NEEDS_YEAR and year is None:
        raise ValidationError(no_year_message())
    table = read_table(content=content, file_name=file_name)
    rows, notices = parse_table(kind, table)
    if not rows:
        raise ValidationError(_("В файле нет строк с данными — только заголовки."))
    ctx = load_context(school=school, year=year, kind=kind, today=school_today(school))
    plans = plan_rows(kind, ctx, rows)
    return ImportBatch.objects.create(
        result=_counts(plans),
        school=school,
        year=year,
        kind=kind,
        file_name=file_name[-255:],
        uploaded_by=uploaded_by,
        rows=[p.as_json() for p in plans],
        notices=notices,
    )


def batch_confirm(*, batch: ImportBatch, decided_by, valid_only: bool = False) -> ImportBatch:
    """Write the batch's rows, once. Without `valid_only` a batch with any bad row is refused;
    with it, exactly the rows without errors are written. If the school's data changed since
    the preview (another import, a class renamed), the preview is remade and the user asked to
    look again: nothing is written then."""
    changed = False
    with transaction.atomic():
        # Claim the batch first: of two confirmations only one finds it still unconfirmed.
        claimed = ImportBatch.objects.filter(
            pk=batch.pk, school=batch.school, status=ImportBatch.Status.PREVIEW
        ).update(status=ImportBatch.Status.DONE)
        batch = ImportBatch.objects.select_related("decided_by").get(pk=batch.pk)
        if not claimed:
            raise ValidationError(_already_message(batch))
        year = active_year(batch.school)
        if batch.kind in NEEDS_YEAR and (year is None or year.pk != batch.year_id):
            raise ValidationError(
                no_year_message() if year is None else _("Текущий учебный год сменился: загрузите файл заново.")
            )
        ctx = load_context(school=batch.school, year=year, kind=batch.kind, today=school_today(batch.school))
        plans = plan_rows(batch.kind, ctx, [(r["row"], r["cells"]) for r in batch.rows])
        if [(p.row, p.action) for p in plans] != [(r["row"], r["action"]) for r in batch.rows]:
            ImportBatch.objects.filter(pk=batch.pk).update(
                rows=[p.as_json() for p in plans], result=_counts(plans), status=ImportBatch.Status.PREVIEW
            )
            changed = True
        else:
            errors = sum(p.action == A.ERROR for p in plans)
            if errors and not valid_only:
                raise ValidationError(
                    _(
                        "В файле есть строки с ошибками (%(n)s): исправьте файл и загрузите его снова "
                        "или выберите «Загрузить только правильные строки»."
                    )
                    % {"n": errors}
                )
            if errors == len(plans):
                raise ValidationError(_("В файле нет ни одной правильной строки: загружать нечего."))
            WRITERS[batch.kind](ctx, [p for p in plans if p.action in (A.CREATE, A.UPDATE)])
            batch.status = ImportBatch.Status.DONE
            batch.valid_only = bool(errors)
            batch.decided_at = timezone.now()
            batch.decided_by = decided_by
            batch.result = {**_counts(plans), "written": [p.row for p in plans if p.action in (A.CREATE, A.UPDATE)]}
            batch.save(update_fields=["status", "valid_only", "decided_at", "decided_by", "result"])
    if changed:
        raise ValidationError(
            _(
                "Данные школы изменились после проверки файла, и предпросмотр обновлён: посмотрите его ещё раз "
                "и подтвердите загрузку снова. Ничего не записано."
            )
        )
    return batch


def _counts(plans: list[RowPlan]) -> dict[str, int]:
    counts = dict.fromkeys(A.values, 0)
    for p in plans:
        counts[p.action] += 1
    return counts


def _already_message(batch: ImportBatch) -> str:
    if batch.status == ImportBatch.Status.CANCELLED:
        return _("Эта загрузка отменена: чтобы загрузить файл, проверьте его заново.")
    if batch.status == ImportBatch.Status.PREVIEW:
        return _("Эта загрузка ещё не подтверждена.")
    who = batch.decided_by.display_name if batch.decided_by else "—"
    when = date_format(timezone.localtime(batch.decided_at), "d.m.Y H:i") if batch.decided_at else ""
    return _("Эта загрузка уже выполнена %(when)s (%(who)s): второй раз её не подтвердить.") % {
        "when": when,
        "who": who,
    }


def batch_cancel(*, batch: ImportBatch, cancelled_by) -> ImportBatch:
    """Drop a checked file that will not be loaded. Its rows (personal data) are not kept; the
    history keeps the counts."""
    with transaction.atomic():
        cancelled = ImportBatch.objects.filter(
            pk=batch.pk, school=batch.school, status=ImportBatch.Status.PREVIEW
        ).update(status=ImportBatch.Status.CANCELLED, rows=[], decided_at=timezone.now(), decided_by=cancelled_by)
        batch = ImportBatch.objects.select_related("decided_by").get(pk=batch.pk)
        if not cancelled:
            raise ValidationError(_already_message(batch))
    return batch


# --- Writers: one per kind, given the rows that create or update ------------------------------------------


def write_classes(ctx: Context, plans: list[RowPlan]) -> None:
    for p in plans:
        teacher = p.op["teacher"]
        if p.action == A.CREATE:
            school_class = SchoolClass.objects.create(
                school=ctx.school, year=ctx.year, grade=p.op["grade"], letter=p.op["letter"], class_teacher=teacher
            )
            class_group(school_class)
        else:
            school_class = p.op["class"]
            school_class.class_teacher = teacher
            school_class.save(update_fields=["class_teacher"])


def write_students(ctx: Context, plans: list[RowPlan]) -> None:
    for p in plans:
        student = p.op.get("student")
        if student is None:
            student = Student.objects.create(school=ctx.school, user=None, **p.op["fields"])
        student_enrol(
            student=student,
            school_class=p.op["school_class"],
            starts=p.op["starts"],
            order_number=p.op["order_number"],
        )


def write_guardians(ctx: Context, plans: list[RowPlan]) -> None:
    existing = {g.pk: g for g in ctx.guardians}
    made: dict[int, Guardian] = {}  # the row that introduced a new guardian → him
    for p in plans:
        op = p.op
        where, ref = op["target"]
        if where == "old":
            guardian = existing[ref]
        elif ref in made:
            guardian = made[ref]
        else:
            guardian = made[ref] = Guardian.objects.create(
                school=ctx.school, user=None, phone=op["phone"], email=op["email"], **op["fields"]
            )
        changed = []
        for attr in ("phone", "email"):
            if op[attr] and getattr(guardian, attr) != op[attr]:
                setattr(guardian, attr, op[attr])
                changed.append(attr)
        if changed:
            guardian.save(update_fields=changed)
        link, created = GuardianLink.objects.get_or_create(
            guardian=guardian,
            student=op["child"],
            defaults={"school": ctx.school, "relation": op["relation"] or GuardianLink.Relation.OTHER},
        )
        if not created and op["relation"] and link.relation != op["relation"]:
            link.relation = op["relation"]
            link.save(update_fields=["relation"])


def write_staff(ctx: Context, plans: list[RowPlan]) -> None:
    now = timezone.now()
    for p in plans:
        op = p.op
        staff = op.get("staff")
        if staff is None:
            staff = Staff.objects.create(school=ctx.school, user=None, **op["fields"])
        elif op["changes"]:
            for attr, value in op["changes"].items():
                setattr(staff, attr, value)
            staff.save(update_fields=list(op["changes"]))
        if op["email"]:
            StaffEmail.objects.update_or_create(
                staff=staff, defaults={"school": ctx.school, "email": op["email"], "updated_at": now}
            )


WRITERS = {Kind.CLASSES: write_classes, Kind.STUDENTS: write_students, Kind.GUARDIANS: write_guardians,
           Kind.STAFF: write_staff}  # fmt: skip
