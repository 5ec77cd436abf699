"""Getting access and losing it (ACC-3…ACC-9): the school's deadlines, invitation and recovery
codes with their register, the register of personal-data consents, applications for diary access,
the log of access ended, confirmed e-mail addresses and failed attempts (for rate limiting).

Every table carries `school` (the tenant). The registers are the school's paper forms kept
electronically: rows are added and closed, never rewritten.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.people.models import GuardianLink


class AccessSettings(models.Model):
    """Per-school deadlines; a school without a row uses the defaults (ACC-4, ACC-5, ACC-7)."""

    school = models.OneToOneField("schools.School", on_delete=models.CASCADE, related_name="access_settings")
    invitation_days = models.PositiveSmallIntegerField(_("срок действия пригласительного кода, дней"), default=14)
    recovery_days = models.PositiveSmallIntegerField(_("срок действия кода восстановления, дней"), default=3)
    decision_working_days = models.PositiveSmallIntegerField(_("срок рассмотрения заявления, рабочих дней"), default=3)
    staff_account_days = models.PositiveSmallIntegerField(
        _("учётная запись сотруднику — не позднее, дней после приёма"), default=3
    )
    staff_removal_days = models.PositiveSmallIntegerField(
        _("прекращение доступа сотрудника — не позднее, дней после увольнения"), default=2
    )
    family_account_working_days = models.PositiveSmallIntegerField(
        _("доступ семье — не позднее, рабочих дней после согласия"), default=10
    )

    class Meta:
        verbose_name = _("сроки выдачи и прекращения доступа")
        verbose_name_plural = _("сроки выдачи и прекращения доступа")

    def __str__(self):
        return str(self.school)


class HandOver(models.TextChoices):
    """How a code (or a decision) reached its holder (000 прил.3:2.15, 3.5)."""

    IN_PERSON = "in_person", _("лично")
    PHONE = "phone", _("по телефону")
    EMAIL = "email", _("по электронной почте")
    PAPER = "paper", _("на бумаге")


class AccessCode(models.Model):
    """A single-use code bound to one person: an invitation (creates the account) or a recovery
    code (sets a new password). Only a keyed hash of the code is stored."""

    class Purpose(models.TextChoices):
        INVITATION = "invitation", _("пригласительный код")
        RECOVERY = "recovery", _("код восстановления пароля")

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField(_("№"))
    purpose = models.CharField(_("вид кода"), max_length=12, choices=Purpose, default=Purpose.INVITATION)
    code_hash = models.CharField(max_length=64, unique=True)
    staff = models.ForeignKey("people.Staff", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    guardian = models.ForeignKey("people.Guardian", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    student = models.ForeignKey("people.Student", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    roles = models.CharField(_("роли"), max_length=300, blank=True, help_text=_("через запятую"))
    school_class = models.ForeignKey(
        "schools.SchoolClass", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("учётная запись: для кода восстановления — чья, для приглашения — созданная по нему"),
    )
    application = models.ForeignKey(
        "AccessApplication", on_delete=models.SET_NULL, null=True, blank=True, related_name="codes"
    )
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # A recovery code for a login shared with another school is issued only under an approved
    # request (apps.accounts.credentials), which must still cover the login when the code is used.
    reset_request = models.ForeignKey(
        "accounts.CredentialResetRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("запрос на сброс пароля"),
    )
    issued_at = models.DateTimeField(_("выдан"))
    handed_over = models.CharField(_("способ передачи"), max_length=10, choices=HandOver)
    expires_at = models.DateTimeField(_("действует до"))
    used_at = models.DateTimeField(_("использован"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("отозван"), null=True, blank=True)

    class Meta:
        verbose_name = _("код доступа")
        verbose_name_plural = _("коды доступа")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["school", "number"], name="uniq_access_code_number"),
            models.CheckConstraint(
                condition=(
                    models.Q(staff__isnull=False, guardian__isnull=True, student__isnull=True)
                    | models.Q(staff__isnull=True, guardian__isnull=False, student__isnull=True)
                    | models.Q(staff__isnull=True, guardian__isnull=True, student__isnull=False)
                ),
                name="access_code_one_person",
            ),
        ]

    def __str__(self):
        return f"№ {self.number} ({self.get_purpose_display()})"

    @property
    def person(self):
        return self.staff or self.guardian or self.student

    @property
    def role_list(self) -> list[str]:
        return [r for r in self.roles.split(",") if r]


class Consent(models.Model):
    """One written consent to the processing of personal data (152-ФЗ), registered on the day it
    is handed in (ACC-6; 004:2.10–2.11). Given by a guardian for a child, or by the student
    himself (guardian empty). It stays valid until it is ended: withdrawn in writing, the service
    refused in writing, or the student left the school."""

    class EndReason(models.TextChoices):
        WITHDRAWN = "withdrawn", _("согласие отозвано письменным заявлением")
        SERVICE_REFUSED = "refused", _("письменное заявление о прекращении доступа к электронному дневнику")
        STUDENT_LEFT = "left", _("учащийся выбыл из школы (перевод, окончание, отчисление)")

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField(_("регистрационный №"))
    student = models.ForeignKey("people.Student", on_delete=models.CASCADE, related_name="consents")
    guardian = models.ForeignKey(
        "people.Guardian",
        verbose_name=_("кто дал"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="consents",
        help_text=_("пусто — сам учащийся"),
    )
    given_on = models.DateField(_("дата согласия"))
    allows_guardians = models.BooleanField(
        _("совершеннолетний учащийся согласен на доступ родителей к дневнику"), default=False
    )
    scan = models.FileField(_("скан-копия"), upload_to="consents/%Y/%m/", blank=True)
    note = models.CharField(_("примечание"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("пусто — перенесено из бумажного журнала регистрации"),
    )
    recorded_at = models.DateTimeField(_("зарегистрировано"))
    ended_on = models.DateField(_("действует по (не включая)"), null=True, blank=True)
    end_reason = models.CharField(_("основание прекращения"), max_length=10, choices=EndReason, blank=True)
    end_note = models.CharField(_("примечание к прекращению"), max_length=300, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("согласие на обработку персональных данных")
        verbose_name_plural = _("согласия на обработку персональных данных")
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["school", "number"], name="uniq_consent_number")]
        indexes = [models.Index(fields=["student", "guardian"], name="consent_student_guardian")]

    def __str__(self):
        return f"№ {self.number}"


class AccessApplication(models.Model):
    """An application for diary access (ACC-7, ACC-8; 000 прил.3): decided within the school's
    deadline, refused only for a reason of the exhaustive list."""

    class Kind(models.TextChoices):
        PARENT = "parent", _("родитель (законный представитель)")
        STUDENT_14 = "student14", _("учащийся от 14 лет с письменного согласия родителя")
        ADULT_STUDENT = "adult", _("совершеннолетний учащийся")

    class Status(models.TextChoices):
        NEW = "new", _("на рассмотрении")
        APPROVED = "approved", _("удовлетворено")
        REFUSED = "refused", _("отказано")

    class Document(models.TextChoices):
        IDENTITY = "identity", _("документ, удостоверяющий личность")
        BIRTH_CERTIFICATE = "birth", _("свидетельство о рождении учащегося")
        GUARDIANSHIP = (
            "guardianship",
            _("документ, подтверждающий право законного представителя (выданный органами опеки и попечительства)"),
        )
        PARENT_CONSENT = "parent_consent", _("письменное согласие родителя (для учащегося от 14 лет)")

    class RefusalReason(models.TextChoices):
        """The exhaustive list (000 прил.3:2.11–2.12; 004:2.8)."""

        NOT_AN_APPLICANT = (
            "not_applicant",
            _("запрос подан лицом, не относящимся к заявителям, предусмотренным регламентом"),
        )
        NOT_A_STUDENT = (
            "not_student",
            _("лицо, о котором запрашивается информация, не является обучающимся данной школы"),
        )
        STUDENT_ADULT = "adult", _("обучающийся, о котором запрашивается информация, достиг возраста 18 лет")
        DOCUMENTS_INVALID = (
            "documents",
            _("представленные заявителем документы не соответствуют установленным требованиям"),
        )
        DOCUMENTS_CONTRADICT = (
            "contradict",
            _("в представленных заявителем документах содержатся противоречивые сведения"),
        )
        NO_CONSENT = "no_consent", _("заявителем не представлено письменное согласие на обработку персональных данных")
        APPLICANT_DECLINED = "declined", _("заявление заявителя об отказе в получении услуги")

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField(_("№ заявления"))
    secret_hash = models.CharField(max_length=64, unique=True)
    kind = models.CharField(_("заявитель"), max_length=10, choices=Kind, default=Kind.PARENT)
    last_name = models.CharField(_("фамилия заявителя"), max_length=100)
    first_name = models.CharField(_("имя заявителя"), max_length=100)
    middle_name = models.CharField(_("отчество заявителя"), max_length=100, blank=True)
    relation = models.CharField(_("кем приходится учащемуся"), max_length=10, choices=GuardianLink.Relation, blank=True)
    phone = models.CharField(_("телефон"), max_length=30, blank=True)
    email = models.EmailField(_("электронная почта"), blank=True)
    student_last_name = models.CharField(_("фамилия учащегося"), max_length=100)
    student_first_name = models.CharField(_("имя учащегося"), max_length=100)
    student_middle_name = models.CharField(_("отчество учащегося"), max_length=100, blank=True)
    student_birth_date = models.DateField(_("дата рождения учащегося"), null=True, blank=True)
    school_class = models.ForeignKey(
        "schools.SchoolClass", verbose_name=_("класс"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    preferred_handover = models.CharField(
        _("как сообщить пригласительный код"), max_length=10, choices=HandOver, default=HandOver.IN_PERSON
    )
    documents = models.CharField(_("представленные документы"), max_length=200, blank=True)
    submitted_at = models.DateTimeField(_("подано"))
    received_on = models.DateField(_("дата регистрации"))
    due_on = models.DateField(_("рассмотреть до"))
    status = models.CharField(_("состояние"), max_length=10, choices=Status, default=Status.NEW)
    student = models.ForeignKey("people.Student", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    guardian = models.ForeignKey("people.Guardian", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(_("решение принято"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    refusal_reason = models.CharField(_("основание отказа"), max_length=15, choices=RefusalReason, blank=True)
    refusal_details = models.TextField(_("пояснение к отказу"), blank=True)

    class Meta:
        verbose_name = _("заявление о доступе к электронному дневнику")
        verbose_name_plural = _("заявления о доступе к электронному дневнику")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["school", "number"], name="uniq_application_number")]

    def __str__(self):
        return f"№ {self.number}"

    @property
    def applicant_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def student_name(self) -> str:
        return " ".join(p for p in (self.student_last_name, self.student_first_name, self.student_middle_name) if p)

    @property
    def document_list(self) -> list[str]:
        return [d for d in self.documents.split(",") if d]

    @property
    def document_labels(self) -> list[str]:
        labels = dict(self.Document.choices)
        return [str(labels.get(d, d)) for d in self.document_list]


class AccessEnd(models.Model):
    """Why and when an account lost access (ACC-7, ACC-5): the daily `end_access` and the written
    withdrawals write here; the administrator reads it on the reports page."""

    class Reason(models.TextChoices):
        STUDENT_LEFT = "left", _("учащийся выбыл из школы")
        CONSENT_ENDED = "consent", _("согласие отозвано или доступ прекращён по заявлению")
        TURNED_18 = "adult", _("учащийся достиг 18 лет, согласия на доступ родителей нет")
        STAFF_LEFT = "staff_left", _("сотрудник уволен")

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    username = models.CharField(_("имя пользователя"), max_length=150, blank=True)
    person = models.CharField(_("ФИО"), max_length=300)
    student = models.ForeignKey("people.Student", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reason = models.CharField(_("основание"), max_length=12, choices=Reason)
    details = models.CharField(_("подробности"), max_length=500, blank=True)
    roles_removed = models.CharField(_("снятые роли"), max_length=300, blank=True)
    deactivated = models.BooleanField(_("учётная запись отключена"), default=False)
    happened_at = models.DateTimeField(_("когда"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("пусто — автоматически"),
    )

    class Meta:
        verbose_name = _("прекращение доступа")
        verbose_name_plural = _("прекращения доступа")
        ordering = ["-happened_at", "-pk"]

    def __str__(self):
        return f"{self.person}: {self.get_reason_display()}"


class ConfirmedEmail(models.Model):
    """An address the user proved is theirs (a link sent to it was opened): only such an address
    may receive a password reset link (ACC-9)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="confirmed_email")
    email = models.EmailField(_("электронная почта"))
    confirmed_at = models.DateTimeField(_("подтверждена"))

    class Meta:
        verbose_name = _("подтверждённая электронная почта")
        verbose_name_plural = _("подтверждённые адреса электронной почты")

    def __str__(self):
        return self.email


class Attempt(models.Model):
    """A failed code entry, status lookup or a submitted application, by address: the public
    pages refuse an address that tried too often (rate limiting without a shared cache)."""

    kind = models.CharField(max_length=20)
    ip = models.CharField(max_length=45)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["kind", "ip", "at"], name="attempt_kind_ip_at")]
