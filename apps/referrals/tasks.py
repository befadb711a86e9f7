"""Background work of the referral journey. Tasks are thin: JSON arguments, retried, idempotent
enough for email (a duplicate notice is harmless; a lost one is not)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail


@shared_task(
    name="apps.referrals.tasks.send_email",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_email(*, recipients: list[str], subject: str, body: str) -> int:
    """Send one plain-text notice. Callers enqueue it with `transaction.on_commit`."""
    if not recipients:
        return 0
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


BATCH_CACHE_SECONDS = 30 * 60


def batch_cache_key(rcc_id: int) -> str:
    return f"referrals:batch-matching:{rcc_id}"


@shared_task(
    name="apps.referrals.tasks.batch_match_rcc",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
)
def batch_match_rcc(rcc_id: int) -> dict:
    """Compute the RCC's batch-matching suggestion and keep it for the hub's page (30 minutes).
    Idempotent: a rerun replaces the stored result with a fresh one."""
    from django.core.cache import cache

    from .batch import batch_match

    result = batch_match(rcc_id).as_dict()
    cache.set(batch_cache_key(rcc_id), result, BATCH_CACHE_SECONDS)
    return {k: v for k, v in result.items() if k != "suggestions"}


@shared_task(
    name="apps.referrals.tasks.escalate_overdue_scrutiny",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
)
def escalate_overdue_scrutiny() -> int:
    """Escalate emergency placements whose 72-hour scrutiny is overdue (once each)."""
    from .services.scrutiny import emergency_scrutiny_escalate

    return emergency_scrutiny_escalate()
