"""Access to the «Управление» page (ACC-1): its sections follow the user's functions."""

import pytest

from tests.test_access_matrix import ANON, ROLES, SCHOOL_WIDE, Row, run_case, scene  # noqa: F401 (fixture)

# fmt: off
ROWS = [
    # The administration and the class teacher (events of her class) see the page; a plain teacher,
    # families and the other school's administrator (sections of his own school) as their functions say.
    Row("office:index", expect={**ANON, **dict.fromkeys(SCHOOL_WIDE, 200), "carol": 200, "outsider": 200}),
]
# fmt: on


@pytest.mark.parametrize(("row", "role"), [pytest.param(r, role, id=r.id(role)) for r in ROWS for role in ROLES])
def test_access(scene, client_for, row, role):  # noqa: F811
    """ACC-1: each role gets exactly the answer of the matrix for the administration's hub."""
    run_case(scene, client_for, row, role)
