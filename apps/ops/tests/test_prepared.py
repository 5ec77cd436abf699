"""apps.ops.prepared.Prepared (OPS-1, issue 5): a values_list queryset compiled once per database
and shape, later calls only binding their ids — and always the rows the plain queryset gives."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Max, Q
from django.db.models.functions import Coalesce

from apps.ops import prepared
from apps.ops.prepared import Prepared
from apps.people.models import Student
from apps.registration.models import Consent
from apps.rights.models import SchoolRights
from apps.schools.models import School, SchoolClass
from tests import factories as f

pytestmark = pytest.mark.django_db

USING = "default"
FIELDS = ("pk", "last_name", "first_name", "birth_date")


def students_of(*, school_id, born_after=None):
    qs = Student.objects.filter(school_id=school_id)
    if born_after is not None:
        qs = qs.filter(birth_date__gt=born_after)
    return qs.order_by("last_name", "pk")


class Counting:
    """A build function that counts how often it is asked for a queryset."""

    def __init__(self, build):
        self.build, self.calls = build, 0

    def __call__(self, **kwargs):
        self.calls += 1
        return self.build(**kwargs)


@pytest.fixture
def two_schools():
    """Two schools with students of different birth dates (and one student without a date)."""
    a, b = f.SchoolFactory(), f.SchoolFactory()
    for last, born in (("Яшин", dt.date(2014, 5, 2)), ("Алов", dt.date(2016, 1, 9)), ("Мухин", None)):
        f.StudentFactory(school=a, last_name=last, birth_date=born)
    f.StudentFactory(school=b, last_name="Борисов", birth_date=dt.date(2015, 7, 7))
    return a, b


def plain(qs, fields=FIELDS):
    return list(qs.values_list(*fields))


def test_rows_equal_the_plain_queryset_for_every_id(two_schools, django_assert_num_queries):
    """OPS-1: the prepared SQL, bound to different ids (two schools, ids that match nothing — one
    beyond 32 bits, which PostgreSQL's prepared statement gets as another parameter type), gives
    exactly the rows — values and order — of the plain queryset; one query each."""
    a, b = two_schools
    p = Prepared("t-rows", build=students_of, ids=("school_id",), fields=FIELDS)
    for school_id in (a.pk, b.pk, a.pk, 987_654, 3_000_000_000, b.pk):
        with django_assert_num_queries(1):
            rows = p.rows(USING, school_id=school_id)
        assert rows == plain(students_of(school_id=school_id))
    assert [r[1] for r in p.rows(USING, school_id=a.pk)] == ["Алов", "Мухин", "Яшин"]
    assert p.rows(USING, school_id=987_654) == []


def test_compiled_once_per_shape_and_again_for_a_new_shape(two_schools):
    """OPS-1: the queryset is built and compiled once for a shape, whatever the ids bound later;
    a new shape (another date) is compiled once more and filters by its own date."""
    a, b = two_schools
    build = Counting(students_of)
    p = Prepared("t-once", build=build, ids=("school_id",), fields=FIELDS)

    for school_id in (a.pk, b.pk, a.pk):
        p.rows(USING, school_id=school_id)
    assert (p.compilations, build.calls) == (1, 1)

    cutoff = dt.date(2015, 1, 1)
    later = p.rows(USING, shape={"born_after": cutoff}, school_id=a.pk)
    assert (p.compilations, build.calls) == (2, 2)
    assert later == plain(students_of(school_id=a.pk, born_after=cutoff))
    assert [r[1] for r in later] == ["Алов"]
    assert p.rows(USING, shape={"born_after": cutoff}, school_id=b.pk) == [
        r for r in plain(students_of(school_id=b.pk)) if r[3] > cutoff
    ]
    # Another date is another shape; the first shape is still kept (not compiled again).
    p.rows(USING, shape={"born_after": dt.date(2016, 1, 1)}, school_id=a.pk)
    p.rows(USING, school_id=b.pk)
    p.rows(USING, shape={"born_after": cutoff}, school_id=a.pk)
    assert (p.compilations, build.calls) == (3, 3)


def test_ids_with_equal_values_each_get_their_own_slot(two_schools):
    """OPS-1: two ids are bound by name, not by value: the same number for both, or swapped
    numbers, give the plain queryset's rows."""
    a, _b = two_schools
    first = Student.objects.filter(school=a).order_by("pk").first()

    def build(*, school_id, student_id):
        return Student.objects.filter(school_id=school_id, pk__gte=student_id).order_by("pk")

    p = Prepared("t-two-ids", build=build, ids=("school_id", "student_id"), fields=("pk",))
    for school_id, student_id in ((a.pk, first.pk), (first.pk, a.pk), (a.pk, a.pk), (first.pk + 1, a.pk)):
        assert p.rows(USING, school_id=school_id, student_id=student_id) == plain(
            build(school_id=school_id, student_id=student_id), ("pk",)
        )
    assert p.compilations == 1


def test_an_empty_shape_returns_nothing_without_a_query(two_schools, django_assert_num_queries):
    """OPS-1: a shape whose queryset can have no rows (pk__in=[]) answers [] without running any
    SQL, every time; the other shape of the same Prepared still runs its query."""
    a, _b = two_schools

    def build(*, school_id, only):
        return Student.objects.filter(school_id=school_id, pk__in=only).order_by("pk")

    p = Prepared("t-empty", build=build, ids=("school_id",), fields=("pk",))
    for _ in range(2):
        with django_assert_num_queries(0):
            assert p.rows(USING, shape={"only": ()}, school_id=a.pk) == []
    assert p.compilations == 1  # the verdict (ask the queryset, which knows it is empty) is kept
    ids = tuple(Student.objects.filter(school=a).values_list("pk", flat=True))
    with django_assert_num_queries(1):
        assert sorted(r[0] for r in p.rows(USING, shape={"only": ids}, school_id=a.pk)) == sorted(ids)


def test_an_id_inlined_into_the_sql_falls_back_to_the_orm(two_schools):
    """OPS-1: an id the ORM writes into the SQL text itself (here through .extra(), also given as a
    parameter) is not prepared — binding only the parameter would leave the sentinel in the SQL
    and find nothing; each call runs the plain queryset and gets its rows."""
    a, b = two_schools
    table = Student._meta.db_table

    def build(*, school_id):
        return (
            Student.objects.filter(school_id=school_id)
            .extra(where=[f'"{table}"."school_id" = {int(school_id)}'])  # noqa: S610 (an int, test only)
            .order_by("last_name", "pk")
        )

    p = Prepared("t-inlined", build=build, ids=("school_id",), fields=FIELDS)
    for school_id in (a.pk, b.pk, a.pk):
        rows = p.rows(USING, school_id=school_id)
        assert rows == plain(students_of(school_id=school_id))
        assert rows  # both schools have students: an answer of [] would mean the sentinel was run
    assert p.compilations == 1  # the shape is marked unprepared once, not compiled on every call


def test_an_id_the_orm_drops_falls_back_to_the_orm(two_schools):
    """OPS-1: when the ORM drops an id's condition for the sentinel (grade >= a negative number
    always holds on a PositiveSmallIntegerField, so Django leaves it out of the SQL), the shape is
    not prepared and each call filters by the real value through the ORM."""
    year = f.YearFactory(school=two_schools[0])
    fifth, ninth = f.make_class(year, 5, "А"), f.make_class(year, 9, "Б")

    def build(*, school_id, grade):
        return SchoolClass.objects.filter(school_id=school_id, grade__gte=grade).order_by("grade", "pk")

    p = Prepared("t-dropped", build=build, ids=("school_id", "grade"), fields=("pk", "grade"))
    assert p.rows(USING, school_id=year.school_id, grade=1) == [(fifth.pk, 5), (ninth.pk, 9)]
    assert p.rows(USING, school_id=year.school_id, grade=6) == [(ninth.pk, 9)]
    assert p.rows(USING, school_id=year.school_id, grade=10) == []
    assert p.compilations == 1


def test_a_shape_that_cannot_be_prepared_runs_the_plain_queryset(two_schools, monkeypatch, django_assert_num_queries):
    """OPS-1: whenever compiling says «not preparable», every call builds and runs the plain
    queryset (one query) and returns its rows; the verdict is remembered, not recomputed."""
    a, b = two_schools
    build = Counting(students_of)
    p = Prepared("t-unprepared", build=build, ids=("school_id",), fields=FIELDS)
    tried = []

    def refuse(using, shape):
        tried.append(shape)
        raise prepared._NotPreparable

    monkeypatch.setattr(p, "_compile", refuse)
    for school_id in (a.pk, b.pk):
        with django_assert_num_queries(1):
            rows = p.rows(USING, school_id=school_id)
        assert rows == plain(students_of(school_id=school_id))
    assert len(tried) == 1 and p.compilations == 1
    assert build.calls == 2  # the ORM path builds the queryset for the real ids, each call


@pytest.mark.parametrize(
    "ids",
    [{}, {"user_id": 1}, {"school_id": 1, "user_id": 2}, {"school": 1}],
    ids=["none", "wrong-name", "one-too-many", "object-name"],
)
def test_wrong_id_names_raise_type_error(ids, django_assert_num_queries):
    """OPS-1: ids are named exactly as declared; missing, extra or misspelt ones are a TypeError
    (before any compiling or SQL), never a query with a sentinel left in it."""
    build = Counting(students_of)
    p = Prepared("t-names", build=build, ids=("school_id",), fields=FIELDS)
    with django_assert_num_queries(0), pytest.raises(TypeError, match="t-names"):
        p.rows(USING, **ids)
    assert (p.compilations, build.calls) == (0, 0)


def test_converters_of_the_database_are_applied(two_schools):
    """OPS-1: the rows come back as the ORM gives them: a date computed in SQL (no column type for
    SQLite to go by) as datetime.date on SQLite too, a BooleanField as bool, NULL as None."""
    a, _b = two_schools
    student = Student.objects.filter(school=a, birth_date__isnull=False).first()
    Consent.objects.all().delete()
    f.make_consent(student, given_on=dt.date(2026, 9, 3), allows_guardians=True, ended_on=dt.date(2026, 10, 1))
    f.make_consent(student, given_on=dt.date(2026, 9, 4))

    def build(*, student_id):
        return (
            Consent.objects.filter(student_id=student_id)
            .annotate(last_day=Coalesce("ended_on", "given_on"), born=Max("student__birth_date"))
            .order_by("given_on")
        )

    fields = ("pk", "student__birth_date", "given_on", "ended_on", "allows_guardians", "last_day", "born")
    p = Prepared("t-convert", build=build, ids=("student_id",), fields=fields)
    rows = p.rows(USING, student_id=student.pk)
    assert rows == plain(build(student_id=student.pk), fields)
    assert [type(v) for v in rows[0][1:]] == [dt.date, dt.date, dt.date, bool, dt.date, dt.date]
    assert [(r[2], r[3], r[4], r[5]) for r in rows] == [
        (dt.date(2026, 9, 3), dt.date(2026, 10, 1), True, dt.date(2026, 10, 1)),
        (dt.date(2026, 9, 4), None, False, dt.date(2026, 9, 4)),
    ]
    assert rows[0][4] is True and rows[1][4] is False
    assert rows[0][6] == student.birth_date


def test_a_json_field_comes_back_decoded():
    """OPS-1: a JSONField (a school's rights, read with every request) comes back as the dict the
    ORM gives, not as the database's text."""
    school = f.SchoolFactory()
    overrides = {"parent": {"diary_children": False}, "teacher": {}}
    SchoolRights.objects.create(school=school, overrides=overrides, version=2)
    p = Prepared(
        "t-json",
        build=lambda school_id: School.objects.filter(pk=school_id),
        ids=("school_id",),
        fields=("pk", "role_rights__overrides", "role_rights__version"),
    )
    assert p.rows(USING, school_id=school.pk) == [(school.pk, overrides, 2)]
    assert p.rows(USING, school_id=f.SchoolFactory().pk)[0][1:] == (None, None)


def test_max_shapes_bounds_the_kept_sql(two_schools):
    """OPS-1: at most MAX_SHAPES shapes are kept (a shape holds a date: a long-running process
    must not grow without end); the oldest are forgotten, compiled again when asked, still right."""
    a, _b = two_schools
    p = Prepared("t-bound", build=students_of, ids=("school_id",), fields=FIELDS)
    p.MAX_SHAPES = 2
    days = [dt.date(2014, 1, 1), dt.date(2015, 1, 1), dt.date(2016, 1, 1)]
    for day in days[:2]:
        p.rows(USING, shape={"born_after": day}, school_id=a.pk)
    assert (p.compilations, len(p._compiled)) == (2, 2)
    p.rows(USING, shape={"born_after": days[1]}, school_id=a.pk)
    assert p.compilations == 2

    p.rows(USING, shape={"born_after": days[2]}, school_id=a.pk)
    assert p.compilations == 3
    assert len(p._compiled) <= p.MAX_SHAPES
    assert p.rows(USING, shape={"born_after": days[0]}, school_id=a.pk) == plain(
        students_of(school_id=a.pk, born_after=days[0])
    )
    assert p.compilations == 4
    assert len(p._compiled) <= p.MAX_SHAPES


def test_instances_and_attnames_make_full_model_objects(two_schools, django_assert_num_queries):
    """OPS-1: instances() from rows of attnames() gives saved model objects equal, field by field,
    to those the ORM loads — no deferred field, so reading one costs no query."""
    a, _b = two_schools
    names = prepared.attnames(Student)
    assert names == tuple(fl.attname for fl in Student._meta.concrete_fields)
    assert "school_id" in names and "school" not in names
    p = Prepared("t-instances", build=students_of, ids=("school_id",), fields=names)
    made = prepared.instances(Student, names, p.rows(USING, school_id=a.pk), USING)
    loaded = list(students_of(school_id=a.pk))
    assert made == loaded
    with django_assert_num_queries(0):
        assert [[getattr(s, n) for n in names] for s in made] == [[getattr(s, n) for n in names] for s in loaded]
        assert all(not s._state.adding and s._state.db == USING for s in made)
        assert all(s.get_deferred_fields() == set() for s in made)

    # offset: the model's columns further along the row.
    rows = [("x", *row) for row in p.rows(USING, school_id=a.pk)]
    assert prepared.instances(Student, names, rows, USING, offset=1) == loaded


def test_the_sql_is_kept_per_database_vendor(two_schools):
    """OPS-1: the kept SQL is keyed by the database alias and its vendor, so SQL made for one
    backend is never sent to another."""
    a, _b = two_schools
    p = Prepared("t-vendor", build=students_of, ids=("school_id",), fields=FIELDS)
    p.rows(USING, school_id=a.pk)
    assert list(p._compiled) == [(USING, connection.vendor, ())]


def test_an_id_that_empties_the_query_for_the_sentinel_is_not_taken_for_an_empty_shape():
    """OPS-1: `ids` are «integer parameters»; for one compared with a PositiveSmallIntegerField
    (SchoolClass.grade), the negative sentinel is out of the field's range and Django drops the
    query while compiling (EmptyResultSet). That must not be kept as «no rows» for every id: the
    shape is not prepared and each call asks the plain queryset, which has the rows."""
    year = f.YearFactory()
    fifth = f.make_class(year, 5, "А")

    def build(*, school_id, grade):
        return SchoolClass.objects.filter(school_id=school_id, grade=grade).order_by("pk")

    p = Prepared("t-overflow", build=build, ids=("school_id", "grade"), fields=("pk", "letter"))
    assert plain(build(school_id=year.school_id, grade=5), ("pk", "letter")) == [(fifth.pk, "А")]
    assert p.rows(USING, school_id=year.school_id, grade=5) == [(fifth.pk, "А")]


def test_an_id_or_branch_emptied_by_the_sentinel_is_not_prepared():
    """OPS-1: the same overflow inside an OR only drops that branch for the sentinel; the id is then
    missing from the parameters, so the shape falls back to the ORM and stays right."""
    year = f.YearFactory()
    fifth, ninth = f.make_class(year, 5, "А"), f.make_class(year, 9, "Б")

    def build(*, school_id, grade):
        return SchoolClass.objects.filter(school_id=school_id).filter(Q(grade=grade) | Q(letter="Б")).order_by("pk")

    p = Prepared("t-or", build=build, ids=("school_id", "grade"), fields=("pk",))
    assert p.rows(USING, school_id=year.school_id, grade=5) == [(fifth.pk,), (ninth.pk,)]
    assert p.rows(USING, school_id=year.school_id, grade=7) == [(ninth.pk,)]


def _server_statements() -> dict[str, tuple[int, int]]:
    """{statement text: (generic plans, custom plans)} prepared on this connection's server session."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
        return {sql: (generic, custom) for sql, generic, custom in cursor.fetchall()}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="server-side statements are PostgreSQL's")
def test_on_postgresql_the_statement_is_prepared_on_the_server_and_planned_once(two_schools):
    """OPS-1, issue 5: the compiled SQL is a prepared statement of the server session, so PostgreSQL
    stops planning it after its first executions (Django opens connections with psycopg's
    preparation switched off: without the fix nothing was ever prepared, prepare=True included)."""
    a, b = two_schools
    query = Prepared("server-side", build=students_of, ids=("school_id",), fields=FIELDS)
    for _ in range(8):
        assert query.rows(USING, school_id=a.pk) == plain(students_of(school_id=a.pk))
        assert query.rows(USING, school_id=b.pk) == plain(students_of(school_id=b.pk))
    ours = {sql: plans for sql, plans in _server_statements().items() if '"people_student"' in sql}
    assert len(ours) == 1, ours
    ((generic, custom),) = ours.values()
    assert generic + custom == 16
    assert generic >= 1  # PostgreSQL settled on one plan for every later call


@pytest.mark.skipif(connection.vendor != "postgresql", reason="server-side statements are PostgreSQL's")
def test_raw_sql_through_execute_is_prepared_and_django_cursors_are_not(two_schools):
    """OPS-1: prepared.execute prepares its statement; Django's own cursors on the same connection
    still send plain statements (no automatic preparation behind a pooler's back)."""
    a, _b = two_schools
    sql = "SELECT id FROM people_student WHERE school_id = %s ORDER BY id"
    expected = sorted(Student.objects.filter(school=a).values_list("pk", flat=True))
    assert [r[0] for r in prepared.execute(connection, sql, [a.pk])] == expected
    for _ in range(10):
        list(Student.objects.filter(school=a).values_list("pk", flat=True))
    statements = _server_statements()
    assert list(statements) == ["SELECT id FROM people_student WHERE school_id = $1 ORDER BY id"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="server-side statements are PostgreSQL's")
def test_db_server_prepare_off_sends_plain_statements(two_schools, settings):
    """OPS-1: DB_SERVER_PREPARE=0 (PgBouncer in transaction mode) prepares nothing on the server,
    and the rows are the same."""
    settings.DB_SERVER_PREPARE = False
    a, _b = two_schools
    query = Prepared("no-server-side", build=students_of, ids=("school_id",), fields=FIELDS)
    for _ in range(3):
        assert query.rows(USING, school_id=a.pk) == plain(students_of(school_id=a.pk))
    assert prepared.execute(connection, "SELECT 1 WHERE 1 = %s", [1]) == [(1,)]
    assert _server_statements() == {}
