"""The dry run: what each row of a roster would do to the school — create, update, skip — or
why it cannot be loaded (row number, column, value, reason in Russian).

`parse_table` maps a file's columns to the kind's (headers matched case-insensitively, order
free); `load_context` reads what the rows are matched against (a bounded number of queries,
whatever the size of the file); `plan_rows` decides every row. The same plan is made again at
confirmation, inside the transaction that writes it (services.batch_confirm).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from apps.people.models import Enrolment, Guardian, GuardianLink, Staff, Student
from apps.schools.models import AcademicYear, SchoolClass

from . import cleaning
from .cleaning import CellError, fold
from .kinds import Kind, column, columns, norm_header
from .models import ImportBatch, StaffEmail
from .readers import Table

A = ImportBatch.Action
EARLIEST = dt.date(1940, 1, 1)


def d(day: dt.date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else ""


def error_text(row: int, error: dict) -> str:
    """«Строка 7, «Дата рождения»: «31.02.2015» — такой даты нет»."""
    if not error.get("column"):
        return _("Строка %(row)s: %(reason)s") % {"row": row, "reason": error["reason"]}
    if error.get("value"):
        return _("Строка %(row)s, «%(column)s»: «%(value)s» — %(reason)s") % {"row": row, **error}
    return _("Строка %(row)s, «%(column)s»: %(reason)s") % {"row": row, **error}


@dataclass
class RowPlan:
    kind: str
    row: int
    cells: dict[str, str]
    action: str = ""
    errors: list[dict] = field(default_factory=list)
    note: str = ""
    op: dict[str, Any] = field(default_factory=dict)  # what the writer does (never stored)

    def error(self, key: str | None, reason: str, *, value: str | None = None) -> None:
        label = str(column(self.kind, key).label) if key else ""
        text = self.cells.get(key, "") if (key and value is None) else (value or "")
        entry = {"column": label, "value": text, "reason": str(reason)}
        entry["text"] = error_text(self.row, entry)
        self.errors.append(entry)

    def get(self, key: str, parser=None, *, required: bool = False):
        """The cell parsed, or None (an empty cell; or a bad one, recorded as an error)."""
        text = self.cells.get(key, "")
        if not text:
            if required:
                self.error(key, _("не заполнено"))
            return None
        if parser is None:
            return text
        try:
            return parser(text)
        except CellError as exc:
            self.error(key, exc.reason)
            return None

    def as_json(self) -> dict:
        return {"row": self.row, "cells": self.cells, "action": self.action, "errors": self.errors, "note": self.note}


# --- The file's columns -----------------------------------------------------------------------


def parse_table(kind: str, table: Table) -> tuple[list[tuple[int, dict[str, str]]], list[str]]:
    """[(row number, {column key: text})] and the notices about the file (unknown columns…)."""
    cols = columns(kind)
    found: dict[str, int] = {}
    notices: list[str] = []
    for index, header in enumerate(table.header):
        normalized = norm_header(header)
        if not normalized:
            continue
        col = next((c for c in cols if c.accepts(normalized)), None)
        if col is None:
            notices.append(_("Столбец «%(name)s» не распознан и не загружается.") % {"name": header})
        elif col.key in found:
            raise ValidationError(
                _("Столбец «%(name)s» встречается в строке заголовков дважды (строка %(row)s).")
                % {"name": col.label, "row": table.header_row}
            )
        else:
            found[col.key] = index
    missing = [str(c.label) for c in cols if c.required and c.key not in found]
    if missing:
        raise ValidationError(
            _(
                "В строке заголовков (строка %(row)s) нет столбцов: %(names)s. Первая строка таблицы — названия "
                "столбцов; скачайте образец."
            )
            % {"row": table.header_row, "names": ", ".join(f"«{m}»" for m in missing)}
        )
    if kind == Kind.GUARDIANS and not {"child_birth_date", "child_class"} & found.keys():
        raise ValidationError(
            _("Чтобы найти ребёнка, нужен столбец «%(birth)s» или «%(cls)s».")
            % {"birth": column(kind, "child_birth_date").label, "cls": column(kind, "child_class").label}
        )
    if table.encoding:
        notices.append(
            _("Файл CSV прочитан в кодировке %(encoding)s, разделитель «%(delimiter)s».")
            % {"encoding": table.encoding, "delimiter": "Tab" if table.delimiter == "\t" else table.delimiter}
        )
    rows = [
        (number, {key: (cells[i] if i < len(cells) else "") for key, i in found.items()})
        for number, cells in table.rows
    ]
    rows = [(number, cells) for number, cells in rows if any(cells.values())]
    return rows, notices


# --- What the rows are matched against -------------------------------------------------------------


def active_year(school) -> AcademicYear | None:
    return AcademicYear.objects.filter(school=school, status=AcademicYear.Status.ACTIVE).order_by("-starts").first()


@dataclass
class Context:
    school: Any
    year: AcademicYear | None
    today: dt.date
    classes: dict[tuple[int, str], SchoolClass] = field(default_factory=dict)
    staff: list[Staff] = field(default_factory=list)
    staff_emails: dict[int, str] = field(default_factory=dict)
    students: list[Student] = field(default_factory=list)
    placement: dict[int, SchoolClass] = field(default_factory=dict)  # student id → class this year
    guardians: list[Guardian] = field(default_factory=list)
    links: dict[tuple[int, int], str] = field(default_factory=dict)  # (guardian, student) → relation

    @property
    def year_name(self) -> str:
        return self.year.name if self.year else ""


def load_context(*, school, year: AcademicYear | None, kind: str, today: dt.date) -> Context:
    ctx = Context(school=school, year=year, today=today)
    if year is not None and kind in (Kind.CLASSES, Kind.STUDENTS, Kind.GUARDIANS):
        year_classes = list(SchoolClass.objects.filter(school=school, year=year).select_related("class_teacher"))
        ctx.classes = {(c.grade, c.letter.upper()): c for c in year_classes}
    if kind in (Kind.CLASSES, Kind.STAFF):
        ctx.staff = list(Staff.objects.filter(school=school).order_by("pk"))
    if kind == Kind.STAFF:
        ctx.staff_emails = dict(StaffEmail.objects.filter(school=school).values_list("staff_id", "email"))
    if kind in (Kind.STUDENTS, Kind.GUARDIANS):
        ctx.students = list(Student.objects.filter(school=school).order_by("pk"))
        if year is not None:
            by_id = {c.pk: c for c in year_classes}
            for student_id, class_id in (
                Enrolment.objects.filter(school=school, school_class__year=year)
                .filter(Q(ends__isnull=True) | Q(ends__gte=today))
                .order_by("starts")
                .values_list("student_id", "school_class_id")
            ):
                ctx.placement[student_id] = by_id[class_id]
    if kind == Kind.GUARDIANS:
        ctx.guardians = list(Guardian.objects.filter(school=school).order_by("pk"))
        ctx.links = {
            (g, s): r
            for g, s, r in GuardianLink.objects.filter(school=school).values_list(
                "guardian_id", "student_id", "relation"
            )
        }
    return ctx


# --- Shared checks ------------------------------------------------------------------------------------


def _names(p: RowPlan) -> tuple[str | None, str | None, str]:
    last = p.get("last_name", cleaning.name, required=True)
    first = p.get("first_name", cleaning.name, required=True)
    middle = p.get("middle_name", cleaning.name) or ""
    return last, first, middle


def _date_between(p: RowPlan, key: str, *, required=False, earliest=EARLIEST, latest=None, reason_late=""):
    day = p.get(key, cleaning.date, required=required)
    if day is None:
        return None
    if day < earliest:
        p.error(key, _("слишком ранняя дата"))
        return None
    if latest and day > latest:
        p.error(key, reason_late)
        return None
    return day


def _class(p: RowPlan, ctx: Context, key: str, *, required=False) -> SchoolClass | None:
    label = p.get(key, cleaning.class_label, required=required)
    if label is None:
        return None
    if ctx.year is None:
        p.error(key, _("в школе нет текущего учебного года"))
        return None
    found = ctx.classes.get(label)
    if found is None:
        p.error(key, _("нет такого класса в %(year)s учебном году") % {"year": ctx.year_name})
    return found


def _staff_member(p: RowPlan, ctx: Context, key: str, parts: tuple[str, str, str]) -> Staff | None:
    matching = [s for s in ctx.staff if cleaning.name_matches(s, *parts)]
    working = [s for s in matching if s.left_on is None or s.left_on >= ctx.today]
    if len(working) == 1:
        return working[0]
    if len(working) > 1:
        p.error(key, _("подходят несколько сотрудников — напишите ФИО полностью"))
    elif matching:
        p.error(key, _("сотрудник уволен %(day)s") % {"day": d(matching[0].left_on)})
    else:
        p.error(key, _("такого сотрудника нет в школе — сначала загрузите список сотрудников"))
    return None


def _finish(p: RowPlan, action: str, note: str = "") -> None:
    p.action, p.note = (A.ERROR, "") if p.errors else (action, note)


# --- Classes (ORG-3) ----------------------------------------------------------------------------------


def plan_classes(ctx: Context, plans: list[RowPlan]) -> None:
    seen: dict[tuple[int, str], int] = {}
    for p in plans:
        grade = p.get("grade", cleaning.grade, required=True)
        letter = p.get("letter", cleaning.letter, required=True)
        parts = p.get("class_teacher", cleaning.person_name)
        teacher = _staff_member(p, ctx, "class_teacher", parts) if parts else None
        if p.errors:
            _finish(p, A.ERROR)
            continue
        key = (grade, letter)
        label = f"{grade}{letter}"
        if key in seen:
            p.error(None, _("класс %(c)s уже есть в строке %(row)s") % {"c": label, "row": seen[key]})
            _finish(p, A.ERROR)
            continue
        seen[key] = p.row
        existing = ctx.classes.get(key)
        teacher_name = teacher.short_name if teacher else ""
        if existing is None:
            p.op = {"grade": grade, "letter": letter, "teacher": teacher}
            note = _("новый класс %(c)s") % {"c": label}
            if teacher:
                note += "; " + _("классный руководитель %(t)s") % {"t": teacher_name}
            _finish(p, A.CREATE, note)
        elif teacher and existing.class_teacher_id != teacher.pk:
            before = existing.class_teacher.short_name if existing.class_teacher else _("не назначен")
            p.op = {"class": existing, "teacher": teacher}
            _finish(p, A.UPDATE, _("классный руководитель: %(old)s → %(new)s") % {"old": before, "new": teacher_name})
        else:
            _finish(p, A.SKIP, _("класс %(c)s уже есть") % {"c": label})


# --- Students --------------------------------------------------------------------------------------------


def plan_students(ctx: Context, plans: list[RowPlan]) -> None:
    by_key: dict[tuple, list[Student]] = defaultdict(list)
    by_name: dict[tuple, list[Student]] = defaultdict(list)
    for s in ctx.students:
        names = (fold(s.last_name), fold(s.first_name), fold(s.middle_name))
        by_key[(*names, s.birth_date)].append(s)
        by_name[names].append(s)
    seen: dict[tuple, int] = {}
    year = ctx.year
    for p in plans:
        last, first, middle = _names(p)
        birth = _date_between(p, "birth_date", required=True, latest=ctx.today, reason_late=_("дата в будущем"))
        school_class = _class(p, ctx, "school_class", required=True)
        starts = p.get("enrolled_on", cleaning.date)
        if starts and year and not year.starts <= starts <= year.ends:
            p.error(
                "enrolled_on",
                _("вне %(year)s учебного года (%(starts)s–%(ends)s)")
                % {"year": year.name, "starts": d(year.starts), "ends": d(year.ends)},
            )
        order_number = p.get("order_number") or ""
        if len(order_number) > 50:
            p.error("order_number", _("длиннее %(n)s знаков") % {"n": 50})
        if p.errors:
            _finish(p, A.ERROR)
            continue
        starts = starts or year.starts
        names = (fold(last), fold(first), fold(middle))
        key = (*names, birth)
        if key in seen:
            p.error(None, _("этот учащийся уже есть в строке %(row)s (те же ФИО и дата рождения)") % {"row": seen[key]})
            _finish(p, A.ERROR)
            continue
        seen[key] = p.row
        enrol = {"school_class": school_class, "starts": starts, "order_number": order_number}
        where = _("в %(c)s с %(day)s") % {"c": school_class, "day": d(starts)}
        if order_number:
            where += ", " + _("приказ № %(n)s") % {"n": order_number}
        existing = by_key.get(key, [])
        if len(existing) > 1:
            p.error(None, _("в школе уже несколько учащихся с такими ФИО и датой рождения — исправьте это в списке"))
            _finish(p, A.ERROR)
        elif existing:
            student = existing[0]
            placed = ctx.placement.get(student.pk)
            if placed is not None and placed.pk == school_class.pk:
                _finish(p, A.SKIP, _("уже учится в %(c)s") % {"c": school_class})
            elif placed is not None:
                p.error(
                    "school_class",
                    _("учащийся уже в %(c)s; перевод между классами — в книге движения учащихся") % {"c": placed},
                )
                _finish(p, A.ERROR)
            else:
                p.op = {"student": student, **enrol}
                _finish(p, A.UPDATE, _("уже есть в школе; зачисление %(where)s") % {"where": where})
        else:
            p.op = {"fields": {"last_name": last, "first_name": first, "middle_name": middle, "birth_date": birth},
                    **enrol}  # fmt: skip
            note = _("новый учащийся; зачисление %(where)s") % {"where": where}
            namesakes = [s for s in by_name.get(names, []) if s.birth_date != birth]
            if namesakes:
                note += ". " + _("Внимание: в школе есть учащийся с такими же ФИО, родившийся %(day)s") % {
                    "day": d(namesakes[0].birth_date) or "?"
                }
            _finish(p, A.CREATE, note)


# --- Guardians (ACC-3…ACC-7: who they are; consents and accounts are not made here) ----------------------


def _same_person(obj, last: str, first: str, middle: str) -> bool:
    if (fold(obj.last_name), fold(obj.first_name)) != (fold(last), fold(first)):
        return False
    return not (obj.middle_name and middle) or fold(obj.middle_name) == fold(middle)


def _find_child(p: RowPlan, ctx: Context, parts, birth, school_class) -> Student | None:
    found = [s for s in ctx.students if cleaning.name_matches(s, *parts)]
    if birth:
        found = [s for s in found if s.birth_date == birth]
    if school_class:
        found = [s for s in found if (c := ctx.placement.get(s.pk)) is not None and c.pk == school_class.pk]
    if len(found) == 1:
        return found[0]
    if found:
        p.error("child", _("подходят несколько учащихся — укажите дату рождения"))
    else:
        p.error(
            "child", _("такого учащегося нет в школе (сверьте ФИО, дату рождения и класс; учащихся загружают первыми)")
        )
    return None


def plan_guardians(ctx: Context, plans: list[RowPlan]) -> None:
    Relation = GuardianLink.Relation
    by_id = {g.pk: g for g in ctx.guardians}
    in_file: list[tuple[tuple[str, str, str], set, tuple]] = []  # (names, contacts, target) of earlier rows
    seen: dict[tuple, int] = {}
    for p in plans:
        last, first, middle = _names(p)
        phone = p.get("phone", cleaning.phone) or ""
        email = p.get("email", cleaning.email) or ""
        relation = p.get("relation", cleaning.relation)
        parts = p.get("child", cleaning.person_name, required=True)
        birth = _date_between(p, "child_birth_date", latest=ctx.today, reason_late=_("дата в будущем"))
        school_class = _class(p, ctx, "child_class")
        if parts and not p.cells.get("child_birth_date") and not p.cells.get("child_class"):
            p.error("child", _("укажите дату рождения или класс учащегося, чтобы его найти"))
        child = _find_child(p, ctx, parts, birth, school_class) if not p.errors else None
        if p.errors:
            _finish(p, A.ERROR)
            continue
        contacts = {c for c in (("e", email), ("p", phone)) if c[1]}
        names = (last, first, middle)
        # Who this is: a guardian already linked to the child, one named earlier in the file, or one
        # of the school with the same name and the same phone or e-mail; otherwise a new person.
        target, twin = None, None
        for g in ctx.guardians:
            if (g.pk, child.pk) in ctx.links and _same_person(g, *names):
                target = ("old", g.pk)
                break
        if target is None and contacts:
            for earlier_names, earlier_contacts, earlier_target in in_file:
                if contacts & earlier_contacts and _same_person(SimpleName(*earlier_names), *names):
                    target, twin = earlier_target, earlier_target
                    break
        if target is None and contacts:
            for g in ctx.guardians:
                have = {c for c in (("e", g.email.lower()), ("p", phone_key(g.phone))) if c[1]}
                if contacts & have and _same_person(g, *names):
                    target = ("old", g.pk)
                    break
        if target is None:
            target = ("new", p.row)
        if (target, child.pk) in seen:
            p.error(
                None,
                _("повторяет строку %(row)s: тот же родитель и тот же ребёнок") % {"row": seen[(target, child.pk)]},
            )
            _finish(p, A.ERROR)
            continue
        seen[(target, child.pk)] = p.row
        in_file.append((names, contacts, target))

        relation_label = Relation(relation or Relation.OTHER).label
        whose = _("%(relation)s: %(child)s") % {"relation": relation_label, "child": child.short_name}
        p.op = {"target": target, "child": child, "relation": relation, "phone": phone, "email": email,
                "fields": {"last_name": last, "first_name": first, "middle_name": middle}}  # fmt: skip
        if target[0] == "new" and twin is None:
            _finish(p, A.CREATE, _("новый родитель; %(whose)s") % {"whose": whose})
            continue
        if target[0] == "new":
            _finish(
                p, A.CREATE, _("тот же человек, что в строке %(row)s; %(whose)s") % {"row": target[1], "whose": whose}
            )
            continue
        g = by_id[target[1]]
        changes = []
        if phone and phone != phone_key(g.phone):
            changes.append(_("телефон %(v)s") % {"v": phone})
        if email and email != g.email.lower():
            changes.append(_("e-mail %(v)s") % {"v": email})
        linked = ctx.links.get((g.pk, child.pk))
        if linked is None:
            changes.append(_("связь с учащимся (%(whose)s)") % {"whose": whose})
        elif relation and relation != linked:
            changes.append(_("кем приходится: %(v)s") % {"v": relation_label})
        if changes:
            _finish(p, A.UPDATE, _("уже есть в школе; изменения: %(what)s") % {"what": ", ".join(changes)})
        else:
            _finish(p, A.SKIP, _("уже есть в школе; %(whose)s") % {"whose": whose})


def phone_key(text: str) -> str:
    """A stored phone in the form the file's phones are compared in."""
    try:
        return cleaning.phone(text) if text else ""
    except CellError:
        return text


