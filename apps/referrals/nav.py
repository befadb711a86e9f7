# Navigation entries for the referral journey (see apps/core/navigation.py).

# --- LA side: children, referrals; reviews asked of anyone --------------------------------------
from dataclasses import dataclass
from typing import Any

from apps.core.navigation import NavItem, register
from apps.core.permissions import Rule

from .permissions import VIEW_CHILDREN, VIEW_LA_REFERRALS


@dataclass(frozen=True)
class HasPendingReview(Rule):
    """Shown only to people with a review request still waiting for their answer."""

    def allows(self, user: Any) -> bool:
        from .selectors import pending_review_count

        return super().allows(user) and pending_review_count(user) > 0


register(
    NavItem(
        "Children",
        "referrals:child_list",
        VIEW_CHILDREN,
        "Your LA's children who need a home: their needs, tracked over time, and the cohort's.",
    ),
    NavItem(
        "Referrals",
        "referrals:referral_list",
        VIEW_LA_REFERRALS,
        "Write referrals in the national format with those who know the child; send them to "
        "the hub.",
    ),
    NavItem(
        "Reviews",
        "referrals:review_list",
        HasPendingReview("referrals.pending_review"),
        "Referrals you have been asked to review before they are sent.",
    ),
)

# --- Hub: work queue and search; RCC: matching weights (helper MA) ---------------------------
from .permissions import EDIT_MATCHING_WEIGHTS, HUB_SEARCH  # noqa: E402

register(
    NavItem(
        "Hub work queue",
        "referrals:hub_queue",
        HUB_SEARCH,
        "Referrals waiting with your hub: search every kind of provider at once and send to the "
        "households you choose.",
    ),
    NavItem(
        "Matching weights",
        "referrals:matching_weights_home",
        EDIT_MATCHING_WEIGHTS,
        "How much each factor counts in the hub's match score for your RCC.",
        in_header=False,
    ),
)

# --- Provider answers, scrutiny and placements (helper OP) -------------------------------------
from .permissions import RESPOND_TO_REFERRALS, SCRUTINISE, VIEW_PLACEMENTS  # noqa: E402

register(
    NavItem(
        "Referrals sent to you",
        "referrals:provider_targets",
        RESPOND_TO_REFERRALS,
        "Referrals the hub has sent about your households: read them and offer a home or decline.",
    ),
    NavItem(
        "Scrutiny",
        "referrals:scrutiny_queue",
        SCRUTINISE,
        "Proposed matches waiting for independent scrutiny, and emergency placements still to "
        "scrutinise.",
    ),
    NavItem(
        "Placements",
        "referrals:placement_list",
        VIEW_PLACEMENTS,
        "Agreed placements with their SSDA903 codes and individual placement agreements.",
    ),
)

# --- Work waiting, on the home page ---------------------------------------------------------
from . import work  # noqa: E402, F401
