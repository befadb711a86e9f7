"""Reading what the simulated year needs, once and in bulk: the register as it stands, the
RCCs' matching weights, prices, and the looked-after cohort the arrivals are drawn from.

A fixed number of queries whatever the size of the data (none per child, home or day); rows
are ordered by natural keys (names, references, dates), never by database ids alone, so the
same data gives the same simulation in any database. Reads only: the simulation works on this
copy and never writes to the register (docs/planning-simulation.md).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from apps.contracts.models import InHouseCost
from apps.contracts.selectors import PriceBook
from apps.core.errors import DomainError
from apps.needs.models import NeedLevel
from apps.organisations.models import Organisation, RccMembership
from apps.providers.choices import HouseholdStatus, VacancyStatus
from apps.providers.models import Household, Vacancy
from apps.referrals.choices import (
    PetsOk,
    PlacementType,
    ReferralStatus,
    RiskLevel,
    Urgency,
)
from apps.referrals.matching import Area, Need, stability_for
from apps.referrals.matching.register import attach_details, load_register
from apps.referrals.models import (
    CareEpisode,
    Child,
    MatchingWeights,
    NeedsAssessment,
    NeedsAssessmentItem,
    Offer,
    Placement,
    Referral,
)

from .simulation_input import Assumptions, Person, Pricing, SimulationInput, Statement

# Placements with foster carers other than relatives or friends: what the register's homes are.
FOSTERING = (PlacementType.U4, PlacementType.U5, PlacementType.U6)
STARTED = "S"  # SSDA903 RNE: started to be looked after
SAME_CARERS = frozenset({"L", "P", "B"})  # RNE: a new episode with the same carers
CHUNK = 5000  # ids per query where a list of ids is read

Step = Callable[[str], None]


def load_input(
    *,
    rcc_id: int | None,
    start: dt.date | None = None,
    assumptions: Assumptions | None = None,
    step: Step | None = None,
) -> SimulationInput:
    """Everything the simulation reads, for an RCC's children (`rcc_id`) or England's (None).
    The homes are every active household in England, whichever children are simulated."""
    start = start or timezone.localdate()
    assumptions = assumptions or Assumptions()
    say = step or (lambda _text: None)

    say("Reading the register")
    homes = load_register()
    attach_details(homes, None)
    area = Area(homes, stability_for(None, start), detailed=True)
    places, held = _places(homes)

    say("Reading the cohort")
    rcc_of_la = dict(RccMembership.objects.current(start).values_list("la_id", "rcc_id"))
    la_ids = sorted(la for la, rcc in rcc_of_la.items() if rcc_id is None or rcc == rcc_id)
    levels = dict(NeedLevel.objects.values_list("rank", "name"))
    people, entries, year_from = _cohort(la_ids, rcc_of_la, levels, start, assumptions)
    lengths, lengths_source = _lengths()

    say("Reading prices")
    pricing = Pricing(PriceBook(), _in_house_costs(), _offered_fees())
    rcc_names = dict(Organisation.objects.rccs().values_list("pk", "name"))
    weights = {w.rcc_id: w for w in MatchingWeights.objects.all()}
    return SimulationInput(
        start=start,
        area=area,
        places=places,
        held=held,
        weights=weights,
        pricing=pricing,
        people=people,
        entries=entries,
        lengths=lengths,
        lengths_source=lengths_source,
        statements=_statements(),
        rcc_names=rcc_names,
        level_names=levels,
        rcc_id=rcc_id,
        assumptions=assumptions,
        entries_from=year_from,
    )


def _places(homes: list[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Approved places and places on hold of each home (in the homes' order)."""
    active = Household.objects.filter(status=HouseholdStatus.ACTIVE)
    approved = dict(active.values_list("pk", "places"))
    on_hold = dict(
        Vacancy.objects.filter(status=VacancyStatus.ON_HOLD, household__in=active.values("pk"))
        .values("household_id")
        .annotate(n=Count("pk"))
        .values_list("household_id", "n")
    )
    places = np.fromiter((approved[h.id] for h in homes), np.int64, len(homes))
    held = np.fromiter((on_hold.get(h.id, 0) for h in homes), np.int64, len(homes))
    return places, held


