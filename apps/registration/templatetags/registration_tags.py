"""`{% diary_access_reasons %}`: why a family member's diary list is empty (ACC-6, ACC-7)."""

from django import template

from apps.registration import selectors
from apps.registration.deadlines import school_today

register = template.Library()


@register.inclusion_tag("registration_app/_diary_reasons.html", takes_context=True)
def diary_access_reasons(context):
    request = context["request"]
    rows = []
    if request.user.is_authenticated and getattr(request, "school", None) is not None:
        rows = selectors.diary_access_explained(
            user=request.user, school=request.school, today=school_today(request.school)
        )
    return {"rows": rows, "request": request}
