"""The referral's timeline and the log of reads of a child's record.

Every service that changes a referral calls `record_event`. Every read of a child's record (the
child's page, a referral's page, their API detail endpoints, a provider's minimised read, a
placement page) calls `record_access` from the view or API view that serves it: one INSERT.
A list naming children (the stability early-warning list) calls `record_list_access`: one
INSERT for the children it shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from apps.organisations.kinds import OrganisationKind
from apps.referrals.choices import AccessChannel
from apps.referrals.models import Child, Referral, ReferralAccessLog, ReferralEvent


def record_event(*, referral: Referral, actor: Any, verb: str, **detail: Any) -> ReferralEvent:
    return ReferralEvent.objects.create(
        referral=referral,
        actor=actor if getattr(actor, "pk", None) else None,
        verb=verb,
        detail=detail,
    )


def reading_membership(
    *, user: Any, la_id: int, rcc_id: int | None, organisation: Any = None, roles: Any = None
) -> Any:
    """The membership through which `user` reads a child's record: in the organisation the
    caller names (a provider's), else in the child's LA, else in a hub of the referral's RCC;
    among several roles there, one of `roles` (the page's rule) first. None when the user has
    no such membership (a superuser). Reads the user's cached memberships: no query."""
    memberships = list(getattr(user, "membership_list", []))

    def best(candidates: list[Any]) -> Any:
        preferred = [m for m in candidates if roles and m.role in roles]
        return (preferred or candidates or [None])[0]

    if organisation is not None:
        found = best([m for m in memberships if m.organisation_id == organisation.pk])
        if found:
            return found
    found = best([m for m in memberships if m.organisation_id == la_id])
    if found or not rcc_id:
        return found
    return best(
        [
            m
            for m in memberships
            if m.organisation.kind == OrganisationKind.HUB and m.organisation.rcc_id == rcc_id
        ]
    )


def record_access(
    *,
    user: Any,
    action: str,
    referral: Referral | None = None,
    child: Child | None = None,
    organisation: Any = None,
    channel: str = AccessChannel.WEB,
    roles: Any = None,
) -> ReferralAccessLog:
    """Log one read of a child's record: who, through which organisation and role, what
    (`action`: the child, a referral, a placement...), when and how (web, API or download).
    One INSERT: the child and LA come from the ids already loaded."""
    if child is not None:
        child_id, la_id = child.pk, child.la_id
    elif referral is not None:
        child_id, la_id = referral.child_id, referral.la_id
    else:
        raise ValueError("record_access needs the child or the referral that was read")
    membership = reading_membership(
        user=user,
        la_id=la_id,
        rcc_id=getattr(referral, "rcc_id", None),
        organisation=organisation,
        roles=roles,
    )
    return ReferralAccessLog.objects.create(
        child_id=child_id,
        referral=referral,
        user=user,
        organisation=membership.organisation if membership else organisation,
        role=membership.role if membership else "",
        action=action,
        channel=channel,
    )


def record_list_access(
    *,
    user: Any,
    children: Iterable[tuple[int, int]],
    action: str,
    channel: str = AccessChannel.WEB,
    roles: Any = None,
) -> int:
    """Log a read of many children's records at once (a list or a download naming them): one
    row for each `(child id, LA id)`, through the membership that reads that LA's children, in
    one INSERT. How many were logged."""
    memberships: dict[int, Any] = {}
    rows = []
    for child_id, la_id in dict(children).items():
        if la_id not in memberships:
            memberships[la_id] = reading_membership(
                user=user, la_id=la_id, rcc_id=None, roles=roles
            )
        membership = memberships[la_id]
        rows.append(
            ReferralAccessLog(
                child_id=child_id,
                user=user,
                organisation=membership.organisation if membership else None,
                role=membership.role if membership else "",
                action=action,
                channel=channel,
            )
        )
    ReferralAccessLog.objects.bulk_create(rows)
    return len(rows)
