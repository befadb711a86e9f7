"""Quarters of the financial year (April to March), the period of a monitoring return.

`Quarter(2025, 3)` is the third quarter of 2025-26: October to December 2025. Its code,
``2025-26-Q3``, names it in URLs, files and the API. A return is due on the last day of
the month after its quarter ends (Q3 2025-26: 31 January 2026).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

CODE = re.compile(r"^\s*(\d{4})-(\d{2})[\s-]*Q([1-4])\s*$", re.IGNORECASE)
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")  # fmt: skip


@dataclass(frozen=True, order=True)
class Quarter:
    year: int  # the calendar year in which the financial year starts
    number: int  # 1 (April to June) to 4 (January to March)

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 4:
            raise ValueError("A quarter is numbered 1 to 4.")

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        """The quarter a date falls in."""
        if day.month >= 4:
            return cls(day.year, (day.month - 4) // 3 + 1)
        return cls(day.year - 1, 4)

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """Read ``2025-26-Q3`` or ``2025-26 Q3``; raise ValueError for anything else."""
        match = CODE.match(text or "")
        if not match:
            raise ValueError(f"{text!r} is not a quarter: write it as 2025-26 Q3.")
        year, second, number = int(match[1]), int(match[2]), int(match[3])
        if (year + 1) % 100 != second:
            raise ValueError(
                f"{text!r} is not a financial year: the years must follow on (2025-26)."
            )
        return cls(year, number)

    @classmethod
    def last_ended(cls, today: dt.date) -> Quarter:
        """The most recent quarter that has ended by `today`."""
        return cls.of(today).previous()

    @property
    def start(self) -> dt.date:
        month = 4 + (self.number - 1) * 3
        return dt.date(self.year + (month > 12), (month - 1) % 12 + 1, 1)

    @property
    def end(self) -> dt.date:
        return self.next().start - dt.timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def due_on(self) -> dt.date:
        """The deadline: the last day of the month after the quarter ends."""
        following = self.end + dt.timedelta(days=1)
        return following.replace(day=calendar.monthrange(following.year, following.month)[1])

    @property
    def financial_year(self) -> str:
        return f"{self.year}-{(self.year + 1) % 100:02d}"

    @property
    def code(self) -> str:
        return f"{self.financial_year}-Q{self.number}"

    @property
    def short(self) -> str:
        return f"{self.financial_year} Q{self.number}"

    @property
    def months(self) -> str:
        start, end = self.start, self.end
        return f"{MONTH_NAMES[start.month - 1]} to {MONTH_NAMES[end.month - 1]} {end.year}"

    @property
    def label(self) -> str:
        return f"{self.short} ({self.months})"

    def previous(self) -> Quarter:
        return Quarter(self.year, self.number - 1) if self.number > 1 else Quarter(self.year - 1, 4)

    def next(self) -> Quarter:
        return Quarter(self.year, self.number + 1) if self.number < 4 else Quarter(self.year + 1, 1)

    def back(self, count: int) -> list[Quarter]:
        """This quarter and the `count - 1` before it, oldest first."""
        out = [self]
        while len(out) < count:
            out.append(out[-1].previous())
        return out[::-1]

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return self.short
