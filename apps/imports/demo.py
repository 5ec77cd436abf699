"""Demo data of roster imports: a staff list loaded two days ago (e-mails and hiring dates of a few
teachers) and a list of newcomers to the first class checked but not loaded yet, with one bad row
— so «Загрузка списков» shows a history and a preview with an error to try."""

import datetime as dt

from apps.schools.models import AcademicYear

from . import services
from .models import ImportBatch
from .xlsx import rows_xlsx


def seed(builder) -> None:
    admin = builder.admin_staff["admin"].user
    school = builder.school
    teachers = [t.staff for t in builder.teachers[:4]]
    # The headers are the file's content (Russian, as a school's spreadsheet has them), not UI text.
    staff_rows = [["Фамилия", "Имя", "Отчество", "Должность", "Дата приёма", "E-mail"]]
    for i, s in enumerate(teachers):
        staff_rows.append([s.last_name, s.first_name, s.middle_name, s.position, s.hired_on or dt.date(2010 + i, 8, 25),
                           f"teacher{i + 1}@school.example"])  # fmt: skip
    staff = services.batch_upload(
        school=school, kind="staff", file_name="сотрудники.xlsx", content=rows_xlsx(staff_rows), uploaded_by=admin
    )
    staff = services.batch_confirm(batch=staff, decided_by=admin)
    two_days_ago = builder.now - dt.timedelta(days=2)
    ImportBatch.objects.filter(pk=staff.pk).update(created_at=two_days_ago, decided_at=two_days_ago)

    if builder.year.status != AcademicYear.Status.ACTIVE:
        return  # students go into the current year only
    first = builder.classes[0]
    starts = max(builder.today, builder.year.starts)
    if starts > builder.year.ends:
        starts = builder.year.starts
    newcomers = [
        ["Фамилия", "Имя", "Отчество", "Дата рождения", "Класс", "Дата зачисления", "Номер приказа"],
        ["Новикова", "Алиса", "Сергеевна", dt.date(first.obj.year.starts.year - first.grade - 6, 3, 14), first.label,
         starts, "45-у"],
        ["Орлов", "Тимофей", "Андреевич", f"30.02.{first.obj.year.starts.year - first.grade - 6}", first.label,
         starts, "45-у"],
    ]  # fmt: skip
    services.batch_upload(
        school=school,
        kind="students",
        file_name="прибывшие.xlsx",
        content=rows_xlsx(newcomers),
        uploaded_by=admin,
    )
