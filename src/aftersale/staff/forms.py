"""The staff side's sign-in and password-reset forms (contacts use the portal's)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from aftersale.staff.models import User


class StaffAuthenticationForm(AuthenticationForm):
    """Django's sign-in form for the vendor's staff; a portal contact is sent to the portal.
    Failed attempts are counted by the sign-in throttle (``aftersale.ops.throttle``)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Your e-mail and password didn't match. Please try again."),
        "not_staff": _("This login is for the customer portal. Sign in there."),
    }

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if not user.role:
            raise ValidationError(self.error_messages["not_staff"], code="not_staff")


class StaffPasswordResetForm(PasswordResetForm):
    """Resets only for staff logins, mailed in the person's language."""

    def get_users(self, email: str) -> Iterator[User]:
        for user in super().get_users(email):
            if user.role:
                yield user

    def send_mail(self, subject_template_name: str, email_template_name: str, context: dict[str, Any],
                  from_email: str | None, to_email: str, html_email_template_name: str | None = None) -> None:
        with translation.override(context["user"].language or None):
            super().send_mail(subject_template_name, email_template_name, context, from_email, to_email,
                              html_email_template_name)
