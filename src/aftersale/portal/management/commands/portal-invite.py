"""``aftersale portal-invite CONTACT_EXTERNAL_ID``: invite a contact to the portal and print the link."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from aftersale.accounts.models import Contact
from aftersale.portal.invitations import do_invite_contact, notify_invitation


class Command(BaseCommand):
    help = (
        "Invite a contact to the customer portal: e-mail them a single-use link to set their "
        "password (the same invitation staff send from the account page) and print the link."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("contact", metavar="CONTACT_EXTERNAL_ID", help="the contact's external ID")
        parser.add_argument(
            "--language", choices=[code for code, _name in settings.LANGUAGES],
            help="language of the e-mail and the portal (default: the contact's, else vi for a "
                 "Vietnamese account, else en)",
        )

    def handle(self, *args, **options) -> None:
        contact = Contact.objects.select_related("account", "user").filter(
            external_id=options["contact"]).first()
        if contact is None:
            raise CommandError(f"No contact with external ID {options['contact']!r}.")
        try:
            sent = do_invite_contact(contact, by=None, language=options["language"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        until = timezone.localtime(sent.invitation.expires_at)
        if notify_invitation(sent):
            self.stderr.write(f"Invitation e-mailed to {sent.invitation.sent_to} "
                              f"(valid until {until:%Y-%m-%d %H:%M %Z}, once).")
        else:
            self.stderr.write(self.style.WARNING(
                f"The e-mail to {sent.invitation.sent_to} could not be sent; give them this link instead."))
        self.stdout.write(sent.link)
