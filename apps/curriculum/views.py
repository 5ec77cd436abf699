"""Pages of the curriculum (ORG-5), the workload and its check (ORG-5), groups (ORG-4) and the
staff list with attestation (ORG-6). Views are thin: access (apps.accounts.access, 404 without
the function), reads from selectors, writes through services."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from apps.accounts import access
from apps.ops import xlsx
from apps.people.models import GroupMembership, Staff, Student
from apps.registration.deadlines import school_today
from apps.rights import registry as rights
from apps.schools.models import AcademicYear, Group, SchoolClass, Subject

from . import selectors, services, spreadsheets
from .forms import AttestationForm, CrossGroupForm, GroupSubjectForm, OneStudentForm, SplitForm, SubjectForm
from .models import GroupSubject, StaffAttestation, hours_text


def _require(request, *functions) -> None:
    if getattr(request, "school", None) is None or not any(access.can(request, f) for f in functions):
        raise Http404


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value).strip()) if value else None
    except ValueError:
        return None


def _year(request) -> AcademicYear | None:
    """The year asked for (?year=, of this school only: another's is a 404), else the current one."""
    pk = request.GET.get("year") or request.POST.get("year")
    if pk:
        year = AcademicYear.objects.filter(school=request.school, pk=_int(pk)).first()
        if year is None:
            raise Http404
        return year
    return selectors.current_year(request.school)


def _url(name, **params) -> str:
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return reverse(name) + (f"?{urlencode(params)}" if params else "")


def _default_day(request, year: AcademicYear) -> dt.date:
    today = school_today(request.school)
    return min(max(today, year.starts), year.ends)


NAV = (
    ("curriculum:plan", _lazy("Учебный план"), (rights.CURRICULUM_MANAGE,)),
    ("curriculum:workload", _lazy("Нагрузка"), (rights.CURRICULUM_MANAGE, rights.SCHOOL_REPORTS)),
    ("curriculum:groups", _lazy("Группы"), (rights.CURRICULUM_MANAGE,)),
    ("curriculum:staff", _lazy("Сотрудники"), (rights.STAFF_MANAGE,)),
)


def _render(request, template, context):
    """render() with the section's links this user may open."""
    current = request.resolver_match.view_name if request.resolver_match else ""
    nav = [
        (reverse(name), label, name == current or (name == "curriculum:groups" and current in GROUP_PAGES))
        for name, label, functions in NAV
        if any(access.can(request, f) for f in functions)
    ]
    return render(request, template, {**context, "nav": nav})


GROUP_PAGES = {"curriculum:split", "curriculum:group"}


def _no_year(request):
    return _render(request, "curriculum/no_year.html", {})


# ---------------------------------------------------------------------------------------------
# The curriculum


@login_required
@require_http_methods(["GET", "POST"])
def plan(request):
    """ORG-5: grades × subjects of a year, hours per week and the division into subgroups, edited
    in one form; a bad cell is reported and every other cell saved."""
    _require(request, rights.CURRICULUM_MANAGE)
    year = _year(request)
    if year is None:
        return _no_year(request)
    all_grades = request.GET.get("all") == "1"
    grid = selectors.plan_grid(year=year, all_grades=all_grades)
    if request.method == "POST":
        cells = []
        for row in grid.rows:
            for cell in row.cells:
                if cell.name not in request.POST:
                    continue  # not on the form the user saw (another subject or grade set)
                cells.append(
                    services.PlanCell(
                        cell.subject.pk, cell.grade, request.POST.get(cell.name, ""), cell.divided_name in request.POST
                    )
                )
        try:
            result = services.curriculum_save(year=year, cells=cells)
        except ValidationError as exc:
            messages.error(request, services.message(exc))
            return HttpResponseRedirect(_url("curriculum:plan", year=year.pk))
        if result.ok:
            messages.success(
                request,
                ngettext(
                    "Учебный план сохранён: изменена %(n)d клетка.",
                    "Учебный план сохранён: изменено %(n)d клеток.",
                    result.changed,
                )
                % {"n": result.changed}
                if result.changed
                else _("Изменений нет."),
            )
            return HttpResponseRedirect(_url("curriculum:plan", year=year.pk, all="1" if all_grades else ""))
        grid = selectors.plan_grid(year=year, all_grades=all_grades)
        for c in cells:
            view = grid.cell(c.subject_id, c.grade)
            if view is not None and (c.subject_id, c.grade) in result.errors:
                view.typed, view.typed_divided, view.error = c.hours, c.divided, result.errors[(c.subject_id, c.grade)]
        messages.error(
            request,
            _("Не сохранено клеток: %(bad)d (они отмечены), остальные изменения сохранены.")
            % {"bad": len(result.errors)},
        )
    return _render(
        request,
        "curriculum/plan.html",
        {
            "year": year,
            "years": selectors.school_years(request.school),
            "grid": grid,
            "all_grades": all_grades,
            "closed": year.status == AcademicYear.Status.CLOSED,
            "subject_form": SubjectForm(),
            "errors": [c.error for r in grid.rows for c in r.cells if c.error],
        },
    )


@login_required
@require_http_methods(["POST"])
def subject_add(request):
    """A new subject for the curriculum's rows (and electives)."""
    _require(request, rights.CURRICULUM_MANAGE)
    form = SubjectForm(request.POST)
    back = _url("curriculum:plan", year=request.POST.get("year"))
    if not form.is_valid():
        messages.error(request, _("Введите название предмета."))
        return HttpResponseRedirect(back)
    try:
        subject = services.subject_create(
            school=request.school, name=form.cleaned_data["name"], short_name=form.cleaned_data["short_name"]
        )
    except ValidationError as exc:
        messages.error(request, services.message(exc))
    else:
        messages.success(request, _("Предмет «%(name)s» добавлен.") % {"name": subject.name})
    return HttpResponseRedirect(back)


# ---------------------------------------------------------------------------------------------
# The workload


@login_required
@require_http_methods(["GET", "POST"])
def workload(request):
    """ORG-5: who teaches each curriculum line of each class; the check; each teacher's hours.
    The curriculum's managers edit a class at a time (?class=); the school's reports read."""
    _require(request, rights.CURRICULUM_MANAGE, rights.SCHOOL_REPORTS)
    can_edit = access.can(request, rights.CURRICULUM_MANAGE)
    if request.method == "POST" and not can_edit:
        raise Http404
    year = _year(request)
    if year is None:
        return _no_year(request)
    today = school_today(request.school)
    data = selectors.workload(year=year, today=today)
    editing = None
    if can_edit and year.status != AcademicYear.Status.CLOSED:
        class_id = _int(request.GET.get("class") or request.POST.get("class"))
        editing = data.class_rows(class_id) if class_id else None
        if class_id and editing is None:
            raise Http404
    if request.method == "POST":
        if editing is None:
            raise Http404
        inputs = []
        typed = {}
        for row in editing.rows:
            if not row.editable or f"t-{row.key}" not in request.POST:
                continue
            teacher = request.POST.get(f"t-{row.key}", "")
            hours = request.POST.get(f"h-{row.key}", "")
            typed[row.key] = (teacher, hours)
            inputs.append(
                services.WorkloadInput(
                    group=row.group,
                    subject=row.subject,
                    teacher_id=_int(teacher),
                    hours=hours,
                    school_class=row.school_class,
                    key=row.key,
                )
            )
        try:
            result = services.workload_save(year=year, rows=inputs, author=request.user)
        except ValidationError as exc:
            messages.error(request, services.message(exc))
            return HttpResponseRedirect(_url("curriculum:workload", year=year.pk))
        if result.ok:
            messages.success(
                request,
                _("Нагрузка %(cls)s сохранена.") % {"cls": editing.school_class}
                if result.changed
                else _("Изменений нет."),
            )
            return HttpResponseRedirect(_url("curriculum:workload", year=year.pk) + f"#c{editing.school_class.pk}")
        data = selectors.workload(year=year, today=today)
        editing = data.class_rows(editing.school_class.pk)
        for row in editing.rows:
            if row.key in result.errors:
                row.typed_teacher, row.typed_hours = typed[row.key]
                row.error = result.errors[row.key]
        messages.error(
            request,
            _("Не сохранено строк: %(bad)d (они отмечены), остальные изменения сохранены.")
            % {"bad": len(result.errors)},
        )
    staff = selectors.working_staff(request.school, today) if editing else []
    if editing:
        # A teacher who has left stays selectable on the lines she still has.
        have = {s.pk for s in staff}
        staff += [r.journal.teacher for r in editing.rows if r.journal and r.journal.teacher_id not in have]
    return _render(
        request,
        "curriculum/workload.html",
        {
            "year": year,
            "years": selectors.school_years(request.school),
            "data": data,
            "editing": editing,
            "can_edit": can_edit and year.status != AcademicYear.Status.CLOSED,
            "staff": staff,
        },
    )


@login_required
def workload_print(request):
    """The teachers' hours and the check as a printable page."""
    _require(request, rights.CURRICULUM_MANAGE, rights.SCHOOL_REPORTS)
    year = _year(request)
    if year is None:
        return _no_year(request)
    data = selectors.workload(year=year, today=school_today(request.school))
    return render(request, "curriculum/workload_print.html", {"year": year, "data": data})


@login_required
def workload_xlsx(request):
    """The teachers' hours (and the check) as a spreadsheet."""
    _require(request, rights.CURRICULUM_MANAGE, rights.SCHOOL_REPORTS)
    year = _year(request)
    if year is None:
        raise Http404
    data = selectors.workload(year=year, today=school_today(request.school))
    content = spreadsheets.workload_workbook(data, school=request.school)
    return xlsx.response(content, f"workload-{year.name.replace('/', '-')}.xlsx")


# ---------------------------------------------------------------------------------------------
# Groups


@login_required
@require_http_methods(["GET", "POST"])
def groups(request):
    """ORG-4: subgroups of classes by subject, cross-class groups, one-student groups; creating
    the latter two."""
    _require(request, rights.CURRICULUM_MANAGE)
    year = _year(request)
    if year is None:
        return _no_year(request)
    day = _default_day(request, year)
    cross_form = CrossGroupForm(prefix="cross")
    class_students = selectors.class_students(year=year, on=day)
    single_form = OneStudentForm(prefix="single", class_students=class_students, initial={"starts": day})
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "cross":
                cross_form = CrossGroupForm(request.POST, prefix="cross")
                if cross_form.is_valid():
                    cd = cross_form.cleaned_data
                    group = services.group_create(year=year, kind=cd["kind"], name=cd["name"], grade=cd["grade"])
                    messages.success(request, _("Группа «%(name)s» создана.") % {"name": group.name})
                    return HttpResponseRedirect(reverse("curriculum:group", args=[group.pk]))
            elif action == "single":
                single_form = OneStudentForm(request.POST, prefix="single", class_students=class_students)
                if single_form.is_valid():
                    cd = single_form.cleaned_data
                    student = Student.objects.filter(school=request.school, pk=cd["student"]).first()
                    group = services.group_create(
                        year=year, kind=cd["kind"], name=cd["name"], student=student, starts=cd["starts"]
                    )
                    messages.success(request, _("Группа «%(name)s» создана.") % {"name": group.name})
                    return HttpResponseRedirect(reverse("curriculum:group", args=[group.pk]))
            else:
                raise Http404
        except ValidationError as exc:
            messages.error(request, services.message(exc))
        else:
            messages.error(request, _("Проверьте поля формы."))
    return _render(
        request,
        "curriculum/groups.html",
        {
            "year": year,
            "years": selectors.school_years(request.school),
            "data": selectors.groups_overview(year=year, today=day),
            "cross_form": cross_form,
            "single_form": single_form,
            "closed": year.status == AcademicYear.Status.CLOSED,
            "day": day,
            "subjects": list(Subject.objects.filter(school=request.school).order_by("name")),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def split(request):
    """ORG-4: split a class into subgroups for a subject, put its students into them (a move
    ends the old membership and starts a new one) and give each subgroup its teacher."""
    _require(request, rights.CURRICULUM_MANAGE)
    params = request.POST if request.method == "POST" else request.GET
    school_class = (
        SchoolClass.objects.select_related("year").filter(school=request.school, pk=_int(params.get("class"))).first()
    )
    subject = Subject.objects.filter(school=request.school, pk=_int(params.get("subject"))).first()
    if school_class is None or subject is None:
        raise Http404
    year = school_class.year
    on = _date(params.get("on")) or _default_day(request, year)
    here = _url("curriculum:split", **{"class": school_class.pk, "subject": subject.pk})
    errors = {}
    typed = {}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "create":
                form = SplitForm(request.POST)
                count = form.cleaned_data["count"] if form.is_valid() else 2
                made = services.subgroups_create(school_class=school_class, subject=subject, count=count)
                messages.success(
                    request,
                    _("%(cls)s разделён на подгруппы: %(names)s.")
                    % {"cls": school_class, "names": ", ".join(g.name for g in made)},
                )
                return HttpResponseRedirect(here)
            if action != "assign":
                raise Http404
            page = selectors.split_page(school_class=school_class, subject=subject, on=on)
            if not page.groups:
                raise Http404
            group_ids = {g.pk for g in page.groups}
            choices = {}
            for row in page.students:
                name = f"s-{row.student.pk}"
                if name in request.POST:
                    target = _int(request.POST.get(name))
                    choices[row.student.pk] = target if target in group_ids else None
            moved = services.subgroup_assign(school_class=school_class, subject=subject, choices=choices, on=on)
            inputs = []
            for g in page.groups:
                if f"t-{g.pk}" in request.POST:
                    typed[g.pk] = (request.POST.get(f"t-{g.pk}", ""), request.POST.get(f"h-{g.pk}", ""))
                    inputs.append(
                        services.WorkloadInput(
                            group=g, subject=subject, teacher_id=_int(typed[g.pk][0]), hours=typed[g.pk][1], key=g.pk
                        )
                    )
            result = services.workload_save(year=year, rows=inputs, author=request.user)
            errors = result.errors
            text = ngettext(
                "Состав подгрупп сохранён: переведён %(n)d учащийся.",
                "Состав подгрупп сохранён: переведено %(n)d учащихся.",
                moved,
            ) % {"n": moved}
            if result.ok:
                messages.success(request, text)
                return HttpResponseRedirect(here + "&" + urlencode({"on": on.isoformat()}))
            messages.success(request, text)
            messages.error(request, _("Учителя подгрупп сохранены не все: см. отмеченные строки."))
        except ValidationError as exc:
            messages.error(request, services.message(exc))
    page = selectors.split_page(school_class=school_class, subject=subject, on=on)
    journals = {
        j.group_id: j for j in subject.journals.filter(group__in=page.groups).select_related("teacher", "exact_hours")
    }
    line = school_class.year.curriculum_lines.filter(grade=school_class.grade, subject=subject).first()
    today = school_today(request.school)
    teachers = []
    for g in page.groups:
        j = journals.get(g.pk)
        t, h = typed.get(g.pk, (None, None))
        teachers.append(
            {
                "group": g,
                "journal": j,
                "teacher": t if t is not None else (str(j.teacher_id) if j else ""),
                "hours": h if h is not None else _split_hours(j, line),
                "error": errors.get(g.pk, ""),
            }
        )
    return _render(
        request,
        "curriculum/split.html",
        {
            "year": year,
            "page": page,
            "line": line,
            "teachers": teachers,
            "staff": selectors.working_staff(request.school, today),
            "split_form": SplitForm(),
            "closed": year.status == AcademicYear.Status.CLOSED,
        },
    )


def _split_hours(journal, line) -> str:
    if journal is not None:
        return hours_text(services.journal_hours(journal))
    return hours_text(line.hours_per_week) if line else ""


def _group(request, pk) -> Group:
    group = (
        Group.objects.select_related("year", "school_class", "school")
        .filter(school=request.school, pk=pk)
        .exclude(kind=Group.Kind.CLASS)
        .first()
    )
    if group is None:
        raise Http404
    return group


@login_required
@require_http_methods(["GET", "POST"])
def group(request, pk):
    """ORG-4: one group — members (from several classes for a cross-class group, the one student
    of a home-schooling or individual-plan group), its subjects and their teachers (journals)."""
    _require(request, rights.CURRICULUM_MANAGE)
    grp = _group(request, pk)
    year = grp.year
    day = _default_day(request, year)
    here = reverse("curriculum:group", args=[grp.pk])
    subjects = list(Subject.objects.filter(school=request.school).order_by("name"))
    subject_form = GroupSubjectForm(subjects=subjects)
    typed, errors = {}, {}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "members_add":
                starts = _date(request.POST.get("starts"))
                if starts is None:
                    raise ValidationError(_("Укажите дату, с которой учащиеся в группе."))
                ids = [i for i in (_int(x) for x in request.POST.getlist("student")) if i]
                added, problems = 0, []
                for student in Student.objects.filter(school=request.school, pk__in=ids).order_by("last_name"):
                    try:
                        services.group_member_add(group=grp, student=student, starts=starts)
                        added += 1
                    except ValidationError as exc:
                        problems.append(services.message(exc))
                if added:
                    messages.success(request, _("Добавлено в группу: %(n)d.") % {"n": added})
                for p in problems:
                    messages.error(request, p)
                if not ids:
                    messages.error(request, _("Отметьте учащихся, которых добавить."))
                return HttpResponseRedirect(here)
            if action == "member_end":
                membership = GroupMembership.objects.filter(group=grp, pk=_int(request.POST.get("membership"))).first()
                last_day = _date(request.POST.get("last_day"))
                if membership is None:
                    raise Http404
                if last_day is None:
                    raise ValidationError(_("Укажите последний день в группе."))
                services.group_member_end(membership=membership, last_day=last_day)
                messages.success(
                    request, _("%(student)s выбывает из группы.") % {"student": membership.student.short_name}
                )
                return HttpResponseRedirect(here)
            if action == "subject_add":
                subject_form = GroupSubjectForm(request.POST, subjects=subjects)
                if subject_form.is_valid():
                    cd = subject_form.cleaned_data
                    subject = next((s for s in subjects if s.pk == cd["subject"]), None)
                    if subject is None:
                        subject = services.subject_create(school=request.school, name=cd["new_subject"])
                    services.group_subject_set(group=grp, subject=subject, hours_per_week=cd["hours"])
                    messages.success(request, _("Предмет «%(name)s» добавлен в план группы.") % {"name": subject})
                    return HttpResponseRedirect(here)
                messages.error(request, " ".join(subject_form.non_field_errors()) or _("Проверьте поля формы."))
            elif action == "subject_remove":
                item = GroupSubject.objects.filter(group=grp, pk=_int(request.POST.get("item"))).first()
                if item is None:
                    raise Http404
                services.group_subject_remove(item=item)
                messages.success(request, _("Предмет убран из плана группы."))
                return HttpResponseRedirect(here)
            elif action == "plan_from_curriculum":
                n = services.group_plan_from_curriculum(group=grp)
                messages.success(request, _("Из учебного плана добавлено предметов: %(n)d.") % {"n": n})
                return HttpResponseRedirect(here)
            elif action == "teachers":
                detail = selectors.group_detail(group=grp, candidates_from=None, on=day)
                inputs = []
                for row in detail.subjects:
                    if f"t-{row.key}" in request.POST:
                        typed[row.key] = (request.POST.get(f"t-{row.key}", ""), request.POST.get(f"h-{row.key}", ""))
                        inputs.append(
                            services.WorkloadInput(
                                group=grp,
                                subject=row.subject,
                                teacher_id=_int(typed[row.key][0]),
                                hours=typed[row.key][1],
                                key=row.key,
                            )
                        )
                result = services.workload_save(year=year, rows=inputs, author=request.user)
                if result.ok:
                    messages.success(request, _("Учителя группы сохранены.") if result.changed else _("Изменений нет."))
                    return HttpResponseRedirect(here)
                errors = result.errors
                messages.error(request, _("Сохранены не все строки: см. отмеченные."))
            elif action == "delete":
                name = grp.name
                services.group_delete(group=grp)
                messages.success(request, _("Группа «%(name)s» удалена.") % {"name": name})
                return HttpResponseRedirect(_url("curriculum:groups", year=year.pk))
            else:
                raise Http404
        except ValidationError as exc:
            messages.error(request, services.message(exc))
    source = (
        SchoolClass.objects.filter(school=request.school, year=year, pk=_int(request.GET.get("from"))).first()
        if grp.kind not in Group.ONE_STUDENT and grp.kind != Group.Kind.SUBGROUP
        else None
    )
    if grp.kind == Group.Kind.SUBGROUP:
        source = grp.school_class
    detail = selectors.group_detail(group=grp, candidates_from=source, on=day)
    for row in detail.subjects:
        if row.key in typed:
            row.typed_teacher, row.typed_hours = typed[row.key]
            row.error = errors.get(row.key, "")
    return _render(
        request,
        "curriculum/group.html",
        {
            "year": year,
            "group": grp,
            "detail": detail,
            "source": source,
            "classes": list(SchoolClass.objects.filter(school=request.school, year=year).order_by("grade", "letter")),
            "staff": selectors.working_staff(request.school, school_today(request.school)),
            "subject_form": subject_form,
            "day": day,
            "one_student": grp.kind in Group.ONE_STUDENT,
            "cross_class": grp.kind in Group.CROSS_CLASS,
            "closed": year.status == AcademicYear.Status.CLOSED,
        },
    )


# ---------------------------------------------------------------------------------------------
# Staff


@login_required
@require_http_methods(["GET", "POST"])
def staff(request):
    """ORG-6: positions and dates of everyone on the staff, and the attestation records with
    those expiring within three months or expired flagged."""
    _require(request, rights.STAFF_MANAGE)
    today = school_today(request.school)
    data = selectors.staff_list(school=request.school, today=today)
    if request.method == "POST":
        rows, typed, bad_dates = [], {}, {}
        for row in data.rows:
            s = row.staff
            if f"p-{s.pk}" not in request.POST:
                continue
            raw = {
                "position": request.POST.get(f"p-{s.pk}", ""),
                "hired_on": request.POST.get(f"h-{s.pk}", ""),
                "left_on": request.POST.get(f"l-{s.pk}", ""),
            }
            typed[s.pk] = raw
            hired, left = _date(raw["hired_on"]), _date(raw["left_on"])
            if (raw["hired_on"] and hired is None) or (raw["left_on"] and left is None):
                bad_dates[s.pk] = _("%(staff)s: дата не распознана.") % {"staff": s.short_name}
                continue
            rows.append(services.StaffInput(s, raw["position"], hired, left))
        result = services.staff_save(school=request.school, rows=rows)
        errors = {**bad_dates, **result.errors}
        if not errors:
            messages.success(request, _("Список сотрудников сохранён.") if result.changed else _("Изменений нет."))
            return HttpResponseRedirect(reverse("curriculum:staff"))
        data = selectors.staff_list(school=request.school, today=today)
        for row in data.rows:
            if row.staff.pk in errors:
                row.typed, row.error = typed[row.staff.pk], errors[row.staff.pk]
        messages.error(
            request,
            _("Не сохранено строк: %(bad)d (они отмечены), остальные изменения сохранены.") % {"bad": len(errors)},
        )
    return _render(request, "curriculum/staff.html", {"data": data, "today": today})


@login_required
@require_http_methods(["GET", "POST"])
def attestation(request, pk=None):
    """ORG-6: add an attestation record or correct / remove one."""
    _require(request, rights.STAFF_MANAGE)
    record = None
    if pk is not None:
        record = StaffAttestation.objects.select_related("staff").filter(school=request.school, pk=pk).first()
        if record is None:
            raise Http404
    people = list(Staff.objects.filter(school=request.school).order_by("last_name", "first_name", "pk"))
    initial = {}
    if record is not None:
        initial = {
            "staff": record.staff_id,
            "date": record.date,
            "category": record.category,
            "order_number": record.order_number,
            "valid_until": record.valid_until,
        }
    elif request.GET.get("staff"):
        initial = {"staff": _int(request.GET.get("staff"))}
    form = AttestationForm(initial=initial, staff=people)
    if request.method == "POST":
        if record is not None and request.POST.get("action") == "delete":
            services.attestation_delete(attestation=record)
            messages.success(request, _("Запись об аттестации удалена."))
            return HttpResponseRedirect(reverse("curriculum:staff"))
        form = AttestationForm(request.POST, staff=people)
        if form.is_valid():
            cd = form.cleaned_data
            person = next((s for s in people if s.pk == cd["staff"]), None)
            try:
                services.attestation_save(
                    staff=person,
                    date=cd["date"],
                    category=cd["category"],
                    order_number=cd["order_number"],
                    valid_until=cd["valid_until"],
                    attestation=record,
                )
            except ValidationError as exc:
                form.add_error(None, services.message(exc))
            else:
                messages.success(request, _("Аттестация %(staff)s записана.") % {"staff": person.short_name})
                return HttpResponseRedirect(reverse("curriculum:staff") + "#attestations")
    return _render(request, "curriculum/attestation.html", {"form": form, "record": record})
