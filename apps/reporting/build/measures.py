"""The report's measures for one scope (an RCC, or England): demand, supply, placements,
money, and quality and monitoring. Each section turns `Facts` into `Table`s; `headline`
gives the figures shown above the tables. Used by the RCC report and the national one."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from apps.contracts.choices import FEE_BANDS
from apps.contracts.dates import financial_year_of
from apps.contracts.models import PlacementBudget, PriceSchedule, SoftBlock
from apps.contracts.selectors import budget_figures, soft_block_utilisation
from apps.monitoring.choices import ReturnStatus
from apps.monitoring.models import MonitoringReturn, ScorecardSnapshot
from apps.monitoring.quarters import Quarter
from apps.monitoring.querysets import linked_provider_ids
from apps.monitoring.selectors import ScorecardRow
from apps.providers.choices import CARE_TYPE_CODES, CARE_TYPE_LABELS, OfstedGrade
from apps.referrals.choices import UNPLANNED_ENDINGS, ReasonEnded, Urgency

from ..periods import Period
from .facts import Facts, PlacementFact, ReferralFact
from .tables import COUNT, DAYS, MILES, MONEY, PERCENT, RATE, TEXT, Col, Table, median, money, pct

DEMAND, SUPPLY, PLACEMENTS, MONEY_SECTION, QUALITY = (
    "Demand",
    "Supply",
    "Placements",
    "Money",
    "Quality and monitoring",
)
WITHIN_MILES = 20

AGE_BANDS = (("0 to 4", 0, 4), ("5 to 10", 5, 10), ("11 to 15", 11, 15), ("16 and over", 16, 99))
ROUTES = (
    ("own", "Own LA's in-house service (PR1)"),
    ("other_la", "Another LA's service (PR2)"),
    ("ifa", "Independent fostering agency (PR4, PR5)"),
    ("other", "Other"),
)
ROUTE_OF = {"PR1": "own", "PR2": "other_la", "PR4": "ifa", "PR5": "ifa"}


def route(code: str) -> str:
    return ROUTE_OF.get(code, "other")


def age_band(age: int) -> str:
    for label, lo, hi in AGE_BANDS:
        if lo <= age <= hi:
            return label
    return AGE_BANDS[-1][0]


# --- Figures used both in one report and side by side -------------------------------------


def placement_figures(started: list[PlacementFact], ended: list[PlacementFact]) -> dict[str, Any]:
    routes = Counter(route(p.code) for p in started)
    days = [(p.start - p.referred_on).days for p in started if p.referred_on]
    miles = [p.miles for p in started if p.miles is not None]
    unplanned = sum(1 for p in ended if p.reason_ended in UNPLANNED_ENDINGS)
    return {
        "placements_started": len(started),
        "median_days_to_place": median(max(0, d) for d in days),
        "pct_own_la": pct(routes["own"], len(started)),
        "pct_other_la": pct(routes["other_la"], len(started)),
        "pct_ifa": pct(routes["ifa"], len(started)),
        "with_distance": len(miles),
        "pct_within_20_miles": pct(sum(1 for m in miles if m <= WITHIN_MILES), len(miles)),
        "median_miles": median(miles),
        "placements_ended": len(ended),
        "unplanned_endings": unplanned,
        "pct_unplanned": pct(unplanned, len(ended)),
    }


def referral_figures(referrals: list[ReferralFact]) -> dict[str, Any]:
    emergency = sum(1 for r in referrals if r.urgency == Urgency.EMERGENCY)
    return {
        "referrals": len(referrals),
        "pct_emergency": pct(emergency, len(referrals)),
    }


def supply_figures(facts: Facts, la_ids: set[int] | None = None) -> dict[str, Any]:
    households = [h for h in facts.households if la_ids is None or h.la_id in la_ids]
    vacancies = [v for v in facts.vacancies if la_ids is None or v.la_id in la_ids]
    return {
        "households": len(households),
        "places": sum(h.places for h in households),
        "open_vacancies": len(vacancies),
        "pct_households_stale": pct(sum(1 for h in households if h.stale), len(households)),
        "pct_vacancies_stale": pct(sum(1 for v in vacancies if v.stale), len(vacancies)),
    }


def headline(facts: Facts) -> dict[str, Any]:
    period = facts.period
    started, ended = facts.started_in(period), facts.ended_in(period)
    return {
        **referral_figures(facts.referrals_in(period)),
        **placement_figures(started, ended),
        **supply_figures(facts),
        "placements_running": sum(
            1
            for p in facts.placements
            if p.start <= period.end and (p.end is None or p.end >= period.start)
        ),
    }


HEADLINE_LABELS = (
    ("referrals", "Referrals to the hub", COUNT),
    ("placements_started", "Placements started", COUNT),
    ("median_days_to_place", "Median days from referral to placement", DAYS),
    ("pct_own_la", "Placed with the child's own LA", PERCENT),
    ("pct_ifa", "Placed with an IFA", PERCENT),
    ("pct_within_20_miles", "Placed within 20 miles of home", PERCENT),
    ("pct_unplanned", "Endings that were unplanned", PERCENT),
    ("open_vacancies", "Open vacancies now", COUNT),
)


# --- Demand ----------------------------------------------------------------------------------


def demand(facts: Facts) -> list[Table]:
    referrals = facts.referrals_in(facts.period)
    levels = facts.levels
    by_need = Table(
        "demand_need",
        "Referrals by need and level",
        DEMAND,
        [
            Col("domain", "Need", TEXT),
            *[Col(f"level_{r}", name) for r, name in levels],
            Col("any", "Any level"),
        ],
        note="From the needs assessment each referral carries (or the child's latest). "
        "A referral counts once in every need it has.",
        chart={
            "type": "bar",
            "label": "domain",
            "values": [f"level_{r}" for r, _ in levels],
            "stacked": True,
        },
    )
    counts: dict[tuple[str, int], int] = Counter()
    for r in referrals:
        for code, rank in r.needs.items():
            counts[(code, rank)] += 1
    for code, name in facts.domains:
        cells = [counts[(code, rank)] for rank, _ in levels]
        by_need.add(name, *cells, sum(cells))
    unassessed = sum(1 for r in referrals if not r.assessed)
    if unassessed:
        by_need.note += (
            f" {unassessed} referral{'s' if unassessed != 1 else ''} had no needs assessment."
        )

    by_age = Table(
        "demand_age_urgency",
        "Referrals by age and urgency",
        DEMAND,
        [
            Col("age", "Child's age", TEXT),
            Col("planned", "Planned"),
            Col("emergency", "Emergency"),
            Col("total", "All referrals"),
        ],
        chart={"type": "bar", "label": "age", "values": ["planned", "emergency"], "stacked": True},
    )
    ages: dict[tuple[str, str], int] = Counter((age_band(r.age), r.urgency) for r in referrals)
    for label, _lo, _hi in AGE_BANDS:
        planned, emergency = ages[(label, Urgency.PLANNED)], ages[(label, Urgency.EMERGENCY)]
        by_age.add(label, planned, emergency, planned + emergency)

    by_la = Table(
        "demand_la",
        "Referrals by local authority",
        DEMAND,
        [
            Col("la", "Local authority", TEXT),
            Col("referrals", "Referrals"),
            Col("emergency", "Emergency"),
            Col("pct_emergency", "Emergency share", PERCENT),
        ],
    )
    per_la: dict[int, list[ReferralFact]] = defaultdict(list)
    for r in referrals:
        per_la[r.la_id].append(r)
    for la_id, rows in sorted(per_la.items(), key=lambda kv: facts.las.get(kv[0], ("",))[0]):
        emergency = sum(1 for r in rows if r.urgency == Urgency.EMERGENCY)
        by_la.add(
            facts.las.get(la_id, ("Unknown",))[0], len(rows), emergency, pct(emergency, len(rows))
        )
    return [by_need, by_age, by_la]


# --- Supply ----------------------------------------------------------------------------------


def supply(facts: Facts) -> list[Table]:
    note = "The register as it stood when the report was built. Stale: not confirmed for 14 days."
    by_area = Table(
        "supply_area",
        "Households, places and open vacancies by area",
        SUPPLY,
        [
            Col("la", "Where the household lives", TEXT),
            Col("households", "Households"),
            Col("places", "Approved places"),
            Col("vacancies", "Open vacancies"),
            Col("stale_vacancies", "Stale vacancies"),
            Col("pct_stale", "Stale share", PERCENT),
        ],
        note=note,
    )
    hh_by_la: dict[int | None, list[Any]] = defaultdict(list)
    for h in facts.households:
        hh_by_la[h.la_id].append(h)
    vac_by_la: dict[int | None, list[Any]] = defaultdict(list)
    for v in facts.vacancies:
        vac_by_la[v.la_id].append(v)
    keys = sorted(
        set(hh_by_la) | set(vac_by_la), key=lambda la: facts.las.get(la, ("~",))[0] if la else "~"
    )  # type: ignore[arg-type]
    for la in keys:
        hh, vac = hh_by_la.get(la, []), vac_by_la.get(la, [])
        stale = sum(1 for v in vac if v.stale)
        name = facts.las.get(la, ("Outside England",))[0] if la else "Outside England"
        by_area.add(name, len(hh), sum(h.places for h in hh), len(vac), stale, pct(stale, len(vac)))

    by_type = Table(
        "supply_type",
        "Supply by type of care",
        SUPPLY,
        [
            Col("care_type", "Approved for", TEXT),
            Col("households", "Households"),
            Col("places", "Approved places"),
            Col("vacancies", "Open vacancies"),
        ],
        note=note + " A household approved for several types counts in each.",
        chart={"type": "bar", "label": "care_type", "values": ["places", "vacancies"]},
    )
    for code, flag in CARE_TYPE_CODES.items():
        approved = [h for h in facts.households if h.care_types & flag]
        open_places = sum(1 for v in facts.vacancies if v.care_types & flag)
        by_type.add(
            CARE_TYPE_LABELS[code], len(approved), sum(h.places for h in approved), open_places
        )

    by_provider = Table(
        "supply_provider",
        "Supply by kind of provider",
        SUPPLY,
        [
            Col("provider", "Provider", TEXT),
            Col("households", "Households"),
            Col("places", "Approved places"),
            Col("vacancies", "Open vacancies"),
            Col("pct_stale", "Stale share of vacancies", PERCENT),
        ],
        note=note,
    )
    for label, la_service in (
        ("LA fostering services", True),
        ("Independent fostering agencies", False),
    ):
        hh = [h for h in facts.households if h.la_service is la_service]
        vac = [v for v in facts.vacancies if v.la_service is la_service]
        by_provider.add(
            label,
            len(hh),
            sum(h.places for h in hh),
            len(vac),
            pct(sum(1 for v in vac if v.stale), len(vac)),
        )
    return [by_area, by_type, by_provider]


# --- Placements ------------------------------------------------------------------------------


def placements(facts: Facts) -> list[Table]:
    period = facts.period
    started, ended = facts.started_in(period), facts.ended_in(period)

    by_route = Table(
        "placed_by_provider",
        "Placements started, by who provides them",
        PLACEMENTS,
        [
            Col("route", "Provider", TEXT),
            Col("placements", "Placements"),
            Col("share", "Share", PERCENT),
        ],
        chart={"type": "doughnut", "label": "route", "values": ["placements"]},
        note="SSDA903 placement provider codes: PR1 own LA, PR2 other LA, PR4 private, "
        "PR5 voluntary.",
    )
    routes = Counter(route(p.code) for p in started)
    for key, label in ROUTES:
        if key == "other" and not routes[key]:
            continue
        by_route.add(label, routes[key], pct(routes[key], len(started)))

    timing = Table(
        "time_to_place",
        "Time from referral to placement",
        PLACEMENTS,
        [
            Col("urgency", "Urgency", TEXT),
            Col("placements", "Placements started"),
            Col("median_days", "Median days", DAYS),
            Col("within_28", "Placed within 28 days", PERCENT),
        ],
        note="Days from the referral being sent to the hub to the placement's start.",
    )
    for label, rows in (
        ("Planned", [p for p in started if p.urgency == Urgency.PLANNED]),
        ("Emergency", [p for p in started if p.urgency == Urgency.EMERGENCY]),
        ("All", started),
    ):
        days = [max(0, (p.start - p.referred_on).days) for p in rows if p.referred_on]
        timing.add(label, len(rows), median(days), pct(sum(1 for d in days if d <= 28), len(days)))

    distance = Table(
        "distance",
        "Distance from home",
        PLACEMENTS,
        [
            Col("route", "Provider", TEXT),
            Col("with_distance", "Placements with a distance"),
            Col("within", f"Within {WITHIN_MILES} miles"),
            Col("share", f"Share within {WITHIN_MILES} miles", PERCENT),
            Col("median", "Median miles", MILES),
        ],
        note="Straight line from the child's home postcode district to the household's, as the "
        "DfE measures it; placements without a home postcode are left out.",
    )
    for key, label in (*ROUTES[:3], ("all", "All providers")):
        rows = [p for p in started if key == "all" or route(p.code) == key]
        miles = [p.miles for p in rows if p.miles is not None]
        within = sum(1 for m in miles if m <= WITHIN_MILES)
        distance.add(label, len(miles), within, pct(within, len(miles)), median(miles))

    stability = Table(
        "stability",
        "Placements that ended, and how",
        PLACEMENTS,
        [
            Col("route", "Provider", TEXT),
            Col("ended", "Placements ended"),
            Col("unplanned", "Unplanned endings"),
            Col("share", "Unplanned share", PERCENT),
        ],
        note="Unplanned: ended by the carer (CARPL), an allegation (ALLEG), standards concerns "
        "(STAND), approval removed (APPRR) or at the child's request (CREQB, CREQO).",
        chart={"type": "bar", "label": "route", "values": ["ended", "unplanned"]},
    )
    for key, label in (*ROUTES[:3], ("all", "All providers")):
        rows = [p for p in ended if key == "all" or route(p.code) == key]
        unplanned = sum(1 for p in rows if p.reason_ended in UNPLANNED_ENDINGS)
        stability.add(label, len(rows), unplanned, pct(unplanned, len(rows)))

    reasons = Table(
        "endings_reason",
        "Endings by reason",
        PLACEMENTS,
        [
            Col("reason", "Reason (SSDA903)", TEXT),
            Col("kind", "Planned or unplanned", TEXT),
            Col("endings", "Endings"),
        ],
    )
    counted = Counter(p.reason_ended for p in ended)
    for code, label in ReasonEnded.choices:
        if counted[code]:
            reasons.add(
                label, "Unplanned" if code in UNPLANNED_ENDINGS else "Planned", counted[code]
            )
    return [by_route, timing, distance, stability, reasons, moves_per_child(facts)]


def moves_per_child(facts: Facts) -> Table:
    """The DfE's short-term stability measure for the children the RCC placed: how many
    placements each had during the period, from the child's whole care history."""
    table = Table(
        "child_placements",
        "Children placed, by number of placements in the period",
        PLACEMENTS,
        [
            Col("la", "Local authority", TEXT),
            Col("children", "Children"),
            Col("one", "1 placement"),
            Col("two", "2 placements"),
            Col("three", "3 or more"),
            Col("share", "Share with 3 or more", PERCENT),
        ],
        note="Children with a placement made through the platform that ran in the period. Their "
        "placements are counted from their whole care history: placements made on the platform "
        "and the care history their LA imported or recorded (as in the SSDA903 return).",
    )
    by_la: dict[int, Counter[int]] = defaultdict(Counter)
    for la_id, count in facts.placements_per_child(facts.period):
        by_la[la_id][min(count, 3)] += 1
    total: Counter[int] = Counter()
    for la_id in sorted(by_la, key=lambda la: facts.las.get(la, ("",))[0]):
        counts = by_la[la_id]
        total.update(counts)
        children = sum(counts.values())
        table.add(
            facts.las.get(la_id, ("Unknown",))[0],
            children,
            counts[1],
            counts[2],
            counts[3],
            pct(counts[3], children),
        )
    if total:
        children = sum(total.values())
        table.add("All", children, total[1], total[2], total[3], pct(total[3], children))
    return table


