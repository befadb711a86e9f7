"""Benchmark: the vacancy search on the national dataset (issue 4's performance targets).

    .venv/bin/python bench/register_search.py [--searches 200] [--seed 1]

Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/rcc_bench) and
DJANGO_SETTINGS_MODULE (default config.settings.local, with DEBUG off). Creates the database
if it does not exist, migrates it and, when it holds no national dataset, runs
`seed --scale national` (timed). Then it runs randomised 25-mile searches, each with three
other filters (child's age, a type of care, and one of: available by, sibling group, a skill,
Ofsted grade), and prints:

- database time: the search query of a page (rows and total in one query) as PostgreSQL
  reports it (EXPLAIN ANALYZE planning + execution) and as the client waits for it, and that
  plus the three small queries that prefetch the page's providers and LAs, p50 / p95;
- whole-request time through Django's test client for the search page and the API, p50 / p95;
- EXPLAIN (ANALYZE, BUFFERS) of one search, and whether any search's plan has a
  sequential scan of providers_household.

Exits 1 when a target is missed or a plan scans households sequentially.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rcc_bench")
os.environ.setdefault("DJANGO_DEBUG", "false")

TARGET_DB_P95_MS = 50.0
TARGET_HTTP_P95_MS = 150.0
NATIONAL_MINIMUM = 40_000  # households: fewer means the national dataset is not there
HUB_USER = "placement.officer@demo.rcc.example"


def ensure_database() -> None:
    """Create the PostgreSQL database named in DATABASE_URL if it does not exist."""
    import environ
    import psycopg

    config = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    if "postgresql" not in config["ENGINE"]:
        sys.exit("The benchmark needs PostgreSQL (DATABASE_URL=postgres://...).")
    name = config["NAME"]
    with psycopg.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        autocommit=True,
    ) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            print(f"Creating database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


@contextmanager
def timed_queries() -> Iterator[list[float]]:
    """Collects the wall time of every query executed inside the block (milliseconds)."""
    from django.db import connection

    times: list[float] = []

    def wrapper(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            times.append((time.perf_counter() - start) * 1000)

    with connection.execute_wrapper(wrapper):
        yield times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--searches", type=int, default=200, help="searches to time (default 200)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random searches")
    parser.add_argument("--radius", type=float, default=25.0, help="miles (default 25)")
    args = parser.parse_args()

    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count, Window
    from django.http import QueryDict
    from django.test import Client, RequestFactory
    from django.urls import reverse
    from django.utils import timezone

    from apps.accounts.models import User
    from apps.needs.models import NeedDomain, NeedLevel
    from apps.organisations.models import PostcodeDistrict
    from apps.providers.filters import VacancySearchFilter
    from apps.providers.models import Household, Vacancy
    from apps.providers.search_views import SearchPaginator

    call_command("migrate", verbosity=0)
    households = Household.objects.count()
    if households < NATIONAL_MINIMUM:
        print(f"{households} households: building the national dataset (seed --scale national)")
        started = time.monotonic()
        call_command("seed", scale="national", verbosity=1)
        print(f"seed --scale national took {time.monotonic() - started:.1f} s")
        households = Household.objects.count()
    open_vacancies = Vacancy.objects.filter(status="open").count()

    user = User.objects.get(email=HUB_USER)
    rng = random.Random(args.seed)
    districts = list(
        PostcodeDistrict.objects.filter(la__isnull=False)
        .order_by("code")
        .values_list("code", flat=True)
    )
    needs = [
        f"{d}:{lv}"
        for d in NeedDomain.objects.active().values_list("code", flat=True)
        for lv in NeedLevel.objects.filter(rank__in=(1, 2)).values_list("code", flat=True)
    ]
    today = timezone.localdate()

    def random_search() -> dict[str, Any]:
        params: dict[str, Any] = {
            "postcode_district": rng.choice(districts),
            "radius": args.radius,
            "child_age": rng.randint(0, 17),
            "care_types": rng.choice(["short_term", "long_term", "emergency", "short_breaks"]),
        }
        third = rng.choice(["available_by", "sibling_group", "needs", "min_ofsted"])
        params[third] = {
            "available_by": (today + dt.timedelta(days=rng.randint(0, 60))).isoformat(),
            "sibling_group": 2,
            "needs": rng.choice(needs),
            "min_ofsted": "good",
        }[third]
        return params

    searches = [random_search() for _ in range(args.searches)]
    factory = RequestFactory()

    def selector_queryset(params: dict[str, Any]) -> Any:
        request = factory.get("/register/search/", params)
        request.user = user
        query = QueryDict(mutable=True)
        query.update(params)
        filterset = VacancySearchFilter(
            query, queryset=Household.objects.visible_to(user), request=request
        )
        assert filterset.is_valid(), filterset.errors
        return filterset.qs

    # Warm up caches and connections (not timed).
    client = Client()
    client.force_login(user)
    page_url, api_url = reverse("register_search:search"), reverse("api:register-search")
    for params in searches[:10]:
        SearchPaginator(selector_queryset(params), 25).page(1)
        client.get(page_url, params)
        client.get(api_url, params)

    db_search, db_total, db_server, matches = [], [], [], []
    page_ms, api_ms, page_db_ms, page_cpu, api_cpu = [], [], [], [], []
    seq_scans: list[dict[str, Any]] = []
    for params in searches:
        qs = selector_queryset(params)
        with timed_queries() as times:
            page = SearchPaginator(qs, 25).page(1)
        db_search.append(times[0])
        db_total.append(sum(times))
        matches.append(page.paginator.count)

        with timed_queries() as request_times:
            start, cpu = time.perf_counter(), time.process_time()
            response = client.get(page_url, params)
            page_ms.append((time.perf_counter() - start) * 1000)
            page_cpu.append((time.process_time() - cpu) * 1000)
        assert response.status_code == 200, response.status_code
        page_db_ms.append(sum(request_times))
        start, cpu = time.perf_counter(), time.process_time()
        response = client.get(api_url, params)
        api_ms.append((time.perf_counter() - start) * 1000)
        api_cpu.append((time.process_time() - cpu) * 1000)
        assert response.status_code == 200, response.content[:500]

        with connection.cursor() as cursor:
            windowed = qs.annotate(search_total=Window(Count("pk")))[:25]
            sql, sql_params = windowed.query.sql_with_params()
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, sql_params)
            analysed = cursor.fetchone()[0]
            analysed = analysed[0] if isinstance(analysed, list) else analysed
            db_server.append(analysed["Planning Time"] + analysed["Execution Time"])
            for query in (windowed.query, qs.query):
                sql, sql_params = query.sql_with_params()
                cursor.execute("EXPLAIN " + sql, sql_params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                if "Seq Scan on providers_household" in plan:
                    seq_scans.append(params)

    # One plan in full: the median search by number of matches.
    example = searches[sorted(range(len(searches)), key=lambda i: matches[i])[len(searches) // 2]]
    example_qs = selector_queryset(example).annotate(search_total=Window(Count("pk")))
    sql, sql_params = example_qs[:25].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, sql_params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    print()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"Machine: {os.cpu_count()} CPUs, load average {load} (wall times include waiting for CPU)"
    )
    print(f"Dataset: {households:,} households, {open_vacancies:,} open vacancies")
    print(f"Searches: {len(searches)} within {args.radius:g} miles of a random English district,")
    print("  each with child's age, a type of care and one of: available by, sibling group,")
    print("  a skill, Ofsted grade.")
    print(f"  Households matched: median {statistics.median(matches):.0f}, max {max(matches)}")
    print()
    print(f"EXPLAIN (ANALYZE, BUFFERS) of the median search's page query, {example}:")
    print(plan)
    print()
    rows = [
        ("DB server: search query planning + execution", db_server, TARGET_DB_P95_MS),
        ("DB: the search query (25 rows + total)", db_search, TARGET_DB_P95_MS),
        ("DB: search + prefetch of the page", db_total, TARGET_DB_P95_MS),
        ("DB: every query of a page request", page_db_ms, None),
        ("HTTP: search page (GET /register/search/)", page_ms, TARGET_HTTP_P95_MS),
        ("HTTP: API (GET /api/v1/register/search/)", api_ms, TARGET_HTTP_P95_MS),
        ("  Django CPU time of a page request", page_cpu, None),
        ("  Django CPU time of an API request", api_cpu, None),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)}  {'p50 ms':>8}  {'p95 ms':>8}  {'max ms':>8}  target p95")
    failed = False
    for label, values, target in rows:
        p50, p95 = percentile(values, 50), percentile(values, 95)
        verdict = ""
        if target is not None:
            ok = p95 <= target
            failed |= not ok
            verdict = f"≤ {target:.0f} ms {'ok' if ok else 'MISSED'}"
        print(f"{label.ljust(width)}  {p50:8.1f}  {p95:8.1f}  {max(values):8.1f}  {verdict}")
    print()
    if seq_scans:
        failed = True
        print(f"Seq Scan on providers_household in {len(seq_scans)} plan(s), e.g. {seq_scans[0]}")
    else:
        print(
            f"No Seq Scan on providers_household in the {2 * len(searches)} plans "
            "(page query and count query of every search)."
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
