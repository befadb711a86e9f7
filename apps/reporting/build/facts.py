"""The rows a report is built from, read once per build in a few aggregate-friendly queries.

Each loader returns plain tuples (no model instances), filtered to an RCC or national. Activity
(referrals, placements) is counted by the RCC on the record; the register (households and
vacancies) is read as it stands when the report is built, by the LA the household lives in and
that LA's current RCC.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.needs.models import NeedDomain, NeedLevel
from apps.organisations.geo import miles_between
from apps.organisations.kinds import OrganisationKind
from apps.organisations.models import Organisation, RccMembership
from apps.providers.choices import HouseholdStatus, VacancyStatus
from apps.providers.models import Household, HouseholdSkill, Vacancy
from apps.providers.querysets import stale_before
from apps.referrals.choices import ReferralStatus
from apps.referrals.models import (
    CareEpisode,
    NeedsAssessment,
    NeedsAssessmentItem,
    Placement,
    Referral,
)

from ..periods import Period
from ..ssda903.episodes import Stay, merge_history

CHUNK = 5000


@dataclass(frozen=True)
class ReferralFact:
    pk: int
    rcc_id: int
    la_id: int
    urgency: str
    sent_on: dt.date
    age: int
    needs: dict[str, int]  # need domain code → level rank (only ranks above 0)
    assessed: bool


@dataclass(frozen=True)
class PlacementFact:
    pk: int
    rcc_id: int
    la_id: int
    provider_id: int
    code: str  # SSDA903 placement provider (PR1, PR2, PR4, PR5…)
    start: dt.date
    end: dt.date | None
    reason_ended: str
    miles: float | None
    referred_on: dt.date | None
    urgency: str


@dataclass(frozen=True)
class HouseholdFact:
    pk: int
    la_id: int | None
    places: int
    care_types: int
    la_service: bool  # an LA fostering service (not "in-house": that is the child's own LA's)
    stale: bool


@dataclass(frozen=True)
class VacancyFact:
    household_id: int
    la_id: int | None
    care_types: int
    la_service: bool  # an LA fostering service (not "in-house": that is the child's own LA's)
    stale: bool


def _day(value: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(value).date() if value else None


def _bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@dataclass
class Facts:
    """Everything one build reads. `rcc_id` None: national (every RCC)."""

    period: Period
    rcc_id: int | None
    today: dt.date
    window: Period | None = None  # the wider period activity is loaded for (trends)

    @property
    def span(self) -> Period:
        return self.window or self.period

    # --- Reference data -------------------------------------------------------------------

    @cached_property
    def domains(self) -> list[tuple[str, str]]:
        return list(NeedDomain.objects.order_by("sort_order", "name").values_list("code", "name"))

    @cached_property
    def levels(self) -> list[tuple[int, str]]:
        return list(
            NeedLevel.objects.filter(rank__gt=0).order_by("rank").values_list("rank", "name")
        )

    @cached_property
    def rccs(self) -> dict[int, str]:
        qs = Organisation.objects.filter(kind=OrganisationKind.RCC)
        if self.rcc_id is not None:
            qs = qs.filter(pk=self.rcc_id)
        return dict(qs.order_by("name").values_list("pk", "name"))

    @cached_property
    def las(self) -> dict[int, tuple[str, str, str]]:
        """LA id → (name, region, DfE code), every LA in England."""
        rows = Organisation.objects.local_authorities().values_list(
            "pk", "name", "region", "dfe_la_code"
        )
        return {pk: (name, region or "Unknown", code) for pk, name, region, code in rows}

    @cached_property
    def rcc_of_la(self) -> dict[int, int]:
        """Each LA's RCC today (the register is read as it stands)."""
        return dict(RccMembership.objects.current(self.today).values_list("la_id", "rcc_id"))  # type: ignore[attr-defined]

    @cached_property
    def la_ids(self) -> list[int]:
        """The LAs in scope: the RCC's members today, or every LA in an RCC."""
        return sorted(
            la for la, rcc in self.rcc_of_la.items() if self.rcc_id is None or rcc == self.rcc_id
        )

    # --- Activity ---------------------------------------------------------------------------

    @cached_property
    def referrals(self) -> list[ReferralFact]:
        """Referrals sent to a hub in the span (not drafts), with the child's needs: the
        assessment the referral carries, or else the child's latest one."""
        start, end = _bounds(self.span)
        qs = Referral.objects.exclude(status=ReferralStatus.DRAFT).filter(
            sent_at__gte=start, sent_at__lt=end
        )
        if self.rcc_id is not None:
            qs = qs.filter(rcc_id=self.rcc_id)
        latest = NeedsAssessment.objects.filter(child_id=OuterRef("child_id")).order_by("-version")
        rows = list(
            qs.annotate(
                assessment=Coalesce(F("needs_assessment_id"), Subquery(latest.values("pk")[:1]))
            ).values_list(
                "pk", "rcc_id", "la_id", "urgency", "sent_at", "child__date_of_birth", "assessment"
            )
        )
        needs: dict[int, dict[str, int]] = defaultdict(dict)
        ids = sorted({r[6] for r in rows if r[6]})
        for i in range(0, len(ids), CHUNK):
            items = NeedsAssessmentItem.objects.filter(
                assessment_id__in=ids[i : i + CHUNK], level__rank__gt=0
            ).values_list("assessment_id", "domain__code", "level__rank")
            for assessment_id, code, rank in items:
                needs[assessment_id][code] = rank
        out = []
        for pk, rcc_id, la_id, urgency, sent_at, born, assessment in rows:
            sent_on = _day(sent_at) or self.period.end
            out.append(
                ReferralFact(
                    pk,
                    rcc_id,
                    la_id,
                    urgency,
                    sent_on,
                    _age(born, sent_on),
                    dict(needs.get(assessment, {})) if assessment else {},
                    bool(assessment),
                )
            )
        return out

    def referrals_in(self, period: Period) -> list[ReferralFact]:
        return [r for r in self.referrals if period.contains(r.sent_on)]

    @cached_property
    def placements(self) -> list[PlacementFact]:
        """Placements that ran at any time in the span."""
        span = self.span
        qs = Placement.objects.filter(start_date__lte=span.end).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=span.start)
        )
        if self.rcc_id is not None:
            qs = qs.filter(rcc_id=self.rcc_id)
        rows = qs.values_list(
            "pk",
            "rcc_id",
            "la_id",
            "provider_id",
            "placement_provider",
            "start_date",
            "end_date",
            "reason_ended",
            "distance_from_home_miles",
            "referral__sent_at",
            "referral__urgency",
            "child__home_postcode_district__latitude",
            "child__home_postcode_district__longitude",
            "household__latitude",
            "household__longitude",
        )
        out = []
        for (
            pk,
            rcc_id,
            la_id,
            provider_id,
            code,
            start,
            end,
            reason,
            miles,
            sent_at,
            urgency,
            home_lat,
            home_lng,
            lat,
            lng,
        ) in rows:
            distance = float(miles) if miles is not None else None
            if distance is None and home_lat is not None and lat is not None:
                distance = miles_between((home_lat, home_lng), (lat, lng))
            out.append(
                PlacementFact(
                    pk,
                    rcc_id,
                    la_id,
                    provider_id,
                    code,
                    start,
                    end,
                    reason or "",
                    distance,
                    _day(sent_at),
                    urgency,
                )
            )
        return out

    def started_in(self, period: Period) -> list[PlacementFact]:
        return [p for p in self.placements if period.contains(p.start)]

    def ended_in(self, period: Period) -> list[PlacementFact]:
        return [p for p in self.placements if p.end is not None and period.contains(p.end)]

    def placements_per_child(self, period: Period) -> list[tuple[int, int]]:
        """(LA, placements during `period`) for each child with a platform placement that ran
        in it, counted over the child's whole care history: its platform placements and the
        care episodes its LA imported or recorded, as in its SSDA903 episodes (platform
        placements authoritative for the dates they cover)."""
        running = Placement.objects.filter(start_date__lte=period.end).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=period.start)
        )
        if self.rcc_id is not None:
            running = running.filter(rcc_id=self.rcc_id)
        la_of = dict(running.values_list("child_id", "child__la_id").distinct())
        stays: dict[int, tuple[list[Stay], list[Stay]]] = defaultdict(lambda: ([], []))
        for pk, child_id, start, end in Placement.objects.filter(
            child_id__in=list(la_of), start_date__lte=period.end
        ).values_list("pk", "child_id", "start_date", "end_date"):
            stays[child_id][0].append(Stay(start, end, "", "", f"placement {pk}"))
        for pk, child_id, start, end in CareEpisode.objects.filter(
            child_id__in=list(la_of), start_date__lte=period.end
        ).values_list("pk", "child_id", "start_date", "end_date"):
            stays[child_id][1].append(Stay(start, end, "", "", f"care episode {pk}"))
        out = []
        for child_id, la_id in la_of.items():
            placed, care = stays[child_id]
            count = sum(
                1
                for stay in merge_history(placed, care)
                if stay.start <= period.end and (stay.end is None or stay.end >= period.start)
            )
            out.append((la_id, count))
        return out

    # --- The register, as it stands -------------------------------------------------------

    @cached_property
    def households(self) -> list[HouseholdFact]:
        qs = Household.objects.filter(status=HouseholdStatus.ACTIVE)
        if self.rcc_id is not None:
            qs = qs.filter(la_id__in=self.la_ids)
        cutoff = stale_before()
        rows = qs.values_list(
            "pk",
            "la_id",
            "places",
            "care_types",
            "provider__organisation__kind",
            "last_confirmed_at",
        )
        return [
            HouseholdFact(pk, la, places, mask, kind == OrganisationKind.LA_SERVICE, seen < cutoff)
            for pk, la, places, mask, kind, seen in rows
        ]

    @cached_property
    def vacancies(self) -> list[VacancyFact]:
        """Open vacancies of active households."""
        qs = Vacancy.objects.filter(
            status=VacancyStatus.OPEN, household__status=HouseholdStatus.ACTIVE
        )
        if self.rcc_id is not None:
            qs = qs.filter(household__la_id__in=self.la_ids)
        cutoff = stale_before()
        rows = qs.values_list(
            "household_id",
            "household__la_id",
            "household__care_types",
            "household__provider__organisation__kind",
            "last_confirmed_at",
        )
        return [
            VacancyFact(hh, la, mask, kind == OrganisationKind.LA_SERVICE, seen < cutoff)
            for hh, la, mask, kind, seen in rows
        ]

    @cached_property
    def skills(self) -> dict[int, dict[str, int]]:
        """Household id → need domain code → the highest level rank it meets, for households
        with an open vacancy (the supply that could meet a need now)."""
        ids = sorted({v.household_id for v in self.vacancies})
        out: dict[int, dict[str, int]] = defaultdict(dict)
        for i in range(0, len(ids), CHUNK):
            rows = HouseholdSkill.objects.filter(household_id__in=ids[i : i + CHUNK]).values_list(
                "household_id", "domain__code", "level__rank"
            )
            for hh, code, rank in rows:
                out[hh][code] = rank
        return out
