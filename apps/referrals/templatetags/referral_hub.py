"""The hub's panel on the shared referral page: who was asked (by kind of provider), whether the
hub is looking in-house first, and, for the hub's placement officers, the search and actions."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html_join

from apps.organisations.kinds import OrganisationKind
from apps.referrals import selectors
from apps.referrals.matching import ProviderType
from apps.referrals.permissions import HUB_SEARCH
from apps.referrals.services.distribution import SENDABLE

register = template.Library()


@register.inclusion_tag("referrals/hub_panel_body.html", takes_context=True)
def hub_panel(context: template.Context, referral: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    is_hub = bool(
        user is not None
        and HUB_SEARCH.allows(user)
        and selectors.hub_referrals(
            type(referral).objects.visible_to(user).filter(pk=referral.pk), user
        ).exists()
    )
    targets = list(selectors.hub_targets(referral))
    counts = dict.fromkeys(ProviderType.ALL, 0)
    for target in targets:
        org = target.provider.organisation
        if org.kind == OrganisationKind.LA_SERVICE:
            kind = ProviderType.IN_HOUSE if org.owning_la_id == referral.la_id else "other_la"
        else:
            kind = ProviderType.IFA
        target.kind_label = ProviderType.LABELS[kind]
        counts[kind] += 1
    return {
        "referral": referral,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "is_hub": is_hub,
        "can_send": is_hub and referral.status in SENDABLE,
        "targets": targets,
        "counts": counts,
        "shown": referral.status != "draft",
    }


@register.simple_tag
def contribution_rows(option: Any) -> str:
    """The rows of one option's score breakdown (built here rather than in a template loop:
    25 options x 7 factors on every search page)."""
    rows = []
    for c in option.contributions:
        applies = c.raw is not None
        rows.append(
            (
                c.label,
                f"{c.share * 100:.0f}%" if applies else "\u2013",
                f"{c.raw * 100:.0f}%" if applies else "n/a",
                f"{c.points:.1f}",
                c.explanation,
            )
        )
    return format_html_join(
        "\n",
        '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{}</th>'
        '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>'
        '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>'
        '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>'
        '<td class="govuk-table__cell">{}</td></tr>',
        rows,
    )


def _labels(codes: Any, choices: Any) -> str:
    labels = dict(choices.choices)
    return ", ".join(str(labels.get(c, c)) for c in codes or [])


@register.filter
def communication_labels(codes: Any) -> str:
    """ "British Sign Language, Makaton" from the referral's communication codes."""
    from apps.referrals.choices import Communication

    return _labels(codes, Communication)


@register.filter
def support_labels(codes: Any) -> str:
    from apps.referrals.choices import SupportKind

    return _labels(codes, SupportKind)
