from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import access
from .middleware import SESSION_KEY
from .models import Role


@login_required
def home(request):
    """Send each user to where their work is: staff to the journals, families to the diary."""
    if access.is_staff(request):
        # Roles without journals (secretary, nurse, social pedagogue …) start at the classes page.
        return redirect("journal:list" if access.reads_journals(request) else "rights:classes")
    if access.roles(request) & {Role.PARENT, Role.STUDENT}:
        return redirect("diary:index")
    return render(request, "accounts/no_role.html", status=403)


@login_required
@require_POST
def school_switch(request):
    try:
        school_id = int(request.POST.get("school", ""))
    except ValueError:
        raise Http404 from None
    if school_id not in {s.pk for s in request.schools}:
        raise Http404
    request.session[SESSION_KEY] = school_id
    return redirect("home")
