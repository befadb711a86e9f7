"""Each role's work waiting, on the home page (apps/core/navigation.py WORK_QUEUES).

Every count is one aggregate over the same scoped queryset, with the same condition, as the
list its link opens (`querysets.has_live_offers` and the like are shared with the filtersets),
so the number on the home page is the number of rows on the list. A count is read acting as the
list's own rule (`_as_list`): for a person with two roles the list may show what either role
sees, and the count must match it. Each queue reads in a fixed number of queries.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.core.navigation import WorkItem, WorkQueue, register_work
from apps.core.permissions import Rule, acting_user
from apps.organisations.kinds import OrganisationKind

from .choices import OfferStatus, ReferralStatus, TargetStatus
from .models import Placement, Referral, ReferralTarget
from .permissions import (
    HUB_SEARCH,
    RESPOND_TO_REFERRALS,
    SCRUTINISE,
    VIEW_LA_REFERRALS,
    VIEW_PLACEMENTS,
)
from .querysets import has_live_offers, has_replies_awaited, not_sent_to_providers, org_ids_by_kind
from .selectors import hub_referrals, pending_review_count, scrutiny_queue

SOCIAL_WORK = Rule("work.social_worker", frozenset({Role.SOCIAL_WORKER}))
IRO_WORK = Rule("work.iro", frozenset({Role.IRO}))


def _as_list(user: Any, rule: Rule) -> Any:
    """The person acting as the list the count links to does (its rule's memberships)."""
    return acting_user(user.signed_in_user, rule)


def _url(name: str, query: str = "") -> str:
    return reverse(name) + (f"?{query}" if query else "")


def _reviews_item(user: Any) -> WorkItem:
    return WorkItem(
        "Reviews asked of you",
        pending_review_count(user.signed_in_user),
        _url("referrals:review_list", "waiting=true"),
    )


def social_worker_work(user: Any) -> list[WorkItem]:
    viewer = _as_list(user, VIEW_LA_REFERRALS)
    own = Referral.objects.visible_to(viewer).filter(
        la_id__in=org_ids_by_kind(viewer)[OrganisationKind.LOCAL_AUTHORITY]
    )
    counts = own.aggregate(
        drafts=Count("pk", filter=Q(status=ReferralStatus.DRAFT)),
        offers=Count("pk", filter=has_live_offers()),
    )
    return [
        WorkItem(
            "Referrals with offers to consider",
            counts["offers"],
            _url("referrals:referral_list", "work=offers"),
        ),
        _reviews_item(user),
        WorkItem(
            "Referrals to complete and send",
            counts["drafts"],
            _url("referrals:referral_list", "status=draft"),
        ),
    ]


def iro_work(user: Any) -> list[WorkItem]:
    return [_reviews_item(user)]


def placement_officer_work(user: Any) -> list[WorkItem]:
    queue = hub_referrals(Referral.objects.visible_to(user), user)
    counts = queue.aggregate(
        search=Count("pk", filter=not_sent_to_providers()),
        replies=Count("pk", filter=has_replies_awaited()),
        offers=Count("pk", filter=has_live_offers()),
    )
    overdue = (
        Placement.objects.visible_to(_as_list(user, VIEW_PLACEMENTS)).scrutiny_overdue().count()
    )
    hub = "referrals:hub_queue"
    return [
        WorkItem("Referrals to search", counts["search"], _url(hub, "waiting_for=search")),
        WorkItem(
            "Referrals awaiting providers' replies",
            counts["replies"],
            _url(hub, "waiting_for=replies"),
        ),
        WorkItem(
            "Referrals with offers to compare", counts["offers"], _url(hub, "waiting_for=offers")
        ),
        WorkItem(
            "Emergency placements with scrutiny overdue",
            overdue,
            _url("referrals:placement_list", "scrutiny_overdue=true"),
            urgent=True,
        ),
    ]


def provider_referrals_work(user: Any) -> list[WorkItem]:
    own = ReferralTarget.objects.visible_to(user).filter(
        provider_id__in=org_ids_by_kind(user)["provider"]
    )
    counts = own.aggregate(
        awaiting=Count("pk", filter=Q(status=TargetStatus.SENT)),
        shortlisted=Count("pk", filter=Q(offer__status=OfferStatus.SHORTLISTED)),
    )
    targets = "referrals:provider_targets"
    return [
        WorkItem("Referrals awaiting your reply", counts["awaiting"], _url(targets, "status=sent")),
        WorkItem(
            "Your offers on the shortlist",
            counts["shortlisted"],
            _url(targets, "offer=shortlisted"),
        ),
    ]


def scrutineer_work(user: Any) -> list[WorkItem]:
    counts = (
        scrutiny_queue(user)
        .order_by()
        .aggregate(
            proposed=Count("pk", filter=Q(status=ReferralStatus.PROPOSED)),
            emergency=Count("pk", filter=Q(emergency_outstanding=True)),
            overdue=Count(
                "pk", filter=Q(emergency_outstanding=True, scrutiny_due__lt=timezone.now())
            ),
        )
    )
    queue = "referrals:scrutiny_queue"
    return [
        WorkItem(
            "Proposed matches to scrutinise", counts["proposed"], _url(queue, "waiting=proposed")
        ),
        WorkItem(
            "Emergency placements to scrutinise",
            counts["emergency"],
            _url(queue, "waiting=emergency"),
        ),
        WorkItem(
            "Emergency scrutiny overdue",
            counts["overdue"],
            _url(queue, "waiting=overdue"),
            urgent=True,
        ),
    ]


register_work(
    WorkQueue("As a social worker", SOCIAL_WORK, social_worker_work, order=10),
    WorkQueue("As an independent reviewing officer", IRO_WORK, iro_work, order=20),
    WorkQueue("As a placement officer", HUB_SEARCH, placement_officer_work, order=30),
    WorkQueue("As a scrutineer", SCRUTINISE, scrutineer_work, order=40),
    WorkQueue("As a referrals officer", RESPOND_TO_REFERRALS, provider_referrals_work, order=50),
)
