"""Planning: sourcing, per LA and RCC (England: every RCC side by side), from what the
referral journey records:

- the targets each referral was sent to (ReferralTarget: one per household the hub chose, with
  the provider and when), which say whether the first send went to LA fostering services only
  (sequential sourcing) and when LA services and IFAs had both been asked;
- the offers made on each referral (Offer);
- the reason the social worker gave for the option chosen (Referral.choice_reason, also in the
  "match_proposed" event): an in-house preference may only break a tie between options marked
  as equally meeting the child's needs (apps.referrals.services.choosing);
- time to placement: from the referral being sent to the hub to the placement's start.

Referrals are counted by the LA and RCC on the referral; one query for the referrals' times and
choices, one for their targets and one for their offers (per CHUNK referrals), whatever the
number of referrals.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Count

from apps.organisations.kinds import OrganisationKind
from apps.referrals.choices import ChoiceReason, Urgency
from apps.referrals.models import Offer, Referral, ReferralTarget
from apps.reporting.build.facts import Facts, PlacementFact
from apps.reporting.build.tables import COUNT, DAYS, PERCENT, TEXT, Col, Table, median, pct
from apps.reporting.periods import Period, rolling_year, trend_quarters

SECTION = "Sourcing"
ENGLAND = "England"
CHUNK = 5000
IN_HOUSE, OTHER_LA, IFA = "in_house", "other_la", "ifa"
LA_SERVICES = frozenset({IN_HOUSE, OTHER_LA})
# The targets of one send from the search page are written together, a moment apart; a later
# send (after the first providers answered, say) is minutes or days later.
SEND_WINDOW = dt.timedelta(minutes=1)
OFFER_BANDS = (("No offers", 0), ("1", 1), ("2", 2), ("3", 3), ("4", 4), ("5 or more", 5))
FIRST_SEND_NOTE = (
    "The first send: the targets the hub sent first (those sent within a minute of the first). "
    "LA services only: every home in it belonged to an LA fostering service (the child's own "
    "LA's, in-house, or another LA's), none to an IFA."
)
EVERY_KIND_NOTE = (
    "Both kinds asked: the time from the referral being sent to the hub until it had been sent "
    "to at least one LA fostering service's home and at least one IFA's."
)


def percentile(values: Iterable[float], q: float) -> float | None:
    """The `q`th percentile (linear between the nearest ranks), to one decimal place."""
    data = list(values)
    return round(float(np.percentile(data, q)), 1) if data else None


@dataclass
class ReferralSourcing:
    """What one referral's record says about how it was sourced."""

    la_id: int
    rcc_id: int
    sent_on: dt.date
    urgency: str
    sent_to_providers: bool = False
    first_la_only: bool = False
    first_in_house_only: bool = False
    days_to_both: float | None = None
    offers: int = 0
    choice_reason: str = ""


def _kind(kind: str, owning_la_id: int | None, child_la_id: int) -> str:
    if kind == OrganisationKind.LA_SERVICE:
        return IN_HOUSE if owning_la_id == child_la_id else OTHER_LA
    return IFA


def referral_sourcing(facts: Facts) -> list[ReferralSourcing]:
    """Each referral of the build's span with its first send, when both kinds of provider had
    been asked, its offers and the reason for the choice."""
    facts_of = {r.pk: r for r in facts.referrals}
    ids = sorted(facts_of)
    out: dict[int, ReferralSourcing] = {
        pk: ReferralSourcing(r.la_id, r.rcc_id, r.sent_on, r.urgency) for pk, r in facts_of.items()
    }
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        sent: dict[int, dt.datetime | None] = {}
        for pk, sent_at, reason in Referral.objects.filter(pk__in=chunk).values_list(
            "pk", "sent_at", "choice_reason"
        ):
            sent[pk] = sent_at
            out[pk].choice_reason = reason
        targets: dict[int, list[tuple[dt.datetime, str]]] = defaultdict(list)
        for pk, at, kind, owning_la in ReferralTarget.objects.filter(
            referral_id__in=chunk
        ).values_list(
            "referral_id",
            "sent_at",
            "provider__organisation__kind",
            "provider__organisation__owning_la_id",
        ):
            targets[pk].append((at, _kind(kind, owning_la, out[pk].la_id)))
        for pk, sent_targets in targets.items():
            _first_sends(out[pk], sent[pk], sorted(sent_targets))
        for pk, n in (
            Offer.objects.filter(referral_id__in=chunk)
            .values("referral_id")
            .annotate(n=Count("pk"))
            .values_list("referral_id", "n")
        ):
            out[pk].offers = n
    return list(out.values())


def _first_sends(
    referral: ReferralSourcing, sent_at: dt.datetime | None, targets: list[tuple[dt.datetime, str]]
) -> None:
    referral.sent_to_providers = True
    first_at = targets[0][0]
    first = {kind for at, kind in targets if at - first_at <= SEND_WINDOW}
    referral.first_la_only = first <= LA_SERVICES
    referral.first_in_house_only = first == {IN_HOUSE}
    asked: set[str] = set()
    for at, kind in targets:
        asked.add(kind)
        if IFA in asked and asked & LA_SERVICES:
            if sent_at is not None:
                referral.days_to_both = round(max(0.0, (at - sent_at).total_seconds()) / 86400, 2)
            break


