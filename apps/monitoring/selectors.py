"""Reads for monitoring: what the platform already holds (to pre-fill and check a return),
return pages, feedback and the scorecard's precomputed figures."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.crypto import salted_hmac

from apps.organisations.kinds import OrganisationKind
from apps.organisations.models import Organisation, RccMembership
from apps.providers.choices import OfstedGrade
from apps.providers.history import RegisterHistory, register_history
from apps.providers.models import Provider
from apps.referrals.models import Placement

from .choices import SUPPRESS_BELOW
from .format import CARER, FIGURE, PLACEMENT, ReturnFormat, format_for
from .models import (
    MeetingScorecardLink,
    MonitoringReturn,
    PlacementFeedback,
    ReturnPlacement,
    ReturnQuery,
    ReturnQueryMessage,
    ReturnSubmission,
    ReturnVersion,
    ScorecardSnapshot,
)
from .quarters import Quarter
from .validation import PlatformPlacement, ValidationContext

TREND_QUARTERS = 8


def child_reference(provider_id: int, child_id: int) -> str:
    """The child's pseudonym in one provider's returns: stable, keyed, and not reversible by the
    provider (a different provider gets a different one)."""
    digest = salted_hmac("apps.monitoring.child_ref", f"{provider_id}:{child_id}").hexdigest()
    return f"C-{digest[:10].upper()}"


# --- What the platform holds ---------------------------------------------------------------


def las_by_code(quarter: Quarter) -> dict[str, tuple[int, int | None]]:
    """Every English LA by DfE code, with the RCC it belonged to during the quarter."""
    rcc_of: dict[int, int] = {}
    memberships = (
        RccMembership.objects.filter(start_date__lte=quarter.end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=quarter.start))
        .order_by("start_date")
        .values_list("la_id", "rcc_id")
    )
    for la_id, rcc_id in memberships:
        rcc_of[la_id] = rcc_id  # the latest membership wins
    return {
        code: (pk, rcc_of.get(pk))
        for pk, code in Organisation.objects.local_authorities().values_list("pk", "dfe_la_code")
    }


def _platform_rows(qs: QuerySet[Placement]) -> dict[int, PlatformPlacement]:
    rows = qs.values_list(
        "pk",
        "provider_id",
        "child_id",
        "la__dfe_la_code",
        "placement_type",
        "start_date",
        "end_date",
        "reason_ended",
        "household__reference",
    )
    return {
        pk: PlatformPlacement(
            pk,
            provider_id,
            child_reference(provider_id, child_id),
            la_code,
            ptype,
            start,
            end,
            reason,
            household,
        )
        for pk, provider_id, child_id, la_code, ptype, start, end, reason, household in rows
    }


def platform_placements(provider_id: int, quarter: Quarter) -> dict[int, PlatformPlacement]:
    """The provider's placements on the platform that ran at any time in the quarter."""
    return _platform_rows(
        Placement.objects.filter(provider_id=provider_id, start_date__lte=quarter.end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=quarter.start))
        .order_by("start_date", "pk")
    )


def lookup_placements(ids: set[int]) -> dict[int, PlatformPlacement]:
    return _platform_rows(Placement.objects.filter(pk__in=ids))


def quarter_register_history(provider_id: int, quarter: Quarter) -> RegisterHistory:
    """The provider's households over the quarter, as the pre-fill writes them."""
    return register_history(provider_id=provider_id, start=quarter.start, end=quarter.end)


def validation_context(
    monitoring_return: MonitoringReturn, fmt: ReturnFormat | None = None
) -> ValidationContext:
    quarter = monitoring_return.quarter
    return ValidationContext(
        provider_id=monitoring_return.provider_id,
        quarter=quarter,
        fmt=fmt or format_for(quarter),
        las=las_by_code(quarter),
        platform=platform_placements(monitoring_return.provider_id, quarter),
        lookup=lookup_placements,
    )


