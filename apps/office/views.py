"""The «Управление» page: the administration's sections this user may open."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from apps.accounts import access

from .sections import GROUPS, SECTIONS


def sections_for(request):
    """[(group, [(url, section), …]), …] for the user's functions in the current school."""
    mine = access.functions(request)
    grouped = {g: [] for g in GROUPS}
    for section in SECTIONS:
        if section.functions & mine:
            grouped[section.group].append((reverse(section.url_name), section))
    return [(g, items) for g, items in grouped.items() if items]


@login_required
def index(request):
    groups = sections_for(request)
    if not groups:
        raise Http404
    return render(request, "office/index.html", {"groups": groups})
