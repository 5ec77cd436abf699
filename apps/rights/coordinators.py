"""Municipal coordinators (ORG-1): a MunicipalMembership makes every school of the municipality
available to its holder, with the role MUNICIPAL_COORDINATOR there.

Why a membership of the municipality and not a Membership row per school: the schools of a
municipality change (a school opens, merges) and the coordinator must follow without anybody
copying roles; and a school's journal administrator must not be able to remove the
municipality's oversight of his own school.

Cost per request: nothing for everybody else. Whether the user coordinates anything is noted in
the session at sign-in (one query then); only a coordinator's requests look up the schools (one
query, which also sees a membership withdrawn since: access ends at once). A membership granted
while the coordinator is signed in takes effect at the next sign-in.
"""

from apps.schools.models import School

from .models import MunicipalMembership

SESSION_KEY = "rights_coordinator"


def remember_coordinator(sender, request, user, **kwargs):
    """user_logged_in: note in the session whether this login coordinates a municipality."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = MunicipalMembership.objects.filter(user=user).exists()


def coordinated_schools(request) -> list[School]:
    """The schools of the municipalities this user coordinates; [] (no query) for everybody else."""
    if not request.session.get(SESSION_KEY):
        return []
    return list(School.objects.filter(municipality__coordinators__user=request.user).select_related("role_rights"))