def _days_to_place(placements: Iterable[PlacementFact]) -> list[int]:
    return [max(0, (p.start - p.referred_on).days) for p in placements if p.referred_on]


@dataclass
class Figures:
    """The sourcing figures of one LA, RCC or England."""

    referrals: list[ReferralSourcing] = field(default_factory=list)
    placements: list[PlacementFact] = field(default_factory=list)

    def search_cells(self) -> list[float | int | None]:
        sent = [r for r in self.referrals if r.sent_to_providers]
        la_only = sum(1 for r in sent if r.first_la_only)
        both = [r.days_to_both for r in sent if r.days_to_both is not None]
        return [
            len(self.referrals),
            len(sent),
            la_only,
            pct(la_only, len(sent)),
            sum(1 for r in sent if r.first_in_house_only),
            len(both),
            pct(len(both), len(sent)),
            median(both),
            percentile(both, 90),
        ]

    def choice_cells(self) -> list[float | int | None]:
        offers = [r.offers for r in self.referrals]
        chosen = [r for r in self.referrals if r.choice_reason]
        ties = sum(1 for r in chosen if r.choice_reason == ChoiceReason.IN_HOUSE_TIE_BREAK)
        days = _days_to_place(self.placements)
        return [
            sum(offers),
            median(offers),
            percentile(offers, 90),
            pct(sum(1 for n in offers if n == 0), len(offers)),
            len(chosen),
            ties,
            pct(ties, len(chosen)),
            len(self.placements),
            median(days),
            percentile(days, 90),
        ]


SEARCH_COLUMNS = [
    Col("referrals", "Referrals sent to the hub"),
    Col("sent", "Sent to providers"),
    Col("first_la_only", "First send to LA services only"),
    Col("pct_first_la_only", "Share first sent to LA services only", PERCENT),
    Col("first_in_house_only", "First send to in-house only"),
    Col("both", "LA services and IFAs both asked"),
    Col("pct_both", "Share with both asked", PERCENT),
    Col("median_days_both", "Median days until both asked", DAYS),
    Col("p90_days_both", "90th percentile days until both asked", DAYS),
]
CHOICE_COLUMNS = [
    Col("offers", "Offers"),
    Col("median_offers", "Median offers per referral", COUNT),
    Col("p90_offers", "90th percentile offers per referral", COUNT),
    Col("pct_no_offer", "Referrals with no offer", PERCENT),
    Col("choices", "Options chosen"),
    Col("tie_breaks", "Chosen by in-house tie-break"),
    Col("pct_tie_breaks", "Share chosen by tie-break", PERCENT),
    Col("placements", "Placements started"),
    Col("median_days_place", "Median days to placement", DAYS),
    Col("p90_days_place", "90th percentile days to placement", DAYS),
]
SEARCH_NOTE = f"{FIRST_SEND_NOTE} {EVERY_KIND_NOTE}"
CHOICE_NOTE = (
    "Offers: every offer providers made on the referrals sent in the 12 months. Chosen by "
    "in-house tie-break: the social worker chose the child's own LA's home as the in-house "
    "preference between options marked as equally meeting the child's needs (the only use "
    "of an in-house preference the platform accepts). Days to placement: from the referral "
    "being sent to the hub to the start of placements that started in the 12 months."
)


def _la_name(facts: Facts, la_id: int) -> str:
    return facts.las.get(la_id, ("Unknown",))[0]


