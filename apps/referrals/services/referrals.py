"""Writes to a referral on the LA side: create, edit, co-design reviews, send to the hub, withdraw.

Every state change records a ReferralEvent (who, when, what); emails go out after commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.core.errors import DomainError
from apps.organisations.models import Organisation, PostcodeDistrict, RccMembership
from apps.providers.choices import HouseholdStatus
from apps.providers.models import Household
from apps.referrals.choices import (
    Communication,
    ContributorRole,
    Frequency,
    ReferralStatus,
    ReviewStatus,
    SupportKind,
    TargetStatus,
)
from apps.referrals.completeness import referral_completeness
from apps.referrals.format import EDITABLE_FIELDS
from apps.referrals.models import Child, Referral, ReferralReview, ReferralTarget
from apps.referrals.notifications import enqueue_email, hub_recipients
from apps.referrals.services.children import acting_as, district, require_social_worker
from apps.referrals.services.events import record_event

FINAL_STATUSES = (ReferralStatus.PLACED, ReferralStatus.WITHDRAWN)
CARER_REVIEW_DONE = (ReviewStatus.AGREED, ReviewStatus.CHANGES)


def rcc_for_la(la: Organisation, on: dt.date | None = None) -> Organisation:
    """The RCC the LA belongs to on a date (today by default)."""
    found = (
        RccMembership.objects.current(on)
        .filter(la=la)
        .select_related("rcc")
        .order_by("-start_date")
        .first()
    )
    if found is None:
        raise DomainError(
            f"{la.name} is not a member of a Regional Care Cooperative, so there is no hub to "
            "send a referral to."
        )
    return found.rcc


def largest_approved_sibling_group() -> int:
    """The largest sibling group any active household in the register is approved for."""
    largest = Household.objects.filter(status=HouseholdStatus.ACTIVE).aggregate(
        m=Max("max_sibling_group")
    )["m"]
    return int(largest or 1)


def _require_draft(referral: Referral) -> None:
    if referral.status != ReferralStatus.DRAFT:
        raise DomainError(
            f"Only a draft referral can be changed; this one is "
            f"{referral.get_status_display().lower()}."
        )


def check_latest_start_date(value: dt.date | None) -> None:
    if value is not None and value < timezone.localdate():
        raise DomainError(
            "The latest start date is in the past: enter today or a later date.",
            field="latest_start_date",
        )


def check_siblings(referral: Referral, siblings: Iterable[Child | int]) -> list[Child]:
    """Siblings are other children of the same LA; the group must fit an approval."""
    ids = []
    for s in siblings:
        try:
            ids.append(s.pk if isinstance(s, Child) else int(s))
        except (TypeError, ValueError) as err:
            raise DomainError("Siblings are given by child id.", field="siblings") from err
    ids = list(dict.fromkeys(ids))
    if referral.child_id in ids:
        raise DomainError("A child cannot be their own sibling.", field="siblings")
    found = list(Child.objects.filter(pk__in=ids, la_id=referral.la_id))
    if len(found) != len(ids):
        raise DomainError(
            "Siblings must be children of the same local authority as the child referred.",
            field="siblings",
        )
    group = len(found) + 1
    if group > 1:
        limit = largest_approved_sibling_group()
        if group > limit:
            raise DomainError(
                f"A sibling group of {group} is larger than any approval in the register: the "
                f"largest sibling group any household is approved for is {limit}. Refer fewer "
                "children together, or ask the hub about specialist provision.",
                field="siblings",
            )
    return found


def _check_choice(field_name: str, value: Any) -> Any:
    field: Any = Referral._meta.get_field(field_name)
    allowed = {str(k) for k, _ in field.choices or []}
    if value in (None, "") and field.blank:
        return "" if not field.null else None
    if str(value) not in allowed:
        raise DomainError(
            f"{value!r} is not one of the choices: {', '.join(sorted(allowed))}.", field=field_name
        )
    return str(value)


def _check_codes(field_name: str, values: Any, allowed: Iterable[str]) -> list[str]:
    if values in (None, ""):
        return []
    if not isinstance(values, list | tuple):
        raise DomainError("Give a list of codes.", field=field_name)
    allowed_set = set(allowed)
    unknown = [str(v) for v in values if str(v) not in allowed_set]
    if unknown:
        raise DomainError(
            f"Unknown code(s): {', '.join(unknown)}. Use: {', '.join(sorted(allowed_set))}.",
            field=field_name,
        )
    return list(dict.fromkeys(str(v) for v in values))


def _check_places_to_reach(values: Any) -> list[dict[str, str]]:
    if values in (None, ""):
        return []
    if not isinstance(values, list | tuple):
        raise DomainError("Give a list of places.", field="places_to_reach")
    out = []
    for i, place in enumerate(values, start=1):
        if not isinstance(place, dict):
            raise DomainError(
                f"Place {i}: give a district, what it is and how often.", field="places_to_reach"
            )
        d = district(str(place.get("district") or ""), field="places_to_reach")
        if d is None:
            raise DomainError(f"Place {i}: enter its postcode district.", field="places_to_reach")
        what = str(place.get("what") or "").strip()
        if not what:
            raise DomainError(
                f"Place {i} ({d.code}): say what the place is (e.g. contact centre).",
                field="places_to_reach",
            )
        frequency = str(place.get("frequency") or "").strip().lower()
        if frequency not in Frequency.values:
            raise DomainError(
                f"Place {i} ({d.code}): how often must be one of {', '.join(Frequency.values)}.",
                field="places_to_reach",
            )
        out.append({"district": d.code, "what": what[:120], "frequency": frequency})
    return out


def _check_places_to_avoid(values: Any) -> list[str]:
    if values in (None, ""):
        return []
    if isinstance(values, str):
        values = [v for v in values.replace(",", " ").split() if v]
    out = []
    for value in values:
        d = district(str(value), field="places_to_avoid")
        if d is not None and d.code not in out:
            out.append(d.code)
    return out


DISTRICT_FIELDS = ("family_postcode_district", "school_postcode_district")
BOOLEAN_FIELDS = (
    "stay_close_to_family",
    "keep_school",
    "moving_from_placement",
    "siblings_may_share_bedroom",
)
TEXT_FIELDS = (
    "preferred_area",
    "adaptations",
    "cultural_religious_needs",
    "risk_other_detail",
    "harm_other_detail",
    "childs_views",
    "about_the_child",
)


def clean_referral_values(referral: Referral, values: dict[str, Any]) -> dict[str, Any]:
    """Check and normalise field values; raise one DomainError naming every field at fault."""
    unknown = set(values) - EDITABLE_FIELDS
    if unknown:
        raise DomainError(f"Unknown or read-only field(s): {', '.join(sorted(unknown))}.")
    out: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        try:
            if (name in TEXT_FIELDS or name in DISTRICT_FIELDS) and not isinstance(
                value, str | PostcodeDistrict | None
            ):
                raise DomainError("Enter text.", field=name)
            if name == "latest_start_date":
                if isinstance(value, str) and value:
                    try:
                        value = dt.date.fromisoformat(value)
                    except ValueError as err:
                        raise DomainError("Enter a real date.", field=name) from err
                value = value or None
                check_latest_start_date(value)
            elif name == "siblings":
                value = check_siblings(referral, value or [])
            elif name in DISTRICT_FIELDS:
                value = district(value, field=name)
            elif name == "places_to_reach":
                value = _check_places_to_reach(value)
            elif name == "places_to_avoid":
                value = _check_places_to_avoid(value)
            elif name == "communication_needs":
                value = _check_codes(name, value, Communication.values)
            elif name == "support_needed":
                value = _check_codes(name, value, SupportKind.values)
            elif name == "min_adults":
                if value in (None, ""):
                    value = None
                else:
                    try:
                        value = int(value)
                    except (TypeError, ValueError) as err:
                        raise DomainError("Enter a whole number of adults.", field=name) from err
                    if not 1 <= value <= 4:
                        raise DomainError("Enter between 1 and 4 adults per child.", field=name)
            elif name in BOOLEAN_FIELDS:
                value = bool(value)
            elif name in TEXT_FIELDS:
                value = (value or "").strip()
                max_length = cast(Any, Referral._meta.get_field(name)).max_length
                if max_length and len(value) > max_length:
                    raise DomainError(f"Use {max_length} characters or fewer.", field=name)
            else:
                value = _check_choice(name, value)
        except DomainError as err:
            errors.setdefault(err.field or name, []).append(err.message)
            continue
        except (TypeError, AttributeError, ValueError):
            # A value of the wrong shape (a number for a list, a list for a code…): the API's
            # caller is told which field, never a server error.
            errors.setdefault(name, []).append("This value is not in the form this field takes.")
            continue
        out[name] = value
    if errors:
        # Every field at fault at once, so the user can correct them in one go.
        field, messages = next(iter(errors.items()))
        raise DomainError(messages[0], field=field, errors=errors if len(errors) > 1 else None)
    return out


@transaction.atomic
def referral_create(*, by: User, child: Child, **fields: Any) -> Referral:
    """A draft referral for the child, describing their latest needs assessment."""
    require_social_worker(by, child.la_id)
    open_referral = child.referrals.exclude(status__in=FINAL_STATUSES).order_by("pk").first()
    if open_referral is not None:
        raise DomainError(
            f"{child.local_identifier} already has an open referral (referral {open_referral.pk}): "
            "change or withdraw that one.",
            field="child",
        )
    rcc = rcc_for_la(child.la)
    with acting_as(by):
        referral = Referral(
            child=child,
            la_id=child.la_id,
            rcc=rcc,
            needs_assessment=child.assessments.order_by("-version").first(),
            created_by=by,
        )
        values = clean_referral_values(referral, fields)
        siblings = values.pop("siblings", None)
        for name, value in values.items():
            setattr(referral, name, value)
        referral.save()
        if siblings:
            referral.siblings.set(siblings)
    record_event(
        referral=referral,
        actor=by,
        verb="created",
        needs_assessment_version=referral.needs_assessment.version
        if referral.needs_assessment
        else None,
    )
    return referral


@transaction.atomic
def referral_update(*, by: User, referral: Referral, section: str = "", **fields: Any) -> Referral:
    """Change fields of a draft referral (one section of the form, or any fields from the API)."""
    require_social_worker(by, referral.la_id)
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _require_draft(referral)
    values = clean_referral_values(referral, fields)
    siblings = values.pop("siblings", None)
    changed = sorted(name for name, value in values.items() if getattr(referral, name) != value)
    if siblings is not None:
        before = set(referral.siblings.values_list("pk", flat=True))
        if before != {s.pk for s in siblings}:
            changed.append("siblings")
    for name, value in values.items():
        setattr(referral, name, value)
    with acting_as(by):
        referral.save()
        if siblings is not None:
            referral.siblings.set(siblings)
    if changed:
        record_event(referral=referral, actor=by, verb="updated", section=section, fields=changed)
    return referral


def refresh_draft_needs(*, child: Child, assessment: Any, by: User) -> int:
    """Draft referrals always describe the child's latest needs; sent ones keep their version."""
    drafts = list(child.referrals.filter(status=ReferralStatus.DRAFT))
    for referral in drafts:
        referral.needs_assessment = assessment
        referral.save(update_fields=["needs_assessment", "updated_at"])
        record_event(
            referral=referral,
            actor=by,
            verb="needs_updated",
            needs_assessment_version=assessment.version,
        )
    return len(drafts)


