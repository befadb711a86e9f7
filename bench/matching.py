"""Benchmark: ranking homes for one referral, and batch matching, on the national dataset
(issue 5's performance targets).

    .venv/bin/python bench/matching.py [--rankings 200] [--concurrent-seconds 30] [--seed 1]

Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/rcc_bench) and
DJANGO_SETTINGS_MODULE (default config.settings.local, with DEBUG off). The database and the
national dataset are made as bench/register_search.py makes them (`seed --scale national` when
it is missing). Then it creates synthetic waiting referrals (children of varied ages, needs,
sibling groups, risks and places, marked BENCH-) across every RCC, 200 of them in one RCC, and
a placement officer in each RCC's hub, and measures:

1. ranking one referral, whole HTTP request, one client (Django's test client, in process):
   the hub's search page and GET /api/v1/referrals/{id}/options/, p50 / p95;
2. the same API with 20 concurrent clients against a real server: gunicorn as in production
   (config/gunicorn.conf.py; Redis as the shared cache when it is running) on a free local
   port, 20 threads each signed in through the login form (session cookie),
   for a bounded time and number of requests; p50 / p95 / throughput;
3. batch matching of the 200 waiting children of one RCC against its vacancies (seconds).

It prints a table, removes what it created (unless --keep), and exits 1 when a target is
missed: ranking p95 <= 100 ms single, <= 300 ms with 20 clients; batch <= 10 s.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import http.client
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rcc_bench")
os.environ.setdefault("DJANGO_DEBUG", "false")
# As in production (config/settings/production.py): each process keeps a register snapshot.
os.environ.setdefault("MATCHING_REGISTER_CACHE_SECONDS", "60")
# The bench measures speed, not the per-user rate limits (120 searches a minute by default).
os.environ.setdefault("THROTTLE_RATE_SEARCH", "1000000/min")
os.environ.setdefault("THROTTLE_RATE_USER", "1000000/min")

from register_search import NATIONAL_MINIMUM, ensure_database, percentile  # noqa: E402

TARGET_SINGLE_P95_MS = 100.0
TARGET_CONCURRENT_P95_MS = 300.0
TARGET_BATCH_S = 10.0
CLIENTS = 20
# Processes of the production configuration (config/gunicorn.conf.py: CPUs + 1).
GUNICORN_WORKERS = int(os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 1) + 1))
BATCH_CHILDREN = 200
PER_OTHER_RCC = 10
BATCH_RCC = "Greater Manchester Regional Care Cooperative"
MARK = "BENCH-"
PASSWORD = "bench-Matching-2026"  # noqa: S105 - synthetic benchmark users only
EMAIL = "bench.hub.{pk}@bench.rcc.example"


def ensure_dataset() -> None:
    from django.core.management import call_command

    from apps.providers.models import Household

    call_command("migrate", verbosity=0)
    households = Household.objects.count()
    if households < NATIONAL_MINIMUM:
        print(f"{households} households: building the national dataset (seed --scale national)")
        started = time.monotonic()
        call_command("seed", scale="national", verbosity=1)
        print(f"seed --scale national took {time.monotonic() - started:.1f} s")


def remove_bench_objects() -> None:
    """The synthetic referrals and children (the bench hub users stay, to be reused)."""
    from apps.referrals.models import Child, Referral

    Referral.objects.filter(child__local_identifier__startswith=MARK).delete()
    Child.objects.filter(local_identifier__startswith=MARK).delete()


def hub_officers() -> dict[int, Any]:
    """A placement officer in each RCC's hub (rcc id → user)."""
    from apps.accounts.models import Membership, User
    from apps.accounts.roles import Role
    from apps.organisations.kinds import OrganisationKind
    from apps.organisations.models import Organisation

    officers = {}
    for hub in Organisation.objects.filter(kind=OrganisationKind.HUB).select_related("rcc"):
        email = EMAIL.format(pk=hub.rcc_id)
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email=email, password=PASSWORD, first_name="Bench", last_name=f"Hub {hub.rcc_id}"
        )
        Membership.objects.get_or_create(user=user, organisation=hub, role=Role.PLACEMENT_OFFICER)
        officers[hub.rcc_id] = user
    return officers


