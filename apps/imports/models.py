"""Roster imports: an uploaded file checked row by row and kept until it is confirmed once.

The parsed rows live here, not in the session: the preview, the confirmation and the history of
imports all read the same batch.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .kinds import Kind


class ImportBatch(models.Model):
    class Status(models.TextChoices):
        PREVIEW = "preview", _("проверен, не загружен")
        DONE = "done", _("загружен")
        CANCELLED = "cancelled", _("отменён")

    class Action(models.TextChoices):
        CREATE = "create", _("будет создан")
        UPDATE = "update", _("будет обновлён")
        SKIP = "skip", _("без изменений")
        ERROR = "error", _("ошибка")

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    # The year classes and students go into (the active one when the file was checked).
    year = models.ForeignKey("schools.AcademicYear", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    kind = models.CharField(_("что загружается"), max_length=10, choices=Kind)
    file_name = models.CharField(_("файл"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("загрузил"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("загружен"), default=timezone.now)
    # [{"row": 7, "cells": {key: text}, "action": Action, "errors": [{"column", "value", "reason"}], "note": text}]
    rows = models.JSONField(_("строки"), default=list)
    # File-level remarks: columns not recognized, the encoding a CSV was read in.
    notices = models.JSONField(_("замечания"), default=list, blank=True)
    status = models.CharField(_("состояние"), max_length=10, choices=Status, default=Status.PREVIEW)
    valid_only = models.BooleanField(_("только правильные строки"), default=False)
    # Who confirmed (or cancelled) the batch, and when.
    decided_at = models.DateTimeField(_("подтверждён или отменён"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("подтвердил или отменил"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    # After confirmation: {"create": n, "update": n, "skip": n, "error": n, "written": [row numbers]}
    result = models.JSONField(_("итог"), default=dict, blank=True)

    class Meta:
        verbose_name = _("загрузка списка")
        verbose_name_plural = _("загрузки списков")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["school", "-created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.file_name}"


class StaffEmail(models.Model):
    """A staff member's e-mail from a staff list (people.Staff has no e-mail field of its own)."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    staff = models.OneToOneField("people.Staff", on_delete=models.CASCADE, related_name="imported_email")
    email = models.EmailField(_("электронная почта"))
    updated_at = models.DateTimeField(_("изменена"), default=timezone.now)

    class Meta:
        verbose_name = _("электронная почта сотрудника")
        verbose_name_plural = _("электронная почта сотрудников")

    def __str__(self):
        return self.email
