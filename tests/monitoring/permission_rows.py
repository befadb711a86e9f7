"""Permission matrix rows for monitoring, web and API (see tests/permission_rows.py).

`monitoring_of(world)` builds, once per world, the world IFA's return (linked to the world's
RCC by a scorecard row for its placements there), a submission, a query, a placement of the
world LA's child and a partnership meeting; and the same for the other IFA and the other LA,
outside the callers' scope.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.utils import timezone

from apps.accounts.roles import Role
from apps.contracts.models import PartnershipMeeting
from apps.monitoring.choices import Channel
from apps.monitoring.models import (
    MonitoringReturn,
    PlacementFeedback,
    ReturnQuery,
    ReturnSubmission,
    ScorecardSnapshot,
)
from apps.monitoring.permissions import (
    GIVE_FEEDBACK,
    LINK_MEETING,
    REPLY_TO_QUERY,
    REVIEW_RETURN,
    SUBMIT_RETURN,
    VIEW_RETURNS,
    VIEW_SCORECARDS,
    VIEW_SUBMISSIONS,
)
from apps.monitoring.services import return_submit_records
from apps.referrals.models import Placement
from tests.monitoring.factories import (
    QUARTER,
    complete_records,
    csv_file,
    due_return,
    placement,
    provider_of,
)
from tests.permission_rows import Row

if TYPE_CHECKING:
    from apps.accounts.models import User
    from tests.conftest import World


@dataclass
class Setup:
    ret: MonitoringReturn
    other_ret: MonitoringReturn
    submission: ReturnSubmission
    other_submission: ReturnSubmission
    query: ReturnQuery
    other_query: ReturnQuery
    snapshot: ScorecardSnapshot
    other_snapshot: ScorecardSnapshot
    placement: Placement
    other_placement: Placement
    meeting: PartnershipMeeting


def _submission(ret: MonitoringReturn, by: Any) -> ReturnSubmission:
    sub = ReturnSubmission(
        monitoring_return=ret,
        channel=Channel.FILE,
        original_name="return.csv",
        outcome="rejected",
        error_count=1,
        errors=[{"row": 2, "column": "value", "message": "x", "hint": "y"}],
        submitted_by=by,
    )
    sub.original.save("matrix-return.csv", ContentFile(b"record,item,value\n"), save=True)
    return sub


def monitoring_of(world: World) -> Setup:
    cached = getattr(world, "_monitoring", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    commissioner = world.users[Role.COMMISSIONER]
    officer = world.users[Role.PROVIDER_DATA]
    ret, other_ret = due_return(world.ifa), due_return(world.other_ifa)
    now = timezone.now()
    snapshot = ScorecardSnapshot.objects.create(
        provider_id=world.ifa.pk, quarter_start=QUARTER.start, computed_at=now
    )
    # The world IFA has figures for the world RCC's placements: it is linked to that RCC. A
    # placement of the world LA's child with it in the quarter makes the world RCC the owner of
    # its return (the one RCC that accepts it).
    ScorecardSnapshot.objects.create(
        provider_id=world.ifa.pk,
        quarter_start=QUARTER.start,
        rcc=world.rcc,
        placements=1,
        computed_at=now,
    )
    placement(world.ifa, world.la, start=dt.date(2025, 6, 2))
    other_snapshot = ScorecardSnapshot.objects.create(
        provider_id=world.other_ifa.pk, quarter_start=QUARTER.start, computed_at=now
    )
    setup = Setup(
        ret=ret,
        other_ret=other_ret,
        submission=_submission(ret, officer),
        other_submission=_submission(other_ret, officer),
        query=ReturnQuery.objects.create(
            monitoring_return=ret,
            subject="complaints",
            raised_by=commissioner,
            raised_for=world.rcc,
        ),
        other_query=ReturnQuery.objects.create(
            monitoring_return=other_ret,
            subject="complaints",
            raised_by=commissioner,
            raised_for=world.rcc,
        ),
        snapshot=snapshot,
        other_snapshot=other_snapshot,
        placement=placement(world.la_service, world.la, start=dt.date(2025, 6, 2)),
        other_placement=placement(
            world.other_la_service, world.other_la, start=dt.date(2025, 6, 2)
        ),
        meeting=PartnershipMeeting.objects.create(
            rcc=world.rcc,
            provider=provider_of(world.ifa),
            held_on=dt.date(2026, 1, 20),
            notes="Quarterly review.",
            created_by=commissioner,
        ),
    )
    world._monitoring = setup  # type: ignore[attr-defined]
    return setup


def submitted(world: World) -> MonitoringReturn:
    """The world IFA's return, with a version the commissioner can query or accept."""
    ret = monitoring_of(world).ret
    ret.refresh_from_db()
    if ret.current_version_id is None:
        return_submit_records(
            monitoring_return=ret,
            by=world.users[Role.PROVIDER_DATA],
            records=complete_records(ret),
            channel=Channel.WEB,
        )
    return ret


def ret(world: World, user: User) -> dict[str, Any]:
    return {"pk": monitoring_of(world).ret.pk}


