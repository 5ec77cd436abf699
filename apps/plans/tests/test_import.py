"""Import of a calendar-thematic plan from XLSX and CSV: the preview with row-numbered errors,
nothing written unless valid (or the teacher imports only the valid rows), replace or append
(JRN-2)."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.journal.models import Lesson
from apps.plans import importing
from apps.plans.models import PlanItem

from .helpers import HEADER, csv_bytes, lessons, xlsx

pytestmark = pytest.mark.django_db

GOOD = [
    (1, "Натуральные числа", "Ряд натуральных чисел", 2, dt.date(2026, 11, 16)),
    (2, None, "Сравнение натуральных чисел", 1, None),
    (3, "Дроби", "Обыкновенные дроби", 3, "23.11.2026"),
]


def preview(client, journal, name, data):
    return client.post(reverse("plans:import", args=[journal.pk]), {"file": SimpleUploadedFile(name, data)})


def confirm(client, journal, response, mode="append", valid_only=False):
    data = {"token": response.context["token"], "mode": mode}
    if valid_only:
        data["valid_only"] = "1"
    return client.post(reverse("plans:import_confirm", args=[journal.pk]), data)


def plan(journal):
    return list(
        PlanItem.objects.filter(journal=journal).order_by("order").values_list("order", "section", "topic", "hours")
    )


def test_valid_xlsx_is_previewed_then_imported(world, client_for):
    """JRN-2: alice uploads a valid XLSX: the preview writes nothing; on confirmation the plan has
    the rows in order, the section carried down to the rows below it, the planned dates read."""
    client = client_for(world.alice)
    response = preview(client, world.journal, "ktp.xlsx", xlsx(GOOD))
    assert response.status_code == 200
    parsed = response.context["parsed"]
    assert [r.line for r in parsed.rows] == [2, 3, 4] and not parsed.bad
    assert PlanItem.objects.count() == 0  # a dry run

    response = confirm(client, world.journal, response)
    assert response.status_code == 302
    assert plan(world.journal) == [
        (1, "Натуральные числа", "Ряд натуральных чисел", 2),
        (2, "Натуральные числа", "Сравнение натуральных чисел", 1),
        (3, "Дроби", "Обыкновенные дроби", 3),
    ]
    dates = list(PlanItem.objects.order_by("order").values_list("planned_date", flat=True))
    assert dates == [dt.date(2026, 11, 16), None, dt.date(2026, 11, 23)]


@pytest.mark.parametrize(
    ("encoding", "delimiter", "bom"),
    [("cp1251", ";", False), ("utf-8", ",", True), ("utf-8", ";", False)],
    ids=["cp1251-semicolon", "utf8-bom-comma", "utf8-semicolon"],
)
def test_csv_in_windows_1251_or_utf8(world, client_for, encoding, delimiter, bom):
    """JRN-2: a CSV saved by Excel in Windows-1251 with «;», or in UTF-8 (with a BOM) with «,»,
    reads the same Russian topics; header names in any case."""
    rows = [(1, "Числа", "Сложение и вычитание", 2, "16.11.2026"), (2, "", "Умножение, деление", 1, "")]
    header = ["№", "РАЗДЕЛ", "тема", "Часы", "дата"]
    data = csv_bytes(rows, header=header, delimiter=delimiter, encoding=encoding, bom=bom)
    client = client_for(world.alice)
    response = preview(client, world.journal, "ktp.csv", data)
    assert not response.context["parsed"].error and not response.context["parsed"].bad
    confirm(client, world.journal, response)
    assert plan(world.journal) == [(1, "Числа", "Сложение и вычитание", 2), (2, "Числа", "Умножение, деление", 1)]


def test_bad_row_reported_with_its_row_number_and_nothing_written(world, client_for):
    """JRN-2: a file with a bad row: the preview names the row as the spreadsheet numbers it
    («Строка 4: …»), and confirming without choosing «only the valid rows» writes nothing."""
    rows = [
        (1, "Числа", "Сложение", 1, ""),
        (2, "", "Вычитание", "два", ""),  # row 3 of the sheet: bad hours
        (3, "", "", 1, ""),  # row 4: no topic
        (4, "", "Умножение", 1, "31.02.2027"),  # row 5: no such date
        (5, "", "Деление", 1, "01.09.2030"),  # row 6: outside the year
    ]
    client = client_for(world.alice)
    response = preview(client, world.journal, "ktp.xlsx", xlsx(rows))
    html = response.content.decode()
    assert "Строка 3: часы должны быть целым числом от 1 до 10" in html
    assert "Строка 4: тема не указана" in html
    assert "Строка 5: дата «31.02.2027» не распознана" in html
    assert "Строка 6: дата 01.09.2030 вне учебного года 2026/2027" in html
    assert "Загрузить только верные строки (1)" in html

    response = confirm(client, world.journal, response)  # without valid_only
    assert response.status_code == 302
    assert PlanItem.objects.count() == 0
    follow = client.get(response["Location"])
    assert "В файле есть строки с ошибками" in follow.content.decode()


def test_import_valid_rows_only(world, client_for):
    """JRN-2: the teacher chooses to import only the valid rows: those are written, the bad ones
    skipped, and the message says how many were skipped."""
    rows = [(1, "Числа", "Сложение", 1, ""), (2, "", "Вычитание", 0, ""), (3, "", "Умножение", 2, "")]
    client = client_for(world.alice)
    response = preview(client, world.journal, "ktp.xlsx", xlsx(rows))
    response = confirm(client, world.journal, response, valid_only=True)
    assert plan(world.journal) == [(1, "Числа", "Сложение", 1), (2, "Числа", "Умножение", 2)]
    assert "Пропущено строк с ошибками: 1" in client.get(response["Location"]).content.decode()


def test_replace_or_append(world, client_for):
    """JRN-2: «append» adds the file's rows after the plan; «replace» puts the file in its place."""
    PlanItem.objects.create(school=world.school, journal=world.journal, order=1, topic="Повторение", hours=1)
    client = client_for(world.alice)
    confirm(client, world.journal, preview(client, world.journal, "a.xlsx", xlsx(GOOD[:1])), mode="append")
    assert [p[2] for p in plan(world.journal)] == ["Повторение", "Ряд натуральных чисел"]
    confirm(client, world.journal, preview(client, world.journal, "b.xlsx", xlsx(GOOD[1:])), mode="replace")
    assert [p[2] for p in plan(world.journal)] == ["Сравнение натуральных чисел", "Обыкновенные дроби"]