@dataclass
class SimpleName:
    last_name: str
    first_name: str
    middle_name: str


# --- Staff (ORG-6) --------------------------------------------------------------------------------------------


def plan_staff(ctx: Context, plans: list[RowPlan]) -> None:
    by_key: dict[tuple, list[Staff]] = defaultdict(list)
    for s in ctx.staff:
        by_key[(fold(s.last_name), fold(s.first_name), fold(s.middle_name))].append(s)
    seen: dict[tuple, int] = {}
    for p in plans:
        last, first, middle = _names(p)
        position = p.get("position", required=True)
        if position and len(position) > 100:
            p.error("position", _("длиннее %(n)s знаков") % {"n": 100})
        hired_on = _date_between(
            p, "hired_on", required=True, latest=ctx.today + dt.timedelta(days=366),
            reason_late=_("дата приёма больше чем через год"),
        )  # fmt: skip
        email = p.get("email", cleaning.email) or ""
        if p.errors:
            _finish(p, A.ERROR)
            continue
        key = (fold(last), fold(first), fold(middle))
        if key in seen:
            p.error(None, _("этот сотрудник уже есть в строке %(row)s (то же ФИО)") % {"row": seen[key]})
            _finish(p, A.ERROR)
            continue
        seen[key] = p.row
        fields = {"position": position, "hired_on": hired_on}
        existing = by_key.get(key, [])
        if len(existing) > 1:
            p.error(None, _("в школе уже несколько сотрудников с таким ФИО — исправьте это в списке сотрудников"))
            _finish(p, A.ERROR)
            continue
        if not existing:
            p.op = {"fields": {"last_name": last, "first_name": first, "middle_name": middle, **fields}, "email": email}
            _finish(
                p, A.CREATE, _("новый сотрудник: %(position)s с %(day)s") % {"position": position, "day": d(hired_on)}
            )
            continue
        staff = existing[0]
        if staff.left_on and staff.left_on < ctx.today:
            p.error(None, _("сотрудник с таким ФИО уволен %(day)s — вернуть его можно в списке сотрудников")
                    % {"day": d(staff.left_on)})  # fmt: skip
            _finish(p, A.ERROR)
            continue
        changes = {k: v for k, v in fields.items() if getattr(staff, k) != v}
        notes = []
        if "position" in changes:
            notes.append(_("должность: %(old)s → %(new)s") % {"old": staff.position, "new": position})
        if "hired_on" in changes:
            notes.append(_("дата приёма: %(old)s → %(new)s") % {"old": d(staff.hired_on) or "—", "new": d(hired_on)})
        new_email = email if email and email != ctx.staff_emails.get(staff.pk) else ""
        if new_email:
            notes.append(_("e-mail %(v)s") % {"v": email})
        p.op = {"staff": staff, "changes": changes, "email": new_email}
        if notes:
            _finish(p, A.UPDATE, _("уже есть в школе; изменения: %(what)s") % {"what": "; ".join(notes)})
        else:
            _finish(p, A.SKIP, _("уже есть в школе, без изменений"))


PLANNERS = {Kind.CLASSES: plan_classes, Kind.STUDENTS: plan_students, Kind.GUARDIANS: plan_guardians,
            Kind.STAFF: plan_staff}  # fmt: skip


def plan_rows(kind: str, ctx: Context, rows: list[tuple[int, dict[str, str]]]) -> list[RowPlan]:
    plans = [RowPlan(kind=kind, row=number, cells=dict(cells)) for number, cells in rows]
    PLANNERS[kind](ctx, plans)
    return plans
