"""The planning cohort: every LA's looked-after children with five years of SSDA903 history, as
if each LA had imported its Header and Episodes files (docs/adr/0141-planning-cohort.md).

`cohort.py` plans each LA's children in memory; this module reads what the plans need (each
LA's population, postcodes, fostering service and IFAs, the needs taxonomy) and writes the
plans in bulk, in one transaction: per LA a `CareHistoryImport` (accepted, with the files it
would have read kept as its originals), the children, their episodes (`CareEpisode`, source
"imported"), their legal status history and a needs assessment (version 1) each.

Which LAs: at national scale all 153; otherwise those in an RCC (the demo: the North West's
two RCCs). An LA that has its cohort already (children whose identifier starts "LAC") is
skipped, so a re-run adds nothing. Every draw is keyed by the LA's DfE code and the seed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import multiprocessing
import random
import time
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from json import dumps
from typing import Any

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from tqdm import tqdm

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.monitoring.seeding import _feedback_authors as social_workers_and_iros
from apps.monitoring.seeding_journeys import Postcodes
from apps.needs.models import NeedDomain, NeedLevel
from apps.organisations.geo import miles_between
from apps.organisations.kinds import IfaSector, OrganisationKind, Region
from apps.organisations.models import Organisation, RccMembership
from apps.organisations.seeding import SHARED_LA_SERVICES
from apps.providers.models import Provider
from apps.referrals.choices import CareHistorySource
from apps.referrals.models import (
    CareEpisode,
    CareHistoryImport,
    Child,
    LegalStatusChange,
    NeedsAssessment,
    NeedsAssessmentItem,
)
from apps.referrals.ssda903 import EPISODE_COLUMNS, HEADER_COLUMNS

from .cohort import (
    IDENTIFIER_PREFIX,
    WINDOW_YEARS,
    Area,
    Home,
    PlannedChild,
    collection_year_end,
    days_in_care,
    plan_cohort,
)

#: Children looked after per resident: England's 83,000 or so (DfE, 31 March) over its people.
NATIONAL_RATE = 0.00147
#: The demo's rate: a tenth of England's, so that `manage.py seed` stays quick (about 1,100
#: children looked after today in the North West's 24 LAs; the measure in the ADR).
DEMO_RATE = 0.000147
BATCH = 5000
PLAN_IN_PARALLEL_FROM = 5000  # children looked after in all: plan in a worker process
PLAN_AHEAD = 3  # LAs planned ahead of the one being written
NEIGHBOURS = 4  # LAs whose postcodes and homes count as nearby
CHILDRENS_HOMES = 4  # synthetic children's homes per LA (URN SC7 + DfE code + n)
SUPPORTED = 3  # synthetic supported accommodation per LA (URN SC6 + DfE code + n)
ASSESSMENT_SUMMARY = "Synthetic assessment recorded with the care history import."


@dataclass
class CohortSummary:
    las: int = 0  # LAs given their cohort now
    skipped: int = 0  # LAs that had theirs
    children: int = 0
    looked_after: int = 0  # of them, looked after today
    episodes: int = 0
    assessments: int = 0
    rate: float = 0.0
    seconds: float = 0.0

    def lines(self) -> list[str]:
        if not self.las:
            present = Child.objects.filter(local_identifier__startswith=IDENTIFIER_PREFIX)
            return [
                f"Planning cohort: already present for {self.skipped} LAs "
                f"({present.count():,} children)"
            ]
        return [
            f"Planning cohort: {self.las} LAs ({self.skipped} already had theirs), "
            f"{self.rate * 1000:.3f} children looked after per 1,000 residents: "
            f"{self.children:,} children in {WINDOW_YEARS} years of care history, "
            f"{self.looked_after:,} looked after today",
            f"                 {self.episodes:,} SSDA903 episodes imported, "
            f"{self.assessments:,} needs assessments ({self.seconds:.1f} s)",
        ]


@transaction.atomic
def seed_planning_cohort(
    *, scale: str, seed: int = 2026, today: dt.date | None = None, progress: bool = False
) -> CohortSummary:
    """Every LA's (national) or every RCC member LA's (other scales) looked-after cohort, for
    the LAs that do not have it yet. Returns what it wrote."""
    started = time.monotonic()
    today = today or timezone.localdate()
    rate = NATIONAL_RATE if scale == "national" else DEMO_RATE
    summary = CohortSummary(rate=rate)
    las = list(
        Organisation.objects.local_authorities()
        .order_by("dfe_la_code")
        .values_list("pk", "dfe_la_code", "region", "population", "latitude", "longitude")
    )
    if scale != "national":
        members = set(RccMembership.objects.current(today).values_list("la_id", flat=True))
        scope = [row for row in las if row[0] in members]
    else:
        scope = las
    done = set(
        Child.objects.filter(
            la_id__in=[row[0] for row in scope], local_identifier__startswith=IDENTIFIER_PREFIX
        )
        .values_list("la_id", flat=True)
        .distinct()
    )
    todo = [row for row in scope if row[0] not in done]
    summary.skipped = len(scope) - len(todo)
    if not todo:
        return summary
    domains = list(NeedDomain.objects.active().order_by("sort_order").values_list("code", "pk"))
    levels = dict(NeedLevel.objects.values_list("rank", "pk"))
    if not domains or not all(rank in levels for rank in (1, 2, 3, 4)):
        raise ValueError("Load the needs taxonomy first (manage.py load_taxonomy).")
    areas = _Areas(las, seed=seed)
    rows = _Rows()
    authors = social_workers_and_iros({row[0] for row in todo}, {})
    jobs = [
        (pk, code, areas.area(pk, code, region, round((population or 0) * rate)))
        for pk, code, region, population, _lat, _lng in todo
    ]
    planned = _planned(jobs, seed=seed, today=today, domains=[d for d, _ in domains])
    bar = tqdm(total=len(jobs), desc="Cohort by LA", unit=" LAs", disable=not progress)
    with rows.checked_as_written():
        for pk, code, plans, files in planned:
            _write(
                la_id=pk,
                code=code,
                plans=plans,
                files=files,
                by=authors[(pk, Role.SOCIAL_WORKER)],
                domains=dict(domains),
                levels=levels,
                today=today,
                rows=rows,
                summary=summary,
            )
            summary.las += 1
            bar.update()
    bar.close()
    summary.seconds = time.monotonic() - started
    return summary


def _plan(
    area: Area, *, seed: int, today: dt.date, domains: list[str]
) -> tuple[list[PlannedChild], tuple[bytes, bytes]]:
    plans = plan_cohort(area, seed=seed, today=today, domains=domains)
    return plans, _files(plans)


def _planned(
    jobs: list[tuple[int, str, Area]], *, seed: int, today: dt.date, domains: list[str]
) -> Iterator[tuple[int, str, list[PlannedChild], tuple[bytes, bytes]]]:
    """Each LA's plans and the files they make, in order. With more than a few thousand
    children to plan, a worker process plans the next LAs while the caller writes this one's
    (planning reads nothing from the database: the worker, forked, never touches the
    connection it inherits)."""
    days_in_care((collection_year_end(today) - today).days)  # once, before the fork
    if sum(area.stock for _, _, area in jobs) < PLAN_IN_PARALLEL_FROM:
        for pk, code, area in jobs:
            yield pk, code, *_plan(area, seed=seed, today=today, domains=domains)
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        ahead: deque[tuple[int, str, Future[tuple[list[PlannedChild], tuple[bytes, bytes]]]]] = (
            deque()
        )
        for pk, code, area in jobs:
            ahead.append(
                (pk, code, pool.submit(_plan, area, seed=seed, today=today, domains=domains))
            )
            if len(ahead) > PLAN_AHEAD:
                pk, code, future = ahead.popleft()
                yield pk, code, *future.result()
        while ahead:
            pk, code, future = ahead.popleft()
            yield pk, code, *future.result()


class _Areas:
    """What each LA's plan needs to know of the LA and its neighbours, read once."""

    def __init__(
        self, las: list[tuple[int, str, str, int | None, float | None, float | None]], *, seed: int
    ):
        self.seed = seed
        self.codes = {pk: code for pk, code, *_ in las}
        self.centres: dict[int, tuple[float, float]] = {
            pk: (lat, lng)
            for pk, _c, _r, _p, lat, lng in las
            if lat is not None and lng is not None
        }
        self.postcodes = Postcodes.load()
        services = dict(
            Organisation.objects.filter(kind=OrganisationKind.LA_SERVICE)
            .exclude(ofsted_urn="")
            .values_list("owning_la__dfe_la_code", "ofsted_urn")
        )
        self.in_house: dict[str, tuple[str, str]] = {}
        for code in self.codes.values():
            if code in services:
                self.in_house[code] = ("PR1", services[code])
            elif SHARED_LA_SERVICES.get(code) in services:
                self.in_house[code] = ("PR2", services[SHARED_LA_SERVICES[code]])
            else:  # no service on the register: the URN the register seed would give it
                self.in_house[code] = ("PR1", f"SC8{code}00")
        self.ifas: dict[int, list[tuple[str, str]]] = defaultdict(list)
        served = Provider.areas_served.through.objects.filter(
            provider__organisation__kind=OrganisationKind.IFA
        ).exclude(provider__organisation__ofsted_urn="")
        for la_id, urn, sector in served.order_by(
            "organisation_id", "provider__organisation__ofsted_urn"
        ).values_list(
            "organisation_id",
            "provider__organisation__ofsted_urn",
            "provider__organisation__sector",
        ):
            self.ifas[la_id].append(("PR5" if sector == IfaSector.VOLUNTARY else "PR4", urn))
        self._pools: dict[int, list[str]] = {}
        self._homes: dict[int, tuple[list[Home], list[Home]]] = {}

    def neighbours(self, pk: int) -> list[int]:
        centre = self.centres.get(pk)
        if centre is None:
            return []
        others = sorted(
            (miles_between(centre, c), self.codes[other])
            for other, c in self.centres.items()
            if other != pk
        )
        by_code = {code: other for other, code in self.codes.items()}
        return [by_code[code] for _, code in others[:NEIGHBOURS]]

    def pool(self, pk: int) -> list[str]:
        """Real postcodes in the LA's districts; if it has none, in the districts nearest its
        centre."""
        if pk not in self._pools:
            p = self.postcodes
            districts = p.la_districts.get(pk, [])
            centre = self.centres.get(pk)
            if not districts and centre is not None:
                english = [d for ds in p.la_districts.values() for d in ds]
                districts = sorted(english, key=lambda d: (miles_between(centre, p.centres[d]), d))[
                    :2
                ]
            self._pools[pk] = [code for d in districts for code in p.by_district[d]]
        return self._pools[pk]

    def homes(self, pk: int) -> tuple[list[Home], list[Home]]:
        """The LA's own children's homes and supported accommodation (synthetic URNs, real
        postcodes in the LA, run privately or by a voluntary body)."""
        if pk not in self._homes:
            code = self.codes[pk]
            rng = random.Random(f"{self.seed}:homes:{code}")  # noqa: S311 - synthetic data
            pool = self.pool(pk)

            def home(prefix: str, n: int) -> Home:
                provider = "PR4" if rng.random() < 0.8 else "PR5"
                return Home(f"SC{prefix}{code}{n:02d}", provider, rng.choice(pool))

            self._homes[pk] = (
                [home("7", n) for n in range(1, CHILDRENS_HOMES + 1)] if pool else [],
                [home("6", n) for n in range(1, SUPPORTED + 1)] if pool else [],
            )
        return self._homes[pk]

    def area(self, pk: int, code: str, region: str, stock: int) -> Area:
        near = self.neighbours(pk)
        nearby = [c for other in near for c in self.pool(other)]
        childrens_homes = [h for la in (pk, *near[:2]) for h in self.homes(la)[0]]
        supported = [h for la in (pk, *near[:2]) for h in self.homes(la)[1]]
        return Area(
            code=code,
            stock=stock,
            london=region == Region.LONDON,
            home_postcodes=self.pool(pk),
            nearby_postcodes=nearby,
            in_house=self.in_house[code],
            ifas=self.ifas.get(pk, []),
            childrens_homes=childrens_homes,
            supported=supported,
            adoption=Home(f"SC5{code}00", "PR1", ""),
        )


