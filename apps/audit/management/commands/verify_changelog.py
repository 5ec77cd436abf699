"""manage.py verify_changelog [--school ID] — is the change log whole, and does the data match it?

Exit status 0 when every chain is whole and every journal row equals its last logged state;
1 otherwise (the first broken link of each school and the first rows that differ are printed).
Run it nightly from cron and after every restore (docs/operations.md).
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from apps.audit.registry import TRACKED
from apps.audit.verify import ALTERED, DELETED, INSERTED, verify_changelog
from apps.schools.models import School


class Command(BaseCommand):
    help = "Проверяет цепочку журнала изменений каждой школы и сверяет данные журнала с ней."

    def add_arguments(self, parser):
        parser.add_argument("--school", type=int, help="проверить только школу с этим id")
        parser.add_argument("--chunk-size", type=int, default=2000, help="сколько записей читать за раз")
        parser.add_argument("--examples", type=int, default=5, help="сколько расхождений показывать по каждому виду")

    def handle(self, *args, school=None, chunk_size=2000, examples=5, **options):
        try:
            result = verify_changelog(school_id=school, chunk_size=chunk_size, examples=examples)
        except School.DoesNotExist:
            raise CommandError(_("Школа с id %(id)d не найдена.") % {"id": school}) from None

        for s in result.schools:
            if s.ok:
                if options["verbosity"] >= 1:
                    self.stdout.write(
                        _("%(school)s: цепочка цела (записей: %(n)d), данные совпадают с журналом изменений")
                        % {"school": s.school_name, "n": s.entries}
                    )
                continue
            if s.chain_problem is not None:
                self.stderr.write(f"{s.school_name}: {s.chain_problem.message}")
            for object_type, counts in s.data_counts.items():
                if not sum(counts.values()):
                    continue
                self.stderr.write(
                    _(
                        "%(school)s: %(what)s — изменено в обход журнала: %(altered)d, удалено: %(deleted)d, "
                        "добавлено: %(inserted)d"
                    )
                    % {
                        "school": s.school_name,
                        "what": _(TRACKED[object_type].label),
                        "altered": counts[ALTERED],
                        "deleted": counts[DELETED],
                        "inserted": counts[INSERTED],
                    }
                )
                for problem in s.data_problems:
                    if problem.object_type == object_type:
                        self.stderr.write(f"{s.school_name}: {problem.message}")

        if not result.ok:
            broken = sum(not s.ok for s in result.schools)
            raise CommandError(
                _("Журнал изменений нарушен или данные не совпадают с ним (школ с нарушениями: %(n)d).") % {"n": broken}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("Цепочка цела, данные совпадают с журналом изменений (школ: %(schools)d, записей: %(entries)d).")
                % {"schools": len(result.schools), "entries": result.entries}
            )
        )