def prefill_records(monitoring_return: MonitoringReturn) -> list[dict[str, str]]:
    """The return as the platform would fill it in: the current version if there is one;
    otherwise the register, the placements made through the platform and the Ofsted grade.
    Figures only the provider knows (allegations, training…) are left blank."""
    if monitoring_return.current_version_id:
        return version_records(monitoring_return.current_version)  # type: ignore[arg-type]
    quarter = monitoring_return.quarter
    provider = Provider.objects.get(pk=monitoring_return.provider_id)
    fmt = format_for(quarter)
    # The register's history over the quarter: households at its start and end, and the CARER
    # rows, are counted from the same dates, so they agree as the check requires.
    history = quarter_register_history(provider.pk, quarter)
    inspected = (
        provider.inspection_date
        if provider.inspection_date and provider.inspection_date <= quarter.end
        else None
    )
    # The register's grade is today's: it is the quarter's only if the inspection was by then.
    grade = (provider.ofsted_grade if inspected else "") or (
        "" if provider.inspection_date else "not_inspected"
    )
    figures = {
        "format_version": fmt.version,
        "provider": str(provider.pk),
        "quarter": quarter.short,
        "households_start": str(history.households_start),
        "households_end": str(history.households_end),
        "places_start": str(history.places_start),
        "places_end": str(history.places_end),
        "vacancies_end": str(history.vacancies_end),
        "ofsted_grade": grade,
        "ofsted_date": inspected.isoformat() if inspected else "",
    }
    records = [
        {"record": FIGURE, "item": f.item, "value": figures.get(f.item, "")} for f in fmt.figures
    ]
    records += [
        {
            "record": CARER,
            "household_ref": change.reference,
            "change": change.change,
            "change_date": change.on.isoformat(),
            "change_reason": change.reason,
        }
        for change in history.changes
    ]
    for p in platform_placements(provider.pk, quarter).values():
        ended = p.end_date is not None and p.end_date <= quarter.end
        records.append(
            {
                "record": PLACEMENT,
                "child_ref": p.child_ref,
                "placement_ref": p.reference,
                "la_code": p.la_code,
                "placement_type": p.placement_type,
                "start_date": p.start_date.isoformat(),
                "end_date": p.end_date.isoformat() if ended else "",  # type: ignore[union-attr]
                "reason_ended": p.reason_ended if ended else "",
                "household_ref": p.household_ref,
            }
        )
    return records


def version_records(version: ReturnVersion) -> list[dict[str, str]]:
    """A version's content as the rows of a file (to download, or to start a resubmission from)."""
    fmt = format_for(version.monitoring_return.quarter)
    records = [
        {
            "record": FIGURE,
            "item": f.item,
            "value": ""
            if version.figures.get(f.item) is None
            else str(version.figures.get(f.item)),
        }
        for f in fmt.figures
    ]
    records += [
        {
            "record": CARER,
            "household_ref": c["household_ref"],
            "change": c["change"],
            "change_date": c["change_date"],
            "change_reason": c.get("change_reason", ""),
        }
        for c in version.carer_changes
    ]
    rows = version.placements.order_by("row").values_list(
        "child_ref",
        "placement_id",
        "la__dfe_la_code",
        "placement_type",
        "start_date",
        "end_date",
        "reason_ended",
        "household_ref",
    )
    for child_ref, placement_id, la_code, ptype, start, end, reason, household in rows:
        records.append(
            {
                "record": PLACEMENT,
                "child_ref": child_ref,
                "placement_ref": f"PL-{placement_id}" if placement_id else "",
                "la_code": la_code,
                "placement_type": ptype,
                "start_date": start.isoformat(),
                "end_date": end.isoformat() if end else "",
                "reason_ended": reason,
                "household_ref": household,
            }
        )
    return records


# --- Return pages --------------------------------------------------------------------------


def return_list(qs: QuerySet[MonitoringReturn]) -> QuerySet[MonitoringReturn]:
    return qs.select_related("provider__organisation", "current_version", "accepted_for").annotate(
        open_queries=Count(
            "queries", filter=Q(queries__status__in=["open", "answered"]), distinct=True
        )
    )


