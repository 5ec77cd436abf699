"""Access to roster imports (ACC-1, ORG-3): only who has rights.ROSTER_IMPORT in the school — the
journal administrator by default — opens, uploads, confirms or cancels; everyone else gets 404, and
the administrator of another school sees only his own (empty) history, never this school's batches."""

from types import SimpleNamespace

import pytest

from apps.imports import services
from apps.imports.models import ImportBatch, StaffEmail
from apps.people.models import Enrolment, GroupMembership, Student
from apps.schools.models import SchoolClass
from tests.test_access_matrix import ANON, ROLES, Latest, Row, To, run_case
from tests.test_access_matrix import scene as base_scene  # noqa: F401 (fixture)

from .helpers import upload, xlsx

STUDENTS = [["Фамилия", "Имя", "Дата рождения", "Класс"], ["Ёлкина", "Дарья", "01.02.2015", "5А"]]
ADMIN = {**ANON, "admin": 200}
OWN = {**ADMIN, "outsider": 200}  # the other school's administrator: his own school's page


def upload_form(s):
    return "multipart", {"kind": "students", "file": upload(xlsx(STUDENTS))}


def batch_checked(s, response):
    batch = ImportBatch.objects.filter(school=s.world.school).exclude(pk=s.import_batch.pk).get()
    assert batch.status == ImportBatch.Status.PREVIEW and batch.uploaded_by == s.world.admin
    assert not Student.objects.filter(last_name="Ёлкина").exists()  # a dry run writes nothing


def batch_loaded(s, response):
    s.import_batch.refresh_from_db()
    assert s.import_batch.status == ImportBatch.Status.DONE
    assert Enrolment.objects.filter(student__last_name="Ёлкина", school_class=s.world.class_5a).exists()


def batch_cancelled(s, response):
    s.import_batch.refresh_from_db()
    assert s.import_batch.status == ImportBatch.Status.CANCELLED


# fmt: off
ROWS = [
    Row("imports:index", expect=OWN),
    # The outsider's school has no active year: his upload is refused on the page, nothing written.
    Row("imports:index", method="POST", payload=upload_form, writers=("admin",), done=batch_checked,
        expect={**ANON, "admin": To("imports:batch", ("latest_batch",)), "outsider": 200}),
    Row("imports:template", ("kind_students",), expect=OWN),
    Row("imports:batch", ("import_batch",), expect=ADMIN),
    Row("imports:confirm", ("import_batch",), expect=ANON, default=405),
    Row("imports:confirm", ("import_batch",), "POST", payload=lambda s: {"mode": "all"}, writers=("admin",),
        done=batch_loaded, expect={**ANON, "admin": To("imports:batch", ("import_batch",))}),
    Row("imports:cancel", ("import_batch",), expect=ANON, default=405),
    Row("imports:cancel", ("import_batch",), "POST", writers=("admin",), done=batch_cancelled,
        expect={**ANON, "admin": To("imports:index")}),
]
# fmt: on


@pytest.fixture
def scene(base_scene):  # noqa: F811
    """The matrix's scene with a checked, unconfirmed students' list of this school."""
    world = base_scene.world
    base_scene.import_batch = services.batch_upload(
        school=world.school, kind="students", file_name="students.xlsx", content=xlsx(STUDENTS), uploaded_by=world.admin
    )
    base_scene.latest_batch = Latest("imports.ImportBatch")
    base_scene.kind_students = SimpleNamespace(pk="students")
    return base_scene


def snapshot() -> dict:
    models = (ImportBatch, StaffEmail, SchoolClass, Enrolment, GroupMembership)
    return {m.__name__: list(m.objects.order_by("pk").values_list()) for m in models}


@pytest.mark.parametrize(("row", "role"), [pytest.param(r, role, id=r.id(role)) for r in ROWS for role in ROLES])
def test_access(scene, client_for, row, role):
    """ACC-1, ORG-3: each role gets exactly the answer of the matrix for the import pages; a refused
    upload, confirmation or cancellation changes nothing, the administrator's really writes."""
    run_case(scene, client_for, row, role, extra_snapshot=snapshot)