CHILD_FIELDS = (
    "pk",
    "la_id",
    "la__dfe_la_code",
    "local_identifier",
    "date_of_birth",
    "home_postcode_district_id",
    "home_postcode_district__latitude",
    "home_postcode_district__longitude",
    "la__latitude",
    "la__longitude",
    "languages",
    "religion",
    "ethnicity",
)


def _cohort(
    la_ids: list[int],
    rcc_of_la: dict[int, int],
    levels: dict[int, str],
    start: dt.date,
    assumptions: Assumptions,
) -> tuple[list[Person], bool, dt.date | None]:
    """The arrivals: the cohort's entries into foster care (an S episode with a U4-U6
    placement) in the latest year of records up to `start` (the same year for every scope),
    else each child of the cohort once, on a day to be drawn. Only the arriving children are
    read, with their latest needs."""
    started = CareEpisode.objects.filter(new_episode_reason=STARTED, placement_type__in=FOSTERING)
    last = started.filter(start_date__lte=start).aggregate(last=Max("start_date"))["last"]
    if last is not None:
        year_from = last - dt.timedelta(days=assumptions.year_days - 1)
        in_year = started.filter(
            child__la_id__in=la_ids, start_date__gte=year_from, start_date__lte=last
        )
        entries = list(in_year.order_by("start_date").values_list("child_id", "start_date"))
        if entries:
            children = Child.objects.filter(pk__in=in_year.values("child_id"))
            known = {row[0]: row for row in children.values_list(*CHILD_FIELDS)}
            needs = _needs(children, levels)
            people = [
                person
                for child_id, entered in entries
                if (person := _person(known[child_id], entered, rcc_of_la, needs)) is not None
            ]
            return people, True, year_from
    children = Child.objects.filter(la_id__in=la_ids)
    needs = _needs(children, levels)
    people = [
        person
        for row in children.values_list(*CHILD_FIELDS)
        if (person := _person(row, None, rcc_of_la, needs)) is not None
    ]
    return people, False, None


def _person(
    row: tuple[Any, ...],
    entered: dt.date | None,
    rcc_of_la: dict[int, int],
    needs: dict[int, tuple[Need, ...]],
) -> Person | None:
    (pk, la_id, code, local, born, district, lat, lng, la_lat, la_lng, languages, religion, eth) = (
        row
    )
    if lat is not None and lng is not None:
        centre, label = (lat, lng), district
    elif la_lat is not None and la_lng is not None:
        centre, label = (la_lat, la_lng), f"LA {code} (centre)"
    else:
        return None  # nowhere to search from
    return Person(
        key=f"{code}:{local}:{entered or ''}",
        la_id=la_id,
        rcc_id=rcc_of_la[la_id],
        born=born,
        entered=entered,
        centre=(float(centre[0]), float(centre[1])),
        centre_label=label,
        needs=needs.get(pk, ()),
        languages=frozenset(languages or ()),
        religion=religion or "",
        ethnicity=eth or "",
    )


def _needs(children: QuerySet[Child], levels: dict[int, str]) -> dict[int, tuple[Need, ...]]:
    """Each child's needs in their latest assessment, at a level above none, highest first."""
    latest: dict[int, tuple[int, int]] = {}
    for child_id, pk, version in NeedsAssessment.objects.filter(child__in=children).values_list(
        "child_id", "pk", "version"
    ):
        if child_id not in latest or version > latest[child_id][0]:
            latest[child_id] = (version, pk)
    child_of = {pk: child_id for child_id, (_, pk) in latest.items()}
    found: dict[int, list[Need]] = defaultdict(list)
    ids = sorted(child_of)
    for i in range(0, len(ids), CHUNK):
        items = NeedsAssessmentItem.objects.filter(
            assessment_id__in=ids[i : i + CHUNK], level__rank__gt=0
        ).values_list("assessment_id", "domain_id", "domain__name", "level__rank")
        for assessment_id, domain_id, name, rank in items:
            need = Need(domain_id, name, rank, levels.get(rank, str(rank)))
            found[child_of[assessment_id]].append(need)
    return {
        child_id: tuple(sorted(needs, key=lambda n: (-n.rank, n.domain)))
        for child_id, needs in found.items()
    }