def _dmy(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _files(plans: list[PlannedChild]) -> tuple[bytes, bytes]:
    """The Header and Episodes files the import read, as the LA's case system wrote them."""
    header, episodes = io.StringIO(), io.StringIO()
    h = csv.writer(header, lineterminator="\r\n")
    e = csv.writer(episodes, lineterminator="\r\n")
    h.writerow(HEADER_COLUMNS)
    e.writerow(EPISODE_COLUMNS)
    for c in plans:
        h.writerow((c.identifier, c.sex, _dmy(c.dob), c.ethnicity, "", "", ""))
        e.writerows(
            (c.identifier, _dmy(x.start), x.rne, x.ls, x.cin, x.place, x.provider, _dmy(x.end),
             x.rec, x.change, x.home_post, x.pl_post, x.urn)
            for x in c.episodes
        )  # fmt: skip
    return header.getvalue().encode(), episodes.getvalue().encode()


class _Rows:
    """Rows written in bulk without a model instance each: PostgreSQL's COPY in batches of
    5,000 (a national cohort is about three million rows: `bulk_create` takes many minutes over
    them), else `bulk_create` in batches of 5,000 (SQLite: the demo without a database server).
    As the monitoring returns' rows are (docs/adr/0073).

    Each row is a tuple of the values of `columns` (attribute names); the model's other columns
    take their defaults, `auto_now` / `auto_now_add` ones the time of the seed. The values are
    ids, dates, codes, postcodes and fixed text: none holds a tab, a newline or a backslash,
    which COPY's text format would need escaped."""

    def __init__(self) -> None:
        self.now = timezone.now()
        self.postgres = connection.vendor == "postgresql"

    @contextmanager
    def checked_as_written(self) -> Iterator[None]:
        """Foreign keys checked as each COPY ends rather than all at the commit: PostgreSQL
        queues a deferred check per row, and millions of them make a slow commit. Deferred
        again afterwards (Django's foreign keys are INITIALLY DEFERRED)."""
        if not self.postgres:
            yield
            return
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            try:
                yield
            finally:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def insert(
        self, model: type[Model], columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
    ) -> list[int]:
        """Insert `rows`; their new primary keys, in order."""
        if not self.postgres:
            made = model._default_manager.bulk_create(
                (model(**dict(zip(columns, row, strict=True))) for row in rows), batch_size=BATCH
            )
            return [obj.pk for obj in made]
        rows = list(rows)
        fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
        rest = [name for name in fields if name not in columns]
        defaults = "".join("\t" + _text(self._default(fields[name])) for name in rest)
        json = {
            i for i, name in enumerate(columns) if fields[name].get_internal_type() == "JSONField"
        }
        table = model._meta.db_table
        names = ", ".join(
            connection.ops.quote_name(str(fields[n].column)) for n in (*columns, *rest)
        )
        with connection.cursor() as cursor, connection.wrap_database_errors:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, len(rows)],
            )
            ids = [pk for (pk,) in cursor.fetchall()]
            with cursor.copy(f"COPY {table} (id, {names}) FROM STDIN") as copy:
                for start in range(0, len(rows), BATCH):
                    lines = []
                    for pk, row in zip(
                        ids[start : start + BATCH], rows[start : start + BATCH], strict=True
                    ):
                        if json:
                            row = tuple(dumps(v) if i in json else v for i, v in enumerate(row))
                        cells = "\t".join(["\\N" if v is None else str(v) for v in row])
                        lines.append(f"{pk}\t{cells}{defaults}\n")
                    copy.write("".join(lines))
        return ids

    def _default(self, field: Any) -> Any:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return self.now
        value = field.get_default()
        return dumps(value) if field.get_internal_type() == "JSONField" else value


