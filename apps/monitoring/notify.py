"""Emails of the monitoring cycle. Called from services inside `transaction.on_commit`."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from apps.accounts.models import User
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


def send(template: str, title: str, recipients: list[str], /, **context: Any) -> None:
    if not recipients:
        return
    context.setdefault("site_url", settings.SITE_URL.rstrip("/"))
    body = render_to_string(f"monitoring/email/{template}.txt", context)
    try:
        send_mail(title, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except Exception:  # an email that fails must not undo the change it reports
        logger.exception("monitoring email %s to %d recipients failed", template, len(recipients))


def return_url(return_id: int) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("monitoring:return_detail", args=[return_id])
