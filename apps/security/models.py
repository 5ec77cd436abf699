"""Sessions, sign-in history, the school's security policy and the two-step sign-in (ACC-11, ACC-12, OPS-3)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_STAFF_IDLE_MINUTES = 30
DEFAULT_FAMILY_IDLE_MINUTES = 8 * 60


class SecurityPolicy(models.Model):
    """One school's rules; a school without a row follows the defaults."""

    school = models.OneToOneField("schools.School", on_delete=models.CASCADE, related_name="security_policy")
    staff_idle_minutes = models.PositiveIntegerField(
        _("бездействие сотрудника до завершения сеанса, минут"),
        default=DEFAULT_STAFF_IDLE_MINUTES,
        validators=[MinValueValidator(5), MaxValueValidator(12 * 60)],
        help_text=_("Сеанс учителя или администрации заканчивается сам, если столько минут не было действий."),
    )
    family_idle_minutes = models.PositiveIntegerField(
        _("бездействие родителя или учащегося до завершения сеанса, минут"),
        default=DEFAULT_FAMILY_IDLE_MINUTES,
        validators=[MinValueValidator(5), MaxValueValidator(7 * 24 * 60)],
    )
    require_totp_for_admins = models.BooleanField(
        _("двухэтапный вход обязателен для администраторов журнала"),
        default=False,
        help_text=_("Администратор журнала без второго фактора сначала будет направлен на его настройку."),
    )

    class Meta:
        verbose_name = _("политика безопасности")
        verbose_name_plural = _("политики безопасности")

    def __str__(self):
        return str(_("Политика безопасности: %(school)s") % {"school": self.school})


class UserSession(models.Model):
    """A signed-in browser, keyed by its session key (the list a user sees, ACC-12)."""

    session_key = models.CharField(_("ключ сеанса"), max_length=40, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ip = models.GenericIPAddressField(_("IP-адрес"), null=True, blank=True)
    user_agent = models.CharField(_("браузер"), max_length=300, blank=True)
    started_at = models.DateTimeField(_("начат"))
    last_seen_at = models.DateTimeField(_("последняя активность"))

    class Meta:
        verbose_name = _("сеанс")
        verbose_name_plural = _("сеансы")
        indexes = [models.Index(fields=["user", "last_seen_at"], name="security_session_user")]


class SignInEvent(models.Model):
    """One attempt to sign in: the history a user sees (ACC-12). The limits count in django-axes'
    AccessAttempt rows (selectors.sign_in_state), not here."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("вход выполнен")
        FAILURE = "failure", _("неверное имя пользователя или пароль")
        BAD_CODE = "bad_code", _("неверный код подтверждения")
        LOCKED = "locked", _("вход временно заблокирован")
        DELAYED = "delayed", _("вход отложен: много попыток в эту учётную запись")

    at = models.DateTimeField(_("время"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    username = models.CharField(_("имя пользователя"), max_length=150, blank=True)  # as typed, lowercased
    outcome = models.CharField(_("результат"), max_length=10, choices=Outcome)
    ip = models.GenericIPAddressField(_("IP-адрес"), null=True, blank=True)
    user_agent = models.CharField(_("браузер"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("попытка входа")
        verbose_name_plural = _("попытки входа")
        indexes = [
            models.Index(fields=["username", "at"], name="security_event_username"),
            models.Index(fields=["ip", "at"], name="security_event_ip"),
            models.Index(fields=["user", "at"], name="security_event_user"),
        ]


class TOTPDevice(models.Model):
    """The confirmed second factor of a user (RFC 6238: 30-second steps, six digits)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_device")
    secret = models.CharField(_("секрет"), max_length=64)
    confirmed_at = models.DateTimeField(_("подключён"))
    last_step = models.BigIntegerField(default=0)  # a code is accepted once (no replay)

    class Meta:
        verbose_name = _("двухэтапный вход")
        verbose_name_plural = _("двухэтапный вход")