# --- Co-design ------------------------------------------------------------------------------


@transaction.atomic
def referral_review_invite(
    *, by: User, referral: Referral, email: str, contributor_role: str, message: str = ""
) -> ReferralReview:
    """Ask someone who knows the child (a platform user, by email) to review the draft."""
    require_social_worker(by, referral.la_id)
    _require_draft(referral)
    if contributor_role not in ContributorRole.values:
        raise DomainError("Choose who they are to the child.", field="contributor_role")
    email = (email or "").strip()
    if not email:
        raise DomainError("Enter the email address of the person to ask.", field="email")
    reviewer = User.objects.filter(email__iexact=email, is_active=True).first()
    if reviewer is None:
        raise DomainError(
            f"No one with the email address {email} uses this service. Ask an administrator "
            "to give them an account, then invite them.",
            field="email",
        )
    if reviewer.pk == by.pk:
        raise DomainError("You cannot ask yourself to review the referral.", field="email")
    try:
        with transaction.atomic(), acting_as(by):
            review = ReferralReview.objects.create(
                referral=referral,
                reviewer=reviewer,
                contributor_role=contributor_role,
                requested_by=by,
            )
    except IntegrityError as err:
        raise DomainError(f"{reviewer.email} has already been asked.", field="email") from err
    record_event(
        referral=referral,
        actor=by,
        verb="review_requested",
        review=review.pk,
        reviewer=reviewer.get_full_name() or reviewer.email,
        contributor_role=contributor_role,
    )
    enqueue_email(
        recipients=[reviewer.email],
        template="review_requested",
        context={"referral": referral, "review": review, "by": by, "message": message.strip()},
        link=reverse("referrals:review_detail", args=[review.pk]),
    )
    return review