def submitted_ret(world: World, user: User) -> dict[str, Any]:
    return {"pk": submitted(world).pk}


def hidden_ret(world: World, user: User) -> dict[str, Any] | None:
    return None if user.has_role(Role.NCC_ANALYST) else {"pk": monitoring_of(world).other_ret.pk}


def with_format(fn: Any) -> Any:
    def kwargs(world: World, user: User) -> dict[str, Any] | None:
        found = fn(world, user)
        return None if found is None else {**found, "fmt": "csv"}

    return kwargs


def submission(world: World, user: User) -> dict[str, Any]:
    return {"pk": monitoring_of(world).submission.pk}


def hidden_submission(world: World, user: User) -> dict[str, Any] | None:
    return (
        None
        if user.has_role(Role.NCC_ANALYST)
        else {"pk": monitoring_of(world).other_submission.pk}
    )


def query(world: World, user: User) -> dict[str, Any]:
    return {"pk": monitoring_of(world).query.pk}


def hidden_query(world: World, user: User) -> dict[str, Any]:
    return {"pk": monitoring_of(world).other_query.pk}


def api_query(world: World, user: User) -> dict[str, Any]:
    return {"pk": monitoring_of(world).ret.pk, "query_id": monitoring_of(world).query.pk}


def hidden_api_query(world: World, user: User) -> dict[str, Any]:
    return {
        "pk": monitoring_of(world).other_ret.pk,
        "query_id": monitoring_of(world).other_query.pk,
    }


def provider(world: World, user: User) -> dict[str, Any]:
    monitoring_of(world)
    return {"pk": world.ifa.pk}


def hidden_provider(world: World, user: User) -> dict[str, Any] | None:
    monitoring_of(world)
    return None if user.has_role(Role.NCC_ANALYST) else {"pk": world.other_ifa.pk}


def snapshot(world: World, user: User) -> dict[str, Any]:
    return {"pk": monitoring_of(world).snapshot.pk}


def hidden_snapshot(world: World, user: User) -> dict[str, Any] | None:
    return (
        None if user.has_role(Role.NCC_ANALYST) else {"pk": monitoring_of(world).other_snapshot.pk}
    )


def feedback_placement(world: World, user: User) -> dict[str, Any]:
    return {"pk": monitoring_of(world).placement.pk}


def hidden_feedback_placement(world: World, user: User) -> dict[str, Any]:
    return {"pk": monitoring_of(world).other_placement.pk}


def _feedback(world: World, author: Any, days: int) -> PlacementFeedback:
    role = "iro" if author.has_role(Role.IRO) else "social_worker"
    return PlacementFeedback.objects.get_or_create(
        placement=monitoring_of(world).placement,
        author=author,
        review_date=dt.date(2025, 10, 1) + dt.timedelta(days=days),
        defaults={
            "author_role": role,
            "childs_progress": 4,
            "carer_support": 4,
            "communication": 3,
        },
    )[0]


def own_feedback(world: World, user: User) -> dict[str, Any]:
    return {"pk": _feedback(world, user, 0).pk}


def others_feedback(world: World, user: User) -> dict[str, Any]:
    other = (
        world.users[Role.IRO]
        if user.has_role(Role.SOCIAL_WORKER)
        else world.users[Role.SOCIAL_WORKER]
    )
    return {"pk": _feedback(world, other, 1).pk}


def feedback_data(world: World, user: User) -> dict[str, Any]:
    return {
        "placement": monitoring_of(world).placement.pk,
        "author_role": "iro" if user.has_role(Role.IRO) else "social_worker",
        "review_date": "2025-11-03",
        "childs_progress": 4,
        "carer_support": 5,
        "communication": 3,
    }


def upload_data(world: World, user: User) -> dict[str, Any]:
    ret = monitoring_of(world).ret
    return {"file": csv_file(complete_records(ret))}


def meeting_data(world: World, user: User) -> dict[str, Any]:
    return {"meeting": monitoring_of(world).meeting.pk, "quarter": QUARTER.code}


VIEW = VIEW_RETURNS.roles
SUBMIT = SUBMIT_RETURN.roles
REVIEW = REVIEW_RETURN.roles