def _lengths() -> tuple[np.ndarray, str]:
    """Placement lengths in days to draw from: the cohort's ended stays with foster carers
    (`stay_lengths`), else the platform's ended placements."""
    rows = CareEpisode.objects.order_by("child_id", "start_date").values_list(
        "child_id", "start_date", "end_date", "new_episode_reason", "placement_type"
    )
    days = stay_lengths(rows)
    if days:
        return np.array(days, dtype=np.int64), "ended stays with foster carers (U4 to U6)"
    placements = Placement.objects.filter(end_date__isnull=False)
    days = sorted(
        (end - begun).days
        for begun, end in placements.values_list("start_date", "end_date")
        if end is not None and end > begun
    )
    if days:
        return np.array(days, dtype=np.int64), "ended placements on the platform"
    raise DomainError(
        "There are no ended fostering episodes or placements to draw placement lengths from: "
        "import the LAs' care history (SSDA903) first."
    )


def stay_lengths(
    episodes: Iterable[tuple[int, dt.date, dt.date | None, str, str]],
) -> list[int]:
    """The lengths in days of the ended stays with the same foster carers (U4 to U6), from
    episodes (child, start, end, RNE, PLACE) in order of child and start. A stay starts with a
    new carer (RNE S, T or U) and goes on through the episodes that follow it on the day it
    ends with the same carers (L, P, B): a change of legal status or of placement with the
    same carers does not free the carers' place. Sorted, for a fixed order."""
    out: list[int] = []
    stay: list[Any] | None = None  # [child, start, end, fostering]

    def close() -> None:
        if stay is not None and stay[3] and stay[2] is not None and stay[2] > stay[1]:
            out.append((stay[2] - stay[1]).days)

    for child, begun, ended, rne, place in episodes:
        same_carers = rne in SAME_CARERS
        if stay is not None and child == stay[0] and same_carers and begun == stay[2]:
            stay[2] = ended
            continue
        close()
        stay = [child, begun, ended, place in FOSTERING]
    close()
    return sorted(out)


def _statements() -> list[Statement]:
    """What the platform's sent referrals state beyond the cohort's records, in a fixed order."""
    high = RiskLevel.HIGH
    rows = Referral.objects.exclude(status=ReferralStatus.DRAFT).values_list(
        "live_alongside",
        "harm_physical",
        "harm_sexual",
        "harm_animals",
        "pets_ok",
        "min_adults",
        "urgency",
        "stay_close_to_family",
    )
    out = [
        Statement(
            live_alongside=alongside or "",
            risk_to_younger=high in (physical, sexual),
            harm_animals=animals == high,
            no_pets=pets == PetsOk.NO,
            min_adults=int(adults or 0),
            emergency=urgency == Urgency.EMERGENCY,
            stay_close=bool(close),
        )
        for alongside, physical, sexual, animals, pets, adults, urgency, close in rows
    ]
    return sorted(out, key=lambda s: tuple(str(v) for v in vars(s).values()))


def _in_house_costs() -> dict[int, dict[int, float]]:
    out: dict[int, dict[int, float]] = defaultdict(dict)
    rows = InHouseCost.objects.values_list(
        "service_id", "financial_year", "allowance", "carer_fees", "support", "overheads"
    )
    for service_id, year, *parts in rows:
        out[service_id][year] = float(sum(parts))
    return dict(out)


def _offered_fees() -> dict[int, float]:
    """The median weekly fee each provider has offered on the platform (a spot price)."""
    fees: dict[int, list[float]] = defaultdict(list)
    for provider_id, fee in Offer.objects.values_list("household__provider_id", "weekly_fee"):
        fees[provider_id].append(float(fee))
    return {p: round(float(statistics.median(f)), 2) for p, f in fees.items()}
