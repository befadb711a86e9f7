"""Reads of the referral journey. Each helper keeps its functions under its own heading."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from apps.accounts.roles import Role
from apps.needs.models import NeedDomain, NeedLevel
from apps.organisations.kinds import OrganisationKind

from .choices import ReferralStatus, ReviewStatus
from .models import (
    Child,
    LegalStatusChange,
    NeedsAssessment,
    NeedsAssessmentItem,
    Referral,
    ReferralAccessLog,
    ReferralReview,
)
from .querysets import org_ids_by_kind, sees_full_postcodes

if TYPE_CHECKING:
    from apps.accounts.models import User


# --- Children, needs and referrals (LA side) --------------------------------------------------


def can_see_read_log(user: User, child: Child) -> bool:
    """Who has read a child's record is shown to the child's own LA's social workers only: they
    hold the case. Not to an IRO (independent of the case-holding team, reads only), nor to
    the hub or a provider (whose own reads are in it)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return any(
        m.organisation_id == child.la_id and m.role == Role.SOCIAL_WORKER
        for m in user.membership_list
    )


def child_read_log(*, child: Child) -> QuerySet[ReferralAccessLog]:
    """Every read of the child's record (the child and its referrals), newest first."""
    return (
        ReferralAccessLog.objects.filter(child=child)
        .select_related("user", "organisation")
        .order_by("-at", "-pk")
    )


