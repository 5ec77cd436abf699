"""Who manages which events (ORG-10), failing closed (404).

The administration with «Вести календарь событий школы» (rights.EVENTS_SCHOOL) manages the
whole school's events and those of every class; a class teacher with «…своего класса»
(rights.EVENTS_CLASS) those of the classes she leads (SchoolClass.class_teacher is her staff
record). Anybody else gets 404, and so does an event outside the user's reach.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import Http404

from apps.accounts import access
from apps.rights import registry as rights
from apps.schools.models import AcademicYear, SchoolClass

from .models import Event, ExamChoice


@dataclass
class EventScope:
    school_wide: bool
    classes: list[SchoolClass] = field(default_factory=list)  # the classes whose events the user writes

    @property
    def class_ids(self) -> set[int]:
        return {c.pk for c in self.classes}

    def may_manage(self, event: Event) -> bool:
        if self.school_wide:
            return True
        return event.school_class_id is not None and event.school_class_id in self.class_ids

    def visible_class_ids(self) -> set[int] | None:
        """Whose class events the calendar shows: None = every class (the administration)."""
        return None if self.school_wide else self.class_ids


def event_scope(request) -> EventScope:
    """The user's reach in the current school's calendar; 404 without either function."""
    school = getattr(request, "school", None)
    if school is None:
        raise Http404
    school_wide = access.can(request, rights.EVENTS_SCHOOL)
    own = access.can(request, rights.EVENTS_CLASS)
    if not (school_wide or own):
        raise Http404
    classes = SchoolClass.objects.filter(school=school).exclude(year__status=AcademicYear.Status.CLOSED)
    if not school_wide:
        classes = classes.filter(class_teacher__user=request.user)
    return EventScope(school_wide=school_wide, classes=list(classes.select_related("year").order_by("grade", "letter")))


def get_event_for_manager(request, pk) -> tuple[Event, EventScope]:
    scope = event_scope(request)
    try:
        event = Event.objects.select_related("school", "year", "school_class").get(school=request.school, pk=pk)
    except (Event.DoesNotExist, ValueError):
        raise Http404 from None
    if not scope.may_manage(event):
        raise Http404
    return event, scope


def exams_manager(request) -> None:
    """404 unless the user records exam choices in the current school (rights.EXAMS_MANAGE)."""
    if getattr(request, "school", None) is None or not access.can(request, rights.EXAMS_MANAGE):
        raise Http404


def get_exam_choice(request, pk) -> ExamChoice:
    exams_manager(request)
    try:
        return ExamChoice.objects.select_related("year", "student").get(school=request.school, pk=pk)
    except (ExamChoice.DoesNotExist, ValueError):
        raise Http404 from None