def make_referrals(rng: random.Random) -> tuple[Any, list[Any]]:
    """Waiting referrals: BATCH_CHILDREN in the batch RCC and PER_OTHER_RCC in each other."""
    from django.db import transaction
    from django.utils import timezone

    from apps.accounts.models import User
    from apps.needs.models import NeedDomain, NeedLevel
    from apps.organisations.kinds import OrganisationKind
    from apps.organisations.models import Organisation, PostcodeDistrict, RccMembership
    from apps.referrals.choices import LegalStatus, LiveAlongside, RiskLevel, Urgency
    from apps.referrals.models import Child, NeedsAssessment, NeedsAssessmentItem, Referral

    author = User.objects.filter(is_superuser=True).first() or User.objects.first()
    domains = list(NeedDomain.objects.active())
    levels = {lv.rank: lv for lv in NeedLevel.objects.all()}
    today = timezone.localdate()
    batch_rcc = Organisation.objects.get(kind=OrganisationKind.RCC, name=BATCH_RCC)
    made: list[Referral] = []
    serial = 0

    def child_born(age: int) -> dt.date:
        return today - dt.timedelta(days=int(365.25 * age) + rng.randint(1, 300))

    def one(la: Organisation, rcc: Organisation, districts: list[PostcodeDistrict]) -> Referral:
        nonlocal serial
        serial += 1
        age = rng.choice([0, 1, 2, 4, 6, 8, 9, 10, 11, 12, 13, 14, 14, 15, 15, 16, 16, 17])
        home_district = rng.choice(districts)
        child = Child.objects.create(
            la=la,
            local_identifier=f"{MARK}{serial:05d}",
            date_of_birth=child_born(age),
            sex=rng.choice("MF"),
            ethnicity=rng.choice(["WBRI", "WBRI", "WBRI", "MWBC", "APKN", "BAFR", "WOTH"]),
            religion=rng.choice(["none", "christian", "muslim", "not_stated"]),
            languages=rng.choice([["en"], ["en"], ["en", "ur"], ["en", "pl"]]),
            legal_status=LegalStatus.C2,
            home_postcode_district=home_district,
            created_by=author,
        )
        assessment = NeedsAssessment.objects.create(
            child=child, version=1, assessed_on=today, assessed_by=author
        )
        for need_domain in rng.sample(domains, rng.randint(1, 4)):
            NeedsAssessmentItem.objects.create(
                assessment=assessment,
                domain=need_domain,
                level=levels[rng.choice([1, 1, 2, 2, 3])],
            )
        emergency = rng.random() < 0.1
        referral = Referral.objects.create(
            child=child,
            la=la,
            rcc=rcc,
            status="sent",
            sent_at=timezone.now() - dt.timedelta(days=rng.randint(0, 40)),
            needs_assessment=assessment,
            urgency=Urgency.EMERGENCY if emergency else Urgency.PLANNED,
            latest_start_date=today + dt.timedelta(days=0 if emergency else rng.randint(7, 60)),
            family_postcode_district=home_district,
            stay_close_to_family=rng.random() < 0.4,
            school_postcode_district=rng.choice(districts),
            keep_school=rng.random() < 0.6,
            live_alongside=rng.choice(
                [LiveAlongside.WITH_OTHERS] * 6
                + [LiveAlongside.SOLO, LiveAlongside.ONLY_OLDER, LiveAlongside.ONLY_YOUNGER]
            ),
            harm_physical=RiskLevel.HIGH if rng.random() < 0.08 else RiskLevel.NONE_KNOWN,
            harm_animals=RiskLevel.HIGH if rng.random() < 0.04 else RiskLevel.NONE_KNOWN,
            places_to_avoid=[rng.choice(districts).code] if rng.random() < 0.2 else [],
            created_by=author,
        )
        if rng.random() < 0.1:  # a sibling group of two or three
            for _ in range(rng.choice([1, 1, 2])):
                sibling = Child.objects.create(
                    la=la,
                    local_identifier=f"{MARK}{serial:05d}-S{rng.randint(100, 999)}",
                    date_of_birth=child_born(max(0, min(17, age + rng.randint(-4, 4)))),
                    sex=rng.choice("MF"),
                    ethnicity=child.ethnicity,
                    legal_status=LegalStatus.C2,
                    created_by=author,
                )
                referral.siblings.add(sibling)
        return referral

    with transaction.atomic():
        for rcc in Organisation.objects.filter(kind=OrganisationKind.RCC).order_by("name"):
            la_ids = list(RccMembership.objects.filter(rcc=rcc).values_list("la_id", flat=True))
            las = list(Organisation.objects.filter(pk__in=la_ids))
            districts = {la.pk: list(PostcodeDistrict.objects.filter(la=la)) for la in las}
            las = [la for la in las if districts[la.pk]]
            count = BATCH_CHILDREN if rcc.pk == batch_rcc.pk else PER_OTHER_RCC
            for _ in range(count):
                la = rng.choice(las)
                made.append(one(la, rcc, districts[la.pk]))
    return batch_rcc, made


# --- Timing helpers ----------------------------------------------------------------------------


