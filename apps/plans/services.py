"""Writes of the calendar-thematic plan (КТП, JRN-2).

- `plan_topics_apply` gives the journal's lessons their topics from the plan, in order;
- `plan_save` applies one save of the plan's form (a bad row is reported, the others are kept);
- `plan_import` writes rows read from a file (apps.plans.importing) — replacing or appending.

Lesson topics are written only through apps.journal.services.lesson_update, which logs the change
(ARC-1). Who may write is decided before, in the views (apps.accounts.access.get_journal_for_user).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.audit import services as audit
from apps.journal.locking import journal_write
from apps.journal.models import Journal, Lesson
from apps.journal.services import lesson_update
from apps.schools.models import AcademicYear

from .models import MAX_ITEM_HOURS, NOTE_MAX, SECTION_MAX, TOPIC_MAX, PlanItem, PlanLink

MAX_ITEMS = 1000  # far above any real plan (a subject of 10 hours a week has ~340 lessons a year)


class PlanError(ValidationError):
    """A rule of the plan refused the input; the message is for the user, in Russian."""


# ---------------------------------------------------------------------------------------------
# One row of the plan: the same rules for the form and for a file


def hours_message() -> str:
    return _("часы должны быть целым числом от 1 до %(max)d") % {"max": MAX_ITEM_HOURS}


def parse_hours(value) -> int:
    """2, 2.0, «2», «2,0» → 2; anything else (empty, 0, 1.5, «два», 11) → PlanError."""
    if isinstance(value, bool):
        raise PlanError(hours_message())
    if isinstance(value, int):
        number = value
    else:
        text = str(value if value is not None else "").strip().replace(",", ".")
        try:
            decimal = Decimal(text)
        except InvalidOperation:
            raise PlanError(hours_message()) from None
        if not decimal.is_finite() or decimal != decimal.to_integral_value():
            raise PlanError(hours_message())
        number = int(decimal)
    if not 1 <= number <= MAX_ITEM_HOURS:
        raise PlanError(hours_message())
    return number


_DATE_DMY = re.compile(r"^(\d{1,2})[./-](\d{1,2})(?:[./-](\d{2}|\d{4}))?$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")


def parse_date(value, year: AcademicYear) -> dt.date | None:
    """A planned date: a spreadsheet date, «15.09.2026», «15.09.26», «15.09» (the year's own
    autumn or spring), «2026-09-15». Empty → None. It must fall within the academic year."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        text = str(value).strip()
        if not text:
            return None
        day = None
        try:
            if m := _DATE_ISO.match(text):
                day = dt.date(int(m[1]), int(m[2]), int(m[3]))
            elif m := _DATE_DMY.match(text):
                d, mo = int(m[1]), int(m[2])
                if m[3] is None:
                    y = year.starts.year if mo >= year.starts.month else year.ends.year
                else:
                    y = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
                day = dt.date(y, mo, d)
        except ValueError:
            day = None
        if day is None:
            raise PlanError(_("дата «%(value)s» не распознана (нужна дата ДД.ММ.ГГГГ)") % {"value": text[:40]})
    if not year.starts <= day <= year.ends:
        raise PlanError(
            _("дата %(date)s вне учебного года %(year)s") % {"date": date_format(day, "d.m.Y"), "year": year.name}
        )
    return day


@dataclass
class RowValues:
    section: str
    topic: str
    hours: int
    planned_date: dt.date | None
    note: str

    def as_dict(self) -> dict:
        return {
            "section": self.section,
            "topic": self.topic,
            "hours": self.hours,
            "planned_date": self.planned_date.isoformat() if self.planned_date else None,
            "note": self.note,
        }


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def clean_row(*, year: AcademicYear, section="", topic="", hours=None, planned_date=None, note="") -> RowValues:
    """Check one row of the plan. Raises PlanError with every problem of the row (lowercase
    messages: the caller puts «Строка N: » or the row's place before them)."""
    problems = []
    section, topic, note = _text(section), _text(topic), _text(note)
    if not topic:
        problems.append(_("тема не указана"))
    elif len(topic) > TOPIC_MAX:
        problems.append(_("тема длиннее %(n)d знаков") % {"n": TOPIC_MAX})
    if len(section) > SECTION_MAX:
        problems.append(_("раздел длиннее %(n)d знаков") % {"n": SECTION_MAX})
    if len(note) > NOTE_MAX:
        problems.append(_("примечание длиннее %(n)d знаков") % {"n": NOTE_MAX})
    parsed_hours = parsed_date = None
    try:
        parsed_hours = parse_hours(hours)
    except PlanError as exc:
        problems.extend(exc.messages)
    try:
        parsed_date = parse_date(planned_date, year)
    except PlanError as exc:
        problems.extend(exc.messages)
    if problems:
        raise PlanError(problems)
    return RowValues(section=section, topic=topic, hours=parsed_hours, planned_date=parsed_date, note=note)


def _check_open(journal: Journal) -> None:
    if journal.year.status == AcademicYear.Status.CLOSED:
        raise PlanError(_("Учебный год %(year)s закрыт: план не меняется.") % {"year": journal.year.name})


