"""Hard constraints (DOMAIN.md "Matching"): a home that breaks one cannot take the child,
whatever its score. Each reason has a sentence that completes "N homes excluded because …"."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..choices import LiveAlongside

if TYPE_CHECKING:
    from .profile import Profile
    from .register import Area


class ProviderType:
    """The three kinds of provider a search covers, always all three by default."""

    IN_HOUSE = "in_house"
    OTHER_LA = "other_la"
    IFA = "ifa"
    ALL = (IN_HOUSE, OTHER_LA, IFA)
    LABELS = {
        IN_HOUSE: "In-house (the child's LA)",
        OTHER_LA: "Another LA's service",
        IFA: "Independent fostering agency",
    }


PROVIDER_TYPE_CHOICES = [(code, ProviderType.LABELS[code]) for code in ProviderType.ALL]


class Exclusion:
    AGE = "age"
    SIBLINGS = "siblings"
    SOLO = "solo"
    ONLY_OLDER = "only_older"
    ONLY_YOUNGER = "only_younger"
    RISK_YOUNGER = "risk_younger"
    ANIMALS = "animals"
    NO_PETS = "no_pets"
    AVOID = "avoid"
    EMERGENCY = "emergency"
    ADULTS = "adults"
    BEDROOMS = "bedrooms"
    # Only when explaining one named home (the search never loads these).
    PLACES = "places"
    DISTANCE = "distance"
    INACTIVE = "inactive"
    STALE = "stale"

    TEXT = {
        AGE: "their approval does not cover the child's age (or a sibling's)",
        SIBLINGS: "they are not approved for a sibling group this size",
        SOLO: "the child should be the only child and they have other children at home",
        ONLY_OLDER: "the child should live only with older children and they have a child "
        "the same age or younger",
        ONLY_YOUNGER: "the child should live only with younger children and they have a child "
        "the same age or older",
        RISK_YOUNGER: "the child poses a high risk to others and they have younger children",
        ANIMALS: "the child poses a high risk to animals and they have pets",
        NO_PETS: "the child cannot live with pets and they have pets",
        AVOID: "they live in a postcode district the child must avoid",
        EMERGENCY: "they are not approved for emergency care",
        ADULTS: "they have fewer adult carers recorded than the child needs",
        BEDROOMS: "they do not have enough spare bedrooms for the sibling group (one a child, or "
        "one for every two when the referral says they may share)",
        PLACES: "they do not have enough places free by the latest start date",
        DISTANCE: "they are outside the search radius",
        INACTIVE: "they are not active on the register",
        STALE: "their register entry has not been confirmed recently",
    }


def exclusion_masks(profile: Profile, area: Area, idx: np.ndarray) -> dict[str, np.ndarray]:
    """For each hard constraint a home can break, which of the homes `idx` break it. Places
    and distance are checked where the homes are chosen (`Area.near`)."""
    ages, age = profile.ages, profile.age
    youngest, oldest = area.youngest_other[idx], area.oldest_other[idx]
    others = oldest >= 0
    alongside = profile.live_alongside
    none = np.zeros(len(idx), dtype=bool)
    pets = area.pets[idx]
    masks = {
        Exclusion.AGE: (area.age_min[idx] > min(ages)) | (area.age_max[idx] < max(ages)),
        Exclusion.SIBLINGS: area.max_siblings[idx] < len(ages) if len(ages) > 1 else none,
        Exclusion.SOLO: others if alongside == LiveAlongside.SOLO else none,
        Exclusion.ONLY_OLDER: (
            others & (youngest <= age) if alongside == LiveAlongside.ONLY_OLDER else none
        ),
        Exclusion.ONLY_YOUNGER: (
            others & (oldest >= age) if alongside == LiveAlongside.ONLY_YOUNGER else none
        ),
        Exclusion.RISK_YOUNGER: others & (youngest < age) if profile.risk_to_younger else none,
        Exclusion.ANIMALS: pets if profile.harm_animals else none,
        Exclusion.NO_PETS: pets if profile.no_pets else none,
        Exclusion.AVOID: (
            np.isin(area.district[idx], list(profile.avoid)) if profile.avoid else none
        ),
        Exclusion.EMERGENCY: ~area.emergency[idx] if profile.emergency else none,
        Exclusion.ADULTS: area.adults[idx] < profile.min_adults if profile.min_adults else none,
        Exclusion.BEDROOMS: (
            area.bedrooms[idx] < profile.bedrooms_needed if profile.bedrooms_needed else none
        ),
    }
    return {reason: np.asarray(mask, dtype=bool) for reason, mask in masks.items()}
