"""Scheduled work on the register. Tasks are thin: they call a service."""

from __future__ import annotations

from celery import shared_task

from .services import stale_register_notify


@shared_task(
    name="apps.providers.tasks.notify_stale_register",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
)
def notify_stale_register() -> dict[str, int]:
    """Email providers their records not confirmed for 14 days.

    Run daily by beat; safe to re-run (one email a provider a day)."""
    return stale_register_notify()