# ---------------------------------------------------------------------------------------------
# Lessons take their topics from the plan


def plan_topics_apply(*, journal: Journal, author) -> int:
    """Give the journal's lessons their topics from the plan, in order (JRN-2). Returns how many
    lessons' topics changed.

    The lessons, in (date, number) order and without the cancelled ones, are matched to the plan's
    items expanded by hours (an item of 2 hours covers two lessons in a row). A lesson with an
    empty topic gets its item's topic. A topic the teacher wrote herself is never overwritten. A
    topic that came from the plan and was not edited since follows the plan when it changes: to
    the new item's topic, or back to empty when the plan no longer reaches the lesson (or the
    lesson was cancelled). Each change goes through lesson_update (the change log).
    A journal of a closed year is left as it is (0).
    """
    if journal.year.status == AcademicYear.Status.CLOSED:
        return 0
    with journal_write([journal.pk]), audit.batch():  # the journal's lock before its lessons are read
        lessons = list(Lesson.objects.filter(journal=journal).order_by("date", "number", "pk"))
        items = list(PlanItem.objects.filter(journal=journal).order_by("order", "pk"))
        links = {link.lesson_id: link for link in PlanLink.objects.filter(lesson__journal=journal)}
        units = [item for item in items for _hour in range(item.hours)]
        target: dict[int, PlanItem] = {}
        held = (lesson for lesson in lessons if lesson.status != Lesson.Status.CANCELLED)
        for lesson, item in zip(held, units, strict=False):
            target[lesson.pk] = item
        changed = 0
        created: list[PlanLink] = []
        updated: list[PlanLink] = []
        dropped: list[int] = []
        for lesson in lessons:
            lesson.journal = journal  # lesson_update reads it; no query per lesson
            item = target.get(lesson.pk)
            link = links.get(lesson.pk)
            if link is not None and lesson.topic != link.topic:
                dropped.append(link.pk)  # the teacher edited it: hers from now on
                link = None
            if link is None:
                if item is None or lesson.topic:
                    continue
                lesson_update(lesson=lesson, author=author, topic=item.topic)
                changed += 1
                created.append(PlanLink(school_id=journal.school_id, lesson=lesson, item=item, topic=lesson.topic))
            elif item is None:
                lesson_update(lesson=lesson, author=author, topic="")
                changed += 1
                dropped.append(link.pk)
            else:
                if lesson.topic != item.topic.strip():
                    lesson_update(lesson=lesson, author=author, topic=item.topic)
                    changed += 1
                if link.item_id != item.pk or link.topic != lesson.topic:
                    link.item, link.topic = item, lesson.topic
                    updated.append(link)
        if dropped:
            PlanLink.objects.filter(pk__in=dropped).delete()
        if created:
            PlanLink.objects.bulk_create(created)
        if updated:
            PlanLink.objects.bulk_update(updated, ["item", "topic"])
    return changed


# ---------------------------------------------------------------------------------------------
# One save of the plan's form


@dataclass
class RowResult:
    index: int  # the row's place in the form (0-based)
    ok: bool
    errors: list[str] = field(default_factory=list)


@dataclass
class PlanSaveResult:
    rows: list[RowResult] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    deleted: int = 0
    topics_changed: int = 0

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.rows)

    @property
    def errors(self) -> dict[int, list[str]]:
        return {r.index: r.errors for r in self.rows if not r.ok}


def _blank(row: dict) -> bool:
    return not any(_text(row.get(k)) for k in ("section", "topic", "hours", "planned_date", "note"))


