"""What makes the seeded platform placements true SSDA903 episodes (`seeding.py` calls these):

- every placement's Ofsted URN, the child's full home postcode (a real postcode in a district
  of the child's LA) and the carers' (a real postcode in the household's district, or the
  nearest district with one), from the sample of real postcodes `load_reference` loads;
- journeys: an ended placement is followed by a move to other carers the same day (X1 → T, or P
  with the same household), or ends with the child leaving care (an E-code), sometimes coming
  back into care later (a gap: RNE S);
- legal status history (some children move from an interim to a full care order while placed:
  a new episode, RNE L) and, for some children, care history imported from the LA's own
  SSDA903 files before their first platform placement.

Every choice comes from a generator seeded with the child's identifier: deterministic, and
independent of the generators the rest of the monitoring seed draws from.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from apps.organisations.kinds import OrganisationKind
from apps.organisations.models import Organisation, Postcode, PostcodeDistrict
from apps.referrals.choices import CareHistorySource, LegalStatus
from apps.referrals.models import CareEpisode, LegalStatusChange

SAME_DAY_MOVE = 0.5  # of ended placements: the child moves to other carers the same day
LEFT_CARE = 0.3  # ... leaves care (the rest leave care and come back later: a gap)
LEAVING = ("E4A", "E13", "E41", "E8")
INTERIM_FIRST = 0.2  # of children: an interim care order, then a full one while placed
IMPORTED_HISTORY = 0.15  # of children: care history imported from the LA before the platform


@dataclass
class Postcodes:
    """The sample's real postcodes by district, with their grid points."""

    by_district: dict[str, list[str]]
    points: dict[str, tuple[int, int]]
    la_districts: dict[int, list[str]]
    centres: dict[str, tuple[float, float]]

    @classmethod
    def load(cls) -> Postcodes:
        by_district: dict[str, list[str]] = defaultdict(list)
        points = {}
        for code, district, east, north in Postcode.objects.order_by("code").values_list(
            "code", "district_id", "easting", "northing"
        ):
            by_district[district].append(code)
            points[code] = (east, north)
        la_districts: dict[int, list[str]] = defaultdict(list)
        centres = {}
        for code, la_id, lat, lng in PostcodeDistrict.objects.order_by("code").values_list(
            "code", "la_id", "latitude", "longitude"
        ):
            centres[code] = (lat, lng)
            if la_id and code in by_district:
                la_districts[la_id].append(code)
        return cls(dict(by_district), points, dict(la_districts), centres)

    def in_district(
        self, district: str | None, rng: random.Random, avoid: frozenset[str] = frozenset()
    ) -> str:
        """A postcode of `district` that is not one of `avoid`, else of the nearest district
        that has one."""
        codes = [c for c in self.by_district.get(district or "", []) if c not in avoid]
        if not codes:
            centre = self.centres.get(district or "")
            if centre is None:
                return ""
            scale = math.cos(math.radians(centre[0]))
            nearest = sorted(
                (d for d in self.by_district if d in self.centres),
                key=lambda d: (
                    (self.centres[d][0] - centre[0]) ** 2
                    + ((self.centres[d][1] - centre[1]) * scale) ** 2,
                    d,
                ),
            )
            for other in nearest:
                codes = [c for c in self.by_district[other] if c not in avoid]
                if codes:
                    break
        return rng.choice(codes) if codes else ""

    def in_la(self, la_id: int, rng: random.Random) -> str:
        districts = self.la_districts.get(la_id)
        return self.in_district(rng.choice(districts), rng) if districts else ""

    def miles(self, a: str, b: str) -> Decimal | None:
        if a not in self.points or b not in self.points:
            return None
        (e1, n1), (e2, n2) = self.points[a], self.points[b]
        return Decimal(str(round(math.hypot(e1 - e2, n1 - n2) / 1609.344, 1)))