def tables(facts: Facts) -> list[Table]:
    from .build import memo  # build imports this module

    every = memo(facts, "sourcing_referrals", lambda: referral_sourcing(facts))
    year = rolling_year(facts.today)
    referrals = [r for r in every if year.contains(r.sent_on)]
    placements = facts.started_in(year)
    national = facts.rcc_id is None
    scope_name = ENGLAND if national else next(iter(facts.rccs.values()), "This RCC")
    when = f"Referrals sent to the hub from {year.start:%-d %B %Y} to {year.end:%-d %B %Y}."

    by_la: dict[int, Figures] = defaultdict(Figures)
    by_rcc: dict[int, Figures] = defaultdict(Figures)
    for r in referrals:
        by_la[r.la_id].referrals.append(r)
        by_rcc[r.rcc_id].referrals.append(r)
    for p in placements:
        by_la[p.la_id].placements.append(p)
        by_rcc[p.rcc_id].placements.append(p)
    total = Figures(referrals, placements)

    out: list[Table] = []
    la_ids = sorted(set(facts.la_ids) | set(by_la), key=lambda la: _la_name(facts, la))
    for key, title, columns, cells, note, chart in (
        (
            "search",
            "Searching every kind of provider",
            SEARCH_COLUMNS,
            Figures.search_cells,
            SEARCH_NOTE,
            ["pct_first_la_only", "pct_both"],
        ),
        (
            "choice",
            "Offers, choices and time to placement",
            CHOICE_COLUMNS,
            Figures.choice_cells,
            CHOICE_NOTE,
            ["median_days_place", "p90_days_place"],
        ),
    ):
        if national:
            rcc_table = Table(
                f"src_{key}_rcc",
                f"{title}, every RCC side by side",
                SECTION,
                [Col("rcc", "RCC", TEXT), *columns],
                note=f"{when} {note}",
                chart={"type": "bar", "label": "rcc", "values": chart},
            )
            for rcc_id, name in facts.rccs.items():
                rcc_table.add(name, *cells(by_rcc.get(rcc_id, Figures())))
            rcc_table.add(ENGLAND, *cells(total))
            out.append(rcc_table)
        la_table = Table(
            f"src_{key}_la",
            f"{title}, by local authority",
            SECTION,
            [
                Col("la", "Local authority", TEXT),
                *([Col("rcc", "RCC", TEXT)] if national else []),
                *columns,
            ],
            note=f"{when} {note}",
            chart=None if national else {"type": "bar", "label": "la", "values": chart},
        )
        for la_id in la_ids:
            rcc = [facts.rccs.get(facts.rcc_of_la.get(la_id, 0), "")] if national else []
            la_table.add(_la_name(facts, la_id), *rcc, *cells(by_la.get(la_id, Figures())))
        la_table.add(scope_name, *([""] if national else []), *cells(total))
        out.append(la_table)

    out.append(_time_to_place(placements, when))
    out.append(_offers(referrals, when))
    out.append(_trend(facts, every))
    return out


def _time_to_place(placements: list[PlacementFact], when: str) -> Table:
    table = Table(
        "src_time_to_place",
        "Time from referral to placement",
        SECTION,
        [
            Col("urgency", "Urgency", TEXT),
            Col("placements", "Placements started"),
            Col("median_days", "Median days", DAYS),
            Col("p90_days", "90th percentile days", DAYS),
            Col("within_28", "Placed within 28 days", PERCENT),
        ],
        note="Days from the referral being sent to the hub to the placement's start, for "
        "placements that started in the 12 months.",
        chart={"type": "bar", "label": "urgency", "values": ["median_days", "p90_days"]},
    )
    for label, rows in (
        ("Planned", [p for p in placements if p.urgency == Urgency.PLANNED]),
        ("Emergency", [p for p in placements if p.urgency == Urgency.EMERGENCY]),
        ("All", placements),
    ):
        days = _days_to_place(rows)
        table.add(
            label,
            len(rows),
            median(days),
            percentile(days, 90),
            pct(sum(1 for d in days if d <= 28), len(days)),
        )
    return table


def _offers(referrals: list[ReferralSourcing], when: str) -> Table:
    table = Table(
        "src_offers",
        "Referrals by the number of offers made",
        SECTION,
        [
            Col("offers", "Offers made", TEXT),
            Col("referrals", "Referrals"),
            Col("share", "Share", PERCENT),
        ],
        note=when,
        chart={"type": "bar", "label": "offers", "values": ["referrals"]},
    )
    counts = Counter(min(r.offers, OFFER_BANDS[-1][1]) for r in referrals)
    for label, band in OFFER_BANDS:
        table.add(label, counts[band], pct(counts[band], len(referrals)))
    return table


def _trend(facts: Facts, referrals: list[ReferralSourcing]) -> Table:
    table = Table(
        "src_trend",
        "Sourcing by quarter",
        SECTION,
        [
            Col("quarter", "Quarter", TEXT),
            Col("referrals", "Referrals sent to the hub"),
            Col("pct_first_la_only", "First sent to LA services only", PERCENT),
            Col("pct_both", "LA services and IFAs both asked", PERCENT),
            Col("pct_tie_breaks", "Chosen by in-house tie-break", PERCENT),
            Col("median_days_place", "Median days to placement", DAYS),
        ],
        note="Financial-year quarters of the two years to the build (the latest to date), "
        "by when the referral was sent (placements: by when they started). " + FIRST_SEND_NOTE,
        chart={"type": "line", "label": "quarter", "values": ["pct_first_la_only", "pct_both"]},
    )
    for quarter in trend_quarters(facts.today):
        if quarter.start < facts.period.start:
            continue
        period = Period(quarter.start, min(quarter.end, facts.today))
        rows = [r for r in referrals if period.contains(r.sent_on)]
        sent = [r for r in rows if r.sent_to_providers]
        chosen = [r for r in rows if r.choice_reason]
        ties = sum(1 for r in chosen if r.choice_reason == ChoiceReason.IN_HOUSE_TIE_BREAK)
        table.add(
            quarter.short + (" (to date)" if quarter.end > facts.today else ""),
            len(rows),
            pct(sum(1 for r in sent if r.first_la_only), len(sent)),
            pct(sum(1 for r in sent if r.days_to_both is not None), len(sent)),
            pct(ties, len(chosen)),
            median(_days_to_place(facts.started_in(period))),
        )
    return table
