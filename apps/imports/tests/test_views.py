"""The import pages as the journal administrator uses them (ORG-3, ORG-6): upload, preview with
row-numbered errors, confirmation, the history, the templates."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from apps.imports.models import ImportBatch
from apps.imports.planning import parse_table
from apps.imports.readers import read_table
from apps.people.models import Student

from .helpers import check, upload, xlsx

HEADER = ["Фамилия", "Имя", "Отчество", "Дата рождения", "Класс"]
ROWS = [HEADER, ["Ёлкина", "Дарья", "", "01.02.2015", "5А"], ["Зуев", "Илья", "", "31.02.2015", "5А"]]


@pytest.fixture
def admin(world, client_for):
    return client_for(world.admin)


def test_upload_preview_and_valid_rows_only(world, admin):
    """ORG-3: the administrator uploads a list with a bad row: the preview names the row, the
    column and the reason, offers only «Загрузить только правильные строки», and that loads the
    good row; the class list link is shown; the history lists who loaded what."""
    response = admin.post(reverse("imports:index"), {"kind": "students", "file": upload(xlsx(ROWS))})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("imports:batch", args=[batch.pk])
    page = admin.get(response["Location"]).content.decode()
    assert "Строка 3, «Дата рождения»: «31.02.2015» — такой даты нет" in page
    assert "Загрузить только правильные строки (1)" in page
    assert 'value="all"' not in page
    assert not Student.objects.filter(last_name="Ёлкина").exists()

    response = admin.post(reverse("imports:confirm", args=[batch.pk]), {"mode": "valid"}, follow=True)
    page = response.content.decode()
    assert "Загружено строк: 1." in page
    assert reverse("rights:class_list", args=[world.class_5a.pk]) in page
    assert Student.objects.filter(last_name="Ёлкина").exists() and not Student.objects.filter(last_name="Зуев").exists()

    history = admin.get(reverse("imports:index")).content.decode()
    assert "roster.xlsx" in history and "Админова" in history and "создано 1" in history


def test_whole_file_refused_when_mode_all_with_errors(world, admin):
    """ORG-3: asking to load the whole file with a bad row writes nothing and says why."""
    batch = check(world, "students", ROWS)
    response = admin.post(reverse("imports:confirm", args=[batch.pk]), {"mode": "all"}, follow=True)
    assert "строки с ошибками (1)" in response.content.decode()
    assert not Student.objects.filter(last_name="Ёлкина").exists()


def test_confirming_twice_is_refused(world, admin):
    """ORG-3: the second confirmation of a batch (a double click, a back button) is refused."""
    batch = check(world, "students", ROWS[:2])
    admin.post(reverse("imports:confirm", args=[batch.pk]), {"mode": "all"})
    response = admin.post(reverse("imports:confirm", args=[batch.pk]), {"mode": "all"}, follow=True)
    assert "уже выполнена" in response.content.decode()
    assert Student.objects.filter(last_name="Ёлкина").count() == 1


def test_unreadable_file_and_cancel(world, admin):
    """ORG-3: an unreadable file is refused on the upload page with the reason and no batch;
    a checked batch can be cancelled, and its rows are not kept."""
    response = admin.post(
        reverse("imports:index"), {"kind": "students", "file": upload(b"\xd0\xcf\x11\xe0 x", "a.xls")}
    )
    assert response.status_code == 200 and "не поддерживаются" in response.content.decode()
    assert not ImportBatch.objects.exists()
    batch = check(world, "students", ROWS)
    response = admin.post(reverse("imports:cancel", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CANCELLED and batch.rows == [] and batch.decided_by == world.admin
    assert admin.post(reverse("imports:confirm", args=[batch.pk])).status_code == 302
    assert not Student.objects.filter(last_name="Ёлкина").exists()


@pytest.mark.parametrize("kind", ["classes", "students", "guardians", "staff"])
def test_templates_are_valid_files_of_their_kind(world, admin, kind):
    """ORG-3, ORG-6: each template is an XLSX whose header and example rows read back as a file
    of that kind (every column recognized)."""
    response = admin.get(reverse("imports:template", args=[kind]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[1] == "Пояснения"
    rows, notices = parse_table(kind, read_table(content=response.content, file_name="t.xlsx"))
    assert len(rows) >= 2 and not notices


def _batch(world, n):
    rows = [HEADER] + [[f"Фамилия{'а' * (i % 5)}", "Имя", "", "01.02.2015", "5А"] for i in range(n)]
    return check(world, "students", rows)


def test_pages_do_not_grow_in_queries(world, admin, django_assert_max_num_queries):
    """ORG-3: the history and the preview are read in the same number of queries for 2 or 40
    batches and for 2 or 200 rows."""
    small = _batch(world, 2)
    with django_assert_max_num_queries(12) as few:
        admin.get(reverse("imports:index"))
        admin.get(reverse("imports:batch", args=[small.pk]))
    big = _batch(world, 200)
    for _ in range(40):
        ImportBatch.objects.create(school=world.school, kind="staff", file_name="s.csv", uploaded_by=world.admin)
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin.get(reverse("imports:index"))
        admin.get(reverse("imports:batch", args=[big.pk]))


def test_another_schools_administrator_sees_none_of_this_schools_batches(world, client_for):
    """ACC-1: the journal administrator of another school has the import pages of his own school:
    this school's batches are not in his history, and opening one is a 404."""
    from apps.accounts.models import Role
    from tests import factories as f

    batch = check(world, "students", ROWS)
    outsider = f.UserFactory(username="outsider")
    f.add_role(outsider, f.SchoolFactory(short_name="Школа № 2"), Role.JOURNAL_ADMIN)
    client = client_for(outsider)
    page = client.get(reverse("imports:index")).content.decode()
    assert "roster.xlsx" not in page and "Файлов ещё не загружали." in page
    assert client.get(reverse("imports:batch", args=[batch.pk])).status_code == 404
    assert client.post(reverse("imports:confirm", args=[batch.pk]), {"mode": "valid"}).status_code == 404
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW
