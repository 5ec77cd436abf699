"""Roster import pages (/import/): upload and check a file, its preview, confirmation and the
history. Only who has rights.ROSTER_IMPORT in the current school (the journal administrator by
default); everyone else gets 404, and a batch of another school is a 404 too."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts import access
from apps.rights import registry as rights

from . import selectors, services
from .forms import UploadForm
from .kinds import Kind, columns
from .models import ImportBatch
from .xlsx import template_name, template_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_import(request) -> None:
    if not access.can(request, rights.ROSTER_IMPORT):
        raise Http404


def _batch(request, pk) -> ImportBatch:
    try:
        return selectors.batch_get(school=request.school, pk=pk)
    except ImportBatch.DoesNotExist:
        raise Http404 from None


def _messages(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


@login_required
def index(request):
    _require_import(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = services.batch_upload(
                school=request.school,
                kind=form.cleaned_data["kind"],
                file_name=upload.name,
                content=upload.read(),
                uploaded_by=request.user,
            )
        except ValidationError as exc:
            for message in _messages(exc):
                form.add_error("file", message)
        else:
            return redirect("imports:batch", batch.pk)
    return render(
        request,
        "imports/index.html",
        {
            "form": form,
            "kinds": [(k, columns(k)) for k in Kind],
            "history": selectors.history(school=request.school, page=request.GET.get("page")),
        },
    )


@login_required
def template(request, kind):
    _require_import(request)
    if kind not in Kind.values:
        raise Http404
    response = HttpResponse(template_xlsx(kind), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{template_name(kind)}"'
    return response


@login_required
def batch(request, pk):
    _require_import(request)
    batch = _batch(request, pk)
    return render(
        request,
        "imports/batch.html",
        {
            "batch": batch,
            "columns": columns(batch.kind),
            "rows": selectors.preview_rows(batch=batch),
            "errors": [e["text"] for r in batch.rows for e in r["errors"]],
            "counts": batch.result,
            "valid": sum(batch.result.get(a, 0) for a in ("create", "update", "skip")),
            "class_links": _class_links(request, batch),
        },
    )


def _class_links(request, batch: ImportBatch) -> list:
    """The lists of the classes just loaded into (rights:class_list), if the user may read them."""
    keys = selectors.loaded_class_keys(batch=batch)
    if not keys or not access.can(request, rights.CLASS_LISTS):
        return []
    classes = access.classes_listed(request).filter(year_id=batch.year_id).order_by("grade", "letter")
    return [c for c in classes if (c.grade, c.letter.upper()) in keys]


@login_required
@require_POST
def confirm(request, pk):
    _require_import(request)
    batch = _batch(request, pk)
    try:
        batch = services.batch_confirm(
            batch=batch, decided_by=request.user, valid_only=request.POST.get("mode") == "valid"
        )
    except ValidationError as exc:
        for message in _messages(exc):
            messages.error(request, message)
    else:
        message = _("Загружено строк: %(n)s.") % {"n": len(batch.result.get("written", []))}
        if batch.result.get("skip"):
            message += " " + _("Без изменений: %(n)s.") % {"n": batch.result["skip"]}
        messages.success(request, message)
    return redirect("imports:batch", batch.pk)


@login_required
@require_POST
def cancel(request, pk):
    _require_import(request)
    batch = _batch(request, pk)
    try:
        services.batch_cancel(batch=batch, cancelled_by=request.user)
    except ValidationError as exc:
        for message in _messages(exc):
            messages.error(request, message)
        return redirect("imports:batch", batch.pk)
    messages.success(request, _("Загрузка отменена: в школе ничего не изменилось."))
    return redirect("imports:index")
