"""Reading CSV files as a stream, and reading and writing the values in their cells.

The file is decoded and split by the standard library's C-implemented ``csv``
reader, one record at a time, so a file of a million rows never sits in memory.
Each cell parser takes the stripped text of a non-empty cell and returns a
Python value or raises ``BadValue`` with a message saying what was expected.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersale.core.asof import as_date, start_of_day
from aftersale.imports.problems import BadValue, Problems

Parser = Callable[[str], Any]

# Enough to see what kind of file this is before reading it as CSV.
SNIFF_BYTES = 4096


class _CountingReader(io.RawIOBase):
    """Counts the bytes read from the underlying file, for the progress bar."""

    def __init__(self, raw: IO[bytes]):
        self.raw = raw
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.bytes_read += n
        return n


class CsvSource:
    """One CSV file read as a stream of records, numbered as a spreadsheet numbers rows.

    Row 1 is the header. Problems that make the rest of the file unreadable
    (not UTF-8, not CSV) are added to ``problems`` and end the stream.
    """

    def __init__(self, binary: IO[bytes], problems: Problems):
        self._counter = _CountingReader(binary)
        self._buffered = io.BufferedReader(self._counter, buffer_size=1 << 16)
        self.problems = problems
        self.header: list[str] | None = None
        self.row = 0
        self._reader: Iterator[list[str]] | None = None

    @property
    def bytes_read(self) -> int:
        return self._counter.bytes_read

    def open(self) -> list[str] | None:
        """Check what kind of file this is and read the header row (``None`` if unusable)."""
        head = self._buffered.peek(SNIFF_BYTES)[:SNIFF_BYTES]
        message = _sniff(head)
        if message:
            self.problems.add(0, "", "", message)
            return None
        text = io.TextIOWrapper(self._buffered, encoding="utf-8-sig", newline="")
        self._reader = csv.reader(text, strict=True)
        record = self._next()
        if record is None:
            if not self.problems:
                self.problems.add(0, "", "", _("The file is empty: it needs a header row."))
            return None
        self.header = [name.strip() for name in record]
        return self.header

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """The data records with their row numbers; blank lines are skipped."""
        assert self._reader is not None
        try:
            for record in self._reader:
                self.row += 1
                if record:
                    yield self.row, record
        except UnicodeDecodeError:
            self._not_utf8()
        except csv.Error as exc:
            self._not_csv(exc)

    def _next(self) -> list[str] | None:
        assert self._reader is not None
        try:
            record = next(self._reader)
        except StopIteration:
            return None
        except UnicodeDecodeError:
            self._not_utf8()
            return None
        except csv.Error as exc:
            self._not_csv(exc)
            return None
        self.row += 1
        return record

    def _not_utf8(self) -> None:
        self.problems.add(
            self.row + 1, "", "",
            _("The file is not UTF-8 text from this row on. Save it as “CSV UTF-8”."),
        )

    def _not_csv(self, exc: csv.Error) -> None:
        self.problems.add(self.row + 1, "", "", _("Not valid CSV: %(error)s.") % {"error": exc})


def _sniff(head: bytes) -> str:
    """A message if the first bytes show this is not a UTF-8 CSV file, else ''."""
    if head.startswith(b"PK\x03\x04"):
        return _(
            "This looks like a spreadsheet workbook (.xlsx), not a CSV file. "
            "Save the sheet as “CSV UTF-8” and upload that."
        )
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _("The file is UTF-16 text. Save it as “CSV UTF-8”.")
    if b"\x00" in head:
        return _("This is not a text file (it contains NUL bytes); a CSV file is expected.")
    return ""


def check_header_shape(header: list[str]) -> str:
    """A message if the header shows the file uses another separator, else ''."""
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        return _("Columns must be separated by commas; this file seems to use semicolons or tabs.")
    return ""


# --- Cell parsers -------------------------------------------------------------------


def text(max_length: int) -> Parser:
    def parse(raw: str) -> str:
        if len(raw) > max_length:
            raise BadValue(_("too long (at most %(n)d characters)") % {"n": max_length})
        return raw

    return parse


def email(raw: str) -> str:
    if len(raw) > 254:
        raise BadValue(_("too long (at most %(n)d characters)") % {"n": 254})
    try:
        validate_email(raw)
    except ValidationError:
        raise BadValue(_("not a valid e-mail address")) from None
    return raw


def login_email(raw: str) -> str:
    """Staff log in by e-mail case-insensitively, and their addresses are stored lower-case."""
    return email(raw).lower()


def choice(values: Iterable[str]) -> Parser:
    allowed = frozenset(values)
    listed = "|".join(values)

    def parse(raw: str) -> str:
        if raw not in allowed:
            raise BadValue(_("unknown value; use one of %(values)s") % {"values": listed})
        return raw

    return parse


def boolean(raw: str) -> bool:
    # Spreadsheets write TRUE/FALSE, so the case is not significant here.
    lowered = raw.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise BadValue(_("not a boolean (use true or false)"))


def integer(minimum: int, maximum: int) -> Parser:
    def parse(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise BadValue(_("not a whole number")) from None
        if value < minimum or value > maximum:
            raise BadValue(
                _("must be between %(min)d and %(max)d") % {"min": minimum, "max": maximum}
            )
        return value

    return parse


def decimal(max_digits: int, places: int, *, negative: bool = False) -> Parser:
    whole_digits = max_digits - places
    zero = Decimal(0)

    def parse(raw: str) -> Decimal:
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise BadValue(
                _("not a number (use a dot for decimals and no thousands separators)")
            ) from None
        if not value.is_finite():
            raise BadValue(_("not a number"))
        if "e" in raw or "E" in raw:
            exponent = value.as_tuple().exponent
            assert isinstance(exponent, int)
            decimals = -exponent
        else:
            # Plain notation (the usual case): count the digits after the dot,
            # cheaper than building the tuple form of every amount.
            dot = raw.find(".")
            decimals = len(raw) - dot - 1 if dot >= 0 else 0
        if decimals > places:
            raise BadValue(_("at most %(n)d decimal places") % {"n": places})
        if value and value.adjusted() >= whole_digits:
            raise BadValue(_("too large (at most %(n)d digits before the dot)") % {"n": whole_digits})
        if value < zero and not negative:
            raise BadValue(_("must not be negative"))
        return value

    return parse


def date_value(raw: str) -> date:
    if len(raw) == 10:
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    else:
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            pass
        else:
            # A date-time in a date column: the day it was in our time zone.
            return as_date(moment)
    raise BadValue(_("not an ISO 8601 date (YYYY-MM-DD)"))


def datetime_value(raw: str) -> datetime:
    """An aware date-time; a date alone is that day in our time zone (``asof.start_of_day``),
    and no offset means our time zone.

    The zone is attached with ``datetime.combine`` rather than ``replace``:
    the same datetime (fields, zone and fold), but ``replace(tzinfo=...)``
    parses keyword arguments and cost three times as much, about a quarter of
    the reading thread's CPU in a large import (docs/benchmarks.md).
    """
    tz = timezone.get_default_timezone()
    try:
        if len(raw) == 10:
            return start_of_day(date.fromisoformat(raw))
        moment = _fromisoformat(raw)
    except ValueError:
        raise BadValue(
            _("not an ISO 8601 date-time (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, optional offset)")
        ) from None
    if moment.tzinfo is None:
        # A parsed naive datetime has fold 0; its time() keeps it.
        moment = _combine(moment.date(), moment.time(), tz)
    return moment


_combine = datetime.combine
_fromisoformat = datetime.fromisoformat


# --- Cell writers -------------------------------------------------------------------


def to_cell(value: Any) -> str:
    """The text a value is written as; ``parse`` of it gives the same value back."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)
