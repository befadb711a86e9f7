"""The commissioning overview: what needs attention, what is coming, where to go."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.views.generic import TemplateView

from apps.core.views import RuleRequiredMixin

from .. import selectors
from ..models import ContractAlert, Enrolment, SoftBlock
from ..permissions import (
    COMPARE_FEES,
    MANAGE_FRAMEWORKS,
    VIEW_ALERTS,
    VIEW_BUDGETS,
    VIEW_COMMISSIONING_HOME,
    VIEW_CONTRACT_MANAGEMENT,
    VIEW_IN_HOUSE_COSTS,
)
from ..querysets import contracts_scope

PLANNING_ROWS = 12


class CommissioningIndexView(RuleRequiredMixin, TemplateView):
    rule = VIEW_COMMISSIONING_HOME
    template_name = "contracts/index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        scope = contracts_scope(user)
        ctx["is_provider"] = bool(scope.provider_ids) and not scope.sees_rcc_records
        ctx["can"] = {
            "manage": MANAGE_FRAMEWORKS.allows(user),
            "alerts": VIEW_ALERTS.allows(user),
            "fees": COMPARE_FEES.allows(user),
            "budgets": VIEW_BUDGETS.allows(user),
            "management": VIEW_CONTRACT_MANAGEMENT.allows(user),
            "in_house": VIEW_IN_HOUSE_COSTS.allows(user),
        }
        if ctx["can"]["alerts"]:
            alerts = (
                ContractAlert.objects.visible_to(user)
                .open()
                .select_related("framework", "soft_block__provider__organisation")
            )
            ctx["alerts"] = selectors.alerts_with_figures(
                alerts.order_by("event_date", "id")[:PLANNING_ROWS]
            )
            ctx["alert_count"] = alerts.count()
        ctx["planning"] = selectors.planning_dates(user)[:PLANNING_ROWS]
        ctx["old_terms"] = selectors.contracts_on_old_terms(user)
        blocks = list(
            SoftBlock.objects.visible_to(user)
            .live()
            .select_related("provider__organisation", "rcc")[:200]
        )
        figures = selectors.soft_block_utilisation(blocks)
        for block in blocks:
            block.utilisation = figures[block.pk]  # type: ignore[attr-defined]
        ctx["soft_blocks"] = sorted(blocks, key=lambda b: b.utilisation.percent or 0)[
            :PLANNING_ROWS
        ]  # type: ignore[attr-defined]
        if ctx["is_provider"]:
            ctx["enrolments"] = list(
                Enrolment.objects.visible_to(user).select_related(
                    "lot__framework__owner", "provider__organisation"
                )[:50]
            )
        if ctx["can"]["fees"]:
            ctx["above_schedule_count"] = selectors.offers_above_schedule(user).count()
        ctx["today"] = timezone.localdate()
        return ctx
