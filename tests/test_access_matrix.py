"""The access matrix: every URL of the product × every role × method → the expected answer
(ACC-1 roles, DIA-3 own diary only, JRN-10 students never write, JRN-11 the class teacher and the
administration read a journal but do not write it).

One row per URL and method. A row names the URL, its arguments (attributes of the `scene`
fixture), what is sent, and the answer for each role that differs from the row's default:
an HTTP status, or `To("url:name", …)` for a redirect there. Every refused request leaves the
data untouched (compared before/after); a row's `writers` must really have written (`done`).
A new URL without a row here or in its app's own matrix (apps/<app>/tests/test_access.py: a ROWS
list run with `run_case`, see apps/schoolyear/tests/test_access.py) fails
`test_every_url_is_in_the_matrix`.
"""

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from urllib.parse import urlparse

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from apps.accounts.models import Role
from apps.audit.models import Entry
from apps.journal import services
from apps.journal.models import Attendance, Lesson, Mark, PeriodMark
from apps.schools.models import Subject
from tests import factories as f

# The cast of the root conftest.py, plus a superuser (root) and a journal administrator of
# another school (outsider), who must see nothing of this one.
ROLES = ("anonymous", "alice", "bob", "carol", "pat", "quinn", "sam", "admin", "director", "deputy", "root", "outsider")
SCHOOL_WIDE = ("admin", "director", "deputy")
READ_ONLY = ("carol", *SCHOOL_WIDE)  # JRN-11: the class teacher and the administration
FAMILY = ("pat", "quinn", "sam")


@dataclass(frozen=True)
class To:
    """A redirect (302) to this page; the query string is not compared."""

    name: str
    args: tuple[str, ...] = ()


ANON = {"anonymous": To("accounts:login")}
JOURNAL_READ = {**ANON, "alice": 200, **dict.fromkeys(READ_ONLY, 200)}  # everyone else: 404
ADMIN_ONLY = {"anonymous": To("admin:login"), "admin": 200, "root": 200}  # everyone else: to the admin sign-in


def journal_write(ok) -> dict:
    """The journal's teacher writes (ok); readers are refused with 403; everyone else 404."""
    return {**ANON, "alice": ok, **dict.fromkeys(READ_ONLY, 403)}


def own_diary(*readers) -> dict:
    return {**ANON, **dict.fromkeys(readers, 200)}


@dataclass(frozen=True)
class Row:
    url: str
    args: tuple[str, ...] = ()
    method: str = "GET"
    expect: dict = field(default_factory=dict)
    default: int | To = 404
    query: dict = field(default_factory=dict)  # parameter → scene attribute
    payload: Callable | None = None  # scene → dict (form) or ("json", dict)
    writers: tuple[str, ...] = ()  # roles for whom the write succeeds
    done: Callable | None = None  # (scene, response) → asserts the write happened
    label: str = ""

    def expected(self, role):
        return self.expect.get(role, self.default)

    def id(self, role) -> str:
        return f"{self.url}{f'[{self.label}]' if self.label else ''}-{self.method}-{role}"


# --- Payloads that succeed for the owner (alice), and what she must find written ----------------


def save_json(s):
    return "json", {
        "period": s.q2.pk,
        "cells": [{"lesson": s.lesson.pk, "student": s.third.pk, "value": "4"}],
        "lessons": [{"lesson": s.lesson.pk, "homework": "№ 12, 14"}],
        "period_marks": [{"period": s.q2.pk, "student": s.anna.pk, "value": "5"}],
    }


def saved_json(s, response):
    assert response.json()["ok"] is True
    assert list(Mark.objects.filter(lesson=s.lesson, student=s.third).values_list("value", flat=True)) == ["4"]
    assert Lesson.objects.get(pk=s.lesson.pk).homework == "№ 12, 14"
    assert PeriodMark.objects.get(journal=s.journal, period=s.q2, student=s.anna).value == "5"


def save_form(s):
    return {f"c-{s.lesson.pk}-{s.third.pk}": "3", "period": s.q2.pk}


def saved_form(s, response):
    assert list(Mark.objects.filter(lesson=s.lesson, student=s.third).values_list("value", flat=True)) == ["3"]


def add_lesson(s):
    return {"date": "2026-11-19", "number": "2"}


def lesson_added(s, response):
    assert Lesson.objects.filter(journal=s.journal, date=dt.date(2026, 11, 19), number=2).exists()


def edit_lesson(s):
    return {"topic": "Сложение дробей", "homework": "№ 20", "work_type": ""}


def lesson_edited(s, response):
    lesson = Lesson.objects.get(pk=s.lesson.pk)
    assert (lesson.topic, lesson.homework) == ("Сложение дробей", "№ 20")


def mark_comment(s):
    return {f"cm-{s.mark.pk}": "Ответ у доски"}


def mark_commented(s, response):
    assert Mark.objects.get(pk=s.mark.pk).comment == "Ответ у доски"