def ms_since(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def summary(values: list[float]) -> tuple[float, float, float]:
    return percentile(values, 50), percentile(values, 95), max(values) if values else 0.0


def single_client(referrals: list[Any], officers: dict[int, Any], rounds: int) -> dict[str, Any]:
    from django.test import Client
    from django.urls import reverse

    clients: dict[int, Client] = {}
    for rcc_id, user in officers.items():
        clients[rcc_id] = Client()
        clients[rcc_id].force_login(user)
    page_ms, api_ms, options = [], [], []
    for i in range(rounds + 10):
        referral = referrals[i % len(referrals)]
        client = clients[referral.rcc_id]
        start = time.perf_counter()
        page = client.get(reverse("referrals:hub_search", args=[referral.pk]))
        page_took = ms_since(start)
        assert page.status_code == 200, page.status_code
        start = time.perf_counter()
        api = client.get(reverse("api:referral-options", args=[referral.pk]))
        api_took = ms_since(start)
        assert api.status_code == 200, api.content[:300]
        if i >= 10:  # the first ten warm caches and connections
            page_ms.append(page_took)
            api_ms.append(api_took)
            options.append(api.json()["options_total"])
    return {"page": page_ms, "api": api_ms, "options": options}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


LOCAL_REDIS = "redis://127.0.0.1:6379/15"


def redis_reachable(url: str) -> bool:
    parsed = urllib.parse.urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), 1):
            return True
    except OSError:
        return False


