"""The rights page (ACC-2): the journal administrator switches functions on and off per role; and
the classes page, where the roles without journals (secretary, nurse, social pedagogue …) find the
class lists and the classes' attendance their functions open."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from apps.accounts import access
from apps.journal.services import school_today
from apps.schools.models import SchoolClass

from . import registry, selectors, services


@login_required
@require_http_methods(["GET", "POST"])
def matrix(request):
    if not access.can(request, registry.RIGHTS_MANAGE):
        raise Http404
    school = request.school
    overrides = access.school_overrides(school)
    try:
        version = school.role_rights.version
    except school.__class__.role_rights.RelatedObjectDoesNotExist:
        version = 0
    if request.method == "POST":
        try:
            posted_version = int(request.POST.get("version", ""))
        except ValueError:
            posted_version = -1
        try:
            if request.POST.get("reset"):
                changes = services.rights_reset(school=school, author=request.user, version=posted_version)
            else:
                checked = set(request.POST.getlist("on"))
                wanted = {
                    (role, code): f"{role}:{code}" in checked
                    for code in registry.FUNCTIONS
                    for role in registry.ROLE_ORDER
                    if registry.applies(code, role)
                }
                changes = services.rights_set(school=school, wanted=wanted, author=request.user, version=posted_version)
        except services.StaleRights as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if changes:
                messages.success(
                    request,
                    ngettext(
                        "Права ролей сохранены: изменена %(n)d отметка.",
                        "Права ролей сохранены: изменено отметок — %(n)d.",
                        len(changes),
                    )
                    % {"n": len(changes)},
                )
            else:
                messages.info(request, _("Изменений нет."))
        return HttpResponseRedirect(reverse("rights:matrix"))
    return render(
        request,
        "rights/matrix.html",
        {
            "table": selectors.rights_table(overrides=overrides),
            "history": selectors.rights_history(school=school),
            "version": version,
        },
    )


@login_required
@require_GET
def classes(request):
    """The classes of the school: links to each class's list and attendance, as the user's
    functions allow. Staff only; a role with neither function sees a note, not a list."""
    if not access.is_staff(request):
        raise Http404
    today = school_today(request.school)
    rows = selectors.school_classes(classes=access.classes_listed(request), today=today)
    return render(
        request,
        "rights/classes.html",
        {
            "rows": rows,
            "lists": access.can(request, registry.CLASS_LISTS),
            "attendance": access.can(request, registry.ATTENDANCE_ALL),
            "note": selectors.no_functions_note(),
            "functions": [registry.FUNCTIONS[c].label for c in registry.FUNCTIONS if c in access.functions(request)],
        },
    )


@login_required
@require_GET
def class_list(request, class_id):
    if not access.can(request, registry.CLASS_LISTS):
        raise Http404
    try:
        school_class = access.classes_listed(request).select_related("class_teacher", "year").get(pk=class_id)
    except (SchoolClass.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    day = school_today(request.school)
    return render(
        request,
        "rights/class_list.html",
        {
            "list": selectors.class_list(school_class=school_class, day=day),
            "attendance": access.can(request, registry.ATTENDANCE_ALL),
        },
    )
