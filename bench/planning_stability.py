"""Benchmark: the planning snapshot's stability and sourcing steps over the national cohort, and
the early-warning list of the LA with the most children (issue 14).

    .venv/bin/python bench/planning_stability.py [--children 75000] [--keep]

Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/rcc_bench) and
DJANGO_SETTINGS_MODULE (default config.settings.local, DEBUG off). Needs the national dataset
(`seed --scale national`). When the database holds fewer looked-after children with a care
history than `--children`, synthetic ones are added for the run (each with one to six
placements since coming into care, some changes of legal status, some who have left care:
about 2.7 episodes a child, ~200,000 for 75,000 children) and removed afterwards unless
`--keep`.

1. The stability step for England (every LA: timelines of every child, the DfE measures) and
   for the largest RCC: seconds and queries. Target: England in 5 s.
2. The sourcing step for England: seconds and queries.
3. The early-warning list of the LA with the most children, as its social worker opens it
   (web page through Django's test client): p50 / p95 over `--requests` and queries.

Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rcc_bench")
os.environ.setdefault("DJANGO_DEBUG", "false")

TARGET_STABILITY_S = 5.0
TARGET_LIST_P95_MS = 1000.0
NATIONAL_MINIMUM = 40_000  # households: fewer means the national dataset is not there
MARK = "STAB-BENCH-"
PLACEMENTS = (1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 4, 4, 5, 6)
REASONS = ("PLACE", "PLACE", "PLACE", "LAREQ", "CHILD", "CARPL", "CARPL", "ALLEG", "CREQB")
LEFT_CARE = ("E4A", "E13", "E41", "E45", "E11")


def add_cohort(count: int, seed: int) -> int:
    """`count` synthetic looked-after children across every LA in an RCC, with histories."""
    from django.db import transaction
    from django.utils import timezone

    from apps.accounts.models import User
    from apps.organisations.models import RccMembership
    from apps.referrals.models import CareEpisode, Child

    rng = random.Random(seed)
    las = sorted(RccMembership.objects.current().values_list("la_id", flat=True))  # type: ignore[attr-defined]
    weights = [rng.uniform(0.3, 3.0) for _ in las]  # LAs differ in size, as in England
    user = User.objects.order_by("pk").first()
    today = timezone.localdate()
    episodes: list[Any] = []
    with transaction.atomic():
        children = Child.objects.bulk_create(
            [
                Child(
                    la_id=la,
                    local_identifier=f"{MARK}{n:06d}",
                    date_of_birth=today - dt.timedelta(days=rng.randint(100, 17 * 365)),
                    sex=rng.choice("MF"),
                    ethnicity="WBRI",
                    legal_status="C2",
                    created_by=user,
                )
                for n, la in enumerate(rng.choices(las, weights, k=count))
            ],
            batch_size=5000,
        )
        for child in children:
            episodes += _history(child, rng, today, CareEpisode)
        CareEpisode.objects.bulk_create(episodes, batch_size=10_000)
    return len(episodes)


def _history(child: Any, rng: random.Random, today: dt.date, model: Any) -> list[Any]:
    born = child.date_of_birth
    start = born + dt.timedelta(days=rng.randint(0, max(1, (today - born).days - 30)))
    placements = rng.choice(PLACEMENTS)
    left = rng.random() < 0.15
    end_of_care = today - dt.timedelta(days=rng.randint(1, 300)) if left else None
    last = end_of_care or today
    if last <= start:
        start = last - dt.timedelta(days=60)
    span = (last - start).days
    if span < 2 * placements:
        placements = 1
    cuts = sorted(start + dt.timedelta(days=d) for d in rng.sample(range(1, span), placements - 1))
    bounds = [start, *cuts, end_of_care]
    out = []
    for i in range(placements):
        begin, end = bounds[i], bounds[i + 1]
        rne = "S" if i == 0 else "T"
        spans = [(begin, end)]
        length = ((end or today) - begin).days
        if rng.random() < 0.25 and length > 60:
            middle = begin + dt.timedelta(days=rng.randint(30, length - 30))
            spans = [(begin, middle), (middle, end)]
        for j, (a, b) in enumerate(spans):
            final = i == placements - 1 and j == len(spans) - 1
            out.append(
                model(
                    child=child,
                    start_date=a,
                    end_date=b,
                    new_episode_reason=rne if j == 0 else "L",
                    legal_status="C2" if j else "V2",
                    placement_type=rng.choice(("U4", "U5", "U6", "U1", "K2")),
                    placement_provider=rng.choice(("PR1", "PR4", "PR5", "PR2")),
                    reason_ended=(rng.choice(LEFT_CARE) if left else "") if final else "X1",
                    reason_place_change="" if final or j < len(spans) - 1 else rng.choice(REASONS),
                    source="imported",
                )
            )
    return out


def remove_cohort() -> None:
    from apps.referrals.models import Child

    Child.objects.filter(local_identifier__startswith=MARK).delete()


def timed(label: str, fn: Any) -> tuple[float, int, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        started, cpu = time.perf_counter(), time.process_time()
        result = fn()
        took, cpu = time.perf_counter() - started, time.process_time() - cpu
    # CPU time is this process's alone (the database's work is in the wall time): on a shared
    # machine the wall time also holds the time others had the cores.
    print(f"{label}: {took:.2f} s ({cpu:.2f} s CPU), {len(ctx)} queries")
    return took, len(ctx), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=75_000, help="looked-after children")
    parser.add_argument("--requests", type=int, default=10, help="requests of the list page")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic cohort")
    parser.add_argument("--keep", action="store_true", help="keep the added children")
    args = parser.parse_args()
    from bench.register_search import ensure_database, percentile

    ensure_database()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from apps.accounts.models import Membership, User
    from apps.accounts.roles import Role
    from apps.organisations.models import Organisation
    from apps.planning import sourcing, stability
    from apps.planning.early_warning import early_warnings
    from apps.providers.models import Household
    from apps.referrals.models import CareEpisode, Child, Placement
    from apps.reporting.build.facts import Facts
    from apps.reporting.periods import planning_window

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    failures: list[str] = []
    call_command("migrate", verbosity=0)
    if Household.objects.count() < NATIONAL_MINIMUM:
        print("No national dataset: building it (seed --scale national)")
        call_command("seed", scale="national", verbosity=1)
    person = None
    try:
        with_history = (
            Child.objects.filter(care_history__isnull=False).distinct().count()
            + Placement.objects.values("child_id").distinct().count()
        )
        if with_history < args.children:
            started = time.monotonic()
            added = add_cohort(args.children - with_history, args.seed)
            print(
                f"Cohort: {args.children - with_history:,} synthetic children with {added:,} "
                f"care episodes ({time.monotonic() - started:.1f} s to add)"
            )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(
            f"Dataset: {Child.objects.count():,} children, "
            f"{CareEpisode.objects.count():,} care episodes, "
            f"{Placement.objects.count():,} platform placements"
        )
        today = timezone.localdate()

        def facts(rcc_id: int | None) -> Facts:
            built = Facts(period=planning_window(today), rcc_id=rcc_id, today=today)
            built.las, built.rccs, built.la_ids  # noqa: B018 - reference data, read per build
            return built

        # 1. Stability: England and the largest RCC.
        england = facts(None)
        took, _n, tables = timed("Stability step, England", lambda: stability.tables(england))
        looked_after = next(r for r in tables[0].rows if r[0] == "England")[1]
        print(
            f"  {looked_after:,} children looked after today (target {TARGET_STABILITY_S} s; "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
        )
        if took > TARGET_STABILITY_S:
            failures.append(f"stability step for England took {took:.1f} s")
        rcc_of = england.rcc_of_la
        sizes: dict[int, int] = {}
        for la_id, n in Child.objects.values_list("la_id").annotate(n=Count("pk")):
            if la_id in rcc_of:
                sizes[rcc_of[la_id]] = sizes.get(rcc_of[la_id], 0) + n
        largest = max(sizes, key=lambda r: sizes[r])
        one = facts(largest)
        timed(
            f"Stability step, largest RCC ({sizes[largest]:,} children)",
            lambda: stability.tables(one),
        )

        # 2. Sourcing, England.
        timed("Sourcing step, England", lambda: sourcing.tables(facts(None)))

        # 3. The early-warning list of the LA with the most children.
        la_id, n = (
            Child.objects.values_list("la_id")
            .annotate(n=Count("pk"))
            .order_by("-n")
            .values_list("la_id", "n")
            .first()
        ) or (None, 0)
        la = Organisation.objects.get(pk=la_id)
        person = User.objects.create_user(email="stab-bench-sw@example.invalid", password=None)
        Membership.objects.create(user=person, organisation=la, role=Role.SOCIAL_WORKER)
        client = Client()
        client.force_login(person)
        url = reverse("planning:early_warning")
        client.get(url)  # warm
        listed = len(early_warnings(Child.objects.filter(la=la), today=today))
        times: list[float] = []
        queries: set[int] = set()
        from django.test.utils import CaptureQueriesContext

        for _ in range(args.requests):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            queries.add(len(ctx))
            if response.status_code != 200:
                failures.append(f"the list answered {response.status_code}")
        p95 = percentile(times, 95)
        print(
            f"Early-warning list of {la.name} ({n:,} children, "
            f"{listed:,} listed): p50 "
            f"{statistics.median(times):.0f} ms, p95 {p95:.0f} ms "
            f"(target {TARGET_LIST_P95_MS:.0f} ms); queries {sorted(queries)}"
        )
        if p95 > TARGET_LIST_P95_MS:
            failures.append(f"early-warning list p95 {p95:.0f} ms")
    finally:
        if person is not None:
            from apps.referrals.models import ReferralAccessLog

            ReferralAccessLog.objects.filter(user=person).delete()
            person.delete()
        if not args.keep:
            remove_cohort()
    if failures:
        print("MISSED: " + "; ".join(failures))
        return 1
    print("All targets met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
