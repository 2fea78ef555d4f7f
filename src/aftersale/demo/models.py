"""What demo portfolio this database holds, so a re-run can serve it instead of duplicating it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoDataset(models.Model):
    """The demo portfolio loaded by ``aftersale demo``: at most one row.

    Its rows are recognised by the ``DEMO-`` prefix of their external IDs and
    the ``demo.aftersale`` domain of the demo logins; this row records the
    parameters that generated them, so the same request is served as is.
    """

    seed = models.BigIntegerField(verbose_name=_("seed"))
    accounts = models.PositiveIntegerField(verbose_name=_("customer accounts"))
    as_of = models.DateField(
        verbose_name=_("as of"), help_text=_("Every date in the demo is relative to this day.")
    )
    events = models.BigIntegerField(
        verbose_name=_("events"),
        help_text=_("Orders, touchpoints, service cases, work logs and promises."),
    )
    rows = models.BigIntegerField(verbose_name=_("rows written"))
    seconds = models.FloatField(verbose_name=_("seconds to load"))
    loaded_at = models.DateTimeField(verbose_name=_("loaded"))

    class Meta:
        verbose_name = _("demo dataset")
        verbose_name_plural = _("demo datasets")

    def __str__(self) -> str:
        return f"{self.accounts} accounts, seed {self.seed}, as of {self.as_of}"
