"""The periods reports cover: a calendar month (RCC monthly), a financial-year quarter (NCC
quarterly, April to March as in apps.monitoring.quarters) or the 12 months to a day (the
nightly dashboard refresh)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from apps.contracts.dates import add_months
from apps.monitoring.quarters import Quarter

from .choices import ReportKind


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("A period ends on or after its start.")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def month_of(day: dt.date) -> Period:
    last = calendar.monthrange(day.year, day.month)[1]
    return Period(day.replace(day=1), day.replace(day=last))


def last_ended_month(today: dt.date) -> Period:
    return month_of(today.replace(day=1) - dt.timedelta(days=1))


def quarter_period(quarter: Quarter) -> Period:
    return Period(quarter.start, quarter.end)


def rolling_year(today: dt.date) -> Period:
    """The 12 months to `today`: the dashboards' period, rebuilt nightly."""
    return Period(add_months(today, -12) + dt.timedelta(days=1), today)


def default_period(kind: str, today: dt.date) -> Period:
    if kind == ReportKind.RCC_MONTHLY:
        return last_ended_month(today)
    if kind == ReportKind.NCC_QUARTERLY:
        return quarter_period(Quarter.last_ended(today))
    if kind == ReportKind.PLANNING:
        return planning_window(today)
    return rolling_year(today)


def planning_window(today: dt.date) -> Period:
    """The reference window of the planning measures: the two years to today."""
    return Period(add_months(today, -24) + dt.timedelta(days=1), today)


def trend_quarters(end: dt.date, count: int = 8) -> list[Quarter]:
    """The `count` quarters to the one `end` falls in, oldest first."""
    return Quarter.of(end).back(count)
