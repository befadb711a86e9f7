"""Navigation entries for planning (see apps/core/navigation.py), and the early-warning list in
a social worker's work on the home page."""

from typing import Any

from django.urls import reverse
from django.utils import timezone

from apps.core.navigation import NavItem, WorkItem, WorkQueue, register, register_work
from apps.core.permissions import acting_user
from apps.referrals.work import SOCIAL_WORK

from .permissions import VIEW_EARLY_WARNING, VIEW_PLANNING

register(
    NavItem(
        "Planning",
        "planning:index",
        VIEW_PLANNING,
        "Demand forecasts, sufficiency gaps, sourcing and stability measures, and a simulated "
        "year of matching under each sourcing policy.",
    ),
    NavItem(
        "Stability early warning",
        "planning:early_warning",
        VIEW_EARLY_WARNING,
        "Children of your local authority in care who have moved twice or more in the last "
        "12 months, or whose placement's reviews raised concerns, highest risk first.",
        in_header=False,
    ),
)


def early_warning_work(user: Any) -> list[WorkItem]:
    """How many children are on the early-warning list: the list's own count, read as the list
    reads it (its rule's memberships)."""
    from .early_warning import early_warnings, readable_children

    children, _las = readable_children(acting_user(user.signed_in_user, VIEW_EARLY_WARNING))
    listed = early_warnings(children, today=timezone.localdate())
    return [
        WorkItem(
            "Children in care whose placements may be at risk",
            len(listed),
            reverse("planning:early_warning"),
        )
    ]


register_work(WorkQueue("Children's stability", SOCIAL_WORK, early_warning_work, order=15))
