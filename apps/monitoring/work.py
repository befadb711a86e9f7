"""The provider data officer's work waiting, on the home page (apps/core/navigation.py): the
returns due, overdue or queried, counted with the same filters as the returns list they open."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse

from apps.core.navigation import WorkItem, WorkQueue, register_work
from apps.core.permissions import acting_user

from .choices import ReturnStatus
from .models import MonitoringReturn
from .permissions import SUBMIT_RETURN, VIEW_RETURNS


def provider_data_work(user: Any) -> list[WorkItem]:
    # Counted as the returns list reads them (its rule's memberships), so the numbers match it.
    viewer = acting_user(user.signed_in_user, VIEW_RETURNS)
    counts = MonitoringReturn.objects.visible_to(viewer).aggregate(
        due=Count("pk", filter=Q(status=ReturnStatus.DUE)),
        overdue=Count("pk", filter=Q(status=ReturnStatus.DUE, overdue_since__isnull=False)),
        queried=Count("pk", filter=Q(status=ReturnStatus.QUERIED)),
    )
    returns = reverse("monitoring:return_list")
    return [
        WorkItem("Returns due", counts["due"], f"{returns}?status=due"),
        WorkItem("Returns overdue", counts["overdue"], f"{returns}?overdue=true", urgent=True),
        WorkItem("Returns queried by the RCC", counts["queried"], f"{returns}?status=queried"),
    ]


register_work(WorkQueue("As a data officer", SUBMIT_RETURN, provider_data_work, order=60))
