"""Benchmark: the national return and the scorecard (issue 7's performance targets).

    .venv/bin/python bench/monitoring_return.py [--requests 200] [--rows 10000] [--errors 1000]

Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/rcc_bench) and
DJANGO_SETTINGS_MODULE (default config.settings.local, DEBUG off). Creates and migrates the
database if needed; builds the national dataset with `seed --scale national` when it is not
there, or only the monitoring seed when the register is there without it (both timed). Then:

1. a return file with `--rows` placement rows (CSV and XLSX) is validated and stored through
   the service the upload page and the API call (target: 5 s each);
2. the same file with `--errors` broken rows: every error reported (target: 5 s);
3. the scorecard page, through Django's test client, for random providers as a commissioner,
   a provider's data officer and an NCC analyst: p50 / p95 (target p95: 200 ms) and the
   number of queries per page (target: the same for every page).

Submissions are rolled back: the benchmark leaves the database as it found it.
Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rcc_bench")
os.environ.setdefault("DJANGO_DEBUG", "false")

TARGET_FILE_S = 5.0
TARGET_ERRORS_S = 5.0
TARGET_PAGE_P95_MS = 200.0
NATIONAL_MINIMUM = 40_000  # households: fewer means the national dataset is not there


def _bench_helpers() -> tuple[Any, Any]:
    """The register benchmark's database helper and percentile (reused), or local copies."""
    try:
        from bench.register_search import ensure_database, percentile

        return ensure_database, percentile
    except ImportError:  # pragma: no cover - the register benchmark is not there

        def ensure_database() -> None:
            pass

        def percentile(values: list[float], p: float) -> float:
            ordered = sorted(values)
            k = (len(ordered) - 1) * p / 100
            lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
            return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)

        return ensure_database, percentile


