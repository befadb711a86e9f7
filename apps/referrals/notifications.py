"""Who is told what after offers, choices, scrutiny and placements. Emails go out after the
transaction commits (a rolled-back change tells no one). Nothing sent to a provider names the
child: referrals are referred to by number only."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string

from apps.accounts.models import Membership
from apps.accounts.notifications import notify
from apps.accounts.roles import Role

from .tasks import send_email


def enqueue_email(
    *, recipients: Iterable[str], template: str, context: dict[str, Any], link: str
) -> None:
    """Tell the recipients: each person gets an in-app notification (kind: `template`; text:
    the email's subject; `link`: the page it is about), and those who want email for the kind
    are emailed `referrals/email/<template>.txt` (first line is the subject) on commit."""
    recipients = [r for r in recipients if r]
    if not recipients:
        return
    text = render_to_string(
        f"referrals/email/{template}.txt", {"service_name": settings.SERVICE_NAME, **context}
    ).strip()
    subject, _, body = text.partition("\n")
    to = notify(recipients=recipients, kind=template, text=subject, link=link)
    if not to:
        return
    transaction.on_commit(
        lambda: send_email.delay(recipients=to, subject=subject.strip(), body=body.strip() + "\n")
    )


def people_with_role(organisation_ids: Iterable[int], role: str) -> list[str]:
    return list(
        Membership.objects.filter(organisation_id__in=list(organisation_ids), role=role)
        .values_list("user__email", flat=True)
        .distinct()
    )


def provider_recipients(provider: Any) -> list[str]:
    """The provider's referrals officers, or its contact address when it has none."""
    emails = people_with_role([provider.pk], Role.PROVIDER_REFERRALS)
    return emails or [provider.contact_email or provider.organisation.email]


def hub_recipients(rcc: Any) -> list[str]:
    return people_with_role(rcc.hubs.values_list("pk", flat=True), Role.PLACEMENT_OFFICER)


def scrutineer_recipients(rcc: Any) -> list[str]:
    return people_with_role([rcc.pk], Role.SCRUTINEER)


def hub_manager_recipients(rcc: Any) -> list[str]:
    """The managers of the RCC's hubs (placement officers whose membership is marked
    `manager`); with none marked, every placement officer of the hubs (docs/adr/0130)."""
    hubs = list(rcc.hubs.values_list("pk", flat=True))
    managers = list(
        Membership.objects.filter(
            organisation_id__in=hubs, role=Role.PLACEMENT_OFFICER, manager=True
        )
        .values_list("user__email", flat=True)
        .distinct()
    )
    return managers or people_with_role(hubs, Role.PLACEMENT_OFFICER)
