"""Writing a school's role rights (ACC-2): each switch is kept with who and when."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import registry
from .models import RightChange, SchoolRights


class StaleRights(ValidationError):
    """The page was opened before somebody else saved: nothing is saved."""


def rights_set(*, school, wanted: dict[tuple[str, str], bool], author, version: int | None = None) -> list[RightChange]:
    """Set the functions of roles in `school`: wanted = {(role, function): enabled}.

    Cells that do not apply to the role, or are locked on, are ignored; a cell equal to the
    default is stored as no override. Returns the changes made (one per switched cell).
    With `version` (the one the page showed), a save from a stale page is refused.
    """
    for role, code in wanted:
        if code not in registry.FUNCTIONS or role not in registry.ROLE_ORDER:
            raise ValueError(f"unknown role or function: {role}, {code}")
    now = timezone.now()
    with transaction.atomic():
        row, _created = SchoolRights.objects.select_for_update().get_or_create(school=school)
        if version is not None and row.version != version:
            raise StaleRights(
                _("Права ролей только что изменил другой пользователь. Обновите страницу и повторите изменения.")
            )
        overrides = {role: dict(codes) for role, codes in (row.overrides or {}).items()}
        changes = []
        for (role, code), on in sorted(wanted.items()):
            fn = registry.FUNCTIONS[code]
            if role in fn.locked or role not in fn.applies_to:
                continue
            on = bool(on)
            if registry.enabled(code, role, overrides) == on:
                continue
            default = role in fn.defaults
            role_overrides = overrides.setdefault(role, {})
            if on == default:
                role_overrides.pop(code, None)
            else:
                role_overrides[code] = on
            if not role_overrides:
                overrides.pop(role)
            changes.append(
                RightChange(
                    school=school, role=role, function=code, enabled=on, is_default=on == default, author=author, at=now
                )
            )
        if changes:
            row.overrides = overrides
            row.version += 1
            row.save(update_fields=["overrides", "version"])
            RightChange.objects.bulk_create(changes)
    _forget_cached(school, row)
    return changes


def rights_reset(*, school, author, version: int | None = None) -> list[RightChange]:
    """Every function of every role back to its default."""
    wanted = {
        (role, code): role in fn.defaults
        for code, fn in registry.FUNCTIONS.items()
        for role in registry.ROLE_ORDER
        if role in fn.applies_to and role not in fn.locked
    }
    return rights_set(school=school, wanted=wanted, author=author, version=version)


def _forget_cached(school, row) -> None:
    """The school object of this request sees its new rights at once (the next requests read them anew)."""
    school.role_rights = row
