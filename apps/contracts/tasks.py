"""Celery tasks for commissioning: thin, idempotent, retried with backoff."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from .services import contract_alerts_raise


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def raise_contract_alerts(on: str | None = None) -> int:
    """Beat job: raise the planning alerts due (one per event, however often it runs)."""
    return contract_alerts_raise(on=dt.date.fromisoformat(on) if on else None)
