"""`manage.py end_access`: run daily (cron or a systemd timer) — ends the access of students who
left the school and of their parents, of staff after their leaving day, and records parents of
students who turned 18 without the student's consent (ACC-5, ACC-7)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from apps.registration import services
from apps.schools.models import School


class Command(BaseCommand):
    help = _(
        "Прекращает доступ выбывших учащихся и их родителей, уволенных сотрудников и родителей "
        "совершеннолетних учащихся без их согласия; каждое прекращение записывается с основанием. "
        "Запускать ежедневно."
    )

    def add_arguments(self, parser):
        parser.add_argument("--school", type=int, help=_("только эта школа (id)"))
        parser.add_argument("--date", help=_("считать сегодняшним этот день (ГГГГ-ММ-ДД)"))

    def handle(self, *args, **options):
        schools = School.objects.order_by("pk")
        if options["school"]:
            schools = schools.filter(pk=options["school"])
            if not schools.exists():
                raise CommandError(_("Школа не найдена."))
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(_("Дата — в виде ГГГГ-ММ-ДД.")) from None
        total = 0
        for school in schools:
            ended = services.access_end_due(school=school, today=today)
            total += len(ended)
            for e in ended:
                self.stdout.write(
                    f"{school.short_name}: {e.person}"
                    + (f" ({e.username})" if e.username else "")
                    + f" — {e.get_reason_display()}. {e.details}"
                    + (f" {_('Сняты роли')}: {e.roles_removed}." if e.roles_removed else "")
                    + (f" {_('Учётная запись отключена.')}" if e.deactivated else "")
                )
        self.stdout.write(_("Записей о прекращении доступа: %(count)s.") % {"count": total})