def journeys(plans: list[dict[str, Any]], households: dict[int, list[Any]], today: dt.date) -> None:
    """Give each ended placement a true ending, adding the placements that follow it.

    `plans` are the seed's placements (one per child so far); `households` the provider's
    households by provider pk. Adds plans in place (same child, `ident` with a suffix)."""
    for x in list(plans):
        if x["end"] is None:
            continue
        rng = random.Random(f"journey:{x['ident']}")  # noqa: S311
        roll = rng.random()
        if roll < SAME_DAY_MOVE:
            others = [h for h in households[x["provider"].pk] if h[0] != x["household"][0]]
            household = rng.choice(others) if others else x["household"]
            if household == x["household"] and x["type"] == "U4":
                x["type"] = "U6"  # same carers: from short-term to long-term fostering (P)
            plans.append(
                {
                    **x,
                    "ident": f"{x['ident']}-2",
                    "household": household,
                    "start": x["end"],
                    "end": None,
                    "reason": "",
                    "left_care": "",
                    "type": "U4" if household == x["household"] else x["type"],
                    "sent": x["end"] - dt.timedelta(days=rng.randrange(1, 10)),
                }
            )
            continue
        x["left_care"] = rng.choice(LEAVING)
        if roll < SAME_DAY_MOVE + LEFT_CARE:
            continue
        x["left_care"] = "E4B"  # returned home, not as planned; back in care after a gap
        back = x["end"] + dt.timedelta(days=rng.randrange(30, 180))
        if back >= today:
            continue
        plans.append(
            {
                **x,
                "ident": f"{x['ident']}-2",
                "household": rng.choice(households[x["provider"].pk]),
                "start": back,
                "end": None,
                "reason": "",
                "left_care": "",
                "sent": back - dt.timedelta(days=rng.randrange(1, 10)),
            }
        )


def legal_statuses_and_history(
    children: dict[str, Any],
    first: dict[str, dict[str, Any]],
    postcodes: Postcodes,
    today: dt.date,
) -> None:
    """Legal status history for each new child and, for some, care history imported from the
    LA before its first platform placement (`children` by identifier; `first` its first plan)."""
    services = {
        la_id: urn
        for la_id, urn in Organisation.objects.filter(kind=OrganisationKind.LA_SERVICE).values_list(
            "owning_la_id", "ofsted_urn"
        )
        if urn
    }
    statuses, episodes, interim = [], [], []
    for ident, child in children.items():
        x = first[ident]
        rng = random.Random(f"history:{ident}")  # noqa: S311
        roll = rng.random()
        start = x["start"]
        since = max(
            start - dt.timedelta(days=rng.randrange(150, 500)),
            child.date_of_birth + dt.timedelta(days=30),
        )
        if roll < IMPORTED_HISTORY and child.la_id in services and since < start:
            continued = rng.random() < 0.6  # moved straight to the platform placement
            ended = start if continued else max(since, start - dt.timedelta(days=20))
            episodes.append(
                CareEpisode(
                    child=child,
                    start_date=since,
                    end_date=ended,
                    new_episode_reason="S",
                    legal_status=LegalStatus.C2,
                    placement_type="U6",
                    placement_provider="PR1",
                    reason_ended="X1" if continued else "E13",
                    reason_place_change="CARPL" if continued else "",
                    home_postcode=child.home_postcode,
                    placement_postcode=postcodes.in_district(
                        (child.home_postcode or " ").split(" ")[0],
                        rng,
                        avoid=frozenset({child.home_postcode}),
                    ),
                    urn=services[child.la_id],
                    source=CareHistorySource.IMPORTED,
                )
            )
            statuses.append(
                LegalStatusChange(
                    child=child,
                    legal_status=LegalStatus.C2,
                    start_date=since,
                    source=CareHistorySource.IMPORTED,
                )
            )
            continue
        full_order = start + dt.timedelta(days=rng.randrange(40, 150))
        if roll < IMPORTED_HISTORY + INTERIM_FIRST and full_order < min(x["end"] or today, today):
            statuses.append(LegalStatusChange(child=child, legal_status="C1", start_date=start))
            interim.append(
                LegalStatusChange(child=child, legal_status=LegalStatus.C2, start_date=full_order)
            )
        else:
            statuses.append(
                LegalStatusChange(child=child, legal_status=child.legal_status, start_date=start)
            )
    LegalStatusChange.objects.bulk_create([*statuses, *interim], batch_size=2000)
    CareEpisode.objects.bulk_create(episodes, batch_size=2000)
