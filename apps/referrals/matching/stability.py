"""A provider's stability record: the share of its placements ended in the last two years that
ended unplanned (SSDA903 reasons CARPL, ALLEG, STAND, APPRR, CREQB, CREQO). Neutral when there
are too few endings to judge."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q

from ..choices import UNPLANNED_ENDINGS
from ..models import Placement

STABILITY_MIN_ENDINGS = 5
STABILITY_WINDOW_DAYS = 730
NEUTRAL = 0.5


@dataclass(frozen=True)
class Stability:
    endings: int
    unplanned: int

    @property
    def counts(self) -> bool:
        return self.endings >= STABILITY_MIN_ENDINGS

    @property
    def value(self) -> float:
        return 1 - self.unplanned / self.endings if self.counts else NEUTRAL


def stability_for(provider_ids: Iterable[int] | None, today: dt.date) -> dict[int, Stability]:
    """Placements ended in the window per provider, and how many ended unplanned.
    `provider_ids` None: every provider."""
    qs = Placement.objects.filter(end_date__gte=today - dt.timedelta(days=STABILITY_WINDOW_DAYS))
    if provider_ids is not None:
        qs = qs.filter(provider_id__in=list(set(provider_ids)))
    rows = (
        qs.values("provider_id")
        .annotate(
            endings=Count("id"),
            unplanned=Count("id", filter=Q(reason_ended__in=sorted(UNPLANNED_ENDINGS))),
        )
        .order_by()
    )
    return {r["provider_id"]: Stability(r["endings"], r["unplanned"]) for r in rows}