# --- Money -----------------------------------------------------------------------------------


def budget_table(
    facts: Facts, rcc_ids: Iterable[int] | None = None
) -> tuple[Table, dict[int, dict[str, float]]]:
    """Spend against each LA's pooled budget for the financial year the period ends in."""
    year = financial_year_of(facts.period.end)
    on = min(facts.period.end, facts.today)
    table = Table(
        "budget",
        "Spend against the pooled placement budget",
        MONEY_SECTION,
        [
            Col("la", "Local authority", TEXT),
            Col("budget", "Budget", MONEY),
            Col("actual", "Spent to date", MONEY),
            Col("committed", "Committed to 31 March", MONEY),
            Col("forecast", "Forecast", MONEY),
            Col("pct", "Forecast against budget", PERCENT),
        ],
        note=f"Financial year {year}-{(year + 1) % 100:02d}, as of {on:%-d %B %Y}: nights of care "
        "at each IPA's actual weekly cost (the agreed fee and support, or as changed since).",
        chart={"type": "bar", "label": "la", "values": ["budget", "forecast"]},
    )
    qs = PlacementBudget.objects.filter(financial_year=year).select_related("la")
    if facts.rcc_id is not None:
        qs = qs.filter(rcc_id=facts.rcc_id)
    budgets = list(qs.order_by("la__name"))
    figures = budget_figures(budgets, on=on)
    per_rcc: dict[int, dict[str, float]] = defaultdict(lambda: {"budget": 0.0, "forecast": 0.0})
    for b in budgets:
        f = figures[b.pk]
        table.add(
            b.la.name,
            money(f.amount),
            money(f.actual),
            money(f.committed),
            money(f.forecast),
            float(f.forecast_percent) if f.forecast_percent is not None else None,
        )
        per_rcc[b.rcc_id]["budget"] += float(f.amount)
        per_rcc[b.rcc_id]["forecast"] += float(f.forecast)
    return table, per_rcc