ROWS = [
    # The format: any signed-in user.
    Row("monitoring:format"),
    Row(
        "monitoring:format_download",
        kwargs=lambda w, u: {"version": "NQR-2026.1", "name": "template.xlsx"},
    ),
    Row("api:monitoring-format"),
    # Returns: provider staff (own), RCC commissioners (linked providers), NCC (all).
    Row("monitoring:return_list", roles=VIEW),
    Row("monitoring:return_detail", roles=VIEW, kwargs=ret, hidden=hidden_ret),
    Row(
        "monitoring:return_prefilled",
        roles=VIEW,
        kwargs=with_format(ret),
        hidden=with_format(hidden_ret),
    ),
    Row("monitoring:return_form", roles=SUBMIT, kwargs=ret, hidden=hidden_ret),
    Row(
        "monitoring:return_form",
        roles=SUBMIT,
        kwargs=ret,
        hidden=hidden_ret,
        method="post",
        data=lambda w, u: {"fig-complaints": "1"},
    ),
    Row(
        "monitoring:return_upload",
        roles=SUBMIT,
        kwargs=ret,
        hidden=hidden_ret,
        method="post",
        data=upload_data,
        ok=302,
    ),
    Row(
        "monitoring:return_query",
        roles=REVIEW,
        kwargs=submitted_ret,
        hidden=hidden_ret,
        method="post",
        data=lambda w, u: {"subject": "complaints", "body": "Only one?"},
        ok=302,
    ),
    Row(
        "monitoring:return_accept",
        roles=REVIEW,
        kwargs=submitted_ret,
        hidden=hidden_ret,
        method="post",
        ok=302,
    ),
    Row(
        "monitoring:query_reply",
        roles=REPLY_TO_QUERY.roles,
        kwargs=query,
        hidden=hidden_query,
        method="post",
        data=lambda w, u: {"body": "Answered."},
        ok=302,
    ),
    # Submissions (originals and row errors hold every child's rows): provider staff and NCC.
    Row(
        "monitoring:submission_detail",
        roles=VIEW_SUBMISSIONS.roles,
        kwargs=submission,
        hidden=hidden_submission,
    ),
    Row(
        "monitoring:submission_original",
        roles=VIEW_SUBMISSIONS.roles,
        kwargs=submission,
        hidden=hidden_submission,
    ),
    Row("api:monitoring-return-list", roles=VIEW),
    Row("api:monitoring-return-detail", roles=VIEW, kwargs=ret, hidden=hidden_ret),
    Row("api:monitoring-return-prefill", roles=VIEW, kwargs=ret, hidden=hidden_ret),
    Row(
        "api:monitoring-return-submit",
        roles=SUBMIT,
        kwargs=ret,
        hidden=hidden_ret,
        method="post",
        data=upload_data,
        ok=201,
    ),
    Row(
        "api:monitoring-return-query",
        roles=REVIEW,
        kwargs=submitted_ret,
        hidden=hidden_ret,
        method="post",
        data=lambda w, u: {"subject": "complaints", "body": "Only one?"},
        ok=201,
    ),
    Row(
        "api:monitoring-return-accept",
        roles=REVIEW,
        kwargs=submitted_ret,
        hidden=hidden_ret,
        method="post",
        ok=200,
    ),
    Row(
        "api:monitoring-return-reply",
        roles=REPLY_TO_QUERY.roles,
        kwargs=api_query,
        hidden=hidden_api_query,
        method="post",
        data=lambda w, u: {"body": "Answered."},
        ok=201,
    ),
    Row("api:monitoring-submission-list", roles=VIEW_SUBMISSIONS.roles),
    Row(
        "api:monitoring-submission-detail",
        roles=VIEW_SUBMISSIONS.roles,
        kwargs=submission,
        hidden=hidden_submission,
    ),
    # Scorecards.
    Row("monitoring:scorecard_list", roles=VIEW_SCORECARDS.roles),
    Row(
        "monitoring:scorecard_detail",
        roles=VIEW_SCORECARDS.roles,
        kwargs=provider,
        hidden=hidden_provider,
    ),
    Row(
        "monitoring:scorecard_meeting_link",
        roles=LINK_MEETING.roles,
        kwargs=provider,
        hidden=hidden_provider,
        method="post",
        data=meeting_data,
        ok=302,
    ),
    Row("api:monitoring-scorecard-list", roles=VIEW_SCORECARDS.roles),
    Row(
        "api:monitoring-scorecard-detail",
        roles=VIEW_SCORECARDS.roles,
        kwargs=snapshot,
        hidden=hidden_snapshot,
    ),
    # Placement feedback: the social worker and IRO of the child's LA.
    Row("monitoring:feedback_list", roles=GIVE_FEEDBACK.roles),
    Row("monitoring:feedback_placements", roles=GIVE_FEEDBACK.roles),
    Row(
        "monitoring:feedback_create",
        roles=GIVE_FEEDBACK.roles,
        kwargs=feedback_placement,
        hidden=hidden_feedback_placement,
    ),
    Row(
        "monitoring:feedback_create",
        roles=GIVE_FEEDBACK.roles,
        kwargs=feedback_placement,
        hidden=hidden_feedback_placement,
        method="post",
        data=lambda w, u: {k: v for k, v in feedback_data(w, u).items() if k != "placement"},
        ok=302,
    ),
    Row(
        "monitoring:feedback_detail",
        roles=GIVE_FEEDBACK.roles,
        kwargs=own_feedback,
        hidden=others_feedback,
    ),
    Row("api:monitoring-feedback-list", roles=GIVE_FEEDBACK.roles),
    Row(
        "api:monitoring-feedback-list",
        roles=GIVE_FEEDBACK.roles,
        method="post",
        data=feedback_data,
        ok=201,
    ),
    Row(
        "api:monitoring-feedback-detail",
        roles=GIVE_FEEDBACK.roles,
        kwargs=own_feedback,
        hidden=others_feedback,
    ),
]
