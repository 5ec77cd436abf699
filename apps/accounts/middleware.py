from .models import Membership

SESSION_KEY = "school_id"


class CurrentSchoolMiddleware:
    """Sets request.school (the tenant) and request.roles (the user's roles in it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.school = None
        request.roles = set()
        request.schools = []
        if request.user.is_authenticated:
            memberships = list(Membership.objects.filter(user=request.user).select_related("school"))
            schools = {m.school_id: m.school for m in memberships}
            request.schools = sorted(schools.values(), key=lambda s: s.short_name)
            chosen = request.session.get(SESSION_KEY)
            if chosen not in schools and schools:
                chosen = request.schools[0].pk
            if chosen is not None:
                request.school = schools[chosen]
                request.roles = {m.role for m in memberships if m.school_id == chosen}
        return self.get_response(request)
