"""Nightly housekeeping (next to Django's clearsessions): sign-in history older than the
retention period is deleted — addresses and browsers are personal data (152-ФЗ, OPS-3) — and
sessions gone from the session store leave the users' lists."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from apps.security import services


class Command(BaseCommand):
    help = "Удалить историю входов старше срока хранения и сеансы, которых уже нет в хранилище."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=services.HISTORY_DAYS, help="срок хранения истории входов, дней"
        )

    def handle(self, *args, days, **options):
        events, sessions = services.security_cleanup(history_days=days)
        self.stdout.write(
            _("Удалено записей истории входов: %(events)s; сеансов убрано из списков: %(sessions)s.")
            % {"events": events, "sessions": sessions}
        )