def _text(value: Any) -> str:
    """A value in COPY's text format."""
    return "\\N" if value is None else str(value)


def _write(
    *,
    la_id: int,
    code: str,
    plans: list[PlannedChild],
    files: tuple[bytes, bytes],
    by: User,
    domains: dict[str, int],
    levels: dict[int, int],
    today: dt.date,
    rows: _Rows,
    summary: CohortSummary,
) -> None:
    """One LA's plans, as an accepted import of its files."""
    if not plans:
        return
    first = min(e.start for c in plans for e in c.episodes)
    name = f"ssda903-{code}-{first:%Y%m%d}-{today:%Y%m%d}"
    episodes = sum(len(c.episodes) for c in plans)
    record = CareHistoryImport(
        la_id=la_id,
        uploaded_by=by,
        header_name=f"{name}-header.csv",
        episodes_name=f"{name}-episodes.csv",
        status=CareHistoryImport.Status.ACCEPTED,
        header_rows=len(plans),
        episode_rows=episodes,
        children_created=len(plans),
        episodes_created=episodes,
        legal_statuses_created=sum(len(c.legal_statuses) for c in plans),
    )
    header_file, episodes_file = files
    record.header_file.save(f"{la_id}-{name}-header.csv", ContentFile(header_file), save=False)
    record.episodes_file.save(
        f"{la_id}-{name}-episodes.csv", ContentFile(episodes_file), save=False
    )
    record.save()

    children = rows.insert(
        Child,
        (
            "la_id", "local_identifier", "date_of_birth", "sex", "ethnicity", "religion",
            "languages", "legal_status", "home_postcode", "home_postcode_district_id",
            "created_by_id",
        ),
        (
            (la_id, c.identifier, c.dob, c.sex, c.ethnicity, c.religion, c.languages,
             c.episodes[-1].ls, c.home_postcode, c.home_postcode.split(" ")[0], by.pk)
            for c in plans
        ),
    )  # fmt: skip
    imported = CareHistorySource.IMPORTED
    rows.insert(
        CareEpisode,
        (
            "child_id", "start_date", "end_date", "new_episode_reason", "legal_status",
            "category_of_need", "placement_type", "placement_provider", "reason_ended",
            "reason_place_change", "home_postcode", "placement_postcode", "urn", "source",
            "imported_from_id",
        ),
        (
            (child, e.start, e.end, e.rne, e.ls, e.cin, e.place, e.provider, e.rec, e.change,
             e.home_post, e.pl_post, e.urn, imported, record.pk)
            for child, c in zip(children, plans, strict=True)
            for e in c.episodes
        ),
    )  # fmt: skip
    rows.insert(
        LegalStatusChange,
        ("child_id", "legal_status", "start_date", "source"),
        (
            (child, ls, day, imported)
            for child, c in zip(children, plans, strict=True)
            for day, ls in c.legal_statuses
        ),
    )
    assessments = rows.insert(
        NeedsAssessment,
        ("child_id", "version", "assessed_on", "assessed_by_id", "summary"),
        (
            (child, 1, c.assessed_on, by.pk, ASSESSMENT_SUMMARY)
            for child, c in zip(children, plans, strict=True)
        ),
    )
    rows.insert(
        NeedsAssessmentItem,
        ("assessment_id", "domain_id", "level_id"),
        (
            (assessment, domains[domain], levels[rank])
            for assessment, c in zip(assessments, plans, strict=True)
            for domain, rank in c.needs.items()
        ),
    )
    summary.children += len(plans)
    summary.looked_after += sum(1 for c in plans if c.episodes[-1].end is None)
    summary.episodes += episodes
    summary.assessments += len(assessments)