@transaction.atomic
def referral_review_respond(
    *, by: User, review: ReferralReview, status: str, comments: str = ""
) -> ReferralReview:
    """The person asked agrees, suggests changes (with comments) or declines to review."""
    if review.reviewer_id != by.pk:
        raise DomainError("Only the person asked can answer this review request.")
    referral = review.referral
    if referral.status != ReferralStatus.DRAFT:
        raise DomainError(
            "The referral has already been sent or closed, so the review can no longer change."
        )
    if status not in (ReviewStatus.AGREED, ReviewStatus.CHANGES, ReviewStatus.DECLINED):
        raise DomainError("Choose your answer.", field="status")
    comments = (comments or "").strip()
    if status == ReviewStatus.CHANGES and not comments:
        raise DomainError("Say what should change.", field="comments")
    review.status = status
    review.comments = comments
    review.responded_at = timezone.now()
    with acting_as(by):
        review.save(update_fields=["status", "comments", "responded_at"])
    record_event(
        referral=referral,
        actor=by,
        verb="review_answered",
        review=review.pk,
        status=status,
        contributor_role=review.contributor_role,
        comments=comments,
    )
    enqueue_email(
        recipients=[review.requested_by.email],
        template="review_answered",
        context={"referral": referral, "review": review, "by": by},
        link=reverse("referrals:referral_detail", args=[referral.pk]),
    )
    return review


