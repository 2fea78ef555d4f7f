from django.core.management.base import BaseCommand, CommandError

from aftersale.service.holidays import SHIPPED, do_load_holidays


class Command(BaseCommand):
    help = "Load a shipped public-holiday set (adds missing days, keeps days entered by hand)."

    def add_arguments(self, parser):
        parser.add_argument("calendar", choices=sorted(SHIPPED))

    def handle(self, *args, calendar: str, **options):
        try:
            added = do_load_holidays(calendar)
        except OSError as exc:
            raise CommandError(f"cannot read the {calendar} holiday set: {exc}") from None
        self.stdout.write(f"{added} holidays added to calendar {calendar!r}")
