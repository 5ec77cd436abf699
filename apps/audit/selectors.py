"""Reading the change log: the history of one journal cell or one lesson."""

from django.db.models import QuerySet

from .models import Entry


def cell_history(*, school_id: int, lesson_id: int, student_id: int) -> QuerySet[Entry]:
    """Every logged change of the marks and attendance of one student at one lesson, oldest first."""
    return (
        Entry.objects.filter(school_id=school_id, lesson_id=lesson_id, student_id=student_id)
        .select_related("author")
        .order_by("seq")
    )


def lesson_history(*, school_id: int, lesson_id: int) -> QuerySet[Entry]:
    """Changes of the lesson record itself: creation, topic, homework, status."""
    return (
        Entry.objects.filter(school_id=school_id, object_type__in=("lesson", "homework"), object_id=lesson_id)
        .select_related("author")
        .order_by("seq")
    )