def test_import_gives_lessons_their_topics(world, client_for):
    """JRN-2: right after the import, the journal's lessons take their topics from the new plan."""
    lessons(world.journal, dt.date(2026, 11, 16), 4)
    client = client_for(world.alice)
    confirm(client, world.journal, preview(client, world.journal, "ktp.xlsx", xlsx(GOOD)))
    topics = list(Lesson.objects.filter(journal=world.journal).order_by("date").values_list("topic", flat=True))
    assert topics == ["Ряд натуральных чисел"] * 2 + ["Сравнение натуральных чисел", "Обыкновенные дроби"]


def test_unreadable_files_are_refused_with_a_reason(world, client_for):
    """JRN-2: a file without the header, an old XLS, a damaged XLSX, a huge file: a clear message,
    nothing written."""
    client = client_for(world.alice)
    no_header = csv_bytes([(1, "x", "y", 1, "")], header=["a", "b", "c", "d", "e"])
    assert "Не найдена строка заголовков" in preview(client, world.journal, "a.csv", no_header).content.decode()
    xls = b"\xd0\xcf\x11\xe0" + b"\0" * 100
    assert "Старый формат XLS" in preview(client, world.journal, "a.xls", xls).content.decode()
    damaged = b"PK\x03\x04" + b"garbage" * 10
    assert "не читается как таблица XLSX" in preview(client, world.journal, "a.xlsx", damaged).content.decode()
    huge = b"1;x;y;1;\n" * (importing.MAX_FILE_BYTES // 9 + 1)
    assert "Файл больше 2 МБ" in preview(client, world.journal, "a.csv", huge).content.decode()
    assert PlanItem.objects.count() == 0


def test_forged_or_foreign_preview_is_refused(world, client_for):
    """JRN-2: the confirmation carries the preview's rows signed for this journal: a forged token
    or one made for another journal writes nothing."""
    client = client_for(world.alice)
    response = preview(client, world.journal, "ktp.xlsx", xlsx(GOOD))
    token = response.context["token"]
    url = reverse("plans:import_confirm", args=[world.journal.pk])
    client.post(url, {"token": token[:-2] + "xx", "mode": "append"})
    other = importing.preview_token(world.journal_5b, response.context["parsed"])
    client.post(url, {"token": other, "mode": "append"})
    assert PlanItem.objects.count() == 0


def test_template_and_export_read_back(world, client_for):
    """JRN-2: the template has the header the import expects; the exported plan loads back as it was."""
    from openpyxl import load_workbook

    client = client_for(world.alice)
    template = client.get(reverse("plans:template", args=[world.journal.pk]))
    assert template["Content-Type"] == importing.XLSX_TYPE
    assert "attachment" in template["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(template.content)).worksheets[0]
    assert [c.value for c in sheet[1]][:5] == HEADER

    confirm(client, world.journal, preview(client, world.journal, "ktp.xlsx", xlsx(GOOD)))
    exported = client.get(reverse("plans:export", args=[world.journal.pk])).content
    parsed = importing.read_plan_file(name="export.xlsx", data=exported, year=world.year)
    assert [(r.values["section"], r.values["topic"], r.values["hours"]) for r in parsed.rows] == [
        (s, t, h) for (_n, s, t, h) in plan(world.journal)
    ]
    assert parsed.rows[0].values["planned_date"] == "2026-11-16"


def test_header_below_a_title_and_synonyms(world):
    """JRN-2: a title row above the header and names such as «Тема урока», «Кол-во часов» are fine;
    the row numbers stay those of the sheet."""
    data = xlsx([(1, "Числа", "Сложение", 1)], header=["№ п/п", "Раздел", "Тема урока", "Кол-во часов"], title="КТП")
    parsed = importing.read_plan_file(name="k.xlsx", data=data, year=world.year)
    assert not parsed.error and parsed.rows[0].line == 3 and parsed.rows[0].values["topic"] == "Сложение"


def test_template_downloaded_in_english_loads_back(world, client_for):
    """JRN-2, I18N: a teacher using the English interface downloads the template (headers “Topic”,
    “Hours” …), fills it and loads it back."""
    from django.utils import translation
    from openpyxl import load_workbook

    client = client_for(world.alice)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    template = client.get(reverse("plans:template", args=[world.journal.pk]))
    header = [c.value for c in load_workbook(io.BytesIO(template.content)).worksheets[0][1]]
    assert "Topic" in header and "Hours" in header
    with translation.override("en"):
        data = xlsx([(1, "Numbers", "Addition", 2)], header=header[:4])
        parsed = importing.read_plan_file(name="plan.xlsx", data=data, year=world.year)
    assert not parsed.error
    assert (parsed.rows[0].values["topic"], parsed.rows[0].values["hours"]) == ("Addition", 2)