def _order_value(value) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def plan_save(*, journal: Journal, author, rows: list[dict]) -> PlanSaveResult:
    """Apply one save of the plan's form.

    rows: [{"id"?: item id (absent for a new row), "order": «№», "section", "topic", "hours",
            "planned_date", "note", "delete"?: bool}] in the order of the form.
    A row refused (a bad value, an item no longer in the plan) is reported with its reasons and
    leaves its item as it was; the others are saved. A new row left empty is ignored. Rows are put
    in the order of their «№» (a moved or new row before the row whose number it took), then
    renumbered 1, 2, 3 … Afterwards the lessons' topics follow the plan (plan_topics_apply).
    """
    _check_open(journal)
    result = PlanSaveResult()
    with transaction.atomic():
        existing = {item.pk: item for item in PlanItem.objects.select_for_update().filter(journal=journal)}
        seen: set[int] = set()
        placed: list[tuple[tuple, PlanItem]] = []  # (sort key, item) of every item that stays
        to_create: list[PlanItem] = []
        to_update: list[PlanItem] = []
        to_delete: list[int] = []
        for index, row in enumerate(rows):
            item_id = _order_value(row.get("id")) if row.get("id") not in (None, "") else None
            item = existing.get(item_id) if item_id is not None else None
            if item_id is not None and (item is None or item_id in seen):
                result.rows.append(
                    RowResult(index, False, [_("Этой строки уже нет в плане (её удалили в другом окне).")])
                )
                continue
            if item is not None:
                seen.add(item.pk)
            if item is None and _blank(row):
                continue
            if item is not None and row.get("delete"):
                to_delete.append(item.pk)
                result.rows.append(RowResult(index, True))
                continue
            if item is None and row.get("delete"):
                continue  # a new row ticked for deletion: nothing to add
            order = _order_value(row.get("order"))
            try:
                values = clean_row(
                    year=journal.year,
                    section=row.get("section"),
                    topic=row.get("topic"),
                    hours=row.get("hours"),
                    planned_date=row.get("planned_date"),
                    note=row.get("note"),
                )
            except PlanError as exc:
                result.rows.append(RowResult(index, False, list(exc.messages)))
                if item is not None:  # kept as it was, where it was
                    placed.append(((item.order, 1, index), item))
                continue
            if item is None:
                item = PlanItem(school_id=journal.school_id, journal=journal, order=0)
                to_create.append(item)
                moved = True
            else:
                before = (item.section, item.topic, item.hours, item.planned_date, item.note)
                after = (values.section, values.topic, values.hours, values.planned_date, values.note)
                if before != after:
                    to_update.append(item)
                moved = order is not None and order != item.order
            item.section, item.topic, item.hours = values.section, values.topic, values.hours
            item.planned_date, item.note = values.planned_date, values.note
            if order is None:
                order = item.order if item.pk else 10**9  # a new row without «№»: at the end
            placed.append(((order, 0 if moved else 1, index), item))
            result.rows.append(RowResult(index, True))
        # Items the form did not show (added in another window) keep their place.
        for item in existing.values():
            if item.pk not in seen:
                placed.append(((item.order, 1, len(rows)), item))
        placed.sort(key=lambda pair: pair[0])
        if len(placed) > MAX_ITEMS:
            raise PlanError(_("В плане не больше %(n)d строк.") % {"n": MAX_ITEMS})
        renumbered = []
        for number, (_key, item) in enumerate(placed, start=1):
            if item.order != number:
                item.order = number
                if item.pk and item not in to_update:
                    renumbered.append(item)
        if to_delete:
            PlanItem.objects.filter(pk__in=to_delete).delete()
        if to_create:
            PlanItem.objects.bulk_create(to_create)
        fields = ["order", "section", "topic", "hours", "planned_date", "note"]
        if to_update or renumbered:
            PlanItem.objects.bulk_update(to_update + renumbered, fields)
        result.created, result.updated, result.deleted = len(to_create), len(to_update), len(to_delete)
        result.topics_changed = plan_topics_apply(journal=journal, author=author)
    return result


# ---------------------------------------------------------------------------------------------
# Import


class ImportMode:
    REPLACE = "replace"
    APPEND = "append"
    CHOICES = (REPLACE, APPEND)


@dataclass
class ImportResult:
    created: int
    deleted: int
    topics_changed: int


def plan_import(*, journal: Journal, author, rows: list[dict], mode: str) -> ImportResult:
    """Write rows read from a file (each {"section", "topic", "hours", "planned_date", "note"}),
    checked again here; `mode` replaces the plan or appends to it. Nothing is written unless every
    row passes (the caller drops the bad rows first when the teacher imports only the valid ones).
    Then the lessons' topics follow the plan."""
    _check_open(journal)
    if mode not in ImportMode.CHOICES:
        raise PlanError(_("Выберите: заменить план или добавить строки в конец."))
    if not rows:
        raise PlanError(_("В файле нет ни одной строки плана, которую можно загрузить."))
    cleaned = []
    for number, row in enumerate(rows, start=1):
        try:
            cleaned.append(clean_row(year=journal.year, **{k: row.get(k) for k in RowValues.__dataclass_fields__}))
        except PlanError as exc:
            raise PlanError(
                _("Строка %(n)d: %(errors)s") % {"n": row.get("line") or number, "errors": "; ".join(exc.messages)}
            ) from None
    with transaction.atomic():
        current = list(PlanItem.objects.select_for_update().filter(journal=journal).order_by("order", "pk"))
        deleted = start = 0
        if mode == ImportMode.REPLACE:
            PlanItem.objects.filter(pk__in=[item.pk for item in current]).delete()
            deleted = len(current)
        else:
            start = len(current)
            # Make the existing order contiguous so the new rows follow it.
            for number, item in enumerate(current, start=1):
                item.order = number
            PlanItem.objects.bulk_update(current, ["order"])
        if start + len(cleaned) > MAX_ITEMS:
            raise PlanError(_("В плане не больше %(n)d строк.") % {"n": MAX_ITEMS})
        PlanItem.objects.bulk_create(
            [
                PlanItem(
                    school_id=journal.school_id,
                    journal=journal,
                    order=start + i,
                    section=v.section,
                    topic=v.topic,
                    hours=v.hours,
                    planned_date=v.planned_date,
                    note=v.note,
                )
                for i, v in enumerate(cleaned, start=1)
            ]
        )
        changed = plan_topics_apply(journal=journal, author=author)
    return ImportResult(created=len(cleaned), deleted=deleted, topics_changed=changed)
