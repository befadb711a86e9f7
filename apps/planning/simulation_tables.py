"""A simulated year's results as tables: the comparison of the policies (with its chart), each
RCC's children under each policy, and every row together for the CSV; and as text for the
management command. Built from the run's stored results, never from live data."""

from __future__ import annotations

from typing import Any

import tablib

from apps.reporting.build.tables import COUNT, DAYS, MILES, MONEY, PERCENT, TEXT, Col, Table
from apps.reporting.templatetags.reporting_tags import cell_text

from .simulation import POLICY_LABELS
from .simulation_input import Assumptions

SECTION = "Simulated year"


def measures(assumptions: dict[str, Any] | None = None) -> list[Col]:
    """The measures of issue 14, in the order of the tables."""
    a = {**Assumptions().as_dict(), **(assumptions or {})}
    weeks = round(a["max_wait_days"] / 7)
    return [
        Col("children", "Children arriving", COUNT),
        Col("placed", "Placed", COUNT),
        Col("not_placed", f"Not placed within {weeks} weeks", COUNT),
        Col("needs_met_percent", "Needs met at their level", PERCENT),
        Col("median_miles", "Median miles from home", MILES),
        Col("p90_miles", "90th percentile miles from home", MILES),
        Col("within_near_percent", f"Placed within {a['near_miles']:g} miles", PERCENT),
        Col("weekly_cost_mean", "Average weekly cost", MONEY),
        Col("weekly_cost_total", "Weekly cost of the placements made", MONEY),
        Col("days_mean", "Average days to placement", DAYS),
        Col("days_p90", "90th percentile days to placement", DAYS),
        Col("in_house_percent", "Placed in-house", PERCENT),
        Col("ifa_percent", "Placed with an IFA", PERCENT),
    ]


def _cells(summary: dict[str, Any], cols: list[Col]) -> list[Any]:
    return [summary.get(c.key) for c in cols]


def run_tables(
    results: dict[str, Any],
    policies: list[str],
    inputs: dict[str, Any],
    *,
    scope: str,
    national: bool,
) -> dict[str, Table]:
    """The run's tables by key: "sim_comparison", "sim_by_rcc" (England's run only) and
    "sim_results" (every row, for the CSV)."""
    cols = measures(inputs.get("assumptions"))
    done = [p for p in policies if p in results]
    comparison = Table(
        "sim_comparison",
        f"{scope}: the year under each policy",
        SECTION,
        [Col("policy", "Policy", TEXT), *cols],
        note="Needs met: the share of the children's assessed needs that the home chosen meets "
        "at their level. Distances are straight lines from the child's home postcode district. "
        "Days to placement count the waits a policy adds (a week for each further round, the "
        "days to the weekly batch), not the time every search takes.",
        chart={
            "type": "bar",
            "label": "policy",
            "values": ["needs_met_percent", "within_near_percent", "in_house_percent"],
        },
    )
    for policy in done:
        comparison.add(POLICY_LABELS[policy], *_cells(results[policy]["summary"], cols))
    tables = {"sim_comparison": comparison}

    everything = Table(
        "sim_results",
        f"{scope}: every figure of the simulated year",
        SECTION,
        [Col("scope", "For", TEXT), Col("policy", "Policy", TEXT), *cols],
    )
    for policy in done:
        everything.add(scope, POLICY_LABELS[policy], *_cells(results[policy]["summary"], cols))
    if national:
        by_rcc = Table(
            "sim_by_rcc",
            "Each RCC's children under each policy",
            SECTION,
            [Col("rcc", "RCC", TEXT), Col("policy", "Policy", TEXT), *cols],
            note="Homes anywhere in England may take any RCC's children; each RCC's row counts "
            "the children of its LAs.",
        )
        rows = sorted(
            (row["rcc"], policy, row) for policy in done for row in results[policy]["by_rcc"]
        )
        for rcc, policy, row in rows:
            by_rcc.add(rcc, POLICY_LABELS[policy], *_cells(row, cols))
            everything.add(rcc, POLICY_LABELS[policy], *_cells(row, cols))
        tables["sim_by_rcc"] = by_rcc
    tables["sim_results"] = everything
    return tables


def as_text(results: dict[str, Any], policies: list[str], inputs: dict[str, Any]) -> str:
    """The comparison as a fixed-width table, a measure a line and a policy a column."""
    cols = measures(inputs.get("assumptions"))
    done = [p for p in policies if p in results]
    head = ["", *done]
    lines = [
        [c.label, *[cell_text(results[p]["summary"].get(c.key), c.type) for p in done]]
        for c in cols
    ]
    lines.append(["Seconds", *[str(results[p].get("seconds", "")) for p in done]])
    widths = [max(len(row[i]) for row in [head, *lines]) for i in range(len(head))]
    out = []
    for row in [head, *lines]:
        first, *rest = row
        cells = (v.rjust(w) for v, w in zip(rest, widths[1:], strict=True))
        out.append(first.ljust(widths[0]) + "  " + "  ".join(cells))
    return "\n".join(out)


def table_dataset(table: dict[str, Any]) -> tablib.Dataset:
    """A stored table (`Table.as_dict()`) as a dataset to export (CSV or XLSX)."""
    data = tablib.Dataset(headers=[c["label"] for c in table["columns"]], title=table["title"][:31])
    for row in table["rows"]:
        data.append(["" if v is None else v for v in row])
    return data
