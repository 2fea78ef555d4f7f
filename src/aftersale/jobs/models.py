"""The rows the background worker keeps besides the task queue's own."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Schedule(models.Model):
    """A periodic task (the scan tick, recovery, the e-mail sender): which queued task is
    the live one, and when it runs.

    Locked while a periodic task re-enqueues itself, so restarts and several workers
    never leave two of them behind.
    """

    SCAN = "scan"

    name = models.CharField(verbose_name=_("name"), max_length=20, unique=True)
    next_run_at = models.DateTimeField(verbose_name=_("next run"), null=True, blank=True)
    task_id = models.CharField(verbose_name=_("queued task"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")

    def __str__(self) -> str:
        return self.name
