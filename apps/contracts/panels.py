"""The commissioner's home-page panel: coming contract dates and soft-block utilisation."""

from __future__ import annotations

from typing import Any

from apps.core.navigation import HomePanel, register_panel

from .models import ContractAlert, SoftBlock
from .permissions import VIEW_ALERTS
from .selectors import alerts_with_figures, offers_above_schedule, soft_block_utilisation

PANEL_ROWS = 6


def commissioner_panel(user: Any) -> dict[str, Any]:
    alerts = ContractAlert.objects.visible_to(user).open()
    blocks = list(
        SoftBlock.objects.visible_to(user).live().select_related("provider__organisation", "rcc")
    )
    figures = soft_block_utilisation(blocks)
    for block in blocks:
        block.utilisation = figures[block.pk]  # type: ignore[attr-defined]
    blocks.sort(
        key=lambda b: (b.utilisation.percent is None, b.utilisation.percent or 0, b.reference)
    )  # type: ignore[attr-defined]
    return {
        "alerts": alerts_with_figures(
            alerts.select_related("framework", "soft_block__provider__organisation").order_by(
                "event_date", "id"
            )[:PANEL_ROWS]
        ),
        "alert_count": alerts.count(),
        "soft_blocks": blocks[:PANEL_ROWS],
        "soft_block_count": len(blocks),
        "above_schedule": offers_above_schedule(user).count(),
        "below_count": sum(1 for b in blocks if b.utilisation.below_threshold),  # type: ignore[attr-defined]
    }


register_panel(HomePanel("contracts/_home_panel.html", VIEW_ALERTS, commissioner_panel, order=10))
