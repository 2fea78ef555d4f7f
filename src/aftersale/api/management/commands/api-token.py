"""``aftersale api-token EMAIL``: print a new API token for a staff member.

Only the token goes to standard output, so ``TOKEN=$(aftersale api-token a@b.vn)``
works; what to do with it goes to standard error.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aftersale.api.tokens import do_issue_token
from aftersale.staff.models import User


class Command(BaseCommand):
    help = "Print a new API token for a staff member (shown once; revoke it in the admin)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="the staff member's e-mail address")
        parser.add_argument("--name", default="", help="what the token is for, e.g. 'ERP connector'")

    def handle(self, *, email: str, name: str, **options: Any) -> None:
        user = User.objects.filter(email=email.strip().lower()).first()
        if user is None:
            raise CommandError(f"No user with e-mail {email!r}.")
        try:
            token, secret = do_issue_token(user, name=name)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(secret)
        self.stderr.write(
            f"Token {token.prefix}… for {user.email} created. It is shown only now: store it safely.\n"
            "Send it as 'Authorization: Bearer TOKEN'; revoke it in the admin (API tokens)."
        )