def absence_reason(s):
    return {"reason": Attendance.Reason.ILLNESS}


def absence_explained(s, response):
    assert Attendance.objects.get(lesson=s.lesson, student=s.boris).reason == Attendance.Reason.ILLNESS


def class_reason(s):
    return {f"r-{s.absence.pk}": Attendance.Reason.EXCUSED}


def class_reason_saved(s, response):
    assert Attendance.objects.get(pk=s.absence.pk).reason == Attendance.Reason.EXCUSED


def rename_subject(s):
    return {"name": "Алгебра", "short_name": "алг", "school": s.world.school.pk}  # the school: for root only


def subject_renamed(s, response):
    assert Subject.objects.get(pk=s.subject.pk).name == "Алгебра"


# Rights (ACC-2) and compromise (ACC-10) ------------------------------------------------------------


def rights_form(s):
    """The rights page as shown (the defaults checked), plus the social pedagogue reading all journals."""
    from apps.rights import registry

    on = [f"{role}:{code}" for role, codes in registry.DEFAULTS.items() for code in codes]
    return {"version": "0", "on": [*on, "social_pedagogue:journals_all"]}


def rights_saved(s, response):
    from apps.rights import registry

    assert s.world.school.role_rights.overrides == {"social_pedagogue": {registry.JOURNALS_ALL: True}}


def compromise_form(s):
    return {"user": s.victim.pk, "moment": "2026-11-20T09:00", "note": ""}


def compromise_reported(s, response):
    from apps.compromise.models import CompromiseReport

    assert CompromiseReport.objects.filter(user=s.victim, school=s.world.school).count() == 2
    s.victim.refresh_from_db()
    assert not s.victim.has_usable_password()


def compromise_reverted(s, response):
    s.case.refresh_from_db()
    assert s.case.confirmed_by == s.world.admin


def temporary_password_issued(s, response):
    s.victim.refresh_from_db()
    assert s.victim.has_usable_password() and s.victim.password_change_required


def own_report(s):
    return {"moment": "2026-11-20T09:00", "note": "", "confirm": "on"}


def own_reported(s, response):
    from apps.compromise.models import CompromiseReport

    report = CompromiseReport.objects.exclude(pk=s.case.pk).get()
    assert report.reported_by == report.user and not report.user.has_usable_password()


OWN_PASSWORD = "Svoy-parol-2026"


def own_password_form(s):
    return {"old_password": f.PASSWORD, "new_password1": OWN_PASSWORD, "new_password2": OWN_PASSWORD}


def own_password_changed(s, response):
    response.wsgi_request.user.refresh_from_db()
    assert response.wsgi_request.user.check_password(OWN_PASSWORD)


class LatestCase:
    """The compromise case just created (its id is known only after the request)."""

    @property
    def pk(self):
        from apps.compromise.models import CompromiseReport

        return CompromiseReport.objects.order_by("-pk").first().pk


# --- Security (ACC-11, ACC-12, OPS-3): one's own sessions, password and second factor ----------


def alice_elsewhere(s):
    """Alice is also signed in on her phone; only she can end that session."""
    from apps.security.models import UserSession

    now = dt.datetime.now(dt.UTC)
    phone = UserSession.objects.create(session_key="alice-phone", user=s.alice, started_at=now, last_seen_at=now)
    return {"session": phone.pk}


def alice_phone_ended(s, response):
    from apps.security.models import UserSession

    assert not UserSession.objects.filter(session_key="alice-phone").exists()


def others_ended(s, response):
    from apps.security.models import UserSession

    user = response.wsgi_request.user
    assert not UserSession.objects.filter(user=user).exclude(session_key=response.wsgi_request.session.session_key)


NEW_PASSWORD = "Зимний-вечер-2026"


def change_password(s):
    return {"old_password": f.PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}


def password_changed(s, response):
    response.wsgi_request.user.refresh_from_db()
    assert response.wsgi_request.user.check_password(NEW_PASSWORD)


SIGNED_IN = tuple(r for r in ROLES if r != "anonymous")
OWN_PAGE = {**ANON}  # everyone signed in: their own page


# --- Getting access (ACC-3…ACC-9): payloads, what the writer finds written -----------------------


class Latest:
    """The newest row of a model (its id is known only after the request), as a URL argument."""

    def __init__(self, model_path: str):
        self.model_path = model_path

    @property
    def pk(self):
        from django.apps import apps

        return apps.get_model(self.model_path).objects.order_by("-pk").first().pk


def issue_form(s):
    return {"handed_over": "in_person"}


def code_issued_for_boris(s, response):
    from apps.registration.models import AccessCode

    assert AccessCode.objects.filter(student=s.boris, used_at__isnull=True, revoked_at__isnull=True).count() == 1


def staff_issue_form(s):
    return {"handed_over": "paper", "roles": ["teacher"]}


def code_issued_for_newcomer(s, response):
    from apps.registration.models import AccessCode

    assert AccessCode.objects.get(staff=s.newcomer).roles == "teacher"


