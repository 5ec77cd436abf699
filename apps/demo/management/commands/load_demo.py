import datetime as dt
import time

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from apps.demo.builder import DemoBuilder, Options, parse_grades
from apps.demo.extras import seed_extras
from apps.demo.logins import delete_demo, demo_schools, print_logins
from apps.schools.models import School


class Command(BaseCommand):
    help = (
        "Загружает демонстрационную школу (классы, учителя, учащиеся, родители, уроки, отметки, "
        "пропуски с начала учебного года по сегодня) в пустую базу и печатает логины."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="сначала удалить демонстрационную школу")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="загрузить, только если в базе нет ни одной школы, иначе только напечатать логины",
        )
        parser.add_argument("--logins", action="store_true", help="только напечатать логины")
        parser.add_argument("--seed", type=int, default=2026, help="зерно случайных чисел (по умолчанию 2026)")
        parser.add_argument("--students-per-class", type=int, default=25, help="учащихся в классе, около (25)")
        parser.add_argument("--grades", default="1-11", help="параллели, например «1-11» или «1,5»")
        parser.add_argument("--letters", default="АБ", help="литеры классов (АБ)")
        parser.add_argument(
            "--today", type=dt.date.fromisoformat, help="считать сегодняшним днём эту дату (ГГГГ-ММ-ДД), для проверки"
        )

    def handle(self, *args, **opts):
        write = self.stdout.write
        if opts["logins"]:
            if not print_logins(write):
                raise CommandError(_("Демонстрационной школы в базе нет."))
            return
        try:
            grades = parse_grades(opts["grades"])
        except ValueError:
            raise CommandError(_("Параллели указываются числами от 1 до 11, например «1-11» или «1,5».")) from None
        letters = opts["letters"].strip()
        if not letters or len(set(letters)) != len(letters) or not letters.isalpha():
            raise CommandError(_("Литеры классов — буквы без повторов, например «АБ»."))
        if opts["students_per_class"] < 1:
            raise CommandError(_("В классе должен быть хотя бы один учащийся."))

        if School.objects.exists():
            if opts["if_empty"]:
                write(
                    _("В базе уже есть данные: демонстрационная школа не загружается заново (make demo — пересоздать).")
                )
                print_logins(write)
                return
            if not opts["reset"]:
                raise CommandError(
                    _(
                        "В базе уже есть школы. Демонстрационная школа загружается только в пустую базу; "
                        "чтобы пересоздать её, запустите «manage.py load_demo --reset» (или «make demo»)."
                    )
                )
            others = School.objects.exclude(pk__in=demo_schools())
            if others.exists():
                raise CommandError(
                    _("В базе есть другие школы (%(names)s): демонстрационная школа сюда не загружается.")
                    % {"names": ", ".join(s.short_name for s in others[:5])}
                )
            started = time.monotonic()
            try:
                delete_demo()
            except ProtectedError:
                raise CommandError(
                    _(
                        "Демонстрационную школу не удалось удалить: на её записи ссылаются другие данные. "
                        "Удалите файл базы (var/journal.sqlite3) и запустите «make run»."
                    )
                ) from None
            write(_("Демонстрационная школа удалена за %(s).1f с.") % {"s": time.monotonic() - started})

        options = Options(
            seed=opts["seed"],
            students_per_class=opts["students_per_class"],
            grades=grades,
            letters=letters,
            today=opts["today"],
        )
        write(_("Загружается демонстрационная школа…"))
        started = time.monotonic()
        builder = DemoBuilder(options)
        builder.build()
        seed_extras(builder)
        # The rows were written in bulk, behind the services that retire cached pages; a school
        # made again may even have the old one's id and versions: the page cache starts empty.
        cache.clear()
        s = builder.stats
        write(
            _(
                "Готово за %(sec).1f с: классов %(classes)d, учителей %(teachers)d, учащихся %(students)d, "
                "уроков %(lessons)d, отметок %(marks)d, пропусков %(absences)d, отметок за четверть %(period)d, "
                "записей в журнале изменений %(log)d."
            )
            % {
                "sec": time.monotonic() - started,
                "classes": len(builder.classes),
                "teachers": s["teachers"],
                "students": s["students"],
                "lessons": s["lessons"],
                "marks": s["marks"],
                "absences": s["absences"],
                "period": s["period_marks"],
                "log": s["changelog"],
            }
        )
        if opts["verbosity"] >= 2:
            write("  " + ", ".join(f"{k} {v:.1f} с" for k, v in builder.timings.items()))
        print_logins(write)
