"""Abstract base models shared by every domain app."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersale.core import conf
from aftersale.core.enums import Currency


def new_external_id() -> str:
    """A key for rows created in the UI, so every row can be exported and re-imported."""
    return "AS-" + secrets.token_hex(6).upper()


def default_currency() -> str:
    return conf.get("CURRENCY")


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(verbose_name=_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated"), auto_now=True, db_index=True)

    class Meta:
        abstract = True


class ExternalModel(TimeStampedModel):
    """A row that other systems refer to by ``external_id`` (CSV import, API)."""

    external_id = models.CharField(
        verbose_name=_("external ID"),
        max_length=100,
        unique=True,
        default=new_external_id,
        help_text=_("The key used by imports and other systems."),
    )

    class Meta:
        abstract = True


class MoneyField(models.DecimalField):
    """An amount of money: always a Decimal, never a float."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)


class CurrencyField(models.CharField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("choices", Currency.choices)
        kwargs.setdefault("default", default_currency)
        kwargs.setdefault("verbose_name", _("currency"))
        super().__init__(*args, **kwargs)
