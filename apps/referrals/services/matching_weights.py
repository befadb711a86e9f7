"""The RCC's weights of the match score: set by its commissioners, audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from apps.core.errors import DomainError
from apps.referrals.matching.profile import forget_weights

from ..matching import FACTORS
from ..models import MatchingWeights

WEIGHT_FIELDS = tuple(code for code, _ in FACTORS)
MAX_WEIGHT = 100
RADIUS_RANGE = (5, 300)


def weight_shares(weights: Any) -> list[dict[str, Any]]:
    """Each factor's weight as a share of them all: what it can add to a score of 100."""
    values = {code: int(getattr(weights, code) or 0) for code in WEIGHT_FIELDS}
    total = sum(values.values())
    return [
        {
            "factor": code,
            "label": label,
            "weight": values[code],
            "percent": round(100 * values[code] / total, 1) if total else 0.0,
        }
        for code, label in FACTORS
    ]


def _clean(values: dict[str, Any]) -> dict[str, int]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, int] = {}
    for name in (*WEIGHT_FIELDS, "search_radius_miles"):
        if name not in values:
            continue
        try:
            number = int(values[name])
        except (TypeError, ValueError):
            errors[name] = ["Enter a whole number."]
            continue
        low, high = RADIUS_RANGE if name == "search_radius_miles" else (0, MAX_WEIGHT)
        if not low <= number <= high:
            errors[name] = [f"Enter a number from {low} to {high}."]
            continue
        cleaned[name] = number
    unknown = sorted(set(values) - {*WEIGHT_FIELDS, "search_radius_miles"})
    for name in unknown:
        errors[name] = ["This is not a matching weight."]
    if errors:
        raise DomainError("The weights have errors; see the fields named.", errors=errors)
    return cleaned


@transaction.atomic
def matching_weights_update(*, rcc: Any, by: Any, **values: Any) -> MatchingWeights:
    """Change the RCC's weights. At least one weight must be above zero, or every home would
    score the same."""
    weights, _ = MatchingWeights.objects.select_for_update().get_or_create(rcc=rcc)
    cleaned = _clean(values)
    for name, number in cleaned.items():
        setattr(weights, name, number)
    if sum(getattr(weights, name) for name in WEIGHT_FIELDS) <= 0:
        raise DomainError(
            "At least one weight must be above zero, or every home would score the same."
        )
    weights.save()
    transaction.on_commit(lambda: forget_weights(weights.rcc_id))
    return weights
