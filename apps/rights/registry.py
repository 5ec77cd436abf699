"""What each role may do (ACC-1, ACC-2): the functions of the product, the roles they make sense
for, and the default grants. A school's journal administrator switches functions on and off per
role (apps.rights.models.SchoolRights); apps.accounts.access asks `granted()` and nothing else.

Every function here is enforced somewhere (named in `enforced_by`), so a checkbox on the rights
page always changes what a role can open. Defaults reproduce the core's behaviour for the seven
original roles exactly (the access matrix proves it).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from apps.accounts.models import STAFF_ROLES, Role

R = Role


@dataclass(frozen=True)
class Function:
    code: str
    label: str
    group: str
    defaults: frozenset[str]  # roles that have it unless the school says otherwise
    applies_to: frozenset[str]  # roles for which the function means something (others: no checkbox)
    locked: frozenset[str] = frozenset()  # roles that always have it (so nobody locks the school out)
    enforced_by: str = ""


def _f(code, label, group, defaults, applies_to, locked=(), enforced_by=""):
    return Function(code, label, group, frozenset(defaults), frozenset(applies_to), frozenset(locked), enforced_by)


JOURNALS = _("Журналы")
ATTENDANCE = _("Посещаемость и классы")
DIARY = _("Дневник")
ADMINISTRATION = _("Администрирование")
SCHOOL_YEAR = _("Учебный год")

JOURNALS_ALL = "journals_all"
JOURNALS_CLASS = "journals_class"
JOURNALS_OWN = "journals_own"
ATTENDANCE_ALL = "attendance_all"
ATTENDANCE_REASONS = "attendance_reasons"
CLASS_LISTS = "class_lists"
DIARY_CHILDREN = "diary_children"
DIARY_SELF = "diary_self"
RIGHTS_MANAGE = "rights_manage"
COMPROMISE_MANAGE = "compromise_manage"
# Issue 3: the school year's administration (ORG-2…ORG-11, JRN-2, JRN-4).
YEAR_MANAGE = "year_manage"
CURRICULUM_MANAGE = "curriculum_manage"
STAFF_MANAGE = "staff_manage"
TIMETABLE_MANAGE = "timetable_manage"
SUBSTITUTIONS_MANAGE = "substitutions_manage"
GRADING_MANAGE = "grading_manage"
MOVEMENT_MANAGE = "movement_manage"
EVENTS_SCHOOL = "events_school"
EVENTS_CLASS = "events_class"
EXAMS_MANAGE = "exams_manage"
ROSTER_IMPORT = "roster_import"
SCHOOL_REPORTS = "school_reports"

# Roles that may be granted reading of journals: staff, and the municipality's coordinator.
READERS = STAFF_ROLES

FUNCTIONS: dict[str, Function] = {
    f.code: f
    for f in (
        _f(
            JOURNALS_ALL,
            _("Читать все журналы школы"),
            JOURNALS,
            {R.JOURNAL_ADMIN, R.DIRECTOR, R.DEPUTY, R.MUNICIPAL_COORDINATOR},
            READERS,
            enforced_by="access.journals_readable",
        ),
        _f(
            JOURNALS_CLASS,
            _("Читать журналы своего класса"),
            JOURNALS,
            {R.CLASS_TEACHER},
            {R.CLASS_TEACHER},
            enforced_by="access.journals_readable",
        ),
        _f(
            JOURNALS_OWN,
            _("Вести свой журнал (отметки, пропуски, темы, задания)"),
            JOURNALS,
            {R.TEACHER, R.CLASS_TEACHER},
            {R.TEACHER, R.CLASS_TEACHER},
            enforced_by="access.journals_readable, access.can_write_journal",
        ),
        _f(
            ATTENDANCE_ALL,
            _("Видеть посещаемость всех классов"),
            ATTENDANCE,
            {R.JOURNAL_ADMIN, R.DIRECTOR, R.DEPUTY, R.NURSE, R.SOCIAL_PEDAGOGUE, R.MUNICIPAL_COORDINATOR},
            READERS,
            enforced_by="access.get_class_for_attendance",
        ),
        _f(
            ATTENDANCE_REASONS,
            _("Отмечать причины пропусков своего класса"),
            ATTENDANCE,
            {R.CLASS_TEACHER},
            {R.CLASS_TEACHER},
            enforced_by="access.get_class_for_attendance",
        ),
        _f(
            CLASS_LISTS,
            _("Видеть списки учащихся классов"),
            ATTENDANCE,
            {
                R.JOURNAL_ADMIN,
                R.DIRECTOR,
                R.DEPUTY,
                R.SECRETARY,
                R.SOCIAL_PEDAGOGUE,
                R.PSYCHOLOGIST,
                R.NURSE,
            },
            READERS | {R.PARENT_COMMITTEE},
            enforced_by="access.classes_listed",
        ),
        _f(
            DIARY_CHILDREN,
            _("Видеть дневник своих детей"),
            DIARY,
            {R.PARENT},
            {R.PARENT},
            enforced_by="access.diary_students",
        ),
        _f(
            DIARY_SELF,
            _("Видеть свой дневник (учащийся)"),
            DIARY,
            {R.STUDENT},
            {R.STUDENT},
            enforced_by="access.diary_students",
        ),
        _f(
            RIGHTS_MANAGE,
            _("Настраивать права ролей в школе"),
            ADMINISTRATION,
            {R.JOURNAL_ADMIN, R.SYSTEM_ADMIN},
            STAFF_ROLES - {R.MUNICIPAL_COORDINATOR},
            locked={R.JOURNAL_ADMIN},
            enforced_by="rights.views.matrix",
        ),
        _f(
            COMPROMISE_MANAGE,
            _("Разбирать компрометацию учётных записей и откатывать операции"),
            ADMINISTRATION,
            {R.JOURNAL_ADMIN, R.SYSTEM_ADMIN},
            STAFF_ROLES - {R.MUNICIPAL_COORDINATOR},
            locked={R.JOURNAL_ADMIN},
            enforced_by="compromise.views",
        ),
        _f(
            YEAR_MANAGE,
            _("Вести учебный год: годы, периоды, каникулы, производственный календарь, классы"),
            SCHOOL_YEAR,
            {R.JOURNAL_ADMIN, R.DEPUTY},
            STAFF_ROLES - {R.MUNICIPAL_COORDINATOR},
            locked={R.JOURNAL_ADMIN},
            enforced_by="schoolyear.views",
        ),
        _f(
            CURRICULUM_MANAGE,
            _("Вести учебный план, нагрузку учителей и группы"),
            SCHOOL_YEAR,
            {R.JOURNAL_ADMIN, R.DEPUTY},
            STAFF_ROLES - {R.MUNICIPAL_COORDINATOR},
            enforced_by="curriculum.views",
        ),
        _f(
            STAFF_MANAGE,
            _("Вести список сотрудников: должности и аттестация"),
            SCHOOL_YEAR,
            {R.JOURNAL_ADMIN, R.DIRECTOR, R.SECRETARY},
            STAFF_ROLES - {R.MUNICIPAL_COORDINATOR},
            enforced_by="curriculum.views",
        ),
        _f(
            TIMETABLE_MANAGE,
            _("Вести расписание звонков и уроков и его изменения"),
            SCHOOL_YEAR,
            {R.JOURNAL_ADMIN, R.DEPUTY},
            STAFF_ROLES - {R.MUNICIPAL_COORDINATOR},
            enforced_by="timetable.views",
        ),
        _f(
            SUBSTITUTIONS_MANAGE,
            _("Назначать замены уроков"),
            SCHOOL_YEAR,
            {R.JOURNAL_ADMIN, R.DEPUTY},
            STAFF_ROLES - {R.MUNICIPAL_COORDINATOR},
            enforced_by="timetable.views",
        ),
        _f(
            GRADING_MANAGE,
            _("Настраивать системы оценивания и перевод отметок"),
            SCHOOL_YEAR,
            {R.JOURNAL_ADMIN, R.DEPUTY},
            STAFF_ROLES - {R.MUNICIPAL_COORDINATOR},
            enforced_by="grading.views",
        ),
        _f(
            MOVEMENT_MANAGE,
            _("Вести книгу движения учащихся (приказы о зачислении, переводе, выбытии)"),
            SCHOOL_YEAR,
            {R.JOURNAL_ADMIN, R.SECRETARY},
            STAFF_ROLES - {R.MUNICIPAL_COORDINATOR},
            enforced_by="movement.views",
        ),
        _f(
            EVENTS_SCHOOL,
            _("Вести календарь событий школы"),
            SCHOOL_YEAR,
            {R.JOURNAL_ADMIN, R.DEPUTY, R.DIRECTOR},
            STAFF_ROLES - {R.MUNICIPAL_COORDINATOR},
            enforced_by="events.views",
        ),
        _f(
            EVENTS_CLASS,
            _("Вести календарь событий своего класса"),
            SCHOOL_YEAR,
            {R.CLASS_TEACHER},
            {R.CLASS_TEACHER},
            enforced_by="events.views",
        ),
        _f(
            EXAMS_MANAGE,
            _("Записывать выбор экзаменов (ЕГЭ, ОГЭ) учащимися"),
            SCHOOL_YEAR,
            {R.JOURNAL_ADMIN, R.DEPUTY},
            STAFF_ROLES - {R.MUNICIPAL_COORDINATOR},
            enforced_by="events.views",
        ),
        _f(
            ROSTER_IMPORT,
            _("Загружать списки классов, учащихся, родителей и сотрудников из файлов"),
            SCHOOL_YEAR,
            {R.JOURNAL_ADMIN},
            STAFF_ROLES - {R.MUNICIPAL_COORDINATOR},
            enforced_by="imports.views",
        ),
        _f(
            SCHOOL_REPORTS,
            _("Видеть отчёты школы: нагрузка, замены, выполнение программы, движение, наполняемость"),
            SCHOOL_YEAR,
            # The secretary keeps the movement book and prepares its reports.
            {R.JOURNAL_ADMIN, R.DIRECTOR, R.DEPUTY, R.SECRETARY, R.MUNICIPAL_COORDINATOR},
            READERS,
            enforced_by="office.views",
        ),
    )
}

# The order of the rights page's rows: the journal's own roles first, then the others of ACC-1.
ROLE_ORDER: list[str] = [
    R.JOURNAL_ADMIN,
    R.DIRECTOR,
    R.DEPUTY,
    R.TEACHER,
    R.CLASS_TEACHER,
    R.PARENT,
    R.STUDENT,
    R.SYSTEM_ADMIN,
    R.SECRETARY,
    R.NURSE,
    R.SOCIAL_PEDAGOGUE,
    R.PSYCHOLOGIST,
    R.LIBRARIAN,
    R.PARENT_COMMITTEE,
    R.MUNICIPAL_COORDINATOR,
]
assert set(ROLE_ORDER) == set(Role.values), "every role has a row on the rights page"

# What the role has without the school's overrides, for the documentation and the tests.
DEFAULTS: dict[str, frozenset[str]] = {
    role: frozenset(code for code, fn in FUNCTIONS.items() if role in fn.defaults) for role in ROLE_ORDER
}


def applies(code: str, role: str) -> bool:
    fn = FUNCTIONS[code]
    return role in fn.applies_to or role in fn.locked


def enabled(code: str, role: str, overrides: dict | None) -> bool:
    """Does `role` have function `code` in a school with these overrides ({role: {code: bool}})?"""
    fn = FUNCTIONS[code]
    if role in fn.locked:
        return True
    if role not in fn.applies_to:
        return False
    chosen = (overrides or {}).get(role, {}).get(code)
    return (role in fn.defaults) if chosen is None else bool(chosen)


def granted(roles, overrides: dict | None) -> frozenset[str]:
    """The functions a user with these roles has in a school with these overrides."""
    return frozenset(code for code in FUNCTIONS if any(enabled(code, role, overrides) for role in roles))
