"""Benchmark: the simulated year of matching over the national register (issue 14, capability 5).

    .venv/bin/python bench/simulate_year.py [--seeds 1 2 3] [--markdown] [--repeat N]

Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/rcc_bench) and
DJANGO_SETTINGS_MODULE (default config.settings.local, DEBUG off). Reads only: the register and
the looked-after cohort must be there already (`seed --scale national` and the cohort seed);
nothing is written, not even a simulation run.

For England, the register and cohort are read once (timed), then each seed's year is simulated
under all three policies (sequential in-house first, needs-first, needs-first with weekly batch
assignment), each timed. A national run is what `simulate_year --policy all` does: the reading
plus the three policies. Target: each national run (all three policies) in 5 minutes.

Prints each seed's comparison and, with `--markdown`, the table for docs/planning-simulation.md.
`--repeat N` is for timing only, where the cohort is not seeded: each child arrives N times, on
days drawn for the seed (the figures then say nothing about the policies).
Exits 1 when a target is missed, when there is no national register to simulate over, or when
the cohort is missing (fewer arrivals than a national year).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rcc_bench")
os.environ.setdefault("DJANGO_DEBUG", "false")

TARGET_RUN_S = 300.0  # a national run of all three policies
NATIONAL_MINIMUM = 40_000  # households: fewer means the national register is not there
COHORT_MINIMUM = 10_000  # arrivals: fewer means the looked-after cohort has not been seeded


def markdown(results_by_seed: dict[int, dict[str, Any]], inputs: dict[str, Any]) -> str:
    """One table: a row per measure, a column per policy, each cell the seeds' figures in
    order ("seed 1 / seed 2 / seed 3")."""
    from apps.planning.simulation import POLICIES, POLICY_LABELS
    from apps.planning.simulation_tables import measures
    from apps.reporting.templatetags.reporting_tags import cell_text

    cols = measures(inputs.get("assumptions"))
    seeds = sorted(results_by_seed)
    head = [f"Measure (seeds {', '.join(str(s) for s in seeds)})"]
    head += [POLICY_LABELS[p] for p in POLICIES]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * len(POLICIES)]
    for c in cols:
        cells = [
            " / ".join(
                cell_text(results_by_seed[s][p]["summary"].get(c.key), c.type) for s in seeds
            )
            for p in POLICIES
        ]
        lines.append("| " + " | ".join([c.label, *cells]) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--markdown", action="store_true", help="print the table for docs/")
    parser.add_argument(
        "--repeat", type=int, default=1, help="timing only: each child arrives this many times"
    )
    args = parser.parse_args()

    import django

    django.setup()
    import dataclasses

    from apps.planning.simulation import POLICIES, simulate_year
    from apps.planning.simulation_load import load_input
    from apps.planning.simulation_tables import as_text
    from apps.providers.models import Household

    failures: list[str] = []
    households = Household.objects.count()
    if households < NATIONAL_MINIMUM:
        print(f"No national register here ({households:,} households): seed --scale national.")
        return 1
    started = time.monotonic()
    data = load_input(rcc_id=None)
    load_s = time.monotonic() - started
    if args.repeat > 1:
        data.people = [
            dataclasses.replace(p, key=f"{p.key}#{k}", entered=None)
            for k in range(args.repeat)
            for p in data.people
        ]
        data.entries = False
    facts = data.describe()
    if args.repeat > 1:
        facts["arrivals"] = "draws (--repeat: timing only)"
    year = f", the year from {facts['year_from']}" if facts["year_from"] else ""
    print(
        f"Read in {load_s:.1f} s: {facts['homes']:,} homes, {facts['places']:,} approved places "
        f"({facts['places_open']:,} open, {facts['places_occupied']:,} filled, "
        f"{facts['places_on_hold']:,} on hold); {facts['children']:,} children arriving "
        f"({facts['arrivals']}{year}), {facts['children_with_needs']:,} with assessed needs; "
        f"{facts['lengths']:,} "
        f"placement lengths ({facts['lengths_source']}, median {facts['median_length_days']:.0f} "
        f"days); {facts['statements']:,} referrals' statements"
    )
    if facts["children"] < COHORT_MINIMUM or args.repeat > 1:
        print(
            f"Only {facts['children']:,} arrivals: the looked-after cohort is not seeded here, "
            "so this is not the national year."
        )
        failures.append("cohort missing")
    inputs = facts

    by_seed: dict[int, dict[str, Any]] = {}
    for seed in args.seeds:
        started = time.monotonic()
        results = simulate_year(data, POLICIES, seed)
        run_s = load_s + time.monotonic() - started
        by_seed[seed] = results
        times = ", ".join(f"{p} {results[p]['seconds']:.1f} s" for p in POLICIES)
        print(f"\nSeed {seed}: national run {run_s:.1f} s (reading {load_s:.1f} s; {times})")
        print(as_text(results, list(POLICIES), inputs))
        if run_s > TARGET_RUN_S:
            failures.append(f"seed {seed}: {run_s:.0f} s > {TARGET_RUN_S:.0f} s")
    if args.markdown:
        print()
        print(markdown(by_seed, inputs))
    if failures:
        print("\nMISSED: " + "; ".join(failures))
        return 1
    print(f"\nEvery national run of all three policies within {TARGET_RUN_S:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
