"""Password reset by e-mail only to a confirmed address (ACC-9)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import gettext_lazy as _


class ConfirmedEmailPasswordResetForm(PasswordResetForm):
    """Django's form, but the letter goes only to a user who confirmed this very address (an
    address typed into a profile without confirmation could be anyone's).

    Not under the rule of apps.accounts.credentials (issue 11), also for a login shared with other
    schools: here nobody resets somebody else's password. The link goes only to the address the
    owner confirmed herself, signed in, by a link sent to it (ConfirmedEmail); no school's
    administrator can set or change that address (editing the profile's e-mail in the admin does
    not confirm it, and then no letter goes at all), so only the mailbox's owner gets in. After a
    compromise report the password is unusable and no letter is sent (get_users below): reopening
    such an account is the temporary password's, which the rule does cover."""

    email = PasswordResetForm.base_fields["email"].__class__(
        label=_("Адрес электронной почты"),
        max_length=254,
        widget=PasswordResetForm.base_fields["email"].widget,
        error_messages={"required": _("Введите адрес."), "invalid": _("Адрес указан неверно.")},
    )

    def get_users(self, email):
        users = get_user_model()._default_manager.filter(
            is_active=True, email__iexact=email, confirmed_email__email__iexact=email
        )
        return (u for u in users if u.has_usable_password())