def code_revoked(s, response):
    s.code.refresh_from_db()
    assert s.code.revoked_at is not None


def consent_form(s):
    return {"giver": "self", "given_on": "2026-11-20", "note": ""}


def consent_recorded(s, response):
    from apps.registration.models import Consent

    assert Consent.objects.filter(student=s.boris, guardian__isnull=True, given_on=dt.date(2026, 11, 20)).exists()


def consent_end_form(s):
    return {"reason": "withdrawn", "ended_on": "2026-11-20", "note": ""}


def consent_ended(s, response):
    s.consent.refresh_from_db()
    assert s.consent.ended_on == dt.date(2026, 11, 20)


def approve_form(s):
    return {
        "student": s.boris.pk,
        "guardian": "new",
        "documents": ["identity", "birth"],
        "consent_presented": "on",
        "handed_over": "in_person",
    }


def application_approved(s, response):
    s.application.refresh_from_db()
    assert s.application.status == "approved" and s.application.codes.count() == 1


def refuse_form(s):
    return {"reason": "documents", "details": "", "documents": []}


def application_refused(s, response):
    s.application.refresh_from_db()
    assert (s.application.status, s.application.refusal_reason) == ("refused", "documents")


def leaver_removed(s, response):
    from apps.accounts.models import Membership

    assert not Membership.objects.filter(user=s.leaver.user).exists()


def deadlines_form(s):
    return {"invitation_days": "7", "recovery_days": "2", "decision_working_days": "3", "staff_account_days": "3",
            "staff_removal_days": "2", "family_account_working_days": "10"}  # fmt: skip


def deadlines_saved(s, response):
    from apps.registration.models import AccessSettings

    assert AccessSettings.objects.get(school=response.wsgi_request.school).invitation_days == 7


def application_form(s):
    return {"school": s.world.school.pk, "kind": "parent", "last_name": "Быков", "first_name": "Пётр",
            "relation": "father", "student_last_name": "Быков", "student_first_name": "Борис",
            "student_birth_date": "2015-03-01", "school_class": s.class_5a.pk, "phone": "+7 900 000-00-00",
            "preferred_handover": "in_person", "documents": ["identity"]}  # fmt: skip


def application_submitted(s, response):
    from apps.registration.models import AccessApplication

    assert AccessApplication.objects.filter(first_name="Пётр", status="new").count() == 2  # the scene's and this


def email_confirmed(s, response):
    from apps.registration.models import ConfirmedEmail

    assert ConfirmedEmail.objects.get(user=s.world.pat).email == "pat@example.org"


MANAGERS = {**ANON, "carol": 200, "admin": 200}  # the class teacher of 5А and the journal administrator
OWN_REGISTER = {**MANAGERS, "outsider": 200}  # the outsider sees his own school's (empty) register
ADMIN_PAGE = {**ANON, "admin": 200, "outsider": 200}
PUBLIC = dict.fromkeys(ROLES, 200)
MANAGER_WRITERS = ("carol", "admin")


J = ("journal",)
CELL = {"lesson": "lesson", "student": "anna"}  # anna has a «5» there
ABSENT_CELL = {"lesson": "lesson", "student": "boris"}  # boris an «н»
TO_ADMIN_LOGIN = To("admin:login")
NOT_HERE = To("admin:index")  # the admin's answer to an object outside the user's school
SUBJECTS = To("admin:schools_subject_changelist")  # saved

# --- The matrix ---------------------------------------------------------------------------------

