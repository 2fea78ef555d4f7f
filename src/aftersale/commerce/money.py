"""Money arithmetic: Decimal only, rounded per currency, converted by dated rates."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from aftersale.core.enums import CURRENCY_DECIMALS

ZERO = Decimal("0")


class NoExchangeRate(LookupError):
    """No rate is known for that pair of currencies on or before that date."""


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-CURRENCY_DECIMALS.get(currency, 2))


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round to the currency's minor unit (VND has none), half up as accountants expect."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"money must be a Decimal, not {type(amount).__name__}")
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def round_money_up(amount: Decimal, currency: str) -> Decimal:
    """Round up to the minor unit: for floors (a price must not fall short by a rounding)."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"money must be a Decimal, not {type(amount).__name__}")
    return amount.quantize(quantum(currency), rounding=ROUND_CEILING)


@dataclass(frozen=True)
class RateBook:
    """Dated exchange rates held in memory, so a report converts many sums with one query.

    ``rates[(currency, base_currency)]`` is a list of ``(valid_from, rate)`` sorted by
    date. The rule is the one ``rate()`` applies: the latest rate set on or before the
    day, the direct pair first, else the inverse of the reverse pair.
    """

    rates: Mapping[tuple[str, str], list[tuple[date, Decimal]]] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, date, Decimal]]) -> RateBook:
        table: dict[tuple[str, str], list[tuple[date, Decimal]]] = defaultdict(list)
        for currency, base, valid_from, value in rows:
            table[(currency, base)].append((valid_from, value))
        for entries in table.values():
            entries.sort()
        return cls(dict(table))

    @classmethod
    def load(cls, up_to: date | None = None) -> RateBook:
        """Every rate valid from ``up_to`` or earlier, in one query (the table is small)."""
        from aftersale.commerce.models import ExchangeRate

        rows = ExchangeRate.objects.all()
        if up_to is not None:
            rows = rows.filter(valid_from__lte=up_to)
        return cls.from_rows(rows.values_list("currency", "base_currency", "valid_from", "rate"))

    def _latest(self, pair: tuple[str, str], on: date) -> Decimal | None:
        entries = self.rates.get(pair)
        if not entries:
            return None
        i = bisect_right(entries, on, key=lambda entry: entry[0])
        return entries[i - 1][1] if i else None

    def rate(self, from_currency: str, to_currency: str, on: date) -> Decimal:
        if from_currency == to_currency:
            return Decimal(1)
        direct = self._latest((from_currency, to_currency), on)
        if direct is not None:
            return direct
        inverse = self._latest((to_currency, from_currency), on)
        if inverse is not None:
            return Decimal(1) / inverse
        raise NoExchangeRate(f"no exchange rate from {from_currency} to {to_currency} on {on}")

    def convert(self, amount: Decimal, from_currency: str, to_currency: str, on: date) -> Decimal:
        return round_money(amount * self.rate(from_currency, to_currency, on), to_currency)

    def convert_sums(
        self, sums: Mapping[str, Decimal], to_currency: str, on: date
    ) -> tuple[Decimal, frozenset[str]]:
        """Add up amounts held per currency in ``to_currency``; currencies without a rate
        are left out and named in the second value, so the caller can say so."""
        if len(sums) == 1 and to_currency in sums:  # the common case: nothing to convert
            return round_money(sums[to_currency], to_currency), frozenset()
        total = ZERO
        missing: set[str] = set()
        for currency, amount in sums.items():
            if not amount:
                continue
            try:
                total += amount * self.rate(currency, to_currency, on)
            except NoExchangeRate:
                missing.add(currency)
        return round_money(total, to_currency), frozenset(missing)


def rate(from_currency: str, to_currency: str, on: date) -> Decimal:
    """The rate valid on ``on``: the latest one set on or before that date, either way round."""
    from aftersale.commerce.models import ExchangeRate

    if from_currency == to_currency:
        return Decimal(1)
    rows = ExchangeRate.objects.filter(
        currency__in=[from_currency, to_currency],
        base_currency__in=[from_currency, to_currency],
        valid_from__lte=on,
    ).values_list("currency", "base_currency", "valid_from", "rate")
    return RateBook.from_rows(rows).rate(from_currency, to_currency, on)


def convert(amount: Decimal, from_currency: str, to_currency: str, on: date) -> Decimal:
    return round_money(amount * rate(from_currency, to_currency, on), to_currency)


def format_money(amount: Decimal, currency: str) -> str:
    """An amount as people read it in the active language: grouped, rounded, with its code."""
    from django.utils import numberformat
    from django.utils.formats import get_format

    places = CURRENCY_DECIMALS.get(currency, 2)
    # Always group by thousands (some locales, Vietnamese among them, set no grouping,
    # and 1000000000 is unreadable); the separators are the language's own.
    digits = numberformat.format(
        round_money(amount, currency), get_format("DECIMAL_SEPARATOR"), decimal_pos=places,
        grouping=3, thousand_sep=get_format("THOUSAND_SEPARATOR"), force_grouping=True,
    )
    return f"{digits} {currency}"


def reporting_currency() -> str:
    """The one currency reports are shown in (``CURRENCY`` in aftersale.core.conf)."""
    from aftersale.core import conf

    return conf.get("CURRENCY")
