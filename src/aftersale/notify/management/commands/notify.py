"""``aftersale notify``: send what is due now (what the worker's periodic task does),
or preview someone's digest without sending or recording anything."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from aftersale.alerts.attention import attention_groups
from aftersale.alerts.models import Alert
from aftersale.notify.emails import digest_message
from aftersale.notify.models import Delivery
from aftersale.notify.preferences import kinds_by
from aftersale.notify.sending import send_due_digests, send_immediate_alerts
from aftersale.staff.models import User


class Command(BaseCommand):
    help = ("Send the alert e-mails and daily digests that are due now (the worker does this every "
            "few minutes), or --preview EMAIL to print someone's digest without sending it.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--preview", metavar="EMAIL", help="print this person's digest; send nothing")
        parser.add_argument("--alerts-only", action="store_true", help="only the alerts sent at once")
        parser.add_argument("--digests-only", action="store_true", help="only the daily digests")

    def handle(self, *, preview: str | None, alerts_only: bool, digests_only: bool, **options: Any) -> None:
        if preview:
            self._preview(preview)
            return
        now = timezone.now()
        if not digests_only:
            result = send_immediate_alerts(now, worker_id="command")
            self.stdout.write(
                f"Alerts: {result.sent} sent in {result.messages} e-mail(s), {result.failed} failed."
            )
        if not alerts_only:
            result = send_due_digests(now, worker_id="command")
            self.stdout.write(f"Digests: {result.messages} sent, {result.failed} failed.")

    def _preview(self, email: str) -> None:
        user = User.objects.filter(email=email.strip().lower()).first()
        if user is None or not user.is_vendor_staff:
            raise CommandError(f"No active staff member with e-mail {email!r}.")
        kinds = kinds_by(user.pk, Delivery.DIGEST)
        groups, in_hand = attention_groups(Alert.objects.open().filter(account__owner=user, kind__in=kinds))
        if not groups:
            self.stdout.write("Nothing in the digest today: no e-mail would be sent.")
            return
        message = digest_message(user, timezone.localdate(), groups, in_hand, kinds)
        self.stdout.write(f"Subject: {message.subject}\nTo: {user.email}\n\n{message.body}")
