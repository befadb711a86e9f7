"""Emails of the monitoring cycle. Called from services inside `transaction.on_commit`."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from apps.accounts.models import NotificationKind, User
from apps.accounts.notifications import notify
from apps.accounts.roles import Role

logger = logging.getLogger(__name__)


def provider_data_officers(provider_id: int) -> list[str]:
    return sorted(
        User.objects.filter(
            is_active=True,
            memberships__organisation_id=provider_id,
            memberships__role=Role.PROVIDER_DATA,
        )
        .values_list("email", flat=True)
        .distinct()
    )


# Each email's kind of notification (the person's email preference is per kind).
KINDS = {
    "query_raised": NotificationKind.RETURN_QUERIED,
    "query_reply": NotificationKind.RETURN_QUERIED,
    "return_accepted": NotificationKind.RETURN_ACCEPTED,
    "reminder_due_soon": NotificationKind.RETURN_REMINDER,
    "reminder_overdue": NotificationKind.RETURN_REMINDER,
}


def send(template: str, title: str, recipients: list[str], /, **context: Any) -> None:
    """Tell the recipients in the service (always) and by email (if they want it)."""
    if not recipients:
        return
    site = settings.SITE_URL.rstrip("/")
    context.setdefault("site_url", site)
    try:
        to = notify(
            recipients=recipients,
            kind=KINDS[template],
            text=title,
            link=str(context.get("url", "")).removeprefix(site),
        )
        if to:
            body = render_to_string(f"monitoring/email/{template}.txt", context)
            send_mail(title, body, settings.DEFAULT_FROM_EMAIL, to)
    except Exception:  # a notice that fails must not undo the change it reports
        logger.exception("monitoring email %s to %d recipients failed", template, len(recipients))


def return_url(return_id: int) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("monitoring:return_detail", args=[return_id])
