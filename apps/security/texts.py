"""Messages with a number of minutes, in correct Russian (one, few, many)."""

from django.utils.translation import gettext as _


def minutes(n: int) -> str:
    """«1 минуту», «3 минуты», «15 минут»: each form its own msgid, chosen by the Russian rule."""
    if n % 10 == 1 and n % 100 != 11:
        return _("%(n)s минуту") % {"n": n}
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return _("%(n)s минуты") % {"n": n}
    return _("%(n)s минут") % {"n": n}


def throttled(n: int) -> str:
    return _("Слишком много неудачных попыток входа. Повторите через %(minutes)s.") % {"minutes": minutes(n)}


def idle_ended(n: int) -> str:
    return _("Сеанс завершён: %(minutes)s не было действий. Войдите снова.") % {"minutes": minutes(n)}