# fmt: off
ROWS = [
    # Signing in and out, the start page, the school and language switches.
    Row("home", expect={**ANON, **dict.fromkeys(FAMILY, To("diary:index")), "root": 403}, default=To("journal:list")),
    Row("accounts:login", expect={"anonymous": 200}, default=To("home")),
    Row("accounts:logout", default=405),  # signing out is POST only
    Row("accounts:logout", method="POST", default=To("accounts:login")),
    Row("accounts:school_switch", expect=ANON, default=405),
    Row("accounts:school_switch", method="POST", payload=lambda s: {"school": s.world.school.pk},
        expect={**ANON, "root": 404, "outsider": 404}, default=To("home")),
    Row("set_language", method="POST", payload=lambda s: {"language": "ru", "next": "/"}, default=To("home")),
    Row("healthz", default=200),  # the health check answers everyone, signed in or not

    # The journal: staff only. Its teacher writes; the class teacher and the administration read
    # (JRN-11) and are refused a write with 403; bob, families (JRN-10) and strangers get 404.
    Row("journal:list", expect={**ANON, **dict.fromkeys(("alice", "bob", "outsider", *READ_ONLY), 200)}),
    Row("journal:grid", J, expect=JOURNAL_READ),
    Row("journal:save", J, expect=ANON, default=405),
    Row("journal:save", J, "POST", journal_write(200), label="json",
        payload=save_json, writers=("alice",), done=saved_json),
    Row("journal:save", J, "POST", journal_write(To("journal:grid", J)), label="form",
        payload=save_form, writers=("alice",), done=saved_form),
    Row("journal:lesson_add", J, expect=ANON, default=405),
    Row("journal:lesson_add", J, "POST", journal_write(To("journal:grid", J)),
        payload=add_lesson, writers=("alice",), done=lesson_added),
    Row("journal:lesson", J + ("lesson",), expect=JOURNAL_READ),
    Row("journal:lesson", J + ("lesson",), "POST", journal_write(To("journal:grid", J)),
        payload=edit_lesson, writers=("alice",), done=lesson_edited),
    Row("journal:cell", J, expect=JOURNAL_READ, query=CELL),
    Row("journal:cell", J, "POST", journal_write(To("journal:cell", J)), query=CELL, label="mark",
        payload=mark_comment, writers=("alice",), done=mark_commented),
    Row("journal:cell", J, "POST", journal_write(To("journal:cell", J)), query=ABSENT_CELL, label="absence",
        payload=absence_reason, writers=("alice",), done=absence_explained),
    Row("journal:history", J, expect=JOURNAL_READ, query=CELL, label="cell"),
    Row("journal:history", J, expect=JOURNAL_READ, query={"lesson": "lesson"}, label="lesson"),
    # The class's absences: its class teacher records the reasons, the administration reads.
    Row("journal:class_attendance", ("class_5a",), expect={**ANON, "carol": 200, **dict.fromkeys(SCHOOL_WIDE, 200)}),
    Row("journal:class_attendance", ("class_5a",), "POST", payload=class_reason, writers=("carol",),
        done=class_reason_saved, expect={**ANON, "carol": To("journal:class_attendance", ("class_5a",)),
                                         **dict.fromkeys(SCHOOL_WIDE, 403)}),

    # The diary (DIA-3): a parent reads only their own child, a student only himself; staff never.
    Row("diary:index", expect={**ANON, "pat": To("diary:week", ("anna",)), "sam": To("diary:week", ("anna",)),
                               "quinn": To("diary:week", ("boris",))}),
    Row("diary:week", ("anna",), expect=own_diary("pat", "sam"), label="anna"),
    Row("diary:marks", ("anna",), expect=own_diary("pat", "sam"), label="anna"),
    Row("diary:week", ("boris",), expect=own_diary("quinn"), label="boris"),
    Row("diary:marks", ("boris",), expect=own_diary("quinn"), label="boris"),
    Row("diary:week", ("anna",), "POST", expect=ANON, default=405, label="anna"),  # the diary is read-only (JRN-10)

    # Rights of roles (ACC-2): the journal administrator of a school sets them (the outsider: his own
    # school's). The classes page is for staff; class lists for the roles with «списки учащихся».
    Row("rights:matrix", expect={**ANON, "admin": 200, "outsider": 200}),
    Row("rights:matrix", method="POST", payload=rights_form, writers=("admin",), done=rights_saved,
        expect={**ANON, "admin": To("rights:matrix"), "outsider": To("rights:matrix")}),
    Row("rights:classes", expect={**ANON, **dict.fromkeys(("alice", "bob", "carol", "outsider", *SCHOOL_WIDE), 200)}),
    Row("rights:class_list", ("class_5a",), expect={**ANON, **dict.fromkeys(SCHOOL_WIDE, 200)}),
    # Compromised credentials (ACC-10): any user reports his own account; the journal administrator
    # reports any account of his school, reviews the operations, confirms the revert, issues a password.
    Row("compromise:list", expect={**ANON, "admin": 200, "outsider": 200}),
    Row("compromise:report", expect={**ANON, "admin": 200, "outsider": 200}),
    Row("compromise:report", method="POST", payload=compromise_form, writers=("admin",), done=compromise_reported,
        expect={**ANON, "admin": To("compromise:case", ("latest_case",)), "outsider": 200}),  # not his school's
    Row("compromise:case", ("case",), expect={**ANON, "admin": 200}),
    Row("compromise:revert", ("case",), expect=ANON, default=405),
    Row("compromise:revert", ("case",), "POST", writers=("admin",), done=compromise_reverted,
        expect={**ANON, "admin": To("compromise:case", ("case",))}),
    Row("compromise:password", ("case",), "POST", writers=("admin",), done=temporary_password_issued,
        expect={**ANON, "admin": 200}),
    Row("compromise:report_own", expect=ANON, default=200),
    Row("compromise:report_own", method="POST", payload=own_report, default=To("accounts:login"),
        writers=tuple(r for r in ROLES if r not in ("anonymous", "root")), done=own_reported,
        expect={**ANON, "root": 200}),  # a superuser's account is not handled here
    Row("compromise:password_change", expect=ANON, default=200),
    Row("compromise:password_change", method="POST", payload=own_password_form, default=To("home"),
        writers=tuple(r for r in ROLES if r != "anonymous"), done=own_password_changed, expect=ANON),

    # The admin (ACC-1): the journal administrator of this school and the superuser. Another
    # school's administrator finds nothing of this school (sent back to the admin index); only
    # the superuser manages regions and superusers.
    Row("admin:index", expect={**ADMIN_ONLY, "outsider": 200}, default=TO_ADMIN_LOGIN),
    Row("admin:login", expect={"anonymous": To("accounts:login"), "admin": To("admin:index"),
                               "root": To("admin:index"), "outsider": To("admin:index")}, default=403),
    Row("admin:people_student_changelist", expect={**ADMIN_ONLY, "outsider": 200}, default=TO_ADMIN_LOGIN),
    Row("admin:people_student_change", ("anna",), expect={**ADMIN_ONLY, "outsider": NOT_HERE}, default=TO_ADMIN_LOGIN),
    Row("admin:journal_journal_change", J, expect={**ADMIN_ONLY, "outsider": NOT_HERE}, default=TO_ADMIN_LOGIN),
    Row("admin:audit_entry_changelist", expect={**ADMIN_ONLY, "outsider": 200}, default=TO_ADMIN_LOGIN),
    Row("admin:accounts_user_change", ("alice",), expect={**ADMIN_ONLY, "outsider": NOT_HERE},
        default=TO_ADMIN_LOGIN, label="alice"),
    Row("admin:accounts_user_change", ("root",), expect={**ADMIN_ONLY, "admin": NOT_HERE, "outsider": NOT_HERE},
        default=TO_ADMIN_LOGIN, label="root"),
    Row("admin:schools_region_changelist", expect={**ADMIN_ONLY, "admin": 403, "outsider": 403},
        default=TO_ADMIN_LOGIN),
    Row("admin:schools_subject_change", ("subject",), expect={**ADMIN_ONLY, "outsider": NOT_HERE},
        default=TO_ADMIN_LOGIN),
    Row("admin:schools_subject_change", ("subject",), "POST", default=TO_ADMIN_LOGIN,
        expect={**ADMIN_ONLY, "admin": SUBJECTS, "root": SUBJECTS, "outsider": NOT_HERE},
        payload=rename_subject, writers=("admin", "root"), done=subject_renamed),

    # Security (ACC-11, ACC-12, OPS-3): every signed-in user manages only their own sessions,
    # password and second factor; the code step of signing in is for the anonymous only.
    Row("security:index", expect=OWN_PAGE, default=200),
    Row("security:session_end", expect=ANON, default=405),
    Row("security:session_end", method="POST", payload=alice_elsewhere, writers=("alice",), done=alice_phone_ended,
        expect={**ANON, "alice": To("security:index")}),
    Row("security:sessions_end_others", expect=ANON, default=405),
    Row("security:sessions_end_others", method="POST", payload=alice_elsewhere, writers=SIGNED_IN,
        done=others_ended, expect=ANON, default=To("security:index")),
    Row("security:password_change", expect=OWN_PAGE, default=200),
    Row("security:password_change", method="POST", payload=change_password, writers=SIGNED_IN,
        done=password_changed, expect=ANON, default=To("security:index")),
    Row("security:totp", expect=OWN_PAGE, default=200),
    Row("security:totp", method="POST", expect=ANON, default=To("security:totp")),  # nothing to confirm yet
    Row("security:totp_disable", expect=ANON, default=405),
    Row("security:totp_disable", method="POST", expect=ANON, default=To("security:totp")),  # nothing to disable
    Row("security:sign_in_code", expect={"anonymous": To("accounts:login")}, default=To("home")),
    Row("security:sign_in_code", method="POST", expect={"anonymous": To("accounts:login")}, default=To("home")),
    Row("admin:security_securitypolicy_changelist", expect={**ADMIN_ONLY, "outsider": 200}, default=TO_ADMIN_LOGIN),
    # Getting access (ACC-3…ACC-9). Public: registering with a code, recovering a password, applying
    # for diary access. The class teacher (her class) and the journal administrator (the school)
    # issue codes, record consents, decide applications; staff codes, reports and deadlines are
    # the administrator's. Everybody else: 404.
    Row("registration:register", default=200),
    Row("registration:register", method="POST", payload=lambda s: {"code": "AAAAA-AAAAA"}, default=200),
    Row("registration:register_account", default=To("registration:register")),
    Row("registration:register_account", method="POST", default=To("registration:register")),
    Row("registration:forgot", default=200),
    Row("registration:recover", default=200),
    Row("registration:recover", method="POST", default=200,
        payload=lambda s: {"code": "AAAAA-AAAAA", "password1": "x", "password2": "x"}),
    Row("registration:password_reset", default=200),
    Row("registration:password_reset", method="POST", payload=lambda s: {"email": "nobody@example.org"},
        default=To("registration:password_reset_done")),
    Row("registration:password_reset_done", default=200),
    Row("registration:password_reset_confirm", ("reset_uid", "reset_token"), default=200),
    Row("registration:password_reset_complete", default=200),
    Row("registration:apply", default=200),
    Row("registration:apply", method="POST", payload=application_form, default=To("registration:apply_done"),
        writers=ROLES, done=application_submitted),
    Row("registration:apply_done", default=To("registration:application_status")),
    Row("registration:application_status", default=200),
    Row("registration:application_status", method="POST", payload=lambda s: {"number": "1", "secret": "AAAAA-AAAAA"},
        default=200),
    Row("registration:email_confirm", ("email_token",), default=200),
    Row("registration:email_confirm", ("email_token",), "POST", expect={"anonymous": To("accounts:login")},
        default=To("registration:email"), writers=ROLES, done=email_confirmed),
    Row("registration:email", expect=ANON, default=200),
    Row("registration:email", method="POST", payload=lambda s: {"email": "me@example.org"}, expect=ANON,
        default=To("registration:email")),
    Row("registration:my_access", expect=ANON, default=200),
    Row("registration:index", expect=OWN_REGISTER),
    Row("registration:class_people", ("class_5a",), expect=MANAGERS),
    Row("registration:staff_people", expect=ADMIN_PAGE),
    Row("registration:code_issue", ("kind_student", "boris"), expect=MANAGERS, label="student"),
    Row("registration:code_issue", ("kind_student", "boris"), "POST", payload=issue_form, label="student",
        expect={**ANON, **dict.fromkeys(MANAGER_WRITERS, To("registration:code_issued", ("latest_code",)))},
        writers=MANAGER_WRITERS, done=code_issued_for_boris),
    Row("registration:code_issue", ("kind_guardian", "pat_guardian"), expect=MANAGERS, label="recovery",
        query={"purpose": "purpose_recovery"}),
    Row("registration:code_issue", ("kind_staff", "newcomer"), expect={**ANON, "admin": 200}, label="staff"),
    Row("registration:code_issue", ("kind_staff", "newcomer"), "POST", payload=staff_issue_form, label="staff",
        expect={**ANON, "admin": To("registration:code_issued", ("latest_code",))},
        writers=("admin",), done=code_issued_for_newcomer),
    Row("registration:codes", expect=OWN_REGISTER),
    Row("registration:codes_csv", expect=OWN_REGISTER),
    Row("registration:code_issued", ("code",), expect=MANAGERS),
    Row("registration:code_revoke", ("code",), expect=ANON, default=405),
    Row("registration:code_revoke", ("code",), "POST", expect={**ANON, **dict.fromkeys(MANAGER_WRITERS,
        To("registration:codes"))}, writers=MANAGER_WRITERS, done=code_revoked),
    Row("registration:consents", expect=OWN_REGISTER),
    Row("registration:consent_add", ("boris",), expect=MANAGERS),
    Row("registration:consent_add", ("boris",), "POST", payload=consent_form, writers=MANAGER_WRITERS,
        done=consent_recorded, expect={**ANON, **dict.fromkeys(MANAGER_WRITERS, To("registration:consents"))}),
    Row("registration:consent_end", ("consent",), expect=MANAGERS),
    Row("registration:consent_end", ("consent",), "POST", payload=consent_end_form, writers=MANAGER_WRITERS,
        done=consent_ended, expect={**ANON, **dict.fromkeys(MANAGER_WRITERS, To("registration:consents"))}),
    Row("registration:consent_scan", ("scanned",), expect=MANAGERS),
    Row("registration:applications", expect=OWN_REGISTER),
    Row("registration:application", ("application",), expect=MANAGERS),
    Row("registration:application_approve", ("application",), expect=ANON, default=405),
    Row("registration:application_approve", ("application",), "POST", payload=approve_form,
        writers=MANAGER_WRITERS, done=application_approved,
        expect={**ANON, **dict.fromkeys(MANAGER_WRITERS, To("registration:code_issued", ("latest_code",)))}),
    Row("registration:application_refuse", ("application",), expect=ANON, default=405),
    Row("registration:application_refuse", ("application",), "POST", payload=refuse_form,
        writers=MANAGER_WRITERS, done=application_refused,
        expect={**ANON, **dict.fromkeys(MANAGER_WRITERS, To("registration:application_refusal", ("application",)))}),
    Row("registration:application_refusal", ("refused",), expect=MANAGERS),
    Row("registration:reports", expect=ADMIN_PAGE),
    Row("registration:end_access_now", expect=ANON, default=405),
    Row("registration:end_access_now", method="POST", writers=("admin",), done=leaver_removed,
        expect={**ANON, "admin": To("registration:reports"), "outsider": To("registration:reports")}),
    Row("registration:settings", expect=ADMIN_PAGE),
    Row("registration:settings", method="POST", payload=deadlines_form, writers=("admin", "outsider"),
        done=deadlines_saved, expect={**ANON, "admin": To("registration:settings"),
                                      "outsider": To("registration:settings")}),
]
# fmt: on

