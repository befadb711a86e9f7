"""Benchmark: commissioning on the national dataset (issue 6).

    .venv/bin/python bench/contracts_bench.py [--calls 500] [--pages 30]

Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/rcc_contracts_bench) and
DJANGO_SETTINGS_MODULE (default config.settings.local, DEBUG off). Creates and migrates the
database if needed and builds the national dataset (`seed --scale national`, timed) when it is
not there. Then it measures:

1. seeding commissioning for every RCC (`seed_contracts`), timed inside a transaction that is
   rolled back, so the database is left as it was;
2. `scheduled_fee_for` for random providers, ages and care types: p50 / p95 per call;
3. the beat job `contract_alerts_raise` over every framework and soft block;
4. pages through Django's test client, p50 / p95 and the number of queries: the fee comparison
   (NCC, one lot type across all RCCs), the budgets list (NCC, every LA), the soft blocks list,
   the commissioning overview and the commissioner's home page.

It prints a table and exits 1 when a target is missed: scheduled fee p95 <= 20 ms; pages
p95 <= 500 ms; seed_contracts <= 60 s; alerts job <= 30 s.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rcc_contracts_bench")
os.environ.setdefault("DJANGO_DEBUG", "false")

TARGETS = {"fee_p95_ms": 20.0, "page_p95_ms": 500.0, "seed_s": 60.0, "alerts_s": 30.0}


def _ensure_database() -> None:
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return statistics.median(ordered), p95


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=500, help="scheduled_fee_for calls")
    parser.add_argument("--pages", type=int, default=30, help="requests per page")
    args = parser.parse_args()
    if args.calls < 1 or args.pages < 1:
        parser.error("--calls and --pages must be at least 1")

    _ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from apps.accounts.models import User
    from apps.contracts.models import Framework, PriceSchedule
    from apps.contracts.seeding import seed_contracts
    from apps.contracts.selectors import scheduled_fee_for
    from apps.contracts.services import contract_alerts_raise
    from apps.providers.models import Household

    rows: list[tuple[str, str, str]] = []
    failures: list[str] = []
    call_command("migrate", verbosity=0)
    if Household.objects.count() < 30_000:
        started = time.monotonic()
        call_command("seed", scale="national", verbosity=0)
        rows.append(("seed --scale national (once)", f"{time.monotonic() - started:.1f} s", ""))

    # 1. seed_contracts on its own, rolled back.
    with transaction.atomic():
        from apps.contracts import models as m

        for model in (
            m.ContractAlert,
            m.MeetingAction,
            m.PartnershipMeeting,
            m.DisputeStep,
            m.Dispute,
            m.AccountManager,
            m.SupportPrice,
            m.PriceSchedule,
            m.SoftBlock,
            m.Enrolment,
            m.SpecialistServiceNeed,
            m.SpecialistService,
            m.Lot,
            m.Framework,
            m.PlacementBudget,
            m.InHouseCost,
        ):
            model.objects.all().delete()
        started = time.monotonic()
        summary = seed_contracts(scale="national")
        seed_s = time.monotonic() - started
        transaction.set_rollback(True)
    rows.append(
        (
            "seed_contracts (national)",
            f"{seed_s:.1f} s",
            "; ".join(summary.lines()).replace("  ", " "),
        )
    )
    if seed_s > TARGETS["seed_s"]:
        failures.append("seed_contracts")

    # 2. scheduled_fee_for.
    rng = random.Random(1)
    providers = list(
        PriceSchedule.objects.order_by().values_list("provider_id", flat=True).distinct()
    )
    today = timezone.localdate()
    samples = []
    for _ in range(args.calls):
        provider = rng.choice(providers)
        started = time.perf_counter()
        scheduled_fee_for(
            provider=provider,
            child_age=rng.randint(0, 17),
            care_types=rng.choice([None, ["therapeutic"]]),
            on=today,
        )
        samples.append((time.perf_counter() - started) * 1000)
    p50, p95 = _percentiles(samples)
    rows.append(
        (
            "scheduled_fee_for",
            f"p50 {p50:.1f} ms, p95 {p95:.1f} ms",
            f"{args.calls} calls, {len(providers)} providers",
        )
    )
    if p95 > TARGETS["fee_p95_ms"]:
        failures.append("scheduled_fee_for")

    # 3. the alerts job (rolled back so it can be measured again).
    with transaction.atomic():
        from apps.contracts.models import ContractAlert

        ContractAlert.objects.all().delete()
        started = time.monotonic()
        raised = contract_alerts_raise(on=today)
        alerts_s = time.monotonic() - started
        transaction.set_rollback(True)
    rows.append(
        (
            "contract_alerts_raise",
            f"{alerts_s:.2f} s",
            f"{raised} alerts, {Framework.objects.count()} frameworks",
        )
    )
    if alerts_s > TARGETS["alerts_s"]:
        failures.append("alerts")

    # 4. pages.
    ncc = User.objects.get(email="ncc.analyst@demo.rcc.example")
    commissioner = User.objects.get(email="commissioner@demo.rcc.example")
    pages = [
        (
            "fee comparison (NCC, standard lots)",
            ncc,
            reverse("contracts:fees"),
            {"service_type": "standard", "band": "fee_11_15"},
        ),
        ("budgets (NCC, every LA)", ncc, reverse("contracts:budgets"), {}),
        ("soft blocks (NCC)", ncc, reverse("contracts:soft_blocks"), {}),
        ("commissioning overview (GM commissioner)", commissioner, reverse("contracts:index"), {}),
        ("home page (GM commissioner)", commissioner, "/", {}),
        ("home page (NCC)", ncc, "/", {}),
    ]
    for label, user, url, params in pages:
        client = Client()
        client.force_login(user)
        client.get(url, params)  # warm up
        timings, queries = [], set()
        for _ in range(args.pages):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url, params)
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (label, response.status_code)
            queries.add(len(ctx.captured_queries))
        p50, p95 = _percentiles(timings)
        rows.append((label, f"p50 {p50:.0f} ms, p95 {p95:.0f} ms", f"{sorted(queries)} queries"))
        if p95 > TARGETS["page_p95_ms"]:
            failures.append(label)

    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)}  result                       detail")
    for name, result, detail in rows:
        print(f"{name.ljust(width)}  {result.ljust(28)} {detail}")
    if failures:
        print(f"Targets missed: {', '.join(failures)}", file=sys.stderr)
        return 1
    print("All targets met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
