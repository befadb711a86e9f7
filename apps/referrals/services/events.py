"""The referral's timeline and the log of sensitive reads. Every service that changes a
referral calls `record_event`; every provider read of a referral calls `record_access`."""

from __future__ import annotations

from typing import Any

from apps.referrals.models import Referral, ReferralAccessLog, ReferralEvent


def record_event(*, referral: Referral, actor: Any, verb: str, **detail: Any) -> ReferralEvent:
    return ReferralEvent.objects.create(
        referral=referral,
        actor=actor if getattr(actor, "pk", None) else None,
        verb=verb,
        detail=detail,
    )


def record_access(
    *, referral: Referral, user: Any, action: str, organisation: Any = None
) -> ReferralAccessLog:
    return ReferralAccessLog.objects.create(
        referral=referral, user=user, organisation=organisation, action=action
    )
