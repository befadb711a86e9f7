"""Who may do what in reporting. Rules answer "may this role act at all?" (403); what a user
may see is each model's `visible_to(user)` (404): RCC staff see their RCC's reports, NCC staff
every report and the national ones."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from apps.accounts.roles import Role
from apps.core.permissions import Rule

from .querysets import reporting_scope

# An RCC's report: its commissioners and its hub's placement officers; NCC analysts (every RCC).
VIEW_REPORTS = Rule(
    "reports.view", frozenset({Role.COMMISSIONER, Role.PLACEMENT_OFFICER, Role.NCC_ANALYST})
)
# Start a report run on demand: RCC commissioners (their RCC) and NCC analysts.
RUN_REPORTS = Rule("reports.run", frozenset({Role.COMMISSIONER, Role.NCC_ANALYST}))
# The national dashboards and reports.
VIEW_NATIONAL = Rule("reports.national", frozenset({Role.NCC_ANALYST}))
# Write and publish bulletins for the public site.
MANAGE_BULLETINS = Rule("reports.bulletins", frozenset({Role.NCC_ANALYST}))
# An LA's SSDA903 return (Header and Episodes in the LA's identifiers, full postcodes): the LA's
# social workers for their LA; the hub's placement officers for each LA of its RCC (the children
# referred to it). Nobody else: the postcodes are restricted.
SSDA903_RETURN = Rule(
    "reports.ssda903", frozenset({Role.SOCIAL_WORKER, Role.PLACEMENT_OFFICER}), child_data=True
)
# The RCC-wide analysis file of the same episodes: CHILD a keyed pseudonym, postcode districts.
DFE_EXPORT = Rule(
    "reports.dfe_export", frozenset({Role.COMMISSIONER, Role.NCC_ANALYST}), child_data=True
)


def may_run(user: Any, *, rcc_id: int | None) -> bool:
    """A run for an RCC needs that RCC in the user's scope; a national run, national scope."""
    if not RUN_REPORTS.allows(user):
        return False
    scope = reporting_scope(user)
    return scope.national or (rcc_id is not None and rcc_id in scope.rcc_ids)


def require_run(user: Any, *, rcc_id: int | None) -> None:
    if not may_run(user, rcc_id=rcc_id):
        raise PermissionDenied(
            "Only NCC staff start national reports."
            if rcc_id is None
            else "You can start reports only for your own RCC."
        )