def carer_review_done(referral: Referral) -> bool:
    return referral.reviews.filter(
        contributor_role=ContributorRole.CURRENT_CARER, status__in=CARER_REVIEW_DONE
    ).exists()


@transaction.atomic
def referral_carer_review_skip(*, by: User, referral: Referral, reason: str) -> Referral:
    """Send without the current carer's review: allowed only with the reason recorded."""
    require_social_worker(by, referral.la_id)
    _require_draft(referral)
    if not referral.moving_from_placement:
        raise DomainError("The child is not moving from a placement, so no carer review is needed.")
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise DomainError(
            "Say why the current carer cannot review the referral (at least 10 characters).",
            field="reason",
        )
    referral.carer_review_skipped_reason = reason
    with acting_as(by):
        referral.save(update_fields=["carer_review_skipped_reason", "updated_at"])
    record_event(referral=referral, actor=by, verb="carer_review_skipped", reason=reason)
    return referral


def send_blockers(referral: Referral) -> list[tuple[str | None, str]]:
    """What stops the referral being sent now, as (field, message) pairs; empty when it can go."""
    out: list[tuple[str | None, str]] = []
    if referral.status != ReferralStatus.DRAFT:
        out.append((None, f"The referral is {referral.get_status_display().lower()}, not a draft."))
        return out
    completeness = referral_completeness(referral)
    if not completeness.can_send:
        out.append(("completeness", completeness.reason))
    if referral.latest_start_date and referral.latest_start_date < timezone.localdate():
        out.append(
            (
                "latest_start_date",
                "The latest start date is in the past: enter today or a later date.",
            )
        )
    if (
        referral.moving_from_placement
        and not referral.carer_review_skipped_reason
        and not carer_review_done(referral)
    ):
        out.append(
            (
                "reviews",
                "The child is moving from a placement: the current carer must review the "
                "referral before it is sent, or record why their review was skipped.",
            )
        )
    return out