CASES = [pytest.param(row, role, id=row.id(role)) for row in ROWS for role in ROLES]


# --- The scene: the world of conftest.py with a held lesson, a mark and an absence ---------------


@pytest.fixture
def scene(world, settings, tmp_path):
    lesson = f.make_lesson(world.journal, dt.date(2026, 11, 18), topic="Дроби")
    result = services.journal_save(
        journal=world.journal,
        author=world.alice,
        cells=[
            {"lesson": lesson.pk, "student": world.anna.pk, "value": "5"},
            {"lesson": lesson.pk, "student": world.boris.pk, "value": "н"},
        ],
    )
    assert result.ok
    root = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    outsider = f.UserFactory(username="outsider")
    f.add_role(outsider, f.SchoolFactory(short_name="Школа № 2"), Role.JOURNAL_ADMIN)
    # A compromised account's case (ACC-10): another teacher of the school, reported by the administrator.
    victim = f.UserFactory(username="victim")
    f.add_role(victim, world.school, Role.TEACHER)
    from apps.compromise.services import compromise_report

    (case,) = compromise_report(
        user=victim, moment=dt.datetime(2026, 11, 20, 8, tzinfo=dt.UTC), reported_by=world.admin, school=world.school
    )
    access = access_scene(world, settings, tmp_path)
    return SimpleNamespace(
        **access,
        world=world,
        users={**world.users(), "root": root, "outsider": outsider},
        journal=world.journal,
        lesson=lesson,
        mark=Mark.objects.get(lesson=lesson, student=world.anna),
        anna=world.anna,
        boris=world.boris,
        third=world.students_5a[2],
        q2=world.periods[1],
        subject=world.math,
        absence=Attendance.objects.get(lesson=lesson, student=world.boris),
        class_5a=world.class_5a,
        alice=world.alice,
        root=root,
        victim=victim,
        case=case,
        latest_case=LatestCase(),
    )


