"""Pages of the grading settings (JRN-4): the school's systems, subject rules, conversion scales,
the converter and a journal's results read in another system.

The settings need GRADING_MANAGE (404 without it). The converter is open to the staff who read
journals; a journal's converted results to whoever may read that journal
(access.get_journal_for_user). Everything is of request.school; another school's object is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts import access
from apps.journal.grading import GradingSystem
from apps.rights import registry as rights

from . import selectors, services
from .forms import ConvertForm, RuleForm, SystemsForm
from .models import ConversionScale, SubjectGrading

BLANK_ROWS = 3


def _manager(request) -> None:
    if not access.can(request, rights.GRADING_MANAGE):
        raise Http404


def _errors(exc: ValidationError) -> list[str]:
    return list(exc.messages)


# ---------------------------------------------------------------------------------------------
# The settings page


def _render_index(request, *, systems_form=None, rule_form=None, errors=(), status=200):
    school = request.school
    systems = selectors.school_systems(school=school)
    scales = selectors.scales(school=school)
    context = {
        "systems": systems,
        "systems_labels": [GradingSystem.label(code) for code in systems],
        "systems_form": systems_form
        or SystemsForm(initial={"systems": [code for code in systems if code != GradingSystem.FIVE]}),
        "rules": selectors.subject_rules(school=school),
        "rule_form": rule_form or RuleForm(school=school, systems=systems),
        "scales": scales,
        "missing_defaults": [
            (GradingSystem.label(a), GradingSystem.label(b))
            for a, b in selectors.missing_defaults(school=school, existing=scales)
        ],
        "journals": selectors.other_system_journals(school=school),
        "pairs": [(code, label) for code, label in GradingSystem.choices()],
        "errors": errors,
    }
    return render(request, "grading/index.html", context, status=status)


@login_required
@require_GET
def index(request):
    _manager(request)
    return _render_index(request)


@login_required
@require_POST
def systems(request):
    _manager(request)
    form = SystemsForm(request.POST)
    if not form.is_valid():
        return _render_index(request, systems_form=form)
    try:
        used = services.systems_set(school=request.school, systems=form.cleaned_data["systems"])
    except ValidationError as exc:
        return _render_index(request, systems_form=form, errors=_errors(exc))
    messages.success(
        request,
        _("Системы оценивания школы: %(systems)s.") % {"systems": ", ".join(GradingSystem.label(c) for c in used)},
    )
    return redirect("grading:index")


# ---------------------------------------------------------------------------------------------
# Subject rules


@login_required
@require_POST
def rule_add(request):
    _manager(request)
    school = request.school
    form = RuleForm(request.POST, school=school, systems=selectors.school_systems(school=school))
    if not form.is_valid():
        return _render_index(request, rule_form=form)
    data = form.cleaned_data
    try:
        rule = services.rule_create(
            school=school,
            subject=data["subject"],
            grade_from=data["grade_from"],
            grade_to=data["grade_to"],
            system=data["system"],
        )
    except ValidationError as exc:
        return _render_index(request, rule_form=form, errors=_errors(exc))
    messages.success(
        request,
        _("Правило сохранено: новые журналы предмета «%(subject)s» (%(grades)s) будут в системе «%(system)s».")
        % {"subject": rule.subject, "grades": rule.grades_text, "system": rule.system_label},
    )
    return redirect("grading:rule", pk=rule.pk)


def _rule(request, pk) -> SubjectGrading:
    return get_object_or_404(SubjectGrading.objects.select_related("subject"), pk=pk, school=request.school)


@login_required
@require_http_methods(["GET", "POST"])
def rule(request, pk):
    """The rule and the existing journals it concerns; POST gives them its system."""
    _manager(request)
    rule = _rule(request, pk)
    if request.method == "POST":
        result = services.rule_apply(rule=rule, author=request.user)
        if result.change:
            messages.success(
                request,
                ngettext(
                    "Система «%(system)s» установлена в %(n)d журнале.",
                    "Система «%(system)s» установлена в %(n)d журналах.",
                    len(result.change),
                )
                % {"system": rule.system_label, "n": len(result.change)},
            )
        if result.refused:
            messages.warning(
                request,
                ngettext(
                    "%(n)d журнал оставлен в прежней системе: причины указаны в списке.",
                    "%(n)d журналов оставлены в прежней системе: причины указаны в списке.",
                    len(result.refused),
                )
                % {"n": len(result.refused)},
            )
        return redirect("grading:rule", pk=rule.pk)
    preview = selectors.rule_journals(rule=rule)
    return render(request, "grading/rule.html", {"rule": rule, "preview": preview})


@login_required
@require_POST
def rule_delete(request, pk):
    _manager(request)
    rule = _rule(request, pk)
    text = str(rule)
    services.rule_delete(rule=rule)
    messages.success(
        request, _("Правило «%(rule)s» удалено. Уже созданные журналы остались в своей системе.") % {"rule": text}
    )
    return redirect("grading:index")


# ---------------------------------------------------------------------------------------------
# Conversion scales


def _posted_bands(request) -> list[tuple[str, str, str]]:
    lows, highs, values = (request.POST.getlist(k) for k in ("low", "high", "value"))
    n = max(len(lows), len(highs), len(values))

    def at(items, i):
        return items[i] if i < len(items) else ""

    return [(at(lows, i), at(highs, i), at(values, i)) for i in range(n)]


def _rows(bands) -> list[tuple]:
    rows = [tuple("" if x is None else str(x) for x in b) for b in bands]
    return rows + [("", "", "")] * BLANK_ROWS


def _render_scale(request, *, scale, from_system, to_system, rows, errors=(), status=200):
    context = {
        "scale": scale,
        "from_system": from_system,
        "to_system": to_system,
        "from_label": GradingSystem.label(from_system) if from_system in GradingSystem.SYSTEMS else "",
        "to_label": GradingSystem.label(to_system) if to_system in GradingSystem.SYSTEMS else "",
        "range": selectors.RANGES.get(from_system),
        "allowed": GradingSystem.allowed_text(to_system) if to_system in GradingSystem.SYSTEMS else "",
        "rows": rows,
        "errors": errors,
        "sources": [(c, label) for c, label in GradingSystem.choices() if c in selectors.RANGES],
        "targets": GradingSystem.choices(),
    }
    return render(request, "grading/scale.html", context, status=status)


def _save_scale(request, *, scale, from_system, to_system):
    rows = _posted_bands(request)
    try:
        saved = services.scale_save(school=request.school, from_system=from_system, to_system=to_system, bands=rows)
    except ValidationError as exc:
        return _render_scale(
            request, scale=scale, from_system=from_system, to_system=to_system, rows=rows, errors=_errors(exc)
        )
    messages.success(request, _("Шкала перевода «%(scale)s» сохранена.") % {"scale": saved})
    return redirect("grading:index")


@login_required
@require_http_methods(["GET", "POST"])
def scale_new(request):
    """A new scale; the ready-made bands of the pair filled in when there are some."""
    _manager(request)
    source = request.POST if request.method == "POST" else request.GET
    from_system = source.get("from_system") or GradingSystem.HUNDRED
    to_system = source.get("to_system") or GradingSystem.FIVE
    if request.method == "POST":
        return _save_scale(request, scale=None, from_system=from_system, to_system=to_system)
    existing = selectors.scale_for(school=request.school, from_system=from_system, to_system=to_system)
    if existing is not None:
        return redirect("grading:scale", pk=existing.pk)
    bands = selectors.DEFAULT_SCALES.get((from_system, to_system), [])
    return _render_scale(request, scale=None, from_system=from_system, to_system=to_system, rows=_rows(bands))


def _scale(request, pk) -> ConversionScale:
    return get_object_or_404(ConversionScale.objects.prefetch_related("bands"), pk=pk, school=request.school)


@login_required
@require_http_methods(["GET", "POST"])
def scale(request, pk):
    _manager(request)
    scale = _scale(request, pk)
    if request.method == "POST":
        return _save_scale(request, scale=scale, from_system=scale.from_system, to_system=scale.to_system)
    rows = _rows((b.low, b.high, b.value) for b in scale.bands.all())
    return _render_scale(request, scale=scale, from_system=scale.from_system, to_system=scale.to_system, rows=rows)


@login_required
@require_POST
def scale_delete(request, pk):
    _manager(request)
    scale = _scale(request, pk)
    text = str(scale)
    services.scale_delete(scale=scale)
    messages.success(request, _("Шкала перевода «%(scale)s» удалена.") % {"scale": text})
    return redirect("grading:index")


@login_required
@require_POST
def scale_defaults(request):
    _manager(request)
    created = services.scale_defaults_install(school=request.school)
    if created:
        messages.success(
            request,
            _("Добавлены шкалы по образцу: %(scales)s.") % {"scales": ", ".join(str(s) for s in created)},
        )
    else:
        messages.info(request, _("Все шкалы по образцу уже есть."))
    return redirect("grading:index")


# ---------------------------------------------------------------------------------------------
# The converter and a journal's results


def _may_convert(request) -> bool:
    return access.is_staff(request) and (access.reads_journals(request) or access.can(request, rights.GRADING_MANAGE))


@login_required
@require_GET
def convert(request):
    """A value or an average of one system → the result in another, with the band used."""
    if not _may_convert(request):
        raise Http404
    form = ConvertForm(request.GET or None, initial={"from_system": GradingSystem.HUNDRED, "to_system": "five"})
    result, error = None, ""
    if form.is_valid():
        data = form.cleaned_data
        args = {"school": request.school, "from_system": data["from_system"], "to_system": data["to_system"]}
        value = data["value"].strip()
        try:
            if value.lower() in GradingSystem.allowed(data["from_system"]) or not any(ch in value for ch in ".,"):
                result = services.convert_explained(**args, value=value)
            else:
                result = services.convert_average_explained(**args, average=value)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    context = {
        "form": form,
        "result": result,
        "error": error,
        "manager": access.can(request, rights.GRADING_MANAGE),
        "bands": list(result.scale.bands.all()) if result is not None and result.scale else [],
    }
    return render(request, "grading/convert.html", context)


@login_required
@require_GET
def journal(request, pk):
    """The journal's period averages in its own system and read in another, the bands beside."""
    if not access.is_staff(request):
        raise Http404
    journal, _can_write = access.get_journal_for_user(request, pk)
    results = selectors.journal_results(journal=journal, to_system=request.GET.get("to"))
    context = {
        "journal": journal,
        "results": results,
        "manager": access.can(request, rights.GRADING_MANAGE),
        "target_choices": [(code, GradingSystem.label(code)) for code in results.targets],
    }
    return render(request, "grading/journal.html", context)