@transaction.atomic
def referral_send(*, by: User, referral: Referral) -> Referral:
    """Send a complete, reviewed draft to the RCC's hub (DRAFT → SENT)."""
    require_social_worker(by, referral.la_id)
    referral = Referral.objects.select_for_update().select_related("rcc").get(pk=referral.pk)
    blockers = send_blockers(referral)
    if blockers:
        field, message = blockers[0]
        errors = {f or "non_field_errors": [m] for f, m in blockers}
        raise DomainError(message, field=field, errors=errors if len(blockers) > 1 else None)
    # The register may have changed since the siblings were chosen.
    check_siblings(referral, referral.siblings.all())
    now = timezone.now()
    referral.status = ReferralStatus.SENT
    referral.sent_at = now
    referral.completed_by = by
    referral.completed_at = now
    with acting_as(by):
        referral.save(
            update_fields=["status", "sent_at", "completed_by", "completed_at", "updated_at"]
        )
    record_event(
        referral=referral,
        actor=by,
        verb="sent",
        completeness=referral_completeness(referral).percent,
        carer_review_skipped=bool(referral.carer_review_skipped_reason),
    )
    enqueue_email(
        recipients=hub_recipients(referral.rcc),
        template="referral_sent",
        context={"referral": referral},
        link=reverse("referrals:hub_search", args=[referral.pk]),
    )
    return referral


@transaction.atomic
def referral_withdraw(*, by: User, referral: Referral, reason: str) -> Referral:
    """The LA withdraws the referral from any state that is not final; open requests close."""
    require_social_worker(by, referral.la_id)
    referral = Referral.objects.select_for_update().select_related("rcc").get(pk=referral.pk)
    if referral.status in FINAL_STATUSES:
        raise DomainError(
            f"The referral is {referral.get_status_display().lower()} and cannot be withdrawn."
        )
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Say why the referral is withdrawn.", field="reason")
    was = referral.status
    referral.status = ReferralStatus.WITHDRAWN
    referral.withdrawn_reason = reason
    with acting_as(by):
        referral.save(update_fields=["status", "withdrawn_reason", "updated_at"])
        closed = ReferralTarget.objects.filter(referral=referral, status=TargetStatus.SENT).update(
            status=TargetStatus.WITHDRAWN
        )
    record_event(
        referral=referral, actor=by, verb="withdrawn", reason=reason, was=was, targets_closed=closed
    )
    if was != ReferralStatus.DRAFT:
        enqueue_email(
            recipients=hub_recipients(referral.rcc),
            template="referral_withdrawn",
            context={"referral": referral, "reason": reason},
            link=reverse("referrals:referral_detail", args=[referral.pk]),
        )
    return referral