def soft_block_table(facts: Facts) -> tuple[Table, dict[int, tuple[int, int]]]:
    on = min(facts.period.end, facts.today)
    table = Table(
        "soft_blocks",
        "Soft-block utilisation",
        MONEY_SECTION,
        [
            Col("reference", "Soft block", TEXT),
            Col("provider", "Provider", TEXT),
            Col("places", "Places reserved"),
            Col("fee", "Weekly fee a place", MONEY),
            Col("utilisation", "Utilisation", PERCENT),
            Col("threshold", "Alert below", PERCENT),
            Col("below", "Under-used", TEXT),
        ],
        note=f"Days used over days reserved, from each block's start to {on:%-d %B %Y}.",
    )
    qs = SoftBlock.objects.filter(start_date__lte=on, end_date__gte=facts.period.start)
    if facts.rcc_id is not None:
        qs = qs.filter(rcc_id=facts.rcc_id)
    blocks = list(qs.select_related("provider__organisation").order_by("rcc_id", "reference"))
    use = soft_block_utilisation(blocks, on=on)
    per_rcc: dict[int, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for b in blocks:
        u = use[b.pk]
        table.add(
            b.reference,
            b.provider.organisation.name,
            b.places,
            money(b.weekly_fee),
            float(u.percent) if u.percent is not None else None,
            b.utilisation_threshold,
            "Yes" if u.below_threshold else "No",
        )
        used, reserved = per_rcc[b.rcc_id]
        per_rcc[b.rcc_id] = (used + u.days_used, reserved + u.days_reserved)
    return table, per_rcc


FEE_COLUMNS = [
    Col(f"fee_{suffix}", f"Median fee, {label}", MONEY) for suffix, _lo, _hi, label in FEE_BANDS[:4]
]


def fee_rows(facts: Facts, owner_ids: Iterable[int] | None) -> list[tuple[Any, ...]]:
    """Price schedules in force at the period's end: one row per lot with the median weekly
    fee in each age band, and the national terms version of the lot's framework."""
    on = facts.period.end
    qs = PriceSchedule.objects.filter(valid_from__lte=on).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )
    if owner_ids is not None:
        qs = qs.filter(lot__framework__owner_id__in=list(owner_ids))
    rows = qs.values_list(
        "lot_id",
        "lot__framework__owner__name",
        "lot__framework__reference",
        "lot__number",
        "lot__name",
        "lot__service_type",
        "lot__framework__terms_version__version",
        *[f"fee_{suffix}" for suffix, *_ in FEE_BANDS[:4]],
    )
    lots: dict[int, dict[str, Any]] = {}
    for lot_id, owner, ref, number, name, service, terms, *fees in rows:
        entry = lots.setdefault(
            lot_id,
            {
                "head": (owner, f"{ref} lot {number}: {name}", service, terms),
                "fees": [[] for _ in fees],
                "n": 0,
            },
        )
        entry["n"] += 1
        for i, fee in enumerate(fees):
            if fee is not None:
                entry["fees"][i].append(float(fee))
    out = []
    for entry in sorted(lots.values(), key=lambda e: (e["head"][0], e["head"][1])):
        out.append((*entry["head"], entry["n"], *[median(f) for f in entry["fees"]]))
    return out


