"""The diary's page cache (issue 5: parents read the diary far more often than it changes).

The rendered days of a student's week, and his marks by subject for a period, are kept in
Django's cache under a key that names everything they show, so a stale page can never be served —
only an unused one expire:

- the student and the week, the school's "today" (the «сегодня» mark) and the language;
- the version of every journal the student belongs to that week (Journal.version, bumped in the
  same transaction as every logged change of its lessons, marks and attendance:
  apps.audit.services.append) — a new mark, topic or absence makes a new key at once;
- the school's data version (School.data_version), bumped by the signals below when anything
  else the week shows changes: events, holidays, periods, bells (the ordinary ones and the
  schedules of shortened days), names of subjects, teachers and
  students, classes, groups, work types, the year, enrolments and group memberships. Queryset
  updates and bulk writes send no signals: the services that make them call school_changed()
  themselves (apps.people.services, apps.schoolyear.services, apps.registration.services, …);
  the rest expire after DIARY_CACHE_SECONDS.

The same versions key the journal grid's and the class attendance page's cached bodies
(apps.journal.views, apps.journal.views_class; class_attendance_key below).

The week and marks pages are also kept whole for each reader (apps.ops.pagecache.page: these keys
plus what the layout shows him), around the days and the table kept here for every reader of the
student.

What the user may read is never cached: the access check (apps.accounts.access.diary_students)
runs on every request before the cache is asked.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.cache import cache
from django.db import connections, router
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.utils import translation

from apps.ops import pagecache, prepared

# One query: (journal id, version) of the journals of the student's groups during the week.
_VERSIONS_SQL = """
SELECT j.id, j.version FROM journal_journal j
JOIN people_groupmembership m ON m.group_id = j.group_id
WHERE m.student_id = %s AND m.school_id = %s AND m.starts <= %s AND (m.ends IS NULL OR m.ends >= %s)
ORDER BY j.id
"""


def _digest(sql: str, params: list) -> str:
    """A digest of the (journal id, version) rows the query returns (one query)."""
    from apps.journal.models import Journal

    rows = prepared.execute(connections[router.db_for_read(Journal)], sql, params)
    versions = ",".join(f"{jid}:{v}" for jid, v in rows)
    return hashlib.blake2b(versions.encode(), digest_size=12).hexdigest()


def _versions(student, starts: dt.date, ends: dt.date) -> str:
    """A digest of the versions of the journals the student belonged to within [starts, ends]."""
    return _digest(_VERSIONS_SQL, [student.pk, student.school_id, ends, starts])


def week_key(*, student, monday: dt.date, today: dt.date, school) -> str:
    """The cache key of a student's week as it reads now (one query)."""
    versions = _versions(student, monday, monday + dt.timedelta(days=6))
    return (
        f"diary-week:{student.pk}:{monday.isoformat()}:{today.isoformat()}:{translation.get_language()}:"
        f"{school.data_version}:{versions}"
    )


def marks_key(*, student, period, school) -> str:
    """The cache key of a student's marks by subject for a period (one query). The period's own
    dates are in the school's data version (a Period saved bumps it)."""
    versions = _versions(student, period.starts, period.ends)
    return f"diary-marks:{student.pk}:{period.pk}:{translation.get_language()}:{school.data_version}:{versions}"


# (journal id, version) of the journals of a class's own groups (the whole class and its subgroups).
_CLASS_VERSIONS_SQL = """
SELECT j.id, j.version FROM journal_journal j
JOIN schools_group g ON g.id = j.group_id
WHERE g.school_class_id = %s AND j.school_id = %s
ORDER BY j.id
"""


def class_attendance_key(*, school_class, school, starts: dt.date, ends: dt.date, today: dt.date, can_write) -> str:
    """The cache key of a class's attendance page for a span of days (one query): the versions of
    the class's journals (every absence and reason is a logged change of one of them), the
    school's data version (students, enrolments, groups, the year's status), the day, the
    language and whether this user writes the reasons."""
    digest = _digest(_CLASS_VERSIONS_SQL, [school_class.pk, school_class.school_id])
    return (
        f"class-attendance:{school_class.pk}:{starts.isoformat()}:{ends.isoformat()}:{today.isoformat()}:"
        f"{translation.get_language()}:{int(bool(can_write))}:{school.data_version}:{digest}"
    )


def current_classes(*, school, student_ids, day: dt.date) -> dict:
    """selectors.current_classes, kept in the cache under the school's data version (enrolments
    and classes bump it): the diary's header asks it on every page."""
    from apps.diary import selectors

    ids = sorted(set(student_ids))
    key = f"diary-classes:{school.pk}:{school.data_version}:{day.isoformat()}:{','.join(map(str, ids))}"
    classes = cache.get(key)
    if classes is None:
        classes = selectors.current_classes(school=school, student_ids=ids, day=day)
        cache.set(key, classes, pagecache.timeout())
    return classes


def diary_periods(*, school, today: dt.date, period_id: int | None, grade: int | None):
    """selectors.diary_periods with the grade's periods kept in the cache under the school's data
    version (a period or a year saved bumps it): the marks page asks on every request."""
    from apps.diary import selectors

    key = f"diary-periods:{school.pk}:{school.data_version}:{grade}"
    periods = cache.get(key)
    if periods is None:
        periods = selectors.grade_periods(school=school, grade=grade)
        cache.set(key, periods, pagecache.timeout())
    return selectors.choose_period(periods, today=today, period_id=period_id)


def school_changed(school_id: int | None) -> None:
    """Every cached diary page of the school is stale (its key names the old data version)."""
    if school_id is None:
        return
    from apps.schools.models import School

    School.objects.filter(pk=school_id).update(data_version=F("data_version") + 1)


def _bump(sender, instance, **kwargs):
    if kwargs.get("raw"):
        return  # loading fixtures
    school_changed(getattr(instance, "school_id", None))


def _bump_journal(sender, instance, **kwargs):
    """A journal's teacher or subject changed: its pages show the new name."""
    if kwargs.get("raw"):
        return
    sender.objects.filter(pk=instance.pk).update(version=F("version") + 1)


# What the week shows besides the journals' own records.
WATCHED = (
    "events.Event",
    "schools.Holiday",
    "schools.Period",
    "schools.BellSlot",
    "schools.Subject",
    "schools.SchoolClass",
    "people.Staff",
    "people.Student",
    "schools.Group",
    "people.Enrolment",
    "people.GroupMembership",
    "schools.WorkType",
    "schools.AcademicYear",
    "timetable.BellSchedule",
    "timetable.BellScheduleSlot",
    "timetable.BellScheduleDay",
)


def connect() -> None:
    from django.apps import apps

    for label in WATCHED:
        model = apps.get_model(label)
        post_save.connect(_bump, sender=model, dispatch_uid=f"diary-cache-{label}-save")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"diary-cache-{label}-delete")
    journal = apps.get_model("journal.Journal")
    post_save.connect(_bump_journal, sender=journal, dispatch_uid="diary-cache-journal-save")
