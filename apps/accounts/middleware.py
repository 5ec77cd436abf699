from apps.rights.coordinators import coordinated_schools

from .backends import user_with_memberships
from .models import Membership, Role

SESSION_KEY = "school_id"


def memberships_of(user) -> list[Membership]:
    """The user's memberships, each with its school and the school's role rights loaded: those the
    session's user came with (apps.accounts.backends), or — for a user object made otherwise, or an
    id — read the same way (one statement)."""
    loaded = getattr(user, "_memberships", None)
    if loaded is not None:
        return loaded
    found = user_with_memberships(user if isinstance(user, int) else user.pk)
    return found._memberships if found is not None else []


class CurrentSchoolMiddleware:
    """Sets request.school (the tenant) and request.roles (the user's roles in it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.school = None
        request.roles = set()
        request.schools = []
        if request.user.is_authenticated:
            # The school's role rights (apps.rights, ACC-2) come in the same query.
            memberships = memberships_of(request.user)
            schools = {m.school_id: m.school for m in memberships}
            # A municipal coordinator also works in every school of the municipality (ORG-1).
            coordinated = {s.pk: s for s in coordinated_schools(request)}
            for school_id, school in coordinated.items():
                schools.setdefault(school_id, school)
            request.schools = sorted(schools.values(), key=lambda s: s.short_name)
            chosen = request.session.get(SESSION_KEY)
            if chosen not in schools:  # also when every role is gone since the school was chosen
                chosen = request.schools[0].pk if schools else None
            if chosen is not None:
                request.school = schools[chosen]
                request.roles = {m.role for m in memberships if m.school_id == chosen}
                if chosen in coordinated:
                    request.roles.add(Role.MUNICIPAL_COORDINATOR)
        return self.get_response(request)


class LanguageMiddleware:
    """Russian unless the user chose otherwise (the language switcher sets a cookie).

    Unlike django.middleware.locale.LocaleMiddleware, the browser's Accept-Language is ignored:
    the journal is a Russian school document, and a teacher's English-language browser must not
    turn the school's pages into a half-translated mix.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # override() puts the thread's language back afterwards, so one user's English never
        # leaks into whatever the same thread does next.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
