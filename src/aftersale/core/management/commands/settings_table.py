"""``aftersale settings_table``: the settings tables of docs/configuration.md, from the one table."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from aftersale.core import conf


class Command(BaseCommand):
    help = "Print the tables of docs/configuration.md made from aftersale.core.conf.SETTINGS."

    def handle(self, *args, **options) -> None:
        self.stdout.write(conf.markdown(), ending="")