def access_scene(world, settings, tmp_path) -> dict:
    """Getting access (ACC-3…ACC-9): a code issued for Boris, Boris's consent (from Quinn), Anna's
    with a scan (from Pat), a new application about Boris and a refused one, a newcomer on the
    staff without an account, a teacher who left ten days ago, a confirmation link for Pat."""
    from django.core.files.base import ContentFile

    from apps.people.models import Guardian
    from apps.registration import services as reg
    from apps.registration.models import AccessCode, Consent

    settings.MEDIA_ROOT = tmp_path
    code, _raw = reg.code_issue(school=world.school, purpose=AccessCode.Purpose.INVITATION, issued_by=world.carol,
                                handed_over="paper", student=world.boris)  # fmt: skip
    scanned = Consent.objects.get(student=world.anna, guardian__user=world.pat)
    scanned.scan.save("consent.pdf", ContentFile(b"%PDF-1.4 scan"))
    application, _secret = reg.application_submit(
        school=world.school, kind="parent", last_name="Быков", first_name="Пётр", relation="father",
        student_last_name="Быков", student_first_name="Борис", school_class=world.class_5a, phone="+7 900",
    )  # fmt: skip
    refused, _secret = reg.application_submit(
        school=world.school, kind="parent", last_name="Иванов", first_name="Иван", relation="father",
        student_last_name="Иванов", student_first_name="Иван", school_class=world.class_5a, phone="+7 901",
    )  # fmt: skip
    reg.application_refuse(application=refused, decided_by=world.carol, reason="not_student")
    leaver_user = f.UserFactory(username="leaver")
    f.add_role(leaver_user, world.school, Role.TEACHER)
    token = reg.email_confirmation_send(user=world.pat, email="pat@example.org", confirm_url=lambda t: t)
    return {
        "kind_student": SimpleNamespace(pk="student"),
        "kind_guardian": SimpleNamespace(pk="guardian"),
        "kind_staff": SimpleNamespace(pk="staff"),
        "purpose_recovery": SimpleNamespace(pk="recovery"),
        "pat_guardian": Guardian.objects.get(user=world.pat),
        "newcomer": f.StaffFactory(
            school=world.school, user=None, last_name="Новикова", hired_on=dt.date(2026, 11, 19)
        ),
        "leaver": f.StaffFactory(school=world.school, user=leaver_user, left_on=dt.date(2026, 11, 10)),
        "code": code,
        "latest_code": Latest("registration.AccessCode"),
        "consent": Consent.objects.get(student=world.boris, guardian__user=world.quinn),
        "scanned": scanned,
        "application": application,
        "refused": refused,
        "reset_uid": SimpleNamespace(pk="MQ"),
        "reset_token": SimpleNamespace(pk="set-password"),
        "email_token": SimpleNamespace(pk=token),
    }