def fees_table(facts: Facts) -> Table:
    from apps.contracts.choices import LotService

    service_labels = dict(LotService.choices)
    table = Table(
        "fees_by_lot",
        "Weekly fees by lot",
        MONEY_SECTION,
        [
            Col("owner", "Commissioned by", TEXT),
            Col("lot", "Lot", TEXT),
            Col("service", "Service", TEXT),
            Col("terms", "National terms version", TEXT),
            Col("schedules", "Price schedules"),
            *FEE_COLUMNS,
        ],
        note=f"Price schedules in force on {facts.period.end:%-d %B %Y}.",
    )
    owners = [facts.rcc_id] if facts.rcc_id is not None else None
    for owner, lot, service, terms, n, *fees in fee_rows(facts, owners):
        table.add(
            owner, lot, service_labels.get(service, service), f"v{terms}" if terms else "", n, *fees
        )
    return table


def money_section(facts: Facts) -> list[Table]:
    return [budget_table(facts)[0], soft_block_table(facts)[0], fees_table(facts)]


# --- Quality and monitoring -----------------------------------------------------------------


def scorecards(facts: Facts) -> Table:
    quarter = Quarter.of(facts.period.end)
    qs = ScorecardSnapshot.objects.filter(quarter_start__lte=quarter.start)
    qs = qs.filter(rcc_id=facts.rcc_id) if facts.rcc_id is not None else qs.filter(rcc__isnull=True)
    latest = qs.order_by("-quarter_start").values_list("quarter_start", flat=True).first()
    shown = Quarter.of(latest) if latest else quarter
    if facts.rcc_id is None:
        return _scorecards_by_grade(qs.filter(quarter_start=latest) if latest else qs.none(), shown)
    table = Table(
        "scorecards",
        "Provider scorecards (summary)",
        QUALITY,
        [
            Col("provider", "Provider", TEXT),
            Col("placements", "Placements"),
            Col("unplanned", "Unplanned endings"),
            Col("rate", "Unplanned per 100 placement-years", RATE),
            Col("offer_rate", "Offer rate", PERCENT),
            Col("feedback", "Feedback (1 to 5)", RATE),
            Col("ofsted", "Ofsted", TEXT),
            Col("fee", "Fee against lot median", PERCENT),
            Col("return", "Return", TEXT),
        ],
        note=f"{shown.label}, for "
        + ("this RCC's placements" if facts.rcc_id is not None else "England")
        + ". Feedback is shown from 5 reviews up.",
    )
    if latest:
        rows = (
            qs.filter(quarter_start=latest)
            .select_related("provider__organisation")
            .order_by("provider__organisation__name")
        )
        for s in rows:
            r = ScorecardRow(s)
            table.add(
                s.provider.organisation.name,
                s.placements,
                s.unplanned_endings,
                s.stability_rate,
                r.offer_rate,
                r.feedback_average,
                r.ofsted_label,
                s.fee_vs_median_pct,
                dict(ReturnStatus.choices).get(s.return_status, s.return_status or ""),
            )
    return table


