"""The administration's sections (issue 3): what the «Управление» page lists, and for whom.

Each section is a page of its own app, shown to a user who has any of its functions
(apps.rights.registry). The page, the navigation and the tests read this one list.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from apps.rights import registry as r


@dataclass(frozen=True)
class Section:
    url_name: str
    title: str
    description: str
    functions: frozenset[str]
    group: str


YEAR = _("Учебный год и календарь")
PEOPLE = _("Классы, группы, люди")
TIMETABLE = _("Расписание")
GRADES = _("Оценивание и программа")
REPORTS = _("Отчёты")


def _s(url_name, title, description, functions, group):
    return Section(url_name, title, description, frozenset(functions), group)


SECTIONS: list[Section] = [
    _s(
        "schoolyear:index",
        _("Учебные годы"),
        _("Создание и закрытие года, периоды аттестации по параллелям, каникулы, классы"),
        {r.YEAR_MANAGE},
        YEAR,
    ),
    _s(
        "schoolyear:calendar",
        _("Производственный календарь"),
        _("Рабочие и выходные дни, праздники и переносы; поправки школы"),
        {r.YEAR_MANAGE},
        YEAR,
    ),
    _s(
        "events:index",
        _("Календарь событий"),
        _("События школы и классов, которые видят родители в дневнике"),
        {r.EVENTS_SCHOOL, r.EVENTS_CLASS},
        YEAR,
    ),
    _s(
        "curriculum:plan",
        _("Учебный план"),
        _("Часы в неделю по параллелям и предметам"),
        {r.CURRICULUM_MANAGE},
        PEOPLE,
    ),
    _s(
        "curriculum:workload",
        _("Нагрузка учителей"),
        _("Кто ведёт каждый предмет каждого класса и группы; проверка плана"),
        {r.CURRICULUM_MANAGE, r.SCHOOL_REPORTS},
        PEOPLE,
    ),
    _s(
        "curriculum:groups",
        _("Группы"),
        _("Подгруппы, межклассные группы, надомное обучение, индивидуальные планы"),
        {r.CURRICULUM_MANAGE},
        PEOPLE,
    ),
    _s("curriculum:staff", _("Сотрудники"), _("Должности и аттестация педагогов"), {r.STAFF_MANAGE}, PEOPLE),
    _s(
        "movement:index",
        _("Книга движения учащихся"),
        _("Зачисление, перевод, выбытие, перевод в следующий класс, выпуск"),
        {r.MOVEMENT_MANAGE},
        PEOPLE,
    ),
    _s("events:exams", _("Выбор экзаменов"), _("Предметы ЕГЭ и ОГЭ, выбранные учащимися"), {r.EXAMS_MANAGE}, PEOPLE),
    _s(
        "imports:index",
        _("Загрузка списков"),
        _("Классы, учащиеся, родители и сотрудники из XLSX или CSV с проверкой"),
        {r.ROSTER_IMPORT},
        PEOPLE,
    ),
    _s(
        "timetable:bells",
        _("Расписание звонков"),
        _("Звонки обычных и сокращённых дней"),
        {r.TIMETABLE_MANAGE},
        TIMETABLE,
    ),
    _s(
        "timetable:index",
        _("Расписание уроков"),
        _("Недельное расписание классов и групп, кабинеты, уроки в журналах"),
        {r.TIMETABLE_MANAGE},
        TIMETABLE,
    ),
    _s(
        "timetable:substitutions",
        _("Замены"),
        _("Замена учителя на уроке или отмена урока"),
        {r.SUBSTITUTIONS_MANAGE},
        TIMETABLE,
    ),
    _s(
        "grading:index",
        _("Системы оценивания"),
        _("Пятибалльная, зачётная, десяти- и стобалльная; перевод отметок"),
        {r.GRADING_MANAGE},
        GRADES,
    ),
    _s(
        "plans:completion",
        _("Выполнение программы"),
        _("Запланировано и дано часов: по журналам, классам, учителям"),
        {r.SCHOOL_REPORTS},
        REPORTS,
    ),
    _s(
        "timetable:substitution_report",
        _("Отчёт о заменах"),
        _("Замены за период по учителям"),
        {r.SCHOOL_REPORTS},
        REPORTS,
    ),
    _s(
        "movement:report",
        _("Движение учащихся"),
        _("Прибыло и выбыло за период по классам"),
        {r.SCHOOL_REPORTS},
        REPORTS,
    ),
    _s(
        "movement:class_sizes",
        _("Наполняемость классов"),
        _("Число учащихся в классах на дату"),
        {r.SCHOOL_REPORTS},
        REPORTS,
    ),
]

GROUPS = [YEAR, PEOPLE, TIMETABLE, GRADES, REPORTS]

ALL_FUNCTIONS = frozenset().union(*(s.functions for s in SECTIONS))