def access_snapshot() -> dict:
    """The registers of getting access, the roles and the links they change."""
    from apps.accounts.models import Membership
    from apps.people.models import Guardian, GuardianLink, Staff, Student
    from apps.registration.models import (
        AccessApplication,
        AccessCode,
        AccessEnd,
        AccessSettings,
        ConfirmedEmail,
        Consent,
    )

    models = (AccessApplication, AccessCode, AccessEnd, AccessSettings, ConfirmedEmail, Consent, Membership,
              Guardian, GuardianLink, Staff, Student)  # fmt: skip
    return {m.__name__: list(m.objects.order_by("pk").values_list()) for m in models}


def snapshot() -> dict:
    """Everything a refused request must leave as it was."""
    return {
        "lessons": list(Lesson.objects.order_by("pk").values_list()),
        "marks": list(Mark.objects.order_by("pk").values_list()),
        "attendance": list(Attendance.objects.order_by("pk").values_list()),
        "period_marks": list(PeriodMark.objects.order_by("pk").values_list()),
        "audit": list(Entry.objects.order_by("pk").values_list("pk", "school_id", "seq", "hash")),
        "subjects": list(Subject.objects.order_by("pk").values_list()),
        **access_snapshot(),
    }


def _path(scene, name, args) -> str:
    return reverse(name, args=[getattr(scene, a).pk for a in args])