def return_detail(qs: QuerySet[MonitoringReturn], user: Any) -> QuerySet[MonitoringReturn]:
    """One return with its versions, and the submissions and query threads this user reads
    (an RCC: its own threads and no submissions; see `querysets`)."""
    return qs.select_related(
        "provider__organisation", "current_version__submitted_by", "accepted_by", "accepted_for"
    ).prefetch_related(
        Prefetch(
            "versions",
            queryset=ReturnVersion.objects.select_related("submitted_by").order_by("-number"),
        ),
        Prefetch(
            "submissions",
            queryset=ReturnSubmission.objects.visible_to(user)
            .select_related("submitted_by", "version")
            .defer("errors")
            .order_by("-created_at", "-id"),
        ),
        Prefetch(
            "queries",
            queryset=ReturnQuery.objects.visible_to(user)
            .select_related("raised_by", "raised_for", "version")
            .prefetch_related(
                Prefetch("messages", queryset=ReturnQueryMessage.objects.select_related("author"))
            ),
        ),
        "reminders",
    )


def return_owner_id(monitoring_return: MonitoringReturn) -> int | None:
    """The RCC that owns the quarter's return and accepts it: the RCC whose LAs' children make
    up the most placement rows of its current version (ties: the lower id). None when no row
    names an RCC (nothing submitted, or no placements): then only the NCC accepts it."""
    if monitoring_return.current_version_id is None:
        return None
    return (
        ReturnPlacement.objects.filter(
            version_id=monitoring_return.current_version_id, rcc__isnull=False
        )
        .values("rcc_id")
        .annotate(rows=Count("pk"))
        .order_by("-rows", "rcc_id")
        .values_list("rcc_id", flat=True)
        .first()
    )


def own_placement_records(
    records: list[dict[str, str]],
    monitoring_return: MonitoringReturn,
    rcc_ids: frozenset[int] | None,
) -> list[dict[str, str]]:
    """The return's rows without the placement rows of other RCCs' children (`rcc_ids` from
    `querysets.child_rows_for`; None keeps every row). A row's RCC is its LA's in the quarter,
    as the validator records it on `ReturnPlacement.rcc`."""
    if rcc_ids is None:
        return records
    las = las_by_code(monitoring_return.quarter)
    return [
        r
        for r in records
        if r.get("record") != PLACEMENT
        or las.get(str(r.get("la_code") or ""), (0, None))[1] in rcc_ids
    ]


def versions_shown(
    versions: list[ReturnVersion], rcc_ids: frozenset[int] | None
) -> list[ReturnVersion]:
    """The versions with their diffs as this user reads them: for an RCC (`rcc_ids` not None)
    the placement rows of a diff (other RCCs' children among them) are left out and only their
    counts shown. Changes the instances in memory only."""
    if rcc_ids is None:
        return versions
    for v in versions:
        rows = (v.diff or {}).get("placements")
        if rows and rows.get("rows"):
            v.diff = {**v.diff, "placements": {**rows, "rows": [], "rows_hidden": True}}
    return versions


def version_summary(version: ReturnVersion) -> dict[str, Any]:
    """Counts to show beside a version: placements by whether they ended, and by RCC."""
    rows = ReturnPlacement.objects.filter(version=version)
    return rows.aggregate(
        total=Count("pk"),
        ended=Count("pk", filter=Q(end_date__isnull=False)),
        from_platform=Count("pk", filter=Q(placement__isnull=False)),
    )


# --- Feedback ------------------------------------------------------------------------------


def feedback_placements(user: Any) -> QuerySet[Placement]:
    """Placements of the children of the LAs where the user is a social worker or IRO."""
    from apps.accounts.roles import Role

    if not getattr(user, "is_authenticated", False):
        return Placement.objects.none()
    la_ids = user.memberships.filter(
        role__in=[Role.SOCIAL_WORKER, Role.IRO], organisation__kind=OrganisationKind.LOCAL_AUTHORITY
    ).values("organisation_id")
    return Placement.objects.filter(la_id__in=la_ids).select_related(
        "child", "provider__organisation", "la", "household"
    )


def feedback_roles(user: Any, placement: Placement) -> list[str]:
    from apps.accounts.roles import Role

    return sorted(
        set(
            user.memberships.filter(
                organisation_id=placement.la_id, role__in=[Role.SOCIAL_WORKER, Role.IRO]
            ).values_list("role", flat=True)
        )
    )


def feedback_list(qs: QuerySet[PlacementFeedback]) -> QuerySet[PlacementFeedback]:
    return qs.select_related(
        "placement__child", "placement__provider__organisation", "placement__la"
    )


# --- Scorecards ----------------------------------------------------------------------------