def start_server(port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "CONN_MAX_AGE": "600",
        "WEB_CONCURRENCY": str(GUNICORN_WORKERS),
        "GUNICORN_ACCESS_LOG": "",
    }
    redis_url = os.environ.get("REDIS_URL") or LOCAL_REDIS
    if redis_reachable(redis_url):  # as in production: the shared cache holds the sessions
        env["REDIS_URL"] = redis_url
    else:
        print(f"  (no Redis at {redis_url}: the server runs without a shared cache)")
    process = subprocess.Popen(  # noqa: S603 - our own venv's gunicorn, local port only
        [
            str(BASE_DIR / ".venv" / "bin" / "gunicorn"),
            "config.wsgi:application",
            "--config",
            str(BASE_DIR / "config" / "gunicorn.conf.py"),  # as in production
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("gunicorn did not start: " + (process.stderr.read() or b"").decode()[-2000:])


class Session:
    """One client: its own connection and session cookie, signed in through the login form."""

    def __init__(self, port: int, email: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}
        self._login(email)

    def _send(self, method: str, path: str, body: str | None = None, **headers: str) -> Any:
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, data

    def _login(self, email: str) -> None:
        status, page = self._send("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert status == 200 and token, f"login page: {status}"
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "username": email,
                "password": PASSWORD,
            }
        )
        status, _ = self._send(
            "POST",
            "/accounts/login/",
            body,
            **{
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{self.conn.port}/accounts/login/",
            },
        )
        assert status == 302 and "sessionid" in self.cookies, f"login failed: {status}"

    def get(self, path: str) -> int:
        status, _ = self._send("GET", path, Accept="application/json")
        return int(status)


def concurrent_clients(
    referrals: list[Any], officers: dict[int, Any], seconds: float, max_requests: int
) -> dict[str, Any]:
    port = free_port()
    server = start_server(port)
    try:
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        window = {"stop_at": 0.0, "started": 0.0}
        counter = iter(range(max_requests))

        def open_window() -> None:  # when every client has signed in and warmed up
            window["started"] = time.perf_counter()
            window["stop_at"] = time.monotonic() + seconds

        barrier = threading.Barrier(CLIENTS, action=open_window)

        def work(n: int) -> None:
            rng = random.Random(n)
            mine = [r for r in referrals if r.rcc_id == list(officers)[n % len(officers)]]
            user = officers[mine[0].rcc_id] if mine else None
            pool = mine or referrals
            session = Session(port, user.email if user else officers[pool[0].rcc_id].email)
            for referral in rng.sample(pool, min(3, len(pool))):  # warm up this worker
                session.get(f"/api/v1/referrals/{referral.pk}/options/")
            barrier.wait()
            while time.monotonic() < window["stop_at"]:
                with lock:
                    if next(counter, None) is None:
                        return
                referral = rng.choice(pool)
                start = time.perf_counter()
                status = session.get(f"/api/v1/referrals/{referral.pk}/options/")
                took = ms_since(start)
                with lock:
                    latencies.append(took)
                    if status != 200:
                        errors.append(str(status))

        with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
            list(pool.map(work, range(CLIENTS)))
        elapsed = time.perf_counter() - window["started"]
    finally:
        server.terminate()
        server.wait(10)
    return {"latencies": latencies, "errors": errors, "elapsed": elapsed}


def batch(rcc: Any, runs: int) -> list[float]:
    from apps.referrals.batch import batch_match

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = batch_match(rcc.pk)
        times.append(time.perf_counter() - start)
    print(
        f"  batch: {len(result.suggestions)} referrals ({result.children} children), "
        f"{result.places} places in {result.homes} homes; optimised places "
        f"{result.placed} (total {result.total:.0f}), first come first served "
        f"{result.greedy_placed} (total {result.greedy_total:.0f}); {result.rounds} solve(s)"
    )
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rankings", type=int, default=200, help="single-client requests")
    parser.add_argument("--concurrent-seconds", type=float, default=30.0)
    parser.add_argument("--concurrent-max", type=int, default=3000, help="request cap")
    parser.add_argument("--batch-runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the synthetic referrals")
    args = parser.parse_args()

    ensure_database()
    import django

    django.setup()
    ensure_dataset()

    from apps.providers.models import Household, Vacancy

    rng = random.Random(args.seed)
    remove_bench_objects()
    officers = hub_officers()
    started = time.perf_counter()
    batch_rcc, referrals = make_referrals(rng)
    print(
        f"MATCHING_REGISTER_CACHE_SECONDS={os.environ['MATCHING_REGISTER_CACHE_SECONDS']}; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs."
    )
    print(
        f"National dataset: {Household.objects.count():,} households, "
        f"{Vacancy.objects.filter(status='open').count():,} open places. "
        f"Created {len(referrals)} waiting referrals ({BATCH_CHILDREN} in {batch_rcc.name}) "
        f"in {time.perf_counter() - started:.1f} s."
    )
    try:
        sample = rng.sample(referrals, min(len(referrals), args.rankings))
        print("Ranking, one client (whole request through Django's test client)…")
        single = single_client(sample, officers, args.rankings)
        print(
            f"Ranking, {CLIENTS} concurrent clients against gunicorn "
            f"({GUNICORN_WORKERS} processes, config/gunicorn.conf.py)…"
        )
        from django.db import connections

        connections.close_all()
        crowd = concurrent_clients(
            referrals, officers, args.concurrent_seconds, args.concurrent_max
        )
        print(f"Batch matching of the {BATCH_CHILDREN} children waiting in {batch_rcc.name}…")
        batch_s = batch(batch_rcc, args.batch_runs)
    finally:
        if not args.keep:
            remove_bench_objects()

    page50, page95, page_max = summary(single["page"])
    api50, api95, api_max = summary(single["api"])
    c50, c95, c_max = summary(crowd["latencies"])
    throughput = len(crowd["latencies"]) / crowd["elapsed"] if crowd["elapsed"] else 0
    single_target = f"p95 <= {TARGET_SINGLE_P95_MS:.0f} ms"
    rows = [
        (
            "ranking: search page, 1 client",
            f"{page50:.1f} ms",
            f"{page95:.1f} ms",
            f"{page_max:.1f} ms",
            single_target,
            page95 <= TARGET_SINGLE_P95_MS,
        ),
        (
            "ranking: API, 1 client",
            f"{api50:.1f} ms",
            f"{api95:.1f} ms",
            f"{api_max:.1f} ms",
            single_target,
            api95 <= TARGET_SINGLE_P95_MS,
        ),
        (
            f"ranking: API, {CLIENTS} clients",
            f"{c50:.1f} ms",
            f"{c95:.1f} ms",
            f"{c_max:.1f} ms",
            f"p95 <= {TARGET_CONCURRENT_P95_MS:.0f} ms",
            c95 <= TARGET_CONCURRENT_P95_MS,
        ),
        (
            f"batch: {BATCH_CHILDREN} children",
            f"{statistics.median(batch_s):.2f} s",
            "",
            f"{max(batch_s):.2f} s",
            f"<= {TARGET_BATCH_S:.0f} s",
            max(batch_s) <= TARGET_BATCH_S,
        ),
    ]
    print()
    header = f"{'measure':34} {'p50':>10} {'p95':>10} {'max':>10}  {'target':18} result"
    print(header)
    print("-" * len(header))
    for name, p50, p95, worst, target, ok in rows:
        print(f"{name:34} {p50:>10} {p95:>10} {worst:>10}  {target:18} {'ok' if ok else 'MISSED'}")
    print()
    print(
        f"Single client: {len(single['api'])} referrals, options per referral median "
        f"{statistics.median(single['options']):.0f} (max {max(single['options'])})."
    )
    print(
        f"Concurrent: {len(crowd['latencies'])} requests in {crowd['elapsed']:.1f} s "
        f"({throughput:.0f}/s), {len(crowd['errors'])} errors {sorted(set(crowd['errors']))}."
    )
    return 0 if all(row[-1] for row in rows) and not crowd["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