def run_case(scene, client_for, row, role, extra_snapshot=None):
    """Send the row's request as `role` and check the answer; a refused request changes nothing
    (the base snapshot plus `extra_snapshot()`, the app's own tables), a writer's really writes.
    Used by this module and by the apps' own matrices (apps/<app>/tests/test_access.py)."""
    client = Client() if role == "anonymous" else client_for(scene.users[role])
    url = _path(scene, row.url, row.args)
    query = {k: getattr(scene, v).pk for k, v in row.query.items()}
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())

    def state():
        return {**snapshot(), **(extra_snapshot() if extra_snapshot else {})}

    before = state()

    if row.method == "GET":
        response = client.get(url)
    else:
        data = row.payload(scene) if row.payload else {}
        if isinstance(data, tuple) and data[0] == "json":
            response = client.post(url, data=json.dumps(data[1]), content_type="application/json")
        elif isinstance(data, tuple):  # ("multipart", dict with files)
            response = client.post(url, data=data[1])
        else:
            response = client.post(url, data=data)

    expected = row.expected(role)
    if isinstance(expected, To):
        assert response.status_code == 302, f"{role}: {row.method} {url} → {response.status_code}, expected a redirect"
        assert urlparse(response["Location"]).path == _path(scene, expected.name, expected.args)
    else:
        assert response.status_code == expected, f"{role}: {row.method} {url} → {response.status_code}"

    after = state()
    if role in row.writers:
        row.done(scene, response)
        if row.url.startswith("journal:"):
            assert after["audit"] != before["audit"], "a journal write must be in the change log (ARC-1)"
    else:
        assert after == before, f"{role}: {row.method} {url} changed data"
    return response


@pytest.mark.parametrize(("row", "role"), CASES)
def test_access(scene, client_for, row, role):
    """ACC-1, DIA-3, JRN-10, JRN-11: each role gets exactly the answer of the matrix, and a
    refused write (403, 404, 405 or a redirect to sign in) changes nothing, while the journal's
    own teacher (or the administrator, in the admin) really writes with the same request."""
    run_case(scene, client_for, row, role)


def app_rows() -> list[Row]:
    """The rows of the apps' own matrices: every apps/<app>/tests/test_access.py with ROWS."""
    import importlib
    from pathlib import Path

    rows = []
    for path in sorted(Path(__file__).resolve().parent.parent.glob("apps/*/tests/test_access.py")):
        module = importlib.import_module(f"apps.{path.parent.parent.name}.tests.test_access")
        rows.extend(getattr(module, "ROWS", []))
    return rows


def _names(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _names(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
        elif isinstance(p, URLPattern) and p.name:
            yield namespace + p.name


def test_every_url_is_in_the_matrix():
    """ACC-1: every named URL of the product outside the admin (journal, diary, accounts, the start
    page) has a row, so a new view cannot ship without its access being stated; and every writing
    endpoint of the journal and the diary has a POST row in which its writer succeeds."""
    names = {n for n in _names(get_resolver().url_patterns) if not n.startswith("admin:")}
    assert {n for n in names if n.startswith(("journal:", "diary:"))} >= {
        "journal:list", "journal:grid", "journal:save", "journal:lesson_add", "journal:lesson", "journal:cell",
        "journal:history", "diary:index", "diary:week", "diary:marks",
    }  # fmt: skip
    all_rows = ROWS + app_rows()
    ids = [row.id(role) for row in all_rows for role in ROLES]
    assert len(ids) == len(set(ids)), "two rows with the same URL and method need a label"
    missing = names - {row.url for row in all_rows}
    assert not missing, f"URLs without a row in the access matrix: {sorted(missing)}"
    for row in all_rows:
        if row.method == "POST" and row.url.startswith(("journal:", "diary:")):
            only_405 = all(row.expected(role) == 405 for role in ROLES if role != "anonymous")
            assert row.writers or only_405, f"{row.id('*')}: show the write succeeding for its writer"