class Rollback(Exception):
    pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--requests", type=int, default=200, help="scorecard pages to time (default 200)"
    )
    parser.add_argument(
        "--rows", type=int, default=10_000, help="placement rows in the file (default 10,000)"
    )
    parser.add_argument(
        "--errors", type=int, default=1_000, help="broken rows in the second file (default 1,000)"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the random choices")
    args = parser.parse_args()
    ensure_database, percentile = _bench_helpers()
    ensure_database()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from apps.accounts.models import User
    from apps.monitoring import format as fmt_module
    from apps.monitoring.models import MonitoringReturn, ScorecardSnapshot
    from apps.monitoring.quarters import Quarter
    from apps.monitoring.seeding import seed_monitoring
    from apps.monitoring.selectors import prefill_records
    from apps.monitoring.services import return_open, return_submit_file, scorecard_refresh
    from apps.organisations.models import Organisation
    from apps.providers.models import Household, Provider

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    settings.MEDIA_ROOT = Path(
        tempfile.mkdtemp(prefix="monitoring-bench-")
    )  # originals of rolled-back submissions
    failures: list[str] = []
    call_command("migrate", verbosity=0)
    if Household.objects.count() < NATIONAL_MINIMUM:
        print("No national dataset: building it (seed --scale national)")
        started = time.monotonic()
        call_command("seed", scale="national", verbosity=1)
        print(f"seed --scale national took {time.monotonic() - started:.1f} s")
    elif not MonitoringReturn.objects.exists():
        print("National register without monitoring data: running the monitoring seed")
        started = time.monotonic()
        print("\n".join(seed_monitoring(scale="national").lines()))
        print(f"monitoring seed (national) took {time.monotonic() - started:.1f} s")
    print(
        f"Dataset: {Provider.objects.count()} providers, {Household.objects.count():,} households, "
        f"{MonitoringReturn.objects.count():,} returns, {ScorecardSnapshot.objects.count():,} "
        "scorecard rows"
    )
    rng = random.Random(args.seed)
    officer = User.objects.get(email="ifa.data@demo.rcc.example")
    provider = Provider.objects.get(
        organisation__memberships__user=officer, organisation__memberships__role="provider_data"
    )
    las = list(
        Organisation.objects.local_authorities()
        .exclude(rcc_memberships=None)
        .values_list("dfe_la_code", flat=True)
    )

    # --- 1 and 2: the 10,000-row file, and the file with 1,000 errors -------------------------
    quarter = Quarter(2023, 1)  # a quarter no seeded return covers: nothing to collide with
    fmt = fmt_module.format_for(quarter)

    def build(broken: int) -> list[dict[str, str]]:
        unsaved = MonitoringReturn(
            provider=provider, quarter_start=quarter.start, due_on=quarter.due_on
        )
        records = prefill_records(unsaved)
        known = {
            "allegations": "1",
            "complaints": "2",
            "notifications": "0",
            "carers_trained": "10",
            "training_hours": "80",
            "supervision_visits": "60",
            "respite_nights": "5",
            "ofsted_date": "2022-05-10",
            "ofsted_grade": "good",
            "households_start": "400",
            "households_end": "400",
            "places_start": "700",
            "places_end": "700",
            "vacancies_end": "50",
        }
        for r in records:
            if r["record"] == "FIGURE" and r["item"] in known:
                r["value"] = known[r["item"]]
        have = sum(1 for r in records if r["record"] == "PLACEMENT")
        for n in range(args.rows - have):
            start = quarter.start - dt.timedelta(days=rng.randrange(-60, 900))
            row = {
                "record": "PLACEMENT",
                "child_ref": f"BENCH-{n:06d}",
                "la_code": rng.choice(las),
                "placement_type": rng.choice(("U4", "U6", "U1")),
                "start_date": start.isoformat(),
                "household_ref": f"HH-B-{n % 700}",
            }
            if rng.random() < 0.2:
                end = max(start, quarter.start) + dt.timedelta(days=rng.randrange(0, 20))
                if end <= quarter.end:
                    row.update(
                        end_date=end.isoformat(),
                        reason_ended=rng.choice(("PLACE", "CARPL", "CREQB", "LAREQ")),
                    )
            if n < broken:
                if n % 2:
                    row["la_code"] = "999"
                else:
                    row.update(
                        end_date=(start - dt.timedelta(days=3)).isoformat(), reason_ended="PLACE"
                    )
            records.append(row)
        return records

    def submit(records: list[dict[str, str]], kind: str) -> tuple[float, Any]:
        from django.core.files.uploadedfile import SimpleUploadedFile

        content = (
            fmt_module.records_xlsx(fmt, records)
            if kind == "xlsx"
            else fmt_module.records_csv(fmt, records)
        )
        upload = SimpleUploadedFile(f"bench.{kind}", content)
        result: dict[str, Any] = {}
        try:
            with transaction.atomic():
                ret = return_open(provider=provider, quarter=quarter)
                started = time.perf_counter()
                result["submission"] = return_submit_file(
                    monitoring_return=ret, by=officer, uploaded_file=upload
                )
                result["seconds"] = time.perf_counter() - started
                result["bytes"] = len(content)
                raise Rollback
        except Rollback:
            pass
        return result["seconds"], result

    good = build(0)
    rows = sum(1 for r in good if r["record"] == "PLACEMENT")
    print(
        f"\n1. A return of {rows:,} placement rows ({len(good):,} rows in all), validated and "
        "stored:"
    )
    for kind in ("csv", "xlsx"):
        seconds, result = submit(good, kind)
        sub = result["submission"]
        ok = sub.outcome == "accepted" and sub.version.placement_count == rows
        print(
            f"   {kind.upper():4} {result['bytes'] / 1024:7.0f} KB  {seconds:5.2f} s  outcome: "
            f"{sub.outcome}"
            f"{'' if ok else ' ' + str(sub.errors[:3])}"
        )
        if not ok:
            failures.append(f"the {kind} return was not accepted")
        elif seconds > TARGET_FILE_S:
            failures.append(f"the {kind} return took {seconds:.2f} s (target {TARGET_FILE_S} s)")

    bad = build(args.errors)
    print(f"\n2. The same with {args.errors:,} broken rows: every error reported")
    for kind in ("csv", "xlsx"):
        seconds, result = submit(bad, kind)
        sub = result["submission"]
        print(
            f"   {kind.upper():4} {seconds:5.2f} s  errors reported: {sub.error_count:,}  "
            f"outcome: {sub.outcome}"
        )
        if sub.error_count != args.errors:
            failures.append(f"{kind}: {sub.error_count} errors reported, {args.errors} expected")
        if seconds > TARGET_ERRORS_S:
            failures.append(
                f"the {kind} file with errors took {seconds:.2f} s (target {TARGET_ERRORS_S} s)"
            )

    started = time.perf_counter()
    written = scorecard_refresh(quarters=[Quarter.last_ended(dt.date.today())])
    print(
        f"\n   Scorecard refresh, every provider, one quarter: {written:,} rows in "
        f"{time.perf_counter() - started:.2f} s"
    )

    # --- 3: the scorecard page ----------------------------------------------------------------
    print(f"\n3. The scorecard page on the national dataset ({args.requests} requests per role):")
    provider_ids = list(
        ScorecardSnapshot.objects.order_by().values_list("provider_id", flat=True).distinct()
    )
    for email in (
        "commissioner@demo.rcc.example",
        "ifa.data@demo.rcc.example",
        "ncc.analyst@demo.rcc.example",
    ):
        user = User.objects.get(email=email)
        client = Client()
        client.force_login(user)
        if email.startswith("ifa."):
            choices = [provider.pk]
        elif email.startswith("commissioner"):
            from apps.monitoring.querysets import visible_providers

            choices = list(visible_providers(user).values_list("pk", flat=True))
        else:
            choices = provider_ids
        timings: list[float] = []
        counts: set[int] = set()
        client.get(reverse("monitoring:scorecard_detail", args=[choices[0]]))  # warm up
        for _ in range(args.requests):
            url = reverse("monitoring:scorecard_detail", args=[rng.choice(choices)])
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            counts.add(len(ctx.captured_queries))
        p50, p95 = statistics.median(timings), percentile(timings, 95)
        print(
            f"   {email:32} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  queries per page: "
            f"{sorted(counts)} "
            f"({len(choices)} providers)"
        )
        if p95 > TARGET_PAGE_P95_MS:
            failures.append(
                f"scorecard p95 {p95:.0f} ms for {email} (target {TARGET_PAGE_P95_MS:.0f} ms)"
            )
        if len(counts) > 1:
            failures.append(f"the scorecard's query count varies for {email}: {sorted(counts)}")

    print()
    if failures:
        print("MISSED:\n  " + "\n  ".join(failures))
        return 1
    print("All targets met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
