"""Partnership meetings (apps.contracts) linked to the scorecard they discussed."""

from __future__ import annotations

from django.db import transaction

from apps.accounts.models import User
from apps.contracts.models import PartnershipMeeting
from apps.core.errors import DomainError

from ..models import MeetingScorecardLink
from ..quarters import Quarter


@transaction.atomic
def scorecard_meeting_link(
    *, meeting: PartnershipMeeting, quarter: Quarter, by: User
) -> MeetingScorecardLink:
    """Record that `meeting` discussed its provider's scorecard for `quarter`."""
    provider_id = meeting.provider_id
    held_on = meeting.held_on
    if quarter.start > held_on:
        raise DomainError(
            f"The meeting on {held_on:%d/%m/%Y} was before {quarter.short} began: it cannot have "
            "discussed that scorecard.",
            field="quarter",
        )
    link, created = MeetingScorecardLink.objects.get_or_create(
        meeting=meeting,
        quarter_start=quarter.start,
        defaults={"provider_id": provider_id, "linked_by": by},
    )
    if not created:
        raise DomainError(
            "That meeting is already linked to this quarter's scorecard.", field="meeting"
        )
    return link
