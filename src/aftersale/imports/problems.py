"""What went wrong in a file: each problem names the row, the column and the value."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

# Enough to fix a systematic mistake from the report; beyond this the file is
# clearly wrong throughout and listing more only slows the page down.
MAX_PROBLEMS = 1000


class BadValue(ValueError):
    """A cell cannot be read; the message says what was expected."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file. ``row`` 1 is the header; 0 means the whole file."""

    row: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = _("row %(row)d") % {"row": self.row} if self.row else _("file")
        if self.column:
            where += ", " + _("column %(column)s") % {"column": self.column}
        if self.value:
            shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
            where += ", " + _("value %(value)r") % {"value": shown}
        return f"{where}: {self.message}"


@dataclass
class Problems:
    """All problems of one file, keeping the first ``limit`` and counting the rest."""

    limit: int = MAX_PROBLEMS
    items: list[Problem] = field(default_factory=list)
    total: int = 0

    def add(self, row: int, column: str, value: str, message: str) -> None:
        self.total += 1
        if len(self.items) < self.limit:
            self.items.append(Problem(row, column, value, message))

    def __bool__(self) -> bool:
        return self.total > 0

    def __len__(self) -> int:
        return self.total

    def __iter__(self):
        return iter(self.items)

    @property
    def not_shown(self) -> int:
        return self.total - len(self.items)
