"""Benchmark: the nightly planning rebuild of every RCC and England, and its pages (issue 14).

    .venv/bin/python bench/planning_rebuild.py [--referrals 31000] [--requests 10] [--keep]

Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/rcc_bench) and
DJANGO_SETTINGS_MODULE (default config.settings.local, DEBUG off), like
bench/reporting_rebuild.py, whose national dataset and year of bench demand it reuses. The
national dataset must have the looked-after cohort (`seed --scale national` seeds it).

1. The nightly planning rebuild (`refresh_planning`, its own job after the dashboards): every
   RCC's planning snapshot and England's, through the task code in this process
   (services.dashboards_rebuild_now(kind="planning")), on PostgreSQL. Target: 60 s.
2. Every planning page (each section, each RCC's and England's) through Django's test client as
   an NCC analyst, `--requests` times each: p50 / p95 (target: each page's p95 200 ms) and the
   number of queries per page (target: the same for every page of a kind).

Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rcc_bench")
os.environ.setdefault("DJANGO_DEBUG", "false")

TARGET_REBUILD_S = 60.0
TARGET_PAGE_P95_MS = 200.0
COHORT_MINIMUM = 50_000  # care episodes: fewer means the cohort is not there
ANALYST = "ncc.analyst@demo.rcc.example"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--referrals", type=int, default=31_000, help="a year's referrals to add (default 31,000)"
    )
    parser.add_argument("--requests", type=int, default=10, help="requests per page (default 10)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random demand")
    parser.add_argument("--keep", action="store_true", help="keep the added referrals")
    args = parser.parse_args()
    from bench.register_search import ensure_database, percentile

    ensure_database()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from apps.accounts.models import User
    from apps.organisations.models import Organisation
    from apps.planning.build import SECTIONS
    from apps.providers.models import Household
    from apps.referrals.models import CareEpisode, Child
    from apps.reporting.choices import ReportKind, RunStatus
    from apps.reporting.services import dashboards_rebuild_now
    from bench.reporting_rebuild import NATIONAL_MINIMUM, add_demand, remove_demand

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    failures: list[str] = []
    call_command("migrate", verbosity=0)
    if Household.objects.count() < NATIONAL_MINIMUM:
        print("No national dataset: building it (seed --scale national)")
        call_command("seed", scale="national", verbosity=1)
    if CareEpisode.objects.count() < COHORT_MINIMUM:
        print("No looked-after cohort: seeding it (seed_planning_cohort, national)")
        from apps.planning.seeding import seed_planning_cohort

        seed_planning_cohort(scale="national")
    try:
        if args.referrals:
            added = add_demand(args.referrals, args.seed)
            print(f"Demand: {added:,} bench referrals with needs")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        rccs = list(Organisation.objects.rccs().order_by("name"))
        print(
            f"Dataset: {len(rccs)} RCCs, {Household.objects.count():,} households, "
            f"{Child.objects.count():,} children, {CareEpisode.objects.count():,} care episodes"
        )

        # 1. The nightly planning rebuild.
        started = time.monotonic()
        runs = dashboards_rebuild_now(kind=ReportKind.PLANNING)
        rebuild = time.monotonic() - started
        failed = [f"{r}: {r.error}" for r in runs if r.status != RunStatus.DONE]
        done = [r for r in runs if r.started_at and r.finished_at]
        slowest = max(done, key=lambda r: (r.finished_at - r.started_at).total_seconds())
        slowest_s = (slowest.finished_at - slowest.started_at).total_seconds()
        print(
            f"Nightly planning rebuild: {len(runs)} snapshots ({len(rccs)} RCCs and England) "
            f"in {rebuild:.1f} s (target {TARGET_REBUILD_S:.0f} s); slowest: "
            f"{slowest.scope_label} {slowest_s:.1f} s"
        )
        if failed:
            failures.append(f"runs failed: {failed}")
        if rebuild > TARGET_REBUILD_S:
            failures.append(f"planning rebuild took {rebuild:.1f} s")

        # 2. The planning pages (see bench/reporting_rebuild.py on freezing the heap).
        gc.collect()
        gc.freeze()
        client = Client()
        client.force_login(User.objects.get(email=ANALYST))
        urls = [(reverse("planning:national_section", args=[s]), "national") for s, _ in SECTIONS]
        urls += [
            (reverse("planning:rcc_section", args=[r.pk, s]), f"rcc {s}")
            for r in rccs
            for s, _ in SECTIONS
        ]
        times: list[float] = []
        counts: dict[str, set[int]] = {}
        slowest_pages: list[tuple[float, str]] = []
        for url, kind in urls:
            client.get(url)  # warm
            mine: list[float] = []
            for _ in range(args.requests):
                with CaptureQueriesContext(connection) as ctx:
                    t0 = time.perf_counter()
                    response = client.get(url)
                    mine.append((time.perf_counter() - t0) * 1000)
                if response.status_code != 200:
                    failures.append(f"{url} answered {response.status_code}")
                counts.setdefault(kind, set()).add(len(ctx))
            times += mine
            slowest_pages.append((percentile(mine, 95), url))
        worst = max(slowest_pages)
        print(
            f"Planning pages: {len(urls)} pages x {args.requests}: p50 "
            f"{statistics.median(times):.0f} ms, p95 {percentile(times, 95):.0f} ms (target p95 "
            f"{TARGET_PAGE_P95_MS:.0f} ms per page); slowest page {worst[1]} p95 {worst[0]:.0f} "
            f"ms; queries per page: { ({k: sorted(v) for k, v in counts.items()}) }"
        )
        if worst[0] > TARGET_PAGE_P95_MS:
            failures.append(f"planning page {worst[1]} p95 {worst[0]:.0f} ms")
        if any(len(c) != 1 for c in counts.values()):
            failures.append(f"query counts differ between pages of a kind: {counts}")
    finally:
        if not args.keep:
            remove_demand()

    if failures:
        print("MISSED: " + "; ".join(failures))
        return 1
    print("All targets met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
