"""Access to the grading settings, the converter and a journal's converted results (ACC-1, JRN-4,
JRN-11): the settings need «Настраивать системы оценивания» (the journal administrator and the
deputy by default); the converter is open to the staff who read journals; a journal's results to
whoever may read that journal. Another school's objects are a 404; a refused write changes nothing."""

from types import SimpleNamespace

import pytest

from apps.grading import services
from apps.grading.models import ConversionBand, ConversionScale, SchoolSystem, SubjectGrading
from apps.journal.grading import GradingSystem
from apps.journal.models import Journal
from tests.test_access_matrix import ANON, JOURNAL_READ, ROLES, Row, To, run_case, scene  # noqa: F401 (fixture)

MANAGERS = ("admin", "deputy")
MANAGE = {**ANON, **dict.fromkeys(MANAGERS, 200), "outsider": 200}  # the outsider: his own school's settings
STAFF_READERS = ("alice", "bob", "carol", "admin", "director", "deputy", "outsider")
POST_ONLY = {**ANON, **dict.fromkeys(set(ROLES) - {"anonymous"}, 405)}


class LatestRule:
    @property
    def pk(self):
        return SubjectGrading.objects.order_by("-pk").first().pk


def _school(response):
    return response.wsgi_request.school


# --- Payloads and what the writer must find written ----------------------------------------------


def systems_form(s):
    return {"systems": [GradingSystem.PASS_FAIL, GradingSystem.TEN]}


def systems_saved(s, response):
    assert SchoolSystem.objects.filter(school=_school(response), system=GradingSystem.TEN).exists()


def rule_form(s):
    return {"subject": s.world.math.pk, "grade_from": "10", "grade_to": "11", "system": GradingSystem.FIVE}


def rule_added(s, response):
    assert SubjectGrading.objects.filter(school=s.world.school, subject=s.world.math, grade_from=10).exists()


def rule_applied(s, response):
    assert Journal.objects.get(pk=s.world.journal_history_5b.pk).grading_system == GradingSystem.PASS_FAIL


def rule_deleted(s, response):
    assert not SubjectGrading.objects.filter(pk=s.grading_rule.pk).exists()


def new_scale_form(s):
    return {"from_system": GradingSystem.TEN, "to_system": GradingSystem.FIVE, "low": ["9", "7", "4", "1"],
            "high": ["10", "8", "6", "3"], "value": ["5", "4", "3", "2"]}  # fmt: skip


def new_scale_saved(s, response):
    assert ConversionScale.objects.filter(school=_school(response), from_system=GradingSystem.TEN).exists()


def defaults_installed(s, response):
    assert ConversionScale.objects.filter(school=_school(response)).count() == 3


def scale_form(s):
    return {"low": ["90", "70", "50", "0"], "high": ["100", "89", "69", "49"], "value": ["5", "4", "3", "2"]}


def scale_saved(s, response):
    assert list(s.grading_scale.bands.values_list("low", flat=True)) == [90, 70, 50, 0]


def scale_deleted(s, response):
    assert not ConversionScale.objects.filter(pk=s.grading_scale.pk).exists()


