"""What the staff pages store: the departments report of each day."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DepartmentFigures(models.Model):
    """The departments report (P7) as computed on ``day``: twelve months of promises,
    time with customers and cases per department, read across the whole portfolio.

    Those aggregates read millions of rows on a large portfolio (seconds), and the
    report is a rolling year, so the first view of a day computes and stores it and
    later views read it; anyone on the page can recompute it at once.
    """

    day = models.DateField(verbose_name=_("day"), unique=True)
    computed_at = models.DateTimeField(verbose_name=_("computed at"))
    months = models.PositiveSmallIntegerField(verbose_name=_("months"))
    rows = models.JSONField(verbose_name=_("figures"))

    class Meta:
        verbose_name = _("department figures")
        verbose_name_plural = _("department figures")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day} ({self.months})"
