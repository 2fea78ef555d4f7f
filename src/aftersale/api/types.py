"""Input types shared by the request schemas: every string, number and date a client
sends is checked here before it reaches a form or the database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

from aftersale.core.asof import start_of_day

# Ids are 64-bit; a larger number is a wrong id, not a database error.
MAX_ID = 2**63 - 1
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)


def _text(value: str) -> str:
    # PostgreSQL refuses NUL in text, and a lone surrogate cannot be stored as UTF-8.
    if "\x00" in value:
        raise ValueError("Text must not contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("Text must be valid Unicode (no lone surrogates).") from None
    return value


def _day(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"Dates must be between {FIRST_DAY} and {LAST_DAY}.")
    return value


def _day_as_moment(value: object) -> object:
    # A date alone where a moment is expected is that calendar day in the installation's
    # zone (its first moment), as in CSV files and forms: never the UTC day.
    if isinstance(value, str) and len(value) == 10:
        try:
            return start_of_day(date.fromisoformat(value))
        except ValueError:
            return value
    return value


def _moment(value: datetime) -> datetime:
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not FIRST_DAY <= utc.date() <= LAST_DAY:
        raise ValueError(f"Times must be between {FIRST_DAY} and {LAST_DAY}.")
    return utc


Text = Annotated[str, AfterValidator(_text)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Day = Annotated[date, AfterValidator(_day)]
Moment = Annotated[AwareDatetime, BeforeValidator(_day_as_moment), AfterValidator(_moment)]
Money = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2, allow_inf_nan=False)]
Quantity = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=3, allow_inf_nan=False)]
Email = Annotated[str, Field(min_length=3, max_length=254), AfterValidator(_text)]


class In(BaseModel):
    """A request body: unknown fields are refused, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid")
