"""Synthetic monitoring data: four quarters of returns and placement feedback for every provider.

Deterministic (every random choice comes from a generator seeded with `seed` and the provider's
name), idempotent (nothing is created twice: placements by their child's identifier, returns
by provider and quarter, versions only where a return has none, feedback only for placements
without any) and bulk (a handful of inserts per model, whatever the scale). Dates are relative
to today, so that the demo works on any day.

Placements made through the platform are needed for feedback (it is given on a placement);
the referral journey's seed makes none, so a few historical ones per provider are made here,
with the referral, target, offer and (filled) place each comes from. Every provider's returns
also report placements not made through the platform, under its own pseudonymous references.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from apps.accounts.models import Membership, User
from apps.accounts.roles import Role
from apps.organisations.kinds import IfaSector, OrganisationKind
from apps.organisations.models import Organisation, RccMembership
from apps.providers.choices import HouseholdStatus, VacancyStatus
from apps.providers.models import Household, Provider, Vacancy
from apps.referrals.choices import (
    DeclineReason,
    LegalStatus,
    OfferStatus,
    ReferralStatus,
    TargetStatus,
)
from apps.referrals.models import (
    Child,
    Offer,
    Placement,
    PlacementAgreement,
    Referral,
    ReferralTarget,
)

from .choices import Channel, QueryStatus, ReturnStatus, SubmissionOutcome
from .format import CURRENT, format_for
from .models import (
    MeetingScorecardLink,
    MonitoringReturn,
    PlacementFeedback,
    ReturnPlacement,
    ReturnQuery,
    ReturnQueryMessage,
    ReturnSubmission,
    ReturnVersion,
)
from .quarters import Quarter
from .seeding_journeys import Postcodes, journeys, legal_statuses_and_history
from .selectors import child_reference
from .services.scorecards import scorecard_refresh
from .validation import CleanPlacement, CleanReturn

DEMO_DOMAIN = "demo.rcc.example"
CHILD_PREFIX = "MQ-"
PLATFORM_PLACEMENTS = 6  # per provider, made through the platform (feedback is given on them)
OCCUPANCY = 0.6  # share of approved places filled, as in DOMAIN.md (42,015 of 69,825)
QUARTERS = 4
FIGURES = CURRENT.figures
ENDING_REASONS = (
    ("PLACE", 36), ("LAREQ", 10), ("CHILD", 8), ("OTHER", 8), ("CARPL", 13), ("CREQB", 8),
    ("CREQO", 6), ("ALLEG", 4), ("STAND", 4), ("APPRR", 3),
)  # fmt: skip
TYPES = (("U4", 42), ("U6", 46), ("U1", 4), ("U3", 5), ("U5", 3))
RESIGN = ("RETIRE", "HEALTH", "FAMILY", "MOVEPROV", "PERMANENCE", "OTHER")
DEREGISTER = ("ALLEG", "STAND", "UNSUIT", "INACTIVE", "OTHER")


@dataclass
class MonitoringSeedSummary:
    placements: int = 0
    feedback: int = 0
    returns: int = 0
    versions: int = 0
    placement_rows: int = 0
    snapshots: int = 0
    meeting_links: int = 0
    quarters: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"Monitoring: {self.returns:,} returns for {', '.join(self.quarters)}; "
            f"{self.versions:,} versions with {self.placement_rows:,} placement rows",
            f"Monitoring: {self.placements:,} platform placements, {self.feedback:,} feedback "
            f"reviews, {self.snapshots:,} scorecard rows, {self.meeting_links:,} meetings "
            "linked to scorecards",
        ]


def _pick(rng: random.Random, options: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


@dataclass
class _Provider:
    provider: Provider
    rng: random.Random
    households: list[tuple[int, str, int, int | None]]  # id, reference, places, la id
    las: list[int]  # placing LAs (in an RCC)
    live: int = 0
    places: int = 0


@transaction.atomic
def seed_monitoring(
    *, scale: str = "demo", seed: int = 2026, today: dt.date | None = None
) -> MonitoringSeedSummary:
    """Four ended quarters of returns and feedback for every provider. Safe to re-run."""
    today = today or timezone.localdate()
    quarters = Quarter.last_ended(today).back(QUARTERS)
    summary = MonitoringSeedSummary(quarters=[q.short for q in quarters])
    rcc_of = dict(RccMembership.objects.current(today).values_list("la_id", "rcc_id"))
    if not rcc_of:
        return summary
    la_codes = dict(Organisation.objects.local_authorities().values_list("pk", "dfe_la_code"))
    people = _people()
    providers = _providers(seed, rcc_of)
    summary.placements = _platform_placements(providers, people, rcc_of, quarters, today)
    _agreements()
    summary.feedback = _feedback(people, quarters, today)
    summary.returns, summary.versions, summary.placement_rows = _returns(
        providers, people, quarters, rcc_of, la_codes, today
    )
    summary.snapshots = scorecard_refresh(
        quarters=[*quarters[0].back(QUARTERS + 1)[:-1], *quarters, Quarter.of(today)]
    )
    summary.meeting_links = _meeting_links(people["commissioner"])
    return summary


def _people() -> dict[str, User]:
    def user(local: str, first: str = "Seed", last: str = "") -> User:
        found = User.objects.filter(email=f"{local}@{DEMO_DOMAIN}").first()
        if found is None:  # the demo logins are seeded first; tests may call this alone
            found = User(
                email=f"{local}@{DEMO_DOMAIN}",
                username=f"{local}@{DEMO_DOMAIN}",
                first_name=first,
                last_name=last or local,
            )
            found.set_unusable_password()
            found.save()
        return found

    return {
        "social_worker": user("social.worker"),
        "placement_officer": user("placement.officer"),
        "commissioner": user("commissioner"),
        "data_officer": user("ifa.data"),
        # Submits the seeded returns of providers that have no data officer of their own.
        "submitter": user("returns.synthetic", "Synthetic", "data officer"),
    }


def _providers(seed: int, rcc_of: dict[int, int]) -> list[_Provider]:
    households: dict[int, list[tuple[int, str, int, int | None]]] = defaultdict(list)
    live_places: dict[int, tuple[int, int]] = {}
    rows = Household.objects.filter(
        status__in=[HouseholdStatus.ACTIVE, HouseholdStatus.ON_HOLD]
    ).order_by("pk")
    for pk, provider_id, reference, places, la_id in rows.values_list(
        "pk", "provider_id", "reference", "places", "la_id"
    ):
        households[provider_id].append((pk, reference, places, la_id))
    for provider_id, count, places in (
        Household.objects.filter(status__in=[HouseholdStatus.ACTIVE, HouseholdStatus.ON_HOLD])
        .values("provider_id")
        .annotate(n=Count("pk"), p=Sum("places"))
        .values_list("provider_id", "n", "p")
    ):
        live_places[provider_id] = (count, places or 0)
    served: dict[int, list[int]] = defaultdict(list)
    for provider_id, la_id in Provider.areas_served.through.objects.values_list(
        "provider_id", "organisation_id"
    ):
        served[provider_id].append(la_id)
    out = []
    for provider in Provider.objects.select_related("organisation").order_by("organisation__name"):
        own = households.get(provider.pk, [])
        las = sorted(
            {la for *_, la in own if la in rcc_of}
            or {la for la in served[provider.pk] if la in rcc_of}
        )
        if not las and provider.organisation.owning_la_id in rcc_of:
            las = [provider.organisation.owning_la_id]
        rng = random.Random(f"{seed}:monitoring:{provider.organisation.name}")  # noqa: S311
        if not las and own:  # placed from further away: an LA of an RCC
            las = sorted(rng.sample(sorted(rcc_of), k=min(2, len(rcc_of))))
        live, places = live_places.get(provider.pk, (0, 0))
        out.append(_Provider(provider, rng, own, las, live, places))
    return out


def _placement_provider_code(provider: Provider, la_id: int) -> str:
    org = provider.organisation
    if org.kind == OrganisationKind.LA_SERVICE:
        return "PR1" if org.owning_la_id == la_id else "PR2"
    return "PR5" if org.sector == IfaSector.VOLUNTARY else "PR4"


def _platform_placements(
    providers: list[_Provider],
    people: dict[str, User],
    rcc_of: dict[int, int],
    quarters: list[Quarter],
    today: dt.date,
) -> int:
    """A few placements per provider made through the platform, with their referral chain."""
    have = set(
        Child.objects.filter(local_identifier__startswith=CHILD_PREFIX).values_list(
            "local_identifier", flat=True
        )
    )
    now = timezone.now()
    first = quarters[0].start - dt.timedelta(days=400)
    plans: list[dict[str, Any]] = []
    for p in providers:
        if not p.households or not p.las:
            continue
        for n in range(PLATFORM_PLACEMENTS):
            ident = f"{CHILD_PREFIX}{p.provider.pk}-{n + 1}"
            if ident in have:
                continue
            rng = p.rng
            household = rng.choice(p.households)
            la_id = rng.choice(p.las)
            start = first + dt.timedelta(days=rng.randrange(0, (today - first).days - 30))
            end = reason = None
            if rng.random() < 0.35:
                end = min(
                    start + dt.timedelta(days=rng.randrange(40, 400)), today - dt.timedelta(days=1)
                )
                reason = _pick(rng, ENDING_REASONS)
            plans.append(
                {
                    "ident": ident,
                    "child": ident,
                    "left_care": "",
                    "provider": p.provider,
                    "household": household,
                    "la": la_id,
                    "rcc": rcc_of[la_id],
                    "start": start,
                    "end": end,
                    "reason": reason or "",
                    "type": _pick(rng, TYPES),
                    "age": rng.randrange(1, 17),
                    "sent": start - dt.timedelta(days=rng.randrange(3, 25)),
                    "hours": rng.choice((2, 5, 9, 20, 30, 48, 70)),
                    "fee": Decimal(rng.randrange(700, 1200)),
                }
            )
    if not plans:
        return 0
    first_of = {x["ident"]: x for x in plans}  # each child's first placement
    journeys(plans, {p.provider.pk: p.households for p in providers}, today)
    postcodes = Postcodes.load()
    by = people["placement_officer"]
    born = []
    for i, x in enumerate(first_of.values()):
        home = postcodes.in_la(x["la"], random.Random(f"home:{x['ident']}"))  # noqa: S311
        born.append(
            Child(
                la_id=x["la"],
                local_identifier=x["ident"],
                date_of_birth=x["start"] - dt.timedelta(days=365 * x["age"]),
                sex="F" if i % 2 else "M",
                ethnicity="WBRI" if i % 3 else "MWBC",
                legal_status=LegalStatus.C2,
                home_postcode=home,
                home_postcode_district_id=home.split(" ")[0] if home else None,
                created_by=people["social_worker"],
            )
        )
    made = {c.local_identifier: c for c in Child.objects.bulk_create(born, batch_size=1000)}
    legal_statuses_and_history(made, first_of, postcodes, today)
    children = [made[x["child"]] for x in plans]
    referrals = Referral.objects.bulk_create(
        [
            Referral(
                child=c,
                la_id=x["la"],
                rcc_id=x["rcc"],
                status=ReferralStatus.PLACED,
                created_by=people["social_worker"],
                sent_at=dt.datetime.combine(x["sent"], dt.time(10), tzinfo=dt.UTC),
                about_the_child="Synthetic child for the monitoring demo.",
            )
            for c, x in zip(children, plans, strict=True)
        ],
        batch_size=1000,
    )
    targets = ReferralTarget.objects.bulk_create(
        [
            ReferralTarget(
                referral=r,
                household_id=x["household"][0],
                provider=x["provider"],
                score=Decimal("70.0"),
                sent_by=by,
                status=TargetStatus.OFFERED,
                responded_by=by,
            )
            for r, x in zip(referrals, plans, strict=True)
        ],
        batch_size=1000,
    )
    for t, x in zip(targets, plans, strict=True):
        t.sent_at = dt.datetime.combine(x["sent"], dt.time(10), tzinfo=dt.UTC)
        t.responded_at = t.sent_at + dt.timedelta(hours=x["hours"])
    ReferralTarget.objects.bulk_update(targets, ["sent_at", "responded_at"], batch_size=1000)
    vacancies = Vacancy.objects.bulk_create(
        [
            Vacancy(
                household_id=x["household"][0],
                reference=x["ident"],
                available_from=x["start"],
                status=VacancyStatus.FILLED,
                last_confirmed_at=now,
            )
            for x in plans
        ],
        batch_size=1000,
    )
    offers = Offer.objects.bulk_create(
        [
            Offer(
                target=t,
                referral=r,
                household_id=x["household"][0],
                vacancy=v,
                weekly_fee=x["fee"],
                available_from=x["start"],
                made_by=by,
                status=OfferStatus.ACCEPTED,
            )
            for t, r, v, x in zip(targets, referrals, vacancies, plans, strict=True)
        ],
        batch_size=1000,
    )
    for o, t in zip(offers, targets, strict=True):
        o.made_at = t.responded_at or t.sent_at
    Offer.objects.bulk_update(offers, ["made_at"], batch_size=1000)
    districts = dict(
        Household.objects.filter(pk__in={x["household"][0] for x in plans}).values_list(
            "pk", "postcode_district_id"
        )
    )
    carers: dict[tuple[str, int], str] = {}  # (child, household) → the carers' postcode
    for x in plans:
        rng = random.Random(f"carers:{x['ident']}")  # noqa: S311
        x["home_post"] = made[x["child"]].home_postcode
        key = (x["child"], x["household"][0])
        if key not in carers:  # a move to other carers is a move to another address
            taken = {pc for (c, _), pc in carers.items() if c == x["child"]} | {x["home_post"]}
            carers[key] = postcodes.in_district(
                districts.get(x["household"][0]), rng, avoid=frozenset(taken)
            )
        x["pl_post"] = carers[key]
        x["miles"] = postcodes.miles(x["home_post"], x["pl_post"])

    Placement.objects.bulk_create(
        [
            Placement(
                referral=r,
                child=c,
                offer=o,
                vacancy=v,
                household_id=x["household"][0],
                provider=x["provider"],
                la_id=x["la"],
                rcc_id=x["rcc"],
                placement_type=x["type"],
                placement_provider=_placement_provider_code(x["provider"], x["la"]),
                start_date=x["start"],
                end_date=x["end"],
                reason_ended=x["reason"],
                left_care_reason=x["left_care"],
                provider_urn=x["provider"].organisation.ofsted_urn,
                home_postcode=x["home_post"],
                placement_postcode=x["pl_post"],
                distance_from_home_miles=x["miles"],
                booked_by=by,
            )
            for r, c, o, v, x in zip(referrals, children, offers, vacancies, plans, strict=True)
        ],
        batch_size=1000,
    )
    _declined_targets(referrals, plans, providers, by)
    return len(plans)


def _agreements() -> int:
    """The IPA of each platform placement made without one, as booking writes it: the offer's
    fee and support, paid as agreed, with the provider's URN (so each demo placement's IPA can
    be read and downloaded). The budgets' figures do not change: they fall back to the offer's
    fee where there is no IPA."""
    missing = Placement.objects.filter(
        child__local_identifier__startswith=CHILD_PREFIX, agreement__isnull=True
    ).values_list(
        "pk", "offer__weekly_fee", "offer__support_package", "offer__support_weekly_cost",
        "provider_urn",
    )  # fmt: skip
    made = PlacementAgreement.objects.bulk_create(
        [
            PlacementAgreement(
                placement_id=pk,
                agreed_weekly_fee=fee,
                support_package=package,
                support_weekly_cost=support,
                actual_weekly_cost=fee + support,
                provider_urn=urn,
            )
            for pk, fee, package, support, urn in missing
        ],
        batch_size=1000,
    )
    return len(made)


def _declined_targets(
    referrals: list[Referral], plans: list[dict[str, Any]], providers: list[_Provider], by: User
) -> None:
    """Referrals other providers were sent about the same children and declined (offer rates)."""
    pool = [p for p in providers if p.households]
    rows = []
    for referral, x in zip(referrals, plans, strict=True):
        rng = random.Random(f"declined:{x['ident']}")  # noqa: S311
        for other in rng.sample(pool, k=min(2, len(pool))):
            if other.provider.pk == x["provider"].pk:
                continue
            sent = dt.datetime.combine(x["sent"], dt.time(10), tzinfo=dt.UTC)
            declined = rng.random() < 0.8
            rows.append(
                ReferralTarget(
                    referral=referral,
                    household_id=rng.choice(other.households)[0],
                    provider=other.provider,
                    score=Decimal("55.0"),
                    sent_by=by,
                    status=TargetStatus.DECLINED if declined else TargetStatus.SENT,
                    decline_reason=rng.choice(DeclineReason.values) if declined else "",
                    responded_at=sent + dt.timedelta(hours=rng.choice((3, 8, 26, 60)))
                    if declined
                    else None,
                )
            )
    made = ReferralTarget.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=False)
    for target, row in zip(made, rows, strict=True):
        sent_at = target.referral.sent_at or timezone.now()
        target.sent_at = dt.datetime.combine(sent_at.date(), dt.time(10), tzinfo=dt.UTC)
        target.responded_at = row.responded_at
    ReferralTarget.objects.bulk_update(made, ["sent_at", "responded_at"], batch_size=1000)


def _feedback(people: dict[str, User], quarters: list[Quarter], today: dt.date) -> int:
    """One or two reviews a quarter (social worker, IRO) on each platform placement without any."""
    done = set(PlacementFeedback.objects.values_list("placement_id", flat=True).distinct())
    placements = list(
        Placement.objects.filter(child__local_identifier__startswith=CHILD_PREFIX)
        .exclude(pk__in=done)
        .values_list("pk", "la_id", "start_date", "end_date", "child__local_identifier")
    )
    if not placements:
        return 0
    authors = _feedback_authors({la for _, la, *_ in placements}, people)
    rows = []
    for pk, la_id, start, end, ident in placements:
        rng = random.Random(f"feedback:{ident}")  # noqa: S311
        quality = rng.choice((2, 3, 3, 4, 4, 4, 5, 5))
        for q in quarters:
            first, last = max(start, q.start), min(end or q.end, q.end, today)
            if last < first:
                continue
            for role in ("social_worker", "iro"):
                if role == "iro" and rng.random() < 0.4:
                    continue
                day = first + dt.timedelta(days=rng.randrange(0, (last - first).days + 1))

                def score() -> int:
                    return max(1, min(5, quality + rng.choice((-1, 0, 0, 0, 1))))  # noqa: B023

                concerns = rng.random() < 0.08 or (quality <= 2 and rng.random() < 0.3)
                rows.append(
                    PlacementFeedback(
                        placement_id=pk,
                        author=authors[(la_id, role)],
                        author_role=role,
                        review_date=day,
                        childs_progress=score(),
                        carer_support=score(),
                        communication=score(),
                        concerns=concerns,
                        concerns_detail="Contact arrangements were missed twice this quarter."
                        if concerns
                        else "",
                    )
                )
    PlacementFeedback.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


def _feedback_authors(la_ids: set[int], people: dict[str, User]) -> dict[tuple[int, str], User]:
    """Each LA's social worker and IRO: the demo logins where they belong, else synthetic ones."""
    out: dict[tuple[int, str], User] = {}
    holders = Membership.objects.filter(
        organisation_id__in=la_ids, role__in=[Role.SOCIAL_WORKER, Role.IRO]
    ).select_related("user")
    for m in holders.order_by("user_id"):
        out.setdefault((m.organisation_id, m.role), m.user)
    codes = dict(Organisation.objects.filter(pk__in=la_ids).values_list("pk", "dfe_la_code"))
    for la_id in sorted(la_ids):
        for role, slug in ((Role.SOCIAL_WORKER, "sw"), (Role.IRO, "iro")):
            if (la_id, role) in out:
                continue
            email = f"seed.{slug}.{codes[la_id]}@{DEMO_DOMAIN}"
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User(
                    email=email,
                    username=email,
                    first_name="Seed",
                    last_name=f"{slug.upper()} {codes[la_id]}",
                )
                user.set_unusable_password()
                user.save()
            Membership.objects.get_or_create(user=user, organisation_id=la_id, role=role)
            out[(la_id, role)] = user
    return out


