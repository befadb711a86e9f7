"""Placement feedback from the child's social worker and IRO at each review."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.core.errors import DomainError
from apps.referrals.models import Placement

from ..choices import FeedbackRole
from ..models import PlacementFeedback
from ..quarters import Quarter

GRACE_AFTER_END = dt.timedelta(days=28)


@transaction.atomic
def placement_feedback_give(
    *,
    placement: Placement,
    by: User,
    author_role: str,
    review_date: dt.date,
    childs_progress: int,
    carer_support: int,
    communication: int,
    concerns: bool = False,
    concerns_detail: str = "",
    comments: str = "",
) -> PlacementFeedback:
    """Record one person's feedback at one review. Providers only ever see anonymised summaries."""
    if author_role not in FeedbackRole.values:
        raise DomainError(
            "Say whether you are the child's social worker or IRO.", field="author_role"
        )
    if not by.memberships.filter(organisation_id=placement.la_id, role=author_role).exists():
        raise DomainError(
            "You can give feedback only on placements of your own LA's children, in a role you "
            "hold there.",
            field="author_role",
        )
    today = timezone.localdate()
    if review_date > today:
        raise DomainError("The review date cannot be in the future.", field="review_date")
    if review_date < placement.start_date:
        raise DomainError(
            f"The review date is before the placement started ({placement.start_date:%d/%m/%Y}).",
            field="review_date",
        )
    if placement.end_date and review_date > placement.end_date + GRACE_AFTER_END:
        raise DomainError(
            f"The placement ended on {placement.end_date:%d/%m/%Y}; feedback is for reviews "
            "during it (or within four weeks of the end).",
            field="review_date",
        )
    for name, value in (
        ("childs_progress", childs_progress),
        ("carer_support", carer_support),
        ("communication", communication),
    ):
        if value not in (1, 2, 3, 4, 5):
            raise DomainError("Choose an answer from 1 (very poor) to 5 (very good).", field=name)
    concerns_detail = concerns_detail.strip()
    if concerns and not concerns_detail:
        raise DomainError("Say what the concerns are.", field="concerns_detail")
    if PlacementFeedback.objects.filter(
        placement=placement, author=by, review_date=review_date
    ).exists():
        raise DomainError(
            "You have already given feedback for the review on this date.", field="review_date"
        )
    try:
        with transaction.atomic():
            feedback = PlacementFeedback.objects.create(
                placement=placement,
                author=by,
                author_role=author_role,
                review_date=review_date,
                childs_progress=childs_progress,
                carer_support=carer_support,
                communication=communication,
                concerns=concerns,
                concerns_detail=concerns_detail if concerns else "",
                comments=comments.strip(),
            )
    except IntegrityError as err:
        raise DomainError(
            "You have already given feedback for the review on this date.", field="review_date"
        ) from err
    from ..tasks import refresh_scorecards

    provider_id, code = placement.provider_id, Quarter.of(review_date).code
    transaction.on_commit(
        lambda: refresh_scorecards.delay(provider_ids=[provider_id], quarters=[code])
    )
    return feedback
