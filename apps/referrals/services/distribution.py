"""Targeted distribution: the hub sends the referral to the providers of the households it
chose, and only those. There is no "send to all": every target names one household that is
still a candidate for the child (apps.referrals.matching) when it is sent.

"Looking in-house first" may be recorded on the referral; it is shown to everyone on the
referral's page and never stops the hub sending to other LAs' services and IFAs in parallel.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.urls import reverse

from apps.core.errors import DomainError
from apps.providers.models import Household, Provider

from ..choices import ReferralStatus
from ..matching import assess_households
from ..models import Referral, ReferralTarget
from ..notifications import enqueue_email, provider_recipients
from .events import record_event

SENDABLE = (ReferralStatus.SENT, ReferralStatus.RETURNED)


def _household_ids(households: Iterable[Household | int | str]) -> list[int]:
    ids: list[int] = []
    for item in households:
        value = item.pk if isinstance(item, Household) else item
        try:
            ids.append(int(value))  # type: ignore[arg-type]
        except (TypeError, ValueError) as err:
            raise DomainError(
                f"{value!r} is not a household id (a whole number).", field="households"
            ) from err
    return list(dict.fromkeys(ids))


def _check_sendable(referral: Referral) -> None:
    if referral.status not in SENDABLE:
        raise DomainError(
            "Only a referral with the hub (searching, or returned by scrutiny) can be sent to "
            f"providers; this one is {referral.get_status_display().lower()}.",
            field="referral",
        )


@transaction.atomic
def targets_send(
    *,
    referral: Referral,
    households: Iterable[Household | int | str],
    by: Any,
    notify: bool = True,
) -> list[ReferralTarget]:
    """Send the referral to the provider of each chosen household (one target per household,
    with the score as it stands). Every household must still be a candidate; nothing is sent
    if any is not. `notify=False` (the demo seed only) sends the providers no email."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _check_sendable(referral)
    ids = _household_ids(households)
    if not ids:
        raise DomainError(
            "Choose at least one household. The referral goes only to the providers of the "
            "households you choose.",
            field="households",
        )
    known = dict(Household.objects.filter(pk__in=ids).values_list("pk", "reference"))
    unknown = [str(i) for i in ids if i not in known]
    if unknown:
        raise DomainError(f"No household has the id {', '.join(unknown)}.", field="households")
    already = sorted(
        known[h]
        for h in ReferralTarget.objects.filter(referral=referral, household_id__in=ids).values_list(
            "household_id", flat=True
        )
    )
    if already:
        raise DomainError(
            f"The referral has already been sent for {', '.join(already)}.", field="households"
        )
    assessed = assess_households(referral, ids)
    refused = [f"{known[i]}: {assessed[i].text}" for i in ids if assessed[i].option is None]
    if refused:
        raise DomainError(
            "These households are no longer candidates for this child, so nothing was sent — "
            + "; ".join(refused)
            + ".",
            field="households",
        )

    targets = []
    by_provider: dict[int, list[str]] = defaultdict(list)
    kinds = set()
    for household_id in ids:
        option = assessed[household_id].option
        assert option is not None
        targets.append(
            ReferralTarget(
                referral=referral,
                household_id=household_id,
                provider_id=option.home.provider_id,
                score=Decimal(str(option.score)),
                score_breakdown=option.snapshot(),
                distance_miles=Decimal(str(option.distance_family)),
                sent_by=by,
            )
        )
        by_provider[option.home.provider_id].append(option.home.reference)
        kinds.add(option.provider_type)
    created = ReferralTarget.objects.bulk_create(targets)
    providers = list(
        Provider.objects.filter(pk__in=list(by_provider)).select_related("organisation")
    )
    record_event(
        referral=referral,
        actor=by,
        verb="targets_sent",
        note="; ".join(
            f"{p.organisation.name}: {', '.join(sorted(by_provider[p.pk]))}" for p in providers
        ),
        households=[known[i] for i in ids],
        providers=sorted(by_provider),
        provider_types=sorted(kinds),
        looking_in_house_first=referral.looking_in_house_first,
    )
    for provider in providers if notify else []:
        enqueue_email(
            recipients=provider_recipients(provider),
            template="hub_target_sent",
            link=reverse("referrals:provider_targets") + "?status=sent",
            context={
                "referral": referral,
                "provider": provider,
                "households": sorted(by_provider[provider.pk]),
            },
        )
    return created


@transaction.atomic
def referral_looking_in_house_first_set(*, referral: Referral, by: Any, looking: bool) -> Referral:
    """Record (or clear) that the hub is looking in-house first. It blocks nothing."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _check_sendable(referral)
    if referral.looking_in_house_first == looking:
        return referral
    referral.looking_in_house_first = looking
    referral.save(update_fields=["looking_in_house_first", "updated_at"])
    record_event(
        referral=referral,
        actor=by,
        verb="looking_in_house_first" if looking else "looking_in_house_first_cleared",
        note=(
            "Recorded: the hub is looking in-house first. Other LAs' services and IFAs may "
            "still be asked at the same time."
            if looking
            else "The hub is no longer looking in-house first."
        ),
    )
    return referral