def is_in_childs_la(user: User, child: Child) -> bool:
    """Only the child's own LA sees the case-system id (never the hub or a provider)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return child.la_id in org_ids_by_kind(user)[OrganisationKind.LOCAL_AUTHORITY]


def sees_childs_full_postcode(user: User, child: Child) -> bool:
    """The child's full home postcode is for the child's LA and the placing hub (a hub of an
    RCC that one of the child's referrals is with); everyone else sees the district.
    Reads `child.referral_scope` when a list prefetched it (see `with_referral_scope`)."""
    if is_in_childs_la(user, child):
        return True
    if not user.is_authenticated:
        return False
    hub_rccs = {
        m.organisation.rcc_id
        for m in user.membership_list
        if m.organisation.kind == OrganisationKind.HUB and m.role == Role.PLACEMENT_OFFICER
    }
    if not hub_rccs:
        return False
    scope = getattr(child, "referral_scope", None)
    rccs = (
        {r.rcc_id for r in scope}
        if scope is not None
        else set(child.referrals.values_list("rcc_id", flat=True))
    )
    return sees_full_postcodes(user, la_id=child.la_id, rcc_ids=rccs)


def with_referral_scope(qs: QuerySet[Child]) -> QuerySet[Child]:
    """Prefetch each child's referrals' RCCs (one query for the list): who sees full postcodes."""
    return qs.prefetch_related(
        Prefetch(
            "referrals",
            queryset=Referral.objects.only("pk", "child_id", "rcc_id"),
            to_attr="referral_scope",
        )
    )


def care_history(*, child: Child) -> dict[str, Any]:
    """The child's care timeline (newest first) and its figures, for pages and matching."""
    from .history import care_timeline, moves_summary

    rows = care_timeline(child)
    return {"rows": rows, "summary": moves_summary(child, rows)}


def legal_status_history(*, child: Child) -> list[LegalStatusChange]:
    """The child's legal statuses, newest first."""
    return list(child.legal_statuses.select_related("recorded_by").order_by("-start_date"))


def _latest_assessment(on: dt.date | None = None) -> Subquery:
    qs = NeedsAssessment.objects.filter(child=OuterRef("pk"))
    if on is not None:
        qs = qs.filter(assessed_on__lte=on)
    return Subquery(qs.order_by("-version").values("pk")[:1])


def children_with_summary(qs: QuerySet[Child]) -> QuerySet[Child]:
    """Children with their latest needs version and date and how many referrals are open."""
    latest = NeedsAssessment.objects.filter(child=OuterRef("pk")).order_by("-version")
    return qs.select_related("la", "home_postcode_district").annotate(
        latest_version=Subquery(latest.values("version")[:1]),
        latest_assessed_on=Subquery(latest.values("assessed_on")[:1]),
        open_referrals=Count(
            "referrals",
            filter=~Q(referrals__status__in=[ReferralStatus.PLACED, ReferralStatus.WITHDRAWN]),
            distinct=True,
        ),
    )


def cohort_needs(*, la_ids: Iterable[int], on: dt.date | None = None) -> list[dict[str, Any]]:
    """Children counted by domain and level, from each child's latest assessment on `on`.

    One row per (domain, level) that occurs: {"domain", "domain_name", "level", "level_name",
    "level_rank", "children"}. Children with no assessment by then are not counted. Reused
    by reporting; aggregate in the database (one query).
    """
    latest_ids = (
        Child.objects.filter(la_id__in=list(la_ids))
        .annotate(latest=_latest_assessment(on))
        .filter(latest__isnull=False)
        .values("latest")
    )
    rows = (
        NeedsAssessmentItem.objects.filter(assessment_id__in=latest_ids)
        .values(
            "domain__code",
            "domain__name",
            "domain__sort_order",
            "level__code",
            "level__name",
            "level__rank",
        )
        .annotate(children=Count("assessment__child", distinct=True))
        .order_by("domain__sort_order", "domain__name", "level__rank")
    )
    return [
        {
            "domain": r["domain__code"],
            "domain_name": r["domain__name"],
            "level": r["level__code"],
            "level_name": r["level__name"],
            "level_rank": r["level__rank"],
            "children": r["children"],
        }
        for r in rows
    ]


def cohort_needs_table(*, la_ids: Iterable[int], on: dt.date | None = None) -> dict[str, Any]:
    """`cohort_needs` as a table: a row per active domain, a column per level."""
    la_ids = list(la_ids)
    cells = cohort_needs(la_ids=la_ids, on=on)
    levels = list(NeedLevel.objects.order_by("rank"))
    counts = {(c["domain"], c["level"]): c["children"] for c in cells}
    domains = list(NeedDomain.objects.active())
    seen = {c["domain"] for c in cells} - {d.code for d in domains}
    if seen:  # retired domains still in someone's latest assessment
        domains += list(NeedDomain.objects.filter(code__in=seen))
    assessed = (
        Child.objects.filter(la_id__in=la_ids)
        .annotate(latest=_latest_assessment(on))
        .filter(latest__isnull=False)
        .count()
    )
    return {
        "levels": levels,
        "rows": [
            {
                "domain": d,
                "cells": [counts.get((d.code, lv.code), 0) for lv in levels],
                "total": sum(counts.get((d.code, lv.code), 0) for lv in levels),
            }
            for d in domains
        ],
        "children_assessed": assessed,
        "on": on or timezone.localdate(),
    }


def child_needs_history(*, child: Child) -> list[dict[str, Any]]:
    """Every version of the child's needs, newest first, with what changed since the one before.

    Each entry: {"assessment", "items": [item...], "changes": [{"domain", "before", "after",
    "direction": "new" | "up" | "down" | "removed"}]}. The first version has no changes.
    """
    assessments = list(
        child.assessments.select_related("assessed_by")
        .prefetch_related("items__domain", "items__level")
        .order_by("version")
    )
    out: list[dict[str, Any]] = []
    previous: dict[int, NeedsAssessmentItem] | None = None
    for assessment in assessments:
        items = sorted(assessment.items.all(), key=lambda i: (i.domain.sort_order, i.domain.name))
        current = {i.domain_id: i for i in items}
        changes = []
        if previous is not None:
            for domain_id, item in current.items():
                before = previous.get(domain_id)
                if before is None:
                    changes.append(
                        {
                            "domain": item.domain,
                            "before": None,
                            "after": item.level,
                            "direction": "new",
                        }
                    )
                elif before.level.rank != item.level.rank:
                    changes.append(
                        {
                            "domain": item.domain,
                            "before": before.level,
                            "after": item.level,
                            "direction": "up" if item.level.rank > before.level.rank else "down",
                        }
                    )
            for domain_id, before in previous.items():
                if domain_id not in current:
                    changes.append(
                        {
                            "domain": before.domain,
                            "before": before.level,
                            "after": None,
                            "direction": "removed",
                        }
                    )
        out.append({"assessment": assessment, "items": items, "changes": changes})
        previous = current
    out.reverse()
    return out


def referrals_for_list(qs: QuerySet[Referral]) -> QuerySet[Referral]:
    return qs.select_related(
        "child", "la", "rcc", "needs_assessment", "family_postcode_district"
    ).annotate(
        pending_reviews=Count(
            "reviews", filter=Q(reviews__status=ReviewStatus.REQUESTED), distinct=True
        )
    )


def _count_of(qs: QuerySet[Any]) -> Any:
    """How many rows of `qs` (filtered on OuterRef("pk")): a subquery, so several counts on one
    list never multiply each other's joins."""
    from django.db.models import IntegerField
    from django.db.models.functions import Coalesce

    counted = qs.order_by().values("referral_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def social_worker_referrals(qs: QuerySet[Referral]) -> QuerySet[Referral]:
    """The LA's referral list: live work first (not placed, not withdrawn), most recent activity
    first; each with what its status line and dates need (one query for the page)."""
    from django.db.models import Case, Max, Value, When
    from django.db.models.functions import Coalesce

    from .models import Offer, ReferralEvent, ReferralTarget

    closed = [ReferralStatus.PLACED, ReferralStatus.WITHDRAWN]
    return (
        referrals_for_list(qs)
        .prefetch_related("placements")
        .annotate(
            is_closed=Case(When(status__in=closed, then=Value(1)), default=Value(0)),
            live_offers=_count_of(
                Offer.objects.filter(referral=OuterRef("pk"), status__in=["made", "shortlisted"])
            ),
            targets_total=_count_of(ReferralTarget.objects.filter(referral=OuterRef("pk"))),
            targets_awaiting=_count_of(
                ReferralTarget.objects.filter(referral=OuterRef("pk"), status="sent")
            ),
            # The latest event on its timeline; for a referral with none recorded (imported
            # history), when it was sent, else started.
            last_activity=Coalesce(
                Subquery(
                    ReferralEvent.objects.filter(referral=OuterRef("pk"))
                    .order_by()
                    .values("referral_id")
                    .annotate(last=Max("at"))
                    .values("last")
                ),
                "sent_at",
                "created_at",
            ),
        )
        .order_by("is_closed", F("last_activity").desc(nulls_last=True), "-created_at", "-pk")
    )


def referral_state(referral: Referral) -> tuple[str, str]:
    """The referral's status as the social worker needs it, from its annotations
    (`social_worker_referrals`): words and a tag colour. Says what is happening now: offers
    waiting, replies awaited, scrutiny, the placement's own dates."""
    from .choices import PlacementStatus

    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'s' if n != 1 else ''}"

    status = referral.status
    if status == ReferralStatus.DRAFT:
        return "Draft: not sent", "grey"
    if status in (ReferralStatus.SENT, ReferralStatus.RETURNED):
        offers = getattr(referral, "live_offers", 0)
        awaiting = getattr(referral, "targets_awaiting", 0)
        if offers:
            text, colour = f"{plural(offers, 'offer')} to consider", "blue"
        elif awaiting:
            text, colour = f"sent to {plural(awaiting, 'provider')}: awaiting replies", "light-blue"
        elif getattr(referral, "targets_total", 0):
            text, colour = "no offer yet: the hub is searching again", "yellow"
        else:
            text, colour = "with the hub: searching", "light-blue"
        if status == ReferralStatus.RETURNED:
            return f"Returned by scrutiny; {text}", "orange"
        return text[0].upper() + text[1:], colour
    if status == ReferralStatus.PROPOSED:
        return "Match proposed: awaiting scrutiny", "purple"
    if status == ReferralStatus.APPROVED:
        return "Match approved: placement to be agreed", "purple"
    if status == ReferralStatus.PLACED:
        placement = getattr(referral, "placement", None)
        if placement is None:
            return "Placed", "green"
        if placement.status == PlacementStatus.ENDED:
            return f"Placement ended {placement.end_date:%-d %b %Y}", "grey"
        if placement.status == PlacementStatus.STARTING:
            return f"Placed: starts {placement.start_date:%-d %b %Y}", "green"
        return f"Placed since {placement.start_date:%-d %b %Y}", "green"
    return str(referral.get_status_display()), "grey"


def reviews_requested_of(user: User) -> QuerySet[ReferralReview]:
    return (
        ReferralReview.objects.requested_of(user)
        .select_related("referral", "referral__child", "referral__la", "requested_by")
        .order_by("-requested_at")
    )


def pending_review_count(user: User) -> int:
    if not user.is_authenticated:
        return 0
    cached = getattr(user, "_pending_review_count", None)
    if cached is None:
        cached = ReferralReview.objects.filter(
            reviewer=user, status=ReviewStatus.REQUESTED, referral__status=ReferralStatus.DRAFT
        ).count()
        user._pending_review_count = cached  # type: ignore[attr-defined]
    return int(cached)


EVENT_LABELS = {
    "created": "Referral started",
    "updated": "Referral changed",
    "needs_updated": "Needs updated to the latest assessment",
    "review_requested": "Review requested",
    "review_answered": "Review answered",
    "carer_review_skipped": "Sent without the current carer's review",
    "sent": "Sent to the hub",
    "withdrawn": "Withdrawn",
}


def _field_label(name: str) -> str:
    try:
        field: Any = Referral._meta.get_field(name)
        return str(field.verbose_name).capitalize()
    except Exception:
        return name


def _event_text(verb: str, detail: dict[str, Any]) -> str:
    """A short description of what an event recorded, from its detail."""
    from .choices import ContributorRole, ReviewStatus
    from .format import SECTIONS

    if detail.get("summary"):  # events that carry their own sentence (offers, choice, placement)
        return str(detail["summary"])
    if verb == "updated":
        fields = detail.get("fields", [])
        if detail.get("section") in SECTIONS:
            return SECTIONS[detail["section"]]
        if len(fields) > 4:
            return f"{len(fields)} answers"
        return ", ".join(_field_label(f) for f in fields)
    if verb == "needs_updated":
        return f"Version {detail.get('needs_assessment_version')}"
    if verb == "created" and detail.get("needs_assessment_version"):
        return f"Needs assessment version {detail['needs_assessment_version']}"
    if verb in ("review_requested", "review_answered"):
        role = detail.get("contributor_role", "")
        role_label = ContributorRole(role).label if role in ContributorRole.values else role
        if verb == "review_requested":
            return f"{detail.get('reviewer', '')} ({role_label.lower()})"
        status = detail.get("status", "")
        text = ReviewStatus(status).label if status in ReviewStatus.values else status
        return f"{role_label}: {text.lower()}" + (
            f". {detail['comments']}" if detail.get("comments") else ""
        )
    if verb in ("carer_review_skipped", "withdrawn"):
        return str(detail.get("reason", ""))
    if verb == "sent":
        return f"{detail.get('completeness', '')}% complete"
    for key in ("reason", "note", "comments"):
        if detail.get(key):
            return str(detail[key])
    return ""


def timeline(referral: Referral) -> list[dict[str, Any]]:
    """The referral's events, oldest first, each with a label and a short description."""
    return [
        {
            "at": e.at,
            "actor": e.actor,
            "verb": e.verb,
            "label": EVENT_LABELS.get(e.verb, e.verb.replace("_", " ").capitalize()),
            "text": _event_text(e.verb, e.detail or {}),
        }
        for e in referral.events.select_related("actor").order_by("at", "pk")
    ]


def referral_detail(*, referral: Referral, user: User) -> dict[str, Any]:
    """Everything the shared referral page shows besides the referral's own fields."""
    from .completeness import referral_completeness
    from .services.referrals import carer_review_done, send_blockers

    needs_items = []
    if referral.needs_assessment_id:
        needs_items = list(
            referral.needs_assessment.items.select_related("domain", "level").order_by(  # type: ignore[union-attr]
                "domain__sort_order", "domain__name"
            )
        )
    in_la = is_in_childs_la(user, referral.child)
    return {
        "display": referral_display(referral),
        "completeness": referral_completeness(referral),
        "needs_items": needs_items,
        "siblings": list(referral.siblings.all()),
        "reviews": list(referral.reviews.select_related("reviewer", "requested_by")),
        "events": timeline(referral),
        "show_case_id": in_la,
        "is_la_side": in_la,
        "full_postcode": sees_childs_full_postcode(user, referral.child),
        "care": care_history(child=referral.child),
        "carer_review_done": carer_review_done(referral),
        # (field, message) pairs; the page shows the completeness one as its missing list.
        "send_blockers": send_blockers(referral) if referral.status == ReferralStatus.DRAFT else [],
    }


# --- Offers, choosing, scrutiny and placements (helper OP) ------------------------------------

EVENT_LABELS.update(
    {
        "offer_made": "Offer made",
        "target_declined": "Provider declined",
        "offer_shortlisted": "Offer shortlisted",
        "offer_unshortlisted": "Offer taken off the shortlist",
        "offer_marked_equal": "Option marked as meeting the needs equally well",
        "offer_unmarked_equal": "Equal-needs mark removed",
        "childs_view_recorded": "The child's view recorded",
        "match_proposed": "Match proposed for scrutiny",
        "match_approved": "Scrutiny: match approved",
        "match_returned": "Scrutiny: match returned",
        "placement_agreed": "Placement agreed and place booked",
        "placement_ended": "Placement ended",
    }
)


def provider_targets(user: User) -> QuerySet[Any]:
    """Referrals sent to the user's own providers: never another provider's, even for someone
    who also works for an LA or an RCC. Only what the list shows (no identity: age comes from
    the date of birth, which the page never prints)."""
    from .models import ReferralTarget

    own = org_ids_by_kind(user)["provider"]
    return (
        ReferralTarget.objects.visible_to(user)
        .filter(provider_id__in=own)
        .select_related(
            "referral__la",
            "referral__child",
            "household__provider__organisation",
            "provider__organisation",
        )
    )


def _emergency_scrutiny_outstanding() -> Any:
    from django.db.models import BooleanField, Exists, ExpressionWrapper

    from .models import Placement, Scrutiny

    return ExpressionWrapper(
        Exists(
            Placement.objects.filter(referral=OuterRef("pk"), emergency_scrutiny_due__isnull=False)
        )
        & ~Exists(Scrutiny.objects.filter(referral=OuterRef("pk"), after_placement=True)),
        output_field=BooleanField(),
    )


def scrutiny_queue(user: User) -> QuerySet[Any]:
    """Matches waiting for this scrutineer's RCC: proposed ones, and emergencies placed before
    scrutiny that still wait for it (first, soonest due first)."""
    from django.db.models import F

    from apps.accounts.roles import Role

    from .models import Placement

    rcc_ids: Any = (
        Referral.objects.values("rcc_id")
        if user.is_superuser
        else user.memberships.filter(role=Role.SCRUTINEER).values("organisation_id")
    )
    due = Placement.objects.filter(referral=OuterRef("pk")).values("emergency_scrutiny_due")[:1]
    return (
        Referral.objects.visible_to(user)
        .filter(rcc_id__in=rcc_ids)
        .annotate(
            emergency_outstanding=_emergency_scrutiny_outstanding(),
            scrutiny_due=Subquery(due),
        )
        .filter(Q(status=ReferralStatus.PROPOSED) | Q(emergency_outstanding=True))
        .select_related(
            "la",
            "child",
            "proposed_by",
            "proposed_offer__household__provider__organisation",
        )
        .order_by("-emergency_outstanding", F("scrutiny_due").asc(nulls_last=True), "proposed_at")
    )


def placements_for_list(qs: QuerySet[Any]) -> QuerySet[Any]:
    """Placements with what the list shows, and whether an emergency scrutiny is outstanding."""
    from django.db.models import BooleanField, Exists, ExpressionWrapper

    from .models import CareEpisode, Placement, Scrutiny

    done = Scrutiny.objects.filter(referral=OuterRef("referral_id"), after_placement=True)
    # The child's next placement (or care episode) starts the day this one ended: SSDA903 REC X1.
    next_same_day = Exists(
        Placement.objects.filter(child_id=OuterRef("child_id"), start_date=OuterRef("end_date"))
    ) | Exists(
        CareEpisode.objects.filter(child_id=OuterRef("child_id"), start_date=OuterRef("end_date"))
    )
    return qs.select_related(
        "child", "la", "household__provider__organisation", "provider__organisation", "agreement"
    ).annotate(
        scrutiny_outstanding=ExpressionWrapper(
            Q(emergency_scrutiny_due__isnull=False) & ~Exists(done), output_field=BooleanField()
        ),
        continues_same_day=ExpressionWrapper(
            Q(end_date__isnull=False) & next_same_day, output_field=BooleanField()
        ),
    )


def options_summary(referral: Referral) -> dict[str, Any]:
    """Counts of answers and offers, the proposal, the latest scrutiny and the placement."""
    from .choices import OfferStatus, TargetStatus
    from .models import Placement

    def counts(qs: Any) -> dict[str, int]:
        grouped = qs.order_by().values("status").annotate(n=Count("pk"))
        return dict(grouped.values_list("status", "n"))

    targets = counts(referral.targets.all())
    offers = counts(referral.offers.all())
    live = sum(
        offers.get(s, 0) for s in (OfferStatus.MADE, OfferStatus.SHORTLISTED, OfferStatus.PROPOSED)
    )
    placements = list(
        Placement.objects.filter(referral=referral)
        .select_related("household__provider__organisation", "agreement", "child")
        .order_by("pk")
    )
    placement = next((p for p in placements if p.child_id == referral.child_id), None) or (
        placements[0] if placements else None
    )
    return {
        "targets": sum(targets.values()),
        "awaiting": targets.get(TargetStatus.SENT, 0),
        "declined": targets.get(TargetStatus.DECLINED, 0),
        "offers": sum(offers.values()),
        "live_offers": live,
        "proposed": referral.proposed_offer if referral.proposed_offer_id else None,
        "latest_scrutiny": referral.scrutinies.select_related("scrutineer")
        .order_by("-decided_at")
        .first(),
        "placement": placement,
        "placements": placements,
    }


# --- Search, targeted distribution and batch matching (helper MA) -----------------------------


def hub_rcc_ids(user: User) -> set[int] | None:
    """The RCCs whose hub (or commissioning team) the user works in; None: all (superuser)."""
    if user.is_superuser:
        return None
    return set(org_ids_by_kind(user)[OrganisationKind.RCC])


def hub_rccs(user: User) -> QuerySet[Any]:
    """RCC organisations the user works for: the scope of the weights and batch pages."""
    from apps.organisations.models import Organisation

    qs = Organisation.objects.filter(kind=OrganisationKind.RCC)
    ids = hub_rcc_ids(user)
    return qs if ids is None else qs.filter(pk__in=ids)


def hub_referrals(qs: QuerySet[Referral], user: User) -> QuerySet[Referral]:
    """Of the referrals the user may see (`qs`: `visible_to`), those of the RCCs whose hub they
    work in."""
    ids = hub_rcc_ids(user)
    return qs if ids is None else qs.filter(rcc_id__in=ids)


def hub_queue(qs: QuerySet[Referral]) -> QuerySet[Referral]:
    """Referrals waiting with the hub, with how many providers were asked and have offered."""
    return (
        qs.filter(status__in=[ReferralStatus.SENT, ReferralStatus.RETURNED])
        .select_related("child", "la")
        .annotate(
            targets_sent=Count("targets", distinct=True),
            offers_received=Count("offers", distinct=True),
        )
    )


def hub_targets(referral: Referral) -> QuerySet[Any]:
    """The households the referral was sent for, best score first, with each answer."""
    return referral.targets.select_related(
        "household", "provider__organisation", "sent_by", "offer"
    ).order_by("-score", "sent_at")


def language_names(codes: Iterable[str]) -> list[str]:
    from apps.providers.choices import LANGUAGES

    return [LANGUAGES.get(code, code) for code in codes or []]


def referral_display(referral: Referral) -> dict[str, Any]:
    """Labels for the coded answers of a referral, ready for a template."""
    from .choices import (
        RISK_TO_CHILD_FIELDS,
        RISK_TO_OTHERS_FIELDS,
        Communication,
        RiskLevel,
        SupportKind,
    )

    def label(choices: Any, value: str) -> str:
        try:
            return str(choices(value).label)
        except ValueError:
            return value

    def risks(fields: tuple[tuple[str, str], ...], detail: str) -> list[tuple[str, str, str]]:
        out = []
        for name, text in fields:
            value = getattr(referral, name)
            extra = (
                getattr(referral, detail)
                if name.endswith("_other") and value not in ("", RiskLevel.NONE_KNOWN)
                else ""
            )
            out.append((text, label(RiskLevel, value) if value else "", extra))
        return out

    return {
        "languages": language_names(referral.child.languages),
        "risks_to_child": risks(RISK_TO_CHILD_FIELDS, "risk_other_detail"),
        "risks_to_others": risks(RISK_TO_OTHERS_FIELDS, "harm_other_detail"),
        "support": [label(SupportKind, s) for s in referral.support_needed or []],
        "communication": [label(Communication, c) for c in referral.communication_needs or []],
    }
