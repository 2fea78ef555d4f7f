from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from aftersale.alerts.actions import reconcile_alerts
from aftersale.service import conditions
from aftersale.service.actions import do_refresh_breach_flags


class Command(BaseCommand):
    help = (
        "Flag cases whose target has passed and open or resolve the service alerts "
        "(sla_breach, maintenance_overdue). The health scan does the alerts too; this runs them alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="ISO date-time (default: now); flags are always as of now")

    def handle(self, *args, as_of: str | None = None, **options):
        moment = timezone.now()
        if as_of:
            parsed = parse_datetime(as_of)
            if parsed is None:
                raise CommandError(f"--as-of {as_of!r} is not an ISO date-time")
            moment = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
        flagged = do_refresh_breach_flags()
        self.stdout.write(f"{flagged} breach flags set")
        for kind, fn in ((conditions.SLA_BREACH, conditions.sla_breach),
                         (conditions.MAINTENANCE_OVERDUE, conditions.maintenance_overdue)):
            result = reconcile_alerts(kind=kind, wanted=fn(moment, None), at=moment)
            self.stdout.write(f"{kind}: {result.opened} opened, {result.resolved} resolved")