def _scorecards_by_grade(qs: Any, shown: Quarter) -> Table:
    """England's providers summed by Ofsted grade (one row per provider would be ~465)."""
    table = Table(
        "scorecards",
        "Provider scorecards by Ofsted grade",
        QUALITY,
        [
            Col("ofsted", "Ofsted grade", TEXT),
            Col("providers", "Providers"),
            Col("placements", "Placements"),
            Col("unplanned", "Unplanned endings"),
            Col("rate", "Unplanned per 100 placement-years", RATE),
            Col("late", "Returns late"),
        ],
        note=f"{shown.label}, every provider's national scorecard.",
        chart={"type": "bar", "label": "ofsted", "values": ["rate"]},
    )
    grades: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    rows = qs.values_list(
        "ofsted_grade", "placements", "unplanned_endings", "placement_days", "return_days_late"
    )
    for grade, placed, unplanned, days, late in rows:
        g = grades[grade or ""]
        g[0] += 1
        g[1] += placed
        g[2] += unplanned
        g[3] += days
        g[4] += 1 if late is not None and late > 0 else 0
    labels = dict(OfstedGrade.choices)
    for grade in [*OfstedGrade.values, ""]:
        if grade in grades:
            n, placed, unplanned, days, late = grades[grade]
            rate = round(100 * unplanned / (days / 365.25), 1) if days else None
            table.add(labels.get(grade, "Not yet inspected"), n, placed, unplanned, rate, late)
    return table