@dataclass
class _Cohort:
    child_ref: str
    la_id: int
    start: dt.date
    end: dt.date | None
    reason: str
    ptype: str
    household: str


def _cohort(p: _Provider, quarters: list[Quarter], today: dt.date) -> list[_Cohort]:
    """Placements not made through the platform: about 60% of places filled, with turnover."""
    rng = random.Random(f"cohort:{p.provider.name}:{p.rng.random()}")  # noqa: S311
    if not p.las or not p.households:
        return []
    filled = max(0, round(p.places * OCCUPANCY) - PLATFORM_PLACEMENTS)
    first, last = quarters[0].start, quarters[-1].end
    span = (last - first).days
    out = []
    for n in range(int(filled * 1.45)):
        started_before = n < filled
        if started_before:
            start = first - dt.timedelta(days=rng.randrange(1, 3 * 365))
        else:
            start = first + dt.timedelta(days=rng.randrange(0, span))
        end = reason = None
        if rng.random() < (0.33 if started_before else 0.45):
            end = max(start, first) + dt.timedelta(days=rng.randrange(5, span))
            end = end if end <= last else None
            reason = _pick(rng, ENDING_REASONS) if end else None
        out.append(
            _Cohort(
                f"P{p.provider.pk % 1000:03d}-{n + 1:05d}",
                rng.choice(p.las),
                start,
                end,
                reason or "",
                _pick(rng, TYPES),
                rng.choice(p.households)[1],
            )
        )
    return out


