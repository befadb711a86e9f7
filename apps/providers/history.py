"""The register's history over a period: how many households a provider had at its start and
end, and which were approved or left during it. Read from each household's `approved_on` and
`approval_ended_on`, and nothing else, so that the monitoring return's pre-fill counts
households and CARER rows from the same dates and they agree as the return's check requires.

A household is approved from the start of `approved_on` to the start of `approval_ended_on`:
on the first day of a period it counts if it was approved before that day and had not left by
it; on the last day, if it was approved by then and did not leave by then. So, for any period,

    households_end = households_start + approved - resigned - deregistered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from .choices import VacancyStatus
from .models import Household, Vacancy

APPROVED = "APPROVED"


@dataclass(frozen=True)
class ApprovalChange:
    """A household approved, or whose approval ended, in the period; `change` is the national
    return's code (APPROVED, RESIGNED or DEREGISTERED) and `reason` its change_reason."""

    reference: str
    change: str
    on: dt.date
    reason: str = ""


@dataclass(frozen=True)
class RegisterHistory:
    start: dt.date
    end: dt.date
    households_start: int
    households_end: int
    places_start: int
    places_end: int
    vacancies_end: int
    changes: tuple[ApprovalChange, ...]
    references: frozenset[str]  # every household the provider has on the register

    def count(self, change: str) -> int:
        return sum(1 for c in self.changes if c.change == change)


def _approved_at_end_of(day: dt.date, approved_on: dt.date, ended_on: dt.date | None) -> bool:
    return approved_on <= day and (ended_on is None or ended_on > day)


def register_history(*, provider_id: int, start: dt.date, end: dt.date) -> RegisterHistory:
    """The provider's households over the period from `start` to `end` (both included)."""
    before = start - dt.timedelta(days=1)
    households_start = households_end = places_start = places_end = 0
    changes: list[ApprovalChange] = []
    references: set[str] = set()
    rows = (
        Household.objects.filter(provider_id=provider_id)
        .order_by("reference")
        .values_list(
            "reference",
            "status",
            "places",
            "approved_on",
            "approval_ended_on",
            "approval_end_reason",
        )
    )
    for reference, status, places, approved_on, ended_on, reason in rows:
        references.add(reference)
        if _approved_at_end_of(before, approved_on, ended_on):
            households_start += 1
            places_start += places
        if _approved_at_end_of(end, approved_on, ended_on):
            households_end += 1
            places_end += places
        if start <= approved_on <= end:
            changes.append(ApprovalChange(reference, APPROVED, approved_on))
        if ended_on is not None and start <= ended_on <= end:
            changes.append(ApprovalChange(reference, status.upper(), ended_on, reason))
    vacancies_end = (
        Vacancy.objects.filter(
            household__provider_id=provider_id,
            household__approved_on__lte=end,
            status=VacancyStatus.OPEN,
            available_from__lte=end,
        )
        .filter(
            Q(household__approval_ended_on__isnull=True) | Q(household__approval_ended_on__gt=end)
        )
        .count()
    )
    changes.sort(key=lambda c: (c.on, c.change != APPROVED, c.reference))
    return RegisterHistory(
        start=start,
        end=end,
        households_start=households_start,
        households_end=households_end,
        places_start=places_start,
        places_end=places_end,
        vacancies_end=vacancies_end,
        changes=tuple(changes),
        references=frozenset(references),
    )