def timeliness(facts: Facts) -> Table:
    table = Table(
        "returns_timeliness",
        "Monitoring returns: timeliness",
        QUALITY,
        [
            Col("quarter", "Quarter", TEXT),
            Col("due", "Returns due"),
            Col("on_time", "On time"),
            Col("late", "Late"),
            Col("outstanding", "Not yet in"),
            Col("accepted", "Accepted"),
            Col("pct_on_time", "On time", PERCENT),
        ],
        note="Returns whose deadline had passed by the period's end"
        + (", from the providers linked to this RCC." if facts.rcc_id is not None else "."),
        chart={
            "type": "bar",
            "label": "quarter",
            "values": ["on_time", "late", "outstanding"],
            "stacked": True,
        },
    )
    end = facts.period.end
    quarters = [q for q in Quarter.of(end).back(6) if q.due_on <= end][-4:]
    qs = MonitoringReturn.objects.filter(quarter_start__in=[q.start for q in quarters])
    if facts.rcc_id is not None:
        qs = qs.filter(linked_provider_ids(frozenset({facts.rcc_id})))
    per: dict[dt.date, Counter[str]] = defaultdict(Counter)
    for start, due_on, first, status in qs.values_list(
        "quarter_start", "due_on", "first_submitted_at", "status"
    ):
        c = per[start]
        c["due"] += 1
        if first is None:
            c["outstanding"] += 1
        elif first.date() <= due_on:
            c["on_time"] += 1
        else:
            c["late"] += 1
        c["accepted"] += 1 if status == ReturnStatus.ACCEPTED else 0
    for q in quarters:
        c = per[q.start]
        table.add(
            q.short,
            c["due"],
            c["on_time"],
            c["late"],
            c["outstanding"],
            c["accepted"],
            pct(c["on_time"], c["due"]),
        )
    return table


def quality(facts: Facts) -> list[Table]:
    return [scorecards(facts), timeliness(facts)]


SECTIONS = (DEMAND, SUPPLY, PLACEMENTS, MONEY_SECTION, QUALITY)


def period_has_activity(facts: Facts, period: Period) -> bool:
    return bool(
        facts.referrals_in(period)
        or any(
            p.start <= period.end and (p.end is None or p.end >= period.start)
            for p in facts.placements
        )
    )
