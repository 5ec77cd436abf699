import json
import time
from pathlib import Path

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from apps.demo.builder import parse_grades
from apps.demo.dataset import PASSWORD, SIZES, DatasetOptions, dataset_schools, delete_dataset, generate


class Command(BaseCommand):
    help = (
        "Создаёт набор данных для измерения производительности: муниципалитет из N школ (классы 1–11, "
        "учителя, родители, расписание) с журналом за весь последний завершённый учебный год — уроки с темами "
        "и заданиями, отметки, пропуски, четвертные отметки и журнал изменений. Размеры: school — 1 школа, "
        "около 550 учащихся; district (D1) — 20 школ, около 11 000 учащихся. Логины в школе № n: admin{n}, "
        "director{n}, zavuch{n}, k{n}_{c} (классный руководитель c-го класса: 1А = 1, 1Б = 2, …), "
        f"t{{n}}_{{i}} (учителя), p{{n}}_{{i}} (родители), s{{n}}_{{i}} (учащиеся 5–11 классов); пароль у всех "
        f"«{PASSWORD}». Учебный год — последний завершённый (1 сентября – 31 мая; --year задаёт его явно) "
        "в состоянии «текущий», чтобы страницы журнала и дневника его показывали: все уроки в прошлом, у всех "
        "четвертей есть итоговые отметки. Одинаковые параметры и зерно дают одинаковые данные. --manifest PATH "
        "записывает JSON для нагрузочного теста: по каждой школе учителя с их журналами, классные руководители с "
        "классами, родители с детьми, четверти и даты."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--size", choices=sorted(SIZES), default="school", help="school (1 школа) или district (20 школ)"
        )
        parser.add_argument("--schools", type=int, help="число школ (вместо заданного размером)")
        parser.add_argument("--students-per-class", type=int, help="учащихся в классе, около (25)")
        parser.add_argument("--grades", default="1-11", help="параллели, например «1-11» или «1,5»")
        parser.add_argument("--letters", default="АБ", help="литеры классов (АБ)")
        parser.add_argument("--seed", type=int, default=1, help="зерно случайных чисел (1)")
        parser.add_argument(
            "--year",
            type=int,
            help="учебный год по первому году, например 2025 — 2025/2026 (по умолчанию последний завершённый)",
        )
        parser.add_argument(
            "--check-constraints",
            action="store_true",
            help="PostgreSQL: не отключать проверку внешних ключей на время загрузки (медленнее)",
        )
        parser.add_argument("--reset", action="store_true", help="сначала удалить ранее созданный набор данных")
        parser.add_argument(
            "--manifest", type=Path, help="записать в этот файл JSON с логинами и id для нагрузочного теста"
        )

    def handle(self, *args, **opts):
        write = self.stdout.write
        schools, per_class = SIZES[opts["size"]]
        schools = opts["schools"] if opts["schools"] is not None else schools
        per_class = opts["students_per_class"] if opts["students_per_class"] is not None else per_class
        if schools < 1:
            raise CommandError(_("Нужна хотя бы одна школа."))
        if per_class < 1:
            raise CommandError(_("В классе должен быть хотя бы один учащийся."))
        try:
            grades = parse_grades(opts["grades"])
        except ValueError:
            raise CommandError(_("Параллели указываются числами от 1 до 11, например «1-11» или «1,5».")) from None
        letters = opts["letters"].strip()
        if not letters or len(set(letters)) != len(letters) or not letters.isalpha():
            raise CommandError(_("Литеры классов — буквы без повторов, например «АБ»."))

        if dataset_schools().exists():
            if not opts["reset"]:
                raise CommandError(
                    _("Набор данных уже создан. Чтобы создать его заново, добавьте --reset (или создайте пустую базу).")
                )
            started = time.monotonic()
            removed = delete_dataset()
            write(
                _("Прежний набор данных удалён (школ: %(n)d) за %(s).1f с.")
                % {"n": removed, "s": time.monotonic() - started}
            )

        options = DatasetOptions(
            schools=schools,
            students_per_class=per_class,
            grades=grades,
            letters=letters,
            seed=opts["seed"],
            year=opts["year"],
            check_constraints=opts["check_constraints"],
            size=opts["size"] if opts["schools"] is None and opts["students_per_class"] is None else "custom",
        )
        write(
            _("Создаётся набор данных: школ %(schools)d, учащихся в классе около %(n)d, база %(db)s.")
            % {"schools": schools, "n": per_class, "db": connection.vendor}
        )
        summary = generate(options, write=write, verbose=opts["verbosity"] >= 2)
        cache.clear()  # written in bulk, behind the services that retire cached pages
        write("")
        write(
            _(
                "Готово за %(sec).1f с (запись в базу %(write).1f с), пиковая память %(rss).0f МБ. "
                "Учебный год %(year)s, уроки с %(first)s по %(last)s."
            )
            % {
                "sec": summary["seconds"],
                "write": summary["write_seconds"],
                "rss": summary["peak_rss_mb"],
                "year": summary["year"],
                "first": summary["dates"]["first"],
                "last": summary["dates"]["last"],
            }
        )
        width = max(len(k) for k in summary["counts"])
        for key, value in sorted(summary["counts"].items()):
            write(f"  {key:<{width}}  {value:>10,}".replace(",", " "))
        write(_("Пароль у всех созданных пользователей: %(password)s") % {"password": PASSWORD})
        first = summary["schools"][0]
        examples = [first["admins"][0]["username"]]
        examples += [
            x[0]["username"]
            for x in (first["teachers"], first["class_teachers"], first["parents"], first["students"])
            if x
        ]
        write(_("Логины, например: %(logins)s") % {"logins": ", ".join(examples)})
        if opts["manifest"]:
            opts["manifest"].parent.mkdir(parents=True, exist_ok=True)
            opts["manifest"].write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            write(_("Описание набора данных записано в %(path)s.") % {"path": opts["manifest"]})
