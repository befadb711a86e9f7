"""Celery tasks of monitoring: thin, idempotent, JSON arguments; each calls one service."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from .quarters import Quarter
from .selectors import TREND_QUARTERS

logger = logging.getLogger(__name__)


@shared_task(
    name="apps.monitoring.tasks.returns_cycle",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=3,
)
def returns_cycle() -> dict[str, int]:
    """Daily: open the last ended quarter's returns, send reminders, flag overdue returns."""
    from .services import returns_remind

    result = returns_remind(today=timezone.localdate())
    logger.info("monitoring returns cycle", extra=result)
    return result


@shared_task(
    name="apps.monitoring.tasks.refresh_scorecards",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=3,
)
def refresh_scorecards(
    provider_ids: list[int] | None = None, quarters: list[str] | None = None
) -> int:
    """Recompute scorecard snapshots: the named providers and quarters, or (nightly) every
    provider's last eight quarters."""
    from .services import scorecard_refresh

    chosen = (
        [Quarter.parse(code) for code in quarters]
        if quarters
        else Quarter.of(timezone.localdate()).back(TREND_QUARTERS)
    )
    return scorecard_refresh(quarters=chosen, provider_ids=provider_ids)