def _returns(
    providers: list[_Provider],
    people: dict[str, User],
    quarters: list[Quarter],
    rcc_of: dict[int, int],
    la_codes: dict[int, str],
    today: dt.date,
) -> tuple[int, int, int]:
    starts = [q.start for q in quarters]
    MonitoringReturn.objects.bulk_create(
        [
            MonitoringReturn(provider=p.provider, quarter_start=q.start, due_on=q.due_on)
            for p in providers
            for q in quarters
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    returns = {
        (r.provider_id, r.quarter_start): r
        for r in MonitoringReturn.objects.filter(
            quarter_start__in=starts, current_version__isnull=True
        )
    }
    total = MonitoringReturn.objects.filter(quarter_start__in=starts).count()
    if not returns:
        return total, 0, 0
    platform: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in Placement.objects.filter(provider_id__in={k[0] for k in returns}).values_list(
        "pk",
        "provider_id",
        "child_id",
        "la_id",
        "placement_type",
        "start_date",
        "end_date",
        "reason_ended",
        "household__reference",
    ):
        platform[row[1]].append(row)
    demo_provider = set(
        Membership.objects.filter(user=people["data_officer"], role=Role.PROVIDER_DATA).values_list(
            "organisation_id", flat=True
        )
    )
    reviewers = _reviewers()
    officers = _data_officers(people)
    versions: list[tuple[MonitoringReturn, ReturnVersion, list[CleanPlacement]]] = []
    queried: list[tuple[MonitoringReturn, Organisation | None]] = []
    for p in providers:
        cohort = _cohort(p, quarters, today)
        households_start = max(0, p.live - p.rng.randrange(0, 3))
        for i, q in enumerate(quarters):
            ret = returns.get((p.provider.pk, q.start))
            if ret is None:
                continue
            rng = random.Random(f"return:{p.provider.name}:{q.code}")  # noqa: S311
            latest = i == len(quarters) - 1
            if latest and (p.provider.pk in demo_provider or rng.random() < 0.18):
                continue  # still due (overdue by now): the demo data officer's to submit
            clean, households_start = _content(
                p,
                q,
                cohort,
                platform.get(p.provider.pk, []),
                rcc_of,
                la_codes,
                households_start,
                rng,
            )
            submitted = dt.datetime.combine(
                q.due_on - dt.timedelta(days=rng.randrange(0, 28)), dt.time(11), tzinfo=dt.UTC
            )
            if rng.random() < 0.1:
                submitted += dt.timedelta(days=rng.randrange(30, 45))
            rcc = Organisation(pk=rcc_of[p.las[0]]) if p.las else None
            status = (
                ReturnStatus.ACCEPTED
                if (not latest or rng.random() < 0.3)
                else ReturnStatus.SUBMITTED
            )
            if latest and status == ReturnStatus.SUBMITTED and rng.random() < 0.3:
                status = ReturnStatus.QUERIED
                queried.append((ret, rcc))
            ret.status = status
            ret.first_submitted_at = ret.last_submitted_at = submitted
            if status == ReturnStatus.ACCEPTED and rcc is not None:
                ret.accepted_at = submitted + dt.timedelta(days=rng.randrange(3, 20))
                ret.accepted_for_id = rcc.pk
                ret.accepted_by = reviewers.get(rcc.pk, people["commissioner"])
            elif status == ReturnStatus.ACCEPTED:
                ret.status = ReturnStatus.SUBMITTED
            version = ReturnVersion(
                monitoring_return=ret,
                number=1,
                format_version=clean.format_version,
                content_hash=clean.content_hash(),
                figures=clean.figures,
                carer_changes=clean.carer_changes,
                placement_count=len(clean.placements),
                submitted_by=officers.get(p.provider.pk, people["submitter"]),
            )
            versions.append((ret, version, clean.placements))
    ReturnVersion.objects.bulk_create([v for _, v, _ in versions], batch_size=1000)
    rows = [
        ReturnPlacement(
            version=v,
            row=c.row,
            child_ref=c.child_ref,
            placement_id=c.placement_id,
            la_id=c.la_id,
            rcc_id=c.rcc_id,
            placement_type=c.placement_type,
            start_date=c.start_date,
            end_date=c.end_date,
            reason_ended=c.reason_ended,
            household_ref=c.household_ref,
        )
        for _, v, placements in versions
        for c in placements
    ]
    ReturnPlacement.objects.bulk_create(rows, batch_size=5000)
    changed = []
    for ret, version, _ in versions:
        ret.current_version = version
        if ret.accepted_at and ret.accepted_at > timezone.now():
            ret.accepted_at = timezone.now()
        changed.append(ret)
    MonitoringReturn.objects.bulk_update(
        changed,
        [
            "current_version",
            "status",
            "first_submitted_at",
            "last_submitted_at",
            "accepted_at",
            "accepted_for",
            "accepted_by",
        ],
        batch_size=1000,
    )
    for ret, version, _ in versions:
        version.submitted_at = ret.first_submitted_at or timezone.now()
    ReturnVersion.objects.bulk_update(
        [v for _, v, _ in versions], ["submitted_at"], batch_size=1000
    )
    # Each version came in as a submission through the API (no original file is kept for these).
    submissions = ReturnSubmission.objects.bulk_create(
        [
            ReturnSubmission(
                monitoring_return=ret,
                channel=Channel.API,
                format_version=v.format_version,
                original_name="synthetic seed data",
                content_hash=v.content_hash,
                outcome=SubmissionOutcome.ACCEPTED,
                rows=len(FIGURES) + len(v.carer_changes) + len(placements),
                version=v,
                submitted_by=v.submitted_by,
            )
            for ret, v, placements in versions
        ],
        batch_size=1000,
    )
    for sub, (_, v, _) in zip(submissions, versions, strict=True):
        sub.created_at = v.submitted_at
    ReturnSubmission.objects.bulk_update(submissions, ["created_at"], batch_size=1000)
    _queries(queried, reviewers, people)
    for q in quarters:
        if q.due_on < today:
            MonitoringReturn.objects.filter(
                status=ReturnStatus.DUE, quarter_start=q.start, overdue_since__isnull=True
            ).update(overdue_since=q.due_on + dt.timedelta(days=1))
    return total, len(versions), len(rows)


def _content(
    p: _Provider,
    q: Quarter,
    cohort: list[_Cohort],
    platform: list[tuple[Any, ...]],
    rcc_of: dict[int, int],
    la_codes: dict[int, str],
    households_start: int,
    rng: random.Random,
) -> tuple[CleanReturn, int]:
    """A valid return: its figures agree with its carer rows; its placements overlap the quarter."""
    approvals = rng.choice((0, 0, 1, 1, 2)) if p.households else 0
    leavers = min(households_start, rng.choice((0, 0, 0, 1, 1, 2)))
    changes = []
    refs = [h[1] for h in p.households] or ["HH-NEW"]
    for n in range(approvals):
        day = q.start + dt.timedelta(days=rng.randrange(0, q.days))
        changes.append(
            {
                "row": 0,
                "household_ref": f"{refs[0][:30]}-N{q.number}{n}",
                "change": "APPROVED",
                "change_date": day.isoformat(),
                "change_reason": "",
            }
        )
    for ref in rng.sample(refs, min(leavers, len(refs))):
        change = "RESIGNED" if rng.random() < 0.75 else "DEREGISTERED"
        reason = rng.choice(RESIGN if change == "RESIGNED" else DEREGISTER)
        day = q.start + dt.timedelta(days=rng.randrange(0, q.days))
        changes.append(
            {
                "row": 0,
                "household_ref": ref,
                "change": change,
                "change_date": day.isoformat(),
                "change_reason": reason,
            }
        )
    leavers = sum(1 for c in changes if c["change"] != "APPROVED")
    households_end = households_start + approvals - leavers
    places_end = max(
        households_end, round(p.places * households_end / p.live) if p.live else households_end
    )
    placements: list[CleanPlacement] = []
    row = 0
    for pk, provider_id, child_id, la_id, ptype, start, end, reason, household in platform:
        if start > q.end or (end and end < q.start):
            continue
        row += 1
        ended = end is not None and end <= q.end
        placements.append(
            CleanPlacement(
                row,
                child_reference(provider_id, child_id),
                pk,
                la_id,
                rcc_of.get(la_id),
                la_codes[la_id],
                ptype,
                start,
                end if ended else None,
                reason if ended else "",
                household,
            )
        )
    for c in cohort:
        if c.start > q.end or (c.end and c.end < q.start):
            continue
        row += 1
        ended = c.end is not None and c.end <= q.end
        placements.append(
            CleanPlacement(
                row,
                c.child_ref,
                None,
                c.la_id,
                rcc_of.get(c.la_id),
                la_codes[c.la_id],
                c.ptype,
                c.start,
                c.end if ended else None,
                c.reason if ended else "",
                c.household,
            )
        )
    filled = sum(1 for x in placements if x.end_date is None)
    grade = p.provider.ofsted_grade or "not_inspected"
    figures = {
        "format_version": format_for(q).version,
        "provider": p.provider.pk,
        "quarter": q.short,
        "households_start": households_start,
        "households_end": households_end,
        "places_start": max(households_start, places_end - rng.randrange(0, 3)),
        "places_end": places_end,
        "vacancies_end": max(0, min(places_end, places_end - filled, round(places_end * 0.16))),
        "allegations": rng.choice((0, 0, 0, 1, 1, 2)),
        "complaints": rng.randrange(0, 5),
        "notifications": rng.randrange(0, 4),
        "carers_trained": round(households_end * rng.uniform(0.2, 0.7)),
        "training_hours": round(households_end * rng.uniform(2, 9)),
        "supervision_visits": round(households_end * rng.uniform(2.5, 3.2)),
        "respite_nights": rng.randrange(0, max(1, households_end)),
        "ofsted_grade": grade,
        "ofsted_date": None
        if grade == "not_inspected"
        else _inspected(p.provider.inspection_date, q).isoformat(),
    }
    return CleanReturn(format_for(q).version, figures, changes, placements), households_end


def _inspected(day: dt.date | None, q: Quarter) -> dt.date:
    """The inspection date as of the quarter: the register's if it was by then."""
    return day if day and day <= q.end else q.start - dt.timedelta(days=420)


def _data_officers(people: dict[str, User]) -> dict[int, User]:
    """Each provider's own data officer where it has one (the demo login for the demo IFA)."""
    out: dict[int, User] = {}
    for m in (
        Membership.objects.filter(role=Role.PROVIDER_DATA)
        .select_related("user")
        .order_by("organisation_id", "user_id")
    ):
        out.setdefault(m.organisation_id, m.user)
    return out


def _reviewers() -> dict[int, User]:
    """A commissioner of each RCC (the contracts seed makes one per RCC)."""
    out: dict[int, User] = {}
    for m in (
        Membership.objects.filter(role=Role.COMMISSIONER, organisation__kind=OrganisationKind.RCC)
        .select_related("user")
        .order_by("user_id")
    ):
        out.setdefault(m.organisation_id, m.user)
    return out


def _queries(
    queried: list[tuple[MonitoringReturn, Organisation | None]],
    reviewers: dict[int, User],
    people: dict[str, User],
) -> None:
    made = []
    for ret, rcc in queried:
        if rcc is None:
            continue
        made.append(
            ReturnQuery(
                monitoring_return=ret,
                version=ret.current_version,
                subject="allegations",
                status=QueryStatus.OPEN,
                raised_by=reviewers.get(rcc.pk, people["commissioner"]),
                raised_for_id=rcc.pk,
            )
        )
    ReturnQuery.objects.bulk_create(made, batch_size=1000)
    ReturnQueryMessage.objects.bulk_create(
        [
            ReturnQueryMessage(
                query=q,
                author=q.raised_by,
                from_provider=False,
                body="The allegations figure is lower than the placement endings for allegations "
                "(ALLEG) suggest. Can you check it?",
            )
            for q in made
        ],
        batch_size=1000,
    )


def _meeting_links(fallback: User) -> int:
    """Each partnership meeting discussed the scorecard of the quarter before it was held."""
    try:
        from apps.contracts.models import PartnershipMeeting
    except ImportError:
        return 0
    linked = set(MeetingScorecardLink.objects.values_list("meeting_id", flat=True))
    rows = [
        MeetingScorecardLink(
            meeting_id=pk,
            provider_id=provider_id,
            quarter_start=Quarter.of(held_on).previous().start,
            linked_by_id=created_by,
        )
        for pk, provider_id, held_on, created_by in PartnershipMeeting.objects.exclude(
            pk__in=linked
        ).values_list("pk", "provider_id", "held_on", "created_by_id")
    ]
    MeetingScorecardLink.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows)


__all__ = ["MonitoringSeedSummary", "seed_monitoring"]
