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
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
