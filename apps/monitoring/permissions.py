"""Who may do what in monitoring. Rules answer "may this role act at all?" (403); what a user
may see is each model's `visible_to(user)` (404). Acting on one provider's return also needs
membership of that provider (submit, answer), of an RCC linked to it (query) or of the RCC that
owns the quarter's return (accept; docs/adr/0071-monitoring-scoping.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied

from apps.accounts.roles import Role
from apps.core.permissions import Rule
from apps.organisations.kinds import OrganisationKind

if TYPE_CHECKING:
    from apps.organisations.models import Organisation

    from .models import MonitoringReturn

PROVIDER_STAFF = frozenset({Role.PROVIDER_DATA, Role.PROVIDER_REFERRALS})

# Provider staff see their own returns; RCC commissioners those of providers linked to their
# RCC; NCC staff every return. A return's prefill and its submissions' originals are one row per
# placed child.
VIEW_RETURNS = Rule(
    "monitoring.returns.view",
    PROVIDER_STAFF | {Role.COMMISSIONER, Role.NCC_ANALYST},
    child_data=True,
)
# Submissions (the originals as sent, and their row errors) hold every child's rows: the
# provider's own staff and the NCC's analysts read them; RCCs review the versions.
VIEW_SUBMISSIONS = Rule(
    "monitoring.submissions.view", PROVIDER_STAFF | {Role.NCC_ANALYST}, child_data=True
)
# The provider's data officer submits the return and answers queries about it.
SUBMIT_RETURN = Rule("monitoring.returns.submit", frozenset({Role.PROVIDER_DATA}))
# An RCC (or NCC) commissioner queries or accepts a return (accepting: the owner RCC's only).
REVIEW_RETURN = Rule("monitoring.returns.review", frozenset({Role.COMMISSIONER}))
# Either side of a query thread writes in it.
REPLY_TO_QUERY = Rule(
    "monitoring.queries.reply", frozenset({Role.PROVIDER_DATA, Role.COMMISSIONER})
)
# Scorecards: the provider's own staff, RCC commissioners, NCC analysts.
VIEW_SCORECARDS = Rule(
    "monitoring.scorecards.view", PROVIDER_STAFF | {Role.COMMISSIONER, Role.NCC_ANALYST}
)
LINK_MEETING = Rule("monitoring.scorecards.link_meeting", frozenset({Role.COMMISSIONER}))
# The child's social worker and IRO give feedback on placements of their LA's children.
GIVE_FEEDBACK = Rule(
    "monitoring.feedback.give", frozenset({Role.SOCIAL_WORKER, Role.IRO}), child_data=True
)


def _memberships(user: Any) -> list[Any]:
    return user.membership_list  # type: ignore[no-any-return]


def can_submit(user: Any, provider_id: int) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return any(
        m.organisation_id == provider_id and m.role == Role.PROVIDER_DATA
        for m in _memberships(user)
    )


def require_submit(user: Any, monitoring_return: MonitoringReturn) -> None:
    if not can_submit(user, monitoring_return.provider_id):
        raise PermissionDenied("Only the provider's data officers submit its return.")


def works_for_provider(user: Any, provider_id: int) -> bool:
    return any(m.organisation_id == provider_id for m in _memberships(user))


def reviewing_organisation(user: Any, monitoring_return: MonitoringReturn) -> Organisation | None:
    """The RCC (or the NCC) through which this commissioner reviews the return, or None.

    The return must already be visible to the user (linked to their RCC, or national)."""
    if not getattr(user, "is_authenticated", False):
        return None
    for m in _memberships(user):
        if m.role == Role.COMMISSIONER and m.organisation.kind in (
            OrganisationKind.RCC,
            OrganisationKind.NCC,
        ):
            return m.organisation
    return None


def require_review(user: Any, monitoring_return: MonitoringReturn) -> Organisation:
    org = reviewing_organisation(user, monitoring_return)
    if org is None:
        raise PermissionDenied("Only an RCC or NCC commissioner reviews returns.")
    return org


def accepting_organisation(user: Any, owner_id: int | None) -> Organisation | None:
    """The organisation for which this commissioner may accept a return owned by the RCC
    `owner_id` (see `selectors.return_owner_id`): that RCC's own commissioner, or an NCC
    commissioner (the national body accepts any return, and those no RCC owns). None: may not."""
    if not getattr(user, "is_authenticated", False):
        return None
    national = None
    for m in _memberships(user):
        if m.role != Role.COMMISSIONER:
            continue
        if m.organisation.kind == OrganisationKind.RCC and m.organisation_id == owner_id:
            return m.organisation
        if m.organisation.kind == OrganisationKind.NCC:
            national = m.organisation
    return national


def require_accept(user: Any, owner_id: int | None) -> Organisation:
    org = accepting_organisation(user, owner_id)
    if org is None:
        raise PermissionDenied(
            "Only the RCC that owns this quarter's return (the RCC whose LAs placed the most "
            "children in it) or the NCC accepts it."
        )
    return org