def _suppressed(count: int) -> bool:
    return 0 < count < SUPPRESS_BELOW


@dataclass
class ScorecardRow:
    """A snapshot as shown: suppressed counts hidden, rates worked out."""

    snapshot: ScorecardSnapshot

    def __getattr__(self, name: str) -> Any:
        return getattr(self.snapshot, name)

    @property
    def quarter(self) -> Quarter:
        return Quarter.of(self.snapshot.quarter_start)

    @property
    def placement_years(self) -> Decimal:
        return (Decimal(self.snapshot.placement_days) / Decimal("365.25")).quantize(Decimal("0.1"))

    @property
    def offer_rate(self) -> Decimal | None:
        s = self.snapshot
        return _pct(s.offers_made, s.referrals_received)

    @property
    def acceptance_rate(self) -> Decimal | None:
        s = self.snapshot
        return _pct(s.offers_accepted, s.offers_made)

    @property
    def feedback_shown(self) -> bool:
        return self.snapshot.feedback_count >= SUPPRESS_BELOW

    @property
    def feedback_suppressed(self) -> bool:
        return _suppressed(self.snapshot.feedback_count)

    @property
    def concerns_display(self) -> str:
        if not self.feedback_shown:
            return ""
        n = self.snapshot.feedback_concerns
        return "c" if _suppressed(n) else str(n)

    @property
    def feedback_average(self) -> Decimal | None:
        s = self.snapshot
        if not self.feedback_shown or s.feedback_progress is None:
            return None
        total = (
            (s.feedback_progress or 0) + (s.feedback_support or 0) + (s.feedback_communication or 0)
        )
        return (Decimal(total) / 3).quantize(Decimal("0.01"))

    @property
    def ofsted_label(self) -> str:
        grade = self.snapshot.ofsted_grade
        return dict(OfstedGrade.choices).get(
            grade, "Not yet inspected" if grade in ("", "not_inspected") else grade
        )

    @property
    def reasons(self) -> list[tuple[str, int]]:
        return sorted(self.snapshot.unplanned_by_reason.items(), key=lambda kv: (-kv[1], kv[0]))


def _pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def scorecard_rows(
    qs: QuerySet[ScorecardSnapshot], provider_id: int, rcc_id: int | None, upto: Quarter
) -> list[ScorecardRow]:
    """The provider's last `TREND_QUARTERS` quarters up to `upto`, oldest first, in one query."""
    quarters = upto.back(TREND_QUARTERS)
    rows = qs.filter(
        provider_id=provider_id, quarter_start__gte=quarters[0].start, quarter_start__lte=upto.start
    )
    rows = rows.filter(rcc__isnull=True) if rcc_id is None else rows.filter(rcc_id=rcc_id)
    return [ScorecardRow(s) for s in rows.order_by("quarter_start")]


def scorecard_scopes(qs: QuerySet[ScorecardSnapshot], provider_id: int) -> list[tuple[int, str]]:
    """The RCCs the provider has figures for (among those the user may see)."""
    return list(
        qs.filter(provider_id=provider_id, rcc__isnull=False)
        .values_list("rcc_id", "rcc__name")
        .distinct()
        .order_by("rcc__name")
    )


def scorecard_list(qs: QuerySet[ScorecardSnapshot]) -> QuerySet[ScorecardSnapshot]:
    return qs.select_related("provider__organisation", "rcc")


def meeting_links(
    qs: QuerySet[MeetingScorecardLink], provider_id: int
) -> QuerySet[MeetingScorecardLink]:
    return (
        qs.filter(provider_id=provider_id)
        .select_related("meeting__rcc", "linked_by")
        .order_by("-quarter_start", "-meeting__held_on")
    )


def linkable_meetings(user: Any, provider_id: int) -> QuerySet[Any]:
    from apps.contracts.models import PartnershipMeeting

    return (
        PartnershipMeeting.objects.visible_to(user)
        .filter(provider_id=provider_id)
        .select_related("rcc")
        .order_by("-held_on", "-id")
    )


def latest_quarter_with_figures(qs: QuerySet[ScorecardSnapshot]) -> Quarter | None:
    start = qs.order_by("-quarter_start").values_list("quarter_start", flat=True).first()
    return Quarter.of(start) if start else None