# fmt: off
ROWS = [
    Row("grading:index", expect=MANAGE),
    Row("grading:index", method="POST", expect=POST_ONLY),
    Row("grading:systems", expect=POST_ONLY),
    Row("grading:systems", method="POST", payload=systems_form, default=404,
        expect={**ANON, **dict.fromkeys((*MANAGERS, "outsider"), To("grading:index"))},
        writers=(*MANAGERS, "outsider"), done=systems_saved),
    Row("grading:rule_add", expect=POST_ONLY),
    # The outsider's form names a subject of another school: refused on the page, nothing written.
    Row("grading:rule_add", method="POST", payload=rule_form,
        expect={**ANON, **dict.fromkeys(MANAGERS, To("grading:rule", ("latest_rule",))), "outsider": 200},
        writers=MANAGERS, done=rule_added),
    Row("grading:rule", ("grading_rule",), expect={**ANON, **dict.fromkeys(MANAGERS, 200)}),
    Row("grading:rule", ("grading_rule",), method="POST",
        expect={**ANON, **dict.fromkeys(MANAGERS, To("grading:rule", ("grading_rule",)))},
        writers=MANAGERS, done=rule_applied),
    Row("grading:rule_delete", ("grading_rule",), expect=POST_ONLY),
    Row("grading:rule_delete", ("grading_rule",), method="POST",
        expect={**ANON, **dict.fromkeys(MANAGERS, To("grading:index"))}, writers=MANAGERS, done=rule_deleted),
    Row("grading:scale_new", expect=MANAGE, query={"from_system": "ten_point"}),
    Row("grading:scale_new", method="POST", payload=new_scale_form,
        expect={**ANON, **dict.fromkeys((*MANAGERS, "outsider"), To("grading:index"))},
        writers=(*MANAGERS, "outsider"), done=new_scale_saved),
    Row("grading:scale_defaults", expect=POST_ONLY),
    Row("grading:scale_defaults", method="POST",
        expect={**ANON, **dict.fromkeys((*MANAGERS, "outsider"), To("grading:index"))},
        writers=(*MANAGERS, "outsider"), done=defaults_installed),
    Row("grading:scale", ("grading_scale",), expect={**ANON, **dict.fromkeys(MANAGERS, 200)}),
    Row("grading:scale", ("grading_scale",), method="POST", payload=scale_form,
        expect={**ANON, **dict.fromkeys(MANAGERS, To("grading:index"))}, writers=MANAGERS, done=scale_saved),
    Row("grading:scale_delete", ("grading_scale",), expect=POST_ONLY),
    Row("grading:scale_delete", ("grading_scale",), method="POST",
        expect={**ANON, **dict.fromkeys(MANAGERS, To("grading:index"))}, writers=MANAGERS, done=scale_deleted),
    Row("grading:convert", expect={**ANON, **dict.fromkeys(STAFF_READERS, 200)}),
    Row("grading:convert", method="POST", expect=POST_ONLY),
    Row("grading:journal", ("journal",), expect=JOURNAL_READ),
    Row("grading:journal", ("journal",), method="POST", expect=POST_ONLY),
]
# fmt: on


@pytest.fixture
def grading_scene(scene):  # noqa: F811
    """The school uses pass/fail; history of the 5th grade is pass/fail (5Б history has no marks);
    the 100-point → 5-point scale is set up."""
    school = scene.world.school
    services.systems_set(school=school, systems=[GradingSystem.PASS_FAIL])
    scene.grading_rule = services.rule_create(
        school=school, subject=scene.world.history, grade_from=5, grade_to=5, system=GradingSystem.PASS_FAIL
    )
    scene.grading_scale = services.scale_save(
        school=school,
        from_system=GradingSystem.HUNDRED,
        to_system=GradingSystem.FIVE,
        bands=[(85, 100, "5"), (65, 84, "4"), (45, 64, "3"), (0, 44, "2")],
    )
    scene.latest_rule = LatestRule()
    scene.ten_point = SimpleNamespace(pk=GradingSystem.TEN)
    return scene


def grading_snapshot() -> dict:
    return {
        "systems": list(SchoolSystem.objects.order_by("pk").values_list()),
        "rules": list(SubjectGrading.objects.order_by("pk").values_list()),
        "scales": list(
            ConversionScale.objects.order_by("pk").values_list("pk", "school_id", "from_system", "to_system")
        ),
        "bands": list(ConversionBand.objects.order_by("pk").values_list()),
        "journal_systems": list(Journal.objects.order_by("pk").values_list("pk", "grading_system")),
    }


@pytest.mark.parametrize(("row", "role"), [pytest.param(r, role, id=r.id(role)) for r in ROWS for role in ROLES])
def test_access(grading_scene, client_for, row, role):
    """ACC-1, JRN-4, JRN-11: each role gets exactly the answer of the matrix for the grading pages;
    a refused request changes no setting and no journal's system, the managers' writes happen."""
    run_case(grading_scene, client_for, row, role, extra_snapshot=grading_snapshot)
