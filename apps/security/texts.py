"""Messages with a number of minutes or seconds, in correct Russian (one, few, many)."""

from django.utils.translation import gettext as _


def _form(n: int) -> str:
    """The Russian plural rule: «one» (1, 21…), «few» (2–4, 22–24…) or «many» (5–20, 25…)."""
    if n % 10 == 1 and n % 100 != 11:
        return "one"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return "few"
    return "many"


def minutes(n: int) -> str:
    """«1 минуту», «3 минуты», «15 минут»: each form its own msgid, chosen by the Russian rule."""
    form = _form(n)
    if form == "one":
        return _("%(n)s минуту") % {"n": n}
    if form == "few":
        return _("%(n)s минуты") % {"n": n}
    return _("%(n)s минут") % {"n": n}


def seconds(n: int) -> str:
    """«1 секунду», «3 секунды», «30 секунд»."""
    form = _form(n)
    if form == "one":
        return _("%(n)s секунду") % {"n": n}
    if form == "few":
        return _("%(n)s секунды") % {"n": n}
    return _("%(n)s секунд") % {"n": n}


def throttled(n: int) -> str:
    return _("Слишком много неудачных попыток входа. Повторите через %(minutes)s.") % {"minutes": minutes(n)}


def delayed(n: int) -> str:
    return _("Слишком много попыток входа в эту учётную запись. Подождите %(seconds)s и попробуйте снова.") % {
        "seconds": seconds(n)
    }


def idle_ended(n: int) -> str:
    return _("Сеанс завершён: %(minutes)s не было действий. Войдите снова.") % {"minutes": minutes(n)}
