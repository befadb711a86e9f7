"""Permission matrix rows for the referral journey (see tests/permission_rows.py).

Each helper keeps its rows under its own heading; ROWS is the sum.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import TYPE_CHECKING, Any

from apps.accounts.roles import Role
from apps.referrals.permissions import (
    EDIT_CHILDREN,
    EDIT_REFERRALS,
    VIEW_CHILDREN,
    VIEW_LA_REFERRALS,
    VIEW_REFERRAL,
)
from tests.permission_rows import Row

if TYPE_CHECKING:
    from apps.accounts.models import User
    from tests.conftest import World

# --- LA side: children, needs, referrals, co-design reviews (helper "needs-referral") ----------

SOCIAL_WORKERS = EDIT_CHILDREN.roles
assert EDIT_REFERRALS.roles == SOCIAL_WORKERS


def _child(world: World, user: User) -> dict[str, Any]:
    from tests.referrals.factories import ChildFactory

    return {"pk": ChildFactory(la=world.la).pk}


def _other_child(world: World, user: User) -> dict[str, Any]:
    from tests.referrals.factories import ChildFactory

    return {"pk": ChildFactory(la=world.other_la).pk}


def _referral(world: World, user: User, **fields: Any) -> dict[str, Any]:
    from tests.referrals.factories import ChildFactory, ReferralFactory

    return {"pk": ReferralFactory(child=ChildFactory(la=world.la), **fields).pk}


def _moving_referral(world: World, user: User) -> dict[str, Any]:
    return _referral(world, user, moving_from_placement=True)


def _other_referral(world: World, user: User) -> dict[str, Any]:
    from tests.referrals.factories import ChildFactory, ReferralFactory

    return {"pk": ReferralFactory(child=ChildFactory(la=world.other_la)).pk}


def _section(fn: Any) -> Any:
    return lambda world, user: {**fn(world, user), "section": "timescale"}


def _review_for(world: World, user: User) -> dict[str, Any]:
    from tests.referrals.factories import ChildFactory, ReferralFactory, ReferralReviewFactory

    referral = ReferralFactory(child=ChildFactory(la=world.la))
    return {
        "pk": ReferralReviewFactory(referral=referral, reviewer=user, contributor_role="other").pk
    }


def _review_of_someone_else(world: World, user: User) -> dict[str, Any]:
    from tests.referrals.factories import ReferralReviewFactory

    return {"pk": ReferralReviewFactory().pk}


def _referral_reviewed_by(world: World, user: User) -> dict[str, Any]:
    from tests.referrals.factories import ReferralReviewFactory

    kwargs = _referral(world, user)
    ReferralReviewFactory(referral_id=kwargs["pk"], reviewer=user, contributor_role="other")
    return kwargs


_SEQUENCE = itertools.count(1)


def _child_data(world: World, user: User) -> dict[str, Any]:
    return {
        # Unique, and within the DfE's 10 characters for CHILD.
        "local_identifier": f"PM-{next(_SEQUENCE):07d}",
        "date_of_birth": "2016-05-04",
        "sex": "F",
        "ethnicity": "WBRI",
        "religion": "none",
        "legal_status": "C2",
    }


def _recorded_episode(world: World, user: User, *, la: Any = None) -> dict[str, Any]:
    from apps.referrals.models import CareEpisode
    from tests.referrals.factories import ChildFactory

    child = ChildFactory(la=la or world.la, date_of_birth=dt.date(2014, 1, 1))
    episode = CareEpisode.objects.create(
        child=child,
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2021, 1, 1),
        new_episode_reason="S",
        legal_status="C2",
        placement_type="U6",
        placement_provider="PR1",
        reason_place_change="CARPL",
        reason_ended="X1",
        source="recorded",
    )
    return {"pk": child.pk, "episode_pk": episode.pk}


def _other_recorded_episode(world: World, user: User) -> dict[str, Any]:
    return _recorded_episode(world, user, la=world.other_la)


def _episode_data(world: World, user: User) -> dict[str, Any]:
    return {
        "start_date": "2022-01-01",
        "end_date": "2022-06-01",
        "placement_type": "U6",
        "placement_provider": "PR1",
        "legal_status": "C2",
        "reason_ended": "CARPL",
    }


def _invite_data(world: World, user: User) -> dict[str, Any]:
    return {"email": world.users[Role.IRO].email, "contributor_role": "iro"}


LA_ROWS = [
    Row("referrals:child_list", roles=VIEW_CHILDREN.roles),
    Row("referrals:cohort_needs", roles=VIEW_CHILDREN.roles),
    Row("referrals:child_create", roles=SOCIAL_WORKERS),
    Row("referrals:child_create", roles=SOCIAL_WORKERS, method="post", data=_child_data, ok=302),
    Row("referrals:child_detail", roles=VIEW_CHILDREN.roles, kwargs=_child, hidden=_other_child),
    Row("referrals:child_edit", roles=SOCIAL_WORKERS, kwargs=_child, hidden=_other_child),
    Row(
        "referrals:needs_assessment_create",
        roles=SOCIAL_WORKERS,
        kwargs=_child,
        hidden=_other_child,
    ),
    Row(
        "referrals:referral_create",
        roles=SOCIAL_WORKERS,
        kwargs=_child,
        hidden=_other_child,
        method="post",
        ok=302,
    ),
    Row("referrals:referral_list", roles=VIEW_LA_REFERRALS.roles),
    Row(
        "referrals:referral_detail",
        roles=VIEW_REFERRAL.roles,
        kwargs=_referral,
        hidden=_other_referral,
    ),
    Row(
        "referrals:referral_edit",
        roles=SOCIAL_WORKERS,
        kwargs=_section(_referral),
        hidden=_section(_other_referral),
    ),
    Row("referrals:referral_send", roles=SOCIAL_WORKERS, kwargs=_referral, hidden=_other_referral),
    Row(
        "referrals:referral_send",
        roles=SOCIAL_WORKERS,
        kwargs=_referral,
        hidden=_other_referral,
        method="post",
        ok=302,
    ),
    Row(
        "referrals:referral_withdraw",
        roles=SOCIAL_WORKERS,
        kwargs=_referral,
        hidden=_other_referral,
    ),
    Row("referrals:review_invite", roles=SOCIAL_WORKERS, kwargs=_referral, hidden=_other_referral),
    Row(
        "referrals:carer_review_skip",
        roles=SOCIAL_WORKERS,
        kwargs=_moving_referral,
        hidden=_other_referral,
    ),
    Row("referrals:review_list"),
    Row("referrals:review_detail", kwargs=_review_for, hidden=_review_of_someone_else),
    Row(
        "referrals:review_detail",
        kwargs=_review_for,
        hidden=_review_of_someone_else,
        method="post",
        data=lambda w, u: {"status": "agreed"},
        ok=302,
    ),
    # API
    Row("api:child-list", roles=VIEW_CHILDREN.roles),
    Row("api:child-list", roles=SOCIAL_WORKERS, method="post", data=_child_data, ok=201),
    Row("api:child-detail", roles=VIEW_CHILDREN.roles, kwargs=_child, hidden=_other_child),
    Row("api:child-assessments", roles=VIEW_CHILDREN.roles, kwargs=_child, hidden=_other_child),
    Row("api:child-care-history", roles=VIEW_CHILDREN.roles, kwargs=_child, hidden=_other_child),
    Row(
        "api:child-care-history",
        roles=SOCIAL_WORKERS,
        kwargs=_child,
        hidden=_other_child,
        method="post",
        data=_episode_data,
        ok=201,
    ),
    Row(
        "api:child-care-episode",
        roles=SOCIAL_WORKERS,
        kwargs=_recorded_episode,
        hidden=_other_recorded_episode,
        method="delete",
        ok=204,
    ),
    Row("referrals:care_episode_create", roles=SOCIAL_WORKERS, kwargs=_child, hidden=_other_child),
    Row(
        "referrals:care_episode_create",
        roles=SOCIAL_WORKERS,
        kwargs=_child,
        hidden=_other_child,
        method="post",
        data=_episode_data,
        ok=302,
    ),
    Row(
        "referrals:care_episode_edit",
        roles=SOCIAL_WORKERS,
        kwargs=_recorded_episode,
        hidden=_other_recorded_episode,
    ),
    Row(
        "referrals:care_episode_delete",
        roles=SOCIAL_WORKERS,
        kwargs=_recorded_episode,
        hidden=_other_recorded_episode,
        method="post",
        ok=302,
    ),
    Row("api:referral-list", roles=VIEW_REFERRAL.roles),
    Row("api:referral-detail", roles=VIEW_REFERRAL.roles, kwargs=_referral, hidden=_other_referral),
    Row(
        "api:referral-send",
        roles=SOCIAL_WORKERS,
        kwargs=_referral,
        hidden=_other_referral,
        method="post",
    ),
    Row(
        "api:referral-withdraw",
        roles=SOCIAL_WORKERS,
        kwargs=_referral,
        hidden=_other_referral,
        method="post",
        data=lambda w, u: {"reason": "Returning home."},
    ),
    Row(
        "api:referral-invite-reviewer",
        roles=SOCIAL_WORKERS,
        kwargs=_referral,
        hidden=_other_referral,
        method="post",
        data=_invite_data,
        ok=201,
    ),
    Row(
        "api:referral-skip-carer-review",
        roles=SOCIAL_WORKERS,
        kwargs=_moving_referral,
        hidden=_other_referral,
        method="post",
        data=lambda w, u: {"reason": "Carer cannot be reached this week."},
    ),
    Row(
        "api:referral-review-respond",
        kwargs=_referral_reviewed_by,
        hidden=_other_referral,
        method="post",
        data=lambda w, u: {"status": "agreed"},
    ),
    Row("api:review-request-list"),
    Row("api:review-request-detail", kwargs=_review_for, hidden=_review_of_someone_else),
    Row(
        "api:review-request-respond",
        kwargs=_review_for,
        hidden=_review_of_someone_else,
        method="post",
        data=lambda w, u: {"status": "agreed"},
    ),
]

ROWS: list[Row] = [*LA_ROWS]


# --- Provider answers, choosing, scrutiny, placements (helper "offers-placement") --------------
from apps.referrals.permissions import (  # noqa: E402
    AGREE_PLACEMENT,
    CHOOSE_OPTION,
    END_PLACEMENT,
    RESPOND_TO_REFERRALS,
    SCRUTINISE,
    VIEW_OPTIONS,
    VIEW_PLACEMENTS,
)


def _placing_target(world: World, *, mine: bool = True) -> Any:
    """A referral sent to the world's IFA (mine) or, outside everyone's scope, a referral of
    the other RCC's LA sent to the other IFA."""
    from tests.referrals.factories import ChildFactory
    from tests.referrals.placing_factories import (
        ReferralTargetFactory,
        SentReferralFactory,
        household_with_place,
    )

    la, provider = (world.la, world.ifa) if mine else (world.other_la, world.other_ifa)
    referral = SentReferralFactory(child=ChildFactory(la=la))
    household, _ = household_with_place(provider)
    return ReferralTargetFactory(
        referral=referral, household=household, sent_by=world.users[Role.PLACEMENT_OFFICER]
    )


def _placing_offer(world: World, *, mine: bool = True, stage: str = "made") -> Any:
    from apps.referrals.choices import OfferStatus, ReferralStatus
    from tests.referrals.placing_factories import offer_on

    offer = offer_on(_placing_target(world, mine=mine))
    if stage in ("proposed", "approved"):
        referral = offer.referral
        offer.status = OfferStatus.PROPOSED
        offer.save(update_fields=["status"])
        referral.status = (
            ReferralStatus.PROPOSED if stage == "proposed" else ReferralStatus.APPROVED
        )
        referral.proposed_offer = offer
        referral.proposed_by = world.users[Role.SOCIAL_WORKER]
        referral.choice_reason = "best_meets_needs"
        referral.save(update_fields=["status", "proposed_offer", "proposed_by", "choice_reason"])
    return offer


def _placing_placement(world: World, *, mine: bool = True) -> Any:
    from apps.referrals.services.placements import placement_agree
    from tests.factories import UserFactory

    offer = _placing_offer(world, mine=mine, stage="approved")
    return placement_agree(referral=offer.referral, by=UserFactory(is_superuser=True))


def _own_target(world: World, user: User) -> dict[str, Any]:
    return {"pk": _placing_target(world).pk}


def _other_target(world: World, user: User) -> dict[str, Any]:
    return {"pk": _placing_target(world, mine=False).pk}


def _with_offer(world: World, user: User) -> dict[str, Any]:
    return {"pk": _placing_offer(world).referral_id}


def _other_with_offer(world: World, user: User) -> dict[str, Any]:
    return {"pk": _placing_offer(world, mine=False).referral_id}


def _option(world: World, user: User) -> dict[str, Any]:
    offer = _placing_offer(world)
    return {"pk": offer.referral_id, "offer_pk": offer.pk}


def _other_option(world: World, user: User) -> dict[str, Any]:
    offer = _placing_offer(world, mine=False)
    return {"pk": offer.referral_id, "offer_pk": offer.pk}


def _offer_pk(world: World, user: User) -> dict[str, Any]:
    return {"pk": _placing_offer(world).pk}


def _other_offer_pk(world: World, user: User) -> dict[str, Any]:
    return {"pk": _placing_offer(world, mine=False).pk}


def _proposed(world: World, user: User) -> dict[str, Any]:
    return {"pk": _placing_offer(world, stage="proposed").referral_id}


def _other_proposed(world: World, user: User) -> dict[str, Any]:
    return {"pk": _placing_offer(world, mine=False, stage="proposed").referral_id}


def _approved(world: World, user: User) -> dict[str, Any]:
    return {"pk": _placing_offer(world, stage="approved").referral_id}


def _other_approved(world: World, user: User) -> dict[str, Any]:
    return {"pk": _placing_offer(world, mine=False, stage="approved").referral_id}


def _placement(world: World, user: User) -> dict[str, Any]:
    return {"pk": _placing_placement(world).pk}


def _other_placement(world: World, user: User) -> dict[str, Any]:
    return {"pk": _placing_placement(world, mine=False).pk}


def _latest_open_place(world: World) -> Any:
    from apps.providers.models import Vacancy

    return (
        Vacancy.objects.filter(household__provider_id=world.ifa.pk, status="open")
        .order_by("-pk")
        .first()
    )


def _offer_form_data(world: World, user: User) -> dict[str, Any]:
    place = _latest_open_place(world)
    return {
        "vacancy": place.pk if place else "",
        "weekly_fee": "820.00",
        "available_from": dt.date.today().isoformat(),
    }


def _offer_api_data(world: World, user: User) -> dict[str, Any]:
    place = _latest_open_place(world)
    return {
        "household": place.household_id if place else 0,
        "vacancy": place.pk if place else 0,
        "weekly_fee": "820.00",
        "available_from": dt.date.today().isoformat(),
    }


def _latest_offer(world: World, user: User) -> dict[str, Any]:
    from apps.referrals.models import Offer

    latest = Offer.objects.order_by("-pk").first()
    return {"offer": latest.pk if latest else 0, "reason": "best_meets_needs"}


def _agree_api_data(world: World, user: User) -> dict[str, Any]:
    return {"referral": _placing_offer(world, stage="approved").referral_id}


PROVIDER_OFFICERS = RESPOND_TO_REFERRALS.roles
TODAY = lambda w, u: {  # noqa: E731
    "end_date": dt.date.today().isoformat(),
    "reason_ended": "PLACE",
    "left_care": "no",
}
DECISION = lambda w, u: {"decision": "approved", "reasons": "Meets the child's needs."}  # noqa: E731

PLACING_ROWS = [
    # Provider (web)
    Row("referrals:provider_targets", roles=PROVIDER_OFFICERS),
    Row(
        "referrals:provider_target",
        roles=PROVIDER_OFFICERS,
        kwargs=_own_target,
        hidden=_other_target,
    ),
    Row(
        "referrals:provider_offer",
        roles=PROVIDER_OFFICERS,
        kwargs=_own_target,
        hidden=_other_target,
    ),
    Row(
        "referrals:provider_offer",
        roles=PROVIDER_OFFICERS,
        kwargs=_own_target,
        hidden=_other_target,
        method="post",
        data=_offer_form_data,
        ok=302,
    ),
    Row(
        "referrals:provider_decline",
        roles=PROVIDER_OFFICERS,
        kwargs=_own_target,
        hidden=_other_target,
    ),
    Row(
        "referrals:provider_decline",
        roles=PROVIDER_OFFICERS,
        kwargs=_own_target,
        hidden=_other_target,
        method="post",
        data=lambda w, u: {"reason": "NOVAC"},
        ok=302,
    ),
    # Choosing (web)
    Row(
        "referrals:options", roles=VIEW_OPTIONS.roles, kwargs=_with_offer, hidden=_other_with_offer
    ),
    Row(
        "referrals:option_update",
        roles=CHOOSE_OPTION.roles,
        kwargs=_option,
        hidden=_other_option,
        method="post",
        ok=302,
    ),
    Row(
        "referrals:propose",
        roles=CHOOSE_OPTION.roles,
        kwargs=_with_offer,
        hidden=_other_with_offer,
        method="post",
        data=_latest_offer,
        ok=302,
    ),
    # Scrutiny (web)
    Row("referrals:scrutiny_queue", roles=SCRUTINISE.roles),
    Row(
        "referrals:scrutiny_decide",
        roles=SCRUTINISE.roles,
        kwargs=_proposed,
        hidden=_other_proposed,
    ),
    Row(
        "referrals:scrutiny_decide",
        roles=SCRUTINISE.roles,
        kwargs=_proposed,
        hidden=_other_proposed,
        method="post",
        data=DECISION,
        ok=302,
    ),
    # Placements (web)
    Row(
        "referrals:placement_agree",
        roles=AGREE_PLACEMENT.roles,
        kwargs=_approved,
        hidden=_other_approved,
    ),
    Row(
        "referrals:placement_agree",
        roles=AGREE_PLACEMENT.roles,
        kwargs=_approved,
        hidden=_other_approved,
        method="post",
        data=lambda w, u: {"start_date": dt.date.today().isoformat(), "placement_type": "U6"},
        ok=302,
    ),
    Row("referrals:placement_list", roles=VIEW_PLACEMENTS.roles),
    Row(
        "referrals:placement_detail",
        roles=VIEW_PLACEMENTS.roles,
        kwargs=_placement,
        hidden=_other_placement,
    ),
    Row(
        "referrals:placement_ipa_pdf",
        roles=VIEW_PLACEMENTS.roles,
        kwargs=_placement,
        hidden=_other_placement,
    ),
    Row(
        "referrals:placement_end",
        roles=END_PLACEMENT.roles,
        kwargs=_placement,
        hidden=_other_placement,
    ),
    Row(
        "referrals:placement_end",
        roles=END_PLACEMENT.roles,
        kwargs=_placement,
        hidden=_other_placement,
        method="post",
        data=TODAY,
        ok=302,
    ),
    # API
    Row("api:provider-target-list", roles=PROVIDER_OFFICERS),
    Row(
        "api:provider-target-detail",
        roles=PROVIDER_OFFICERS,
        kwargs=_own_target,
        hidden=_other_target,
    ),
    Row(
        "api:provider-target-offer",
        roles=PROVIDER_OFFICERS,
        kwargs=_own_target,
        hidden=_other_target,
        method="post",
        data=_offer_api_data,
        ok=201,
    ),
    Row(
        "api:provider-target-decline",
        roles=PROVIDER_OFFICERS,
        kwargs=_own_target,
        hidden=_other_target,
        method="post",
        data=lambda w, u: {"reason": "NEEDS"},
    ),
    Row("api:offer-list", roles=VIEW_OPTIONS.roles),
    Row("api:offer-detail", roles=VIEW_OPTIONS.roles, kwargs=_offer_pk, hidden=_other_offer_pk),
    Row(
        "api:offer-shortlist",
        roles=CHOOSE_OPTION.roles,
        kwargs=_offer_pk,
        hidden=_other_offer_pk,
        method="post",
    ),
    Row(
        "api:offer-equally-meets-needs",
        roles=CHOOSE_OPTION.roles,
        kwargs=_offer_pk,
        hidden=_other_offer_pk,
        method="post",
        data=lambda w, u: {"equally_meets_needs": "true"},
    ),
    Row(
        "api:offer-childs-view",
        roles=CHOOSE_OPTION.roles,
        kwargs=_offer_pk,
        hidden=_other_offer_pk,
        method="post",
        data=lambda w, u: {"childs_view": "Likes the garden."},
    ),
    Row(
        "api:referral-choice",
        roles=VIEW_OPTIONS.roles,
        kwargs=_with_offer,
        hidden=_other_with_offer,
    ),
    Row(
        "api:referral-propose",
        roles=CHOOSE_OPTION.roles,
        kwargs=_with_offer,
        hidden=_other_with_offer,
        method="post",
        data=_latest_offer,
    ),
    Row("api:scrutiny-queue", roles=SCRUTINISE.roles),
    Row(
        "api:referral-scrutiny",
        roles=SCRUTINISE.roles,
        kwargs=_proposed,
        hidden=_other_proposed,
        method="post",
        data=DECISION,
        ok=201,
    ),
    Row("api:placement-list", roles=VIEW_PLACEMENTS.roles),
    Row(
        "api:placement-list",
        roles=AGREE_PLACEMENT.roles,
        method="post",
        data=_agree_api_data,
        ok=201,
    ),
    Row(
        "api:placement-detail",
        roles=VIEW_PLACEMENTS.roles,
        kwargs=_placement,
        hidden=_other_placement,
    ),
    Row(
        "api:placement-agreement",
        roles=VIEW_PLACEMENTS.roles,
        kwargs=_placement,
        hidden=_other_placement,
    ),
    Row(
        "api:placement-end",
        roles=END_PLACEMENT.roles,
        kwargs=_placement,
        hidden=_other_placement,
        method="post",
        data=TODAY,
    ),
]

ROWS += PLACING_ROWS

# --- Hub: search, targeted distribution, batch matching; matching weights (helper MA) --------

HUB_OFFICERS = frozenset({Role.PLACEMENT_OFFICER})
COMMISSIONERS = frozenset({Role.COMMISSIONER})
WEIGHTS = {
    "needs": 30,
    "distance_family": 20,
    "distance_school": 10,
    "identity": 10,
    "stability": 10,
    "ofsted": 10,
    "preferences": 10,
    "stated_needs": 10,
    "search_radius_miles": 50,
}


def _hub_referral(world: World, user: User) -> dict[str, Any]:
    from tests.referrals.matching_support import referral

    return {"pk": referral(world).pk}


def _other_hub_referral(world: World, user: User) -> dict[str, Any]:
    from tests.referrals.matching_support import referral

    return {"pk": referral(world, la=world.other_la).pk}


def _candidate_household(world: World, user: User) -> dict[str, Any]:
    """A home that can take any child `_hub_referral` makes (one, created on first use)."""
    from tests.referrals.matching_support import home

    if not hasattr(world, "_ma_candidate"):
        world._ma_candidate = home(world.ifa, places=1)  # type: ignore[attr-defined]
    return {"households": [world._ma_candidate.pk]}  # type: ignore[attr-defined]


def _own_rcc(world: World, user: User) -> dict[str, Any]:
    return {"pk": world.rcc.pk}


def _other_rcc(world: World, user: User) -> dict[str, Any]:
    return {"pk": world.other_rcc.pk}


HUB_ROWS = [
    Row("referrals:hub_queue", roles=HUB_OFFICERS),
    Row(
        "referrals:hub_search", roles=HUB_OFFICERS, kwargs=_hub_referral, hidden=_other_hub_referral
    ),
    Row(
        "referrals:hub_targets_send",
        roles=HUB_OFFICERS,
        kwargs=_hub_referral,
        hidden=_other_hub_referral,
        method="post",
        data=_candidate_household,
        ok=302,
    ),
    Row(
        "referrals:hub_selection",
        roles=HUB_OFFICERS,
        kwargs=_hub_referral,
        hidden=_other_hub_referral,
        method="post",
        data=_candidate_household,
        ok=302,
    ),
    Row(
        "referrals:hub_in_house_first",
        roles=HUB_OFFICERS,
        kwargs=_hub_referral,
        hidden=_other_hub_referral,
        method="post",
        data=lambda w, u: {"looking": "yes"},
        ok=302,
    ),
    Row("referrals:hub_batch", roles=HUB_OFFICERS, kwargs=_own_rcc, hidden=_other_rcc),
    Row("referrals:matching_weights_home", roles=COMMISSIONERS, ok=302),
    Row("referrals:matching_weights", roles=COMMISSIONERS, kwargs=_own_rcc, hidden=_other_rcc),
    Row(
        "referrals:matching_weights",
        roles=COMMISSIONERS,
        kwargs=_own_rcc,
        hidden=_other_rcc,
        method="post",
        data=lambda w, u: WEIGHTS,
        ok=302,
    ),
    Row("api:hub-queue", roles=HUB_OFFICERS),
    Row(
        "api:referral-options", roles=HUB_OFFICERS, kwargs=_hub_referral, hidden=_other_hub_referral
    ),
    Row(
        "api:referral-targets", roles=HUB_OFFICERS, kwargs=_hub_referral, hidden=_other_hub_referral
    ),
    Row(
        "api:referral-targets",
        roles=HUB_OFFICERS,
        kwargs=_hub_referral,
        hidden=_other_hub_referral,
        method="post",
        data=_candidate_household,
        ok=201,
    ),
    Row(
        "api:referral-in-house-first",
        roles=HUB_OFFICERS,
        kwargs=_hub_referral,
        hidden=_other_hub_referral,
        method="post",
        data=lambda w, u: {"looking": "true"},
    ),
    Row("api:rcc-batch-matching", roles=HUB_OFFICERS, kwargs=_own_rcc, hidden=_other_rcc),
    Row("api:rcc-matching-weights", roles=COMMISSIONERS, kwargs=_own_rcc, hidden=_other_rcc),
]
ROWS += HUB_ROWS

# --- SSDA903 imports of an LA's care history (helper import903) ---------------------------------


def _care_import(la: Any) -> Any:
    from django.core.files.base import ContentFile

    from apps.referrals.models import CareHistoryImport
    from tests.factories import UserFactory

    record = CareHistoryImport(
        la=la, uploaded_by=UserFactory(), header_name="header.csv", episodes_name="episodes.csv"
    )
    record.header_file.save("header.csv", ContentFile(b"CHILD,SEX,DOB,ETHNIC\r\n"), save=False)
    record.episodes_file.save("episodes.csv", ContentFile(b"CHILD,DECOM\r\n"), save=False)
    record.status = "rejected"
    record.save()
    return record


def _own_import(world: World, user: User) -> dict[str, Any]:
    return {"pk": _care_import(world.la).pk}


def _other_import(world: World, user: User) -> dict[str, Any]:
    return {"pk": _care_import(world.other_la).pk}


def _own_original(world: World, user: User) -> dict[str, Any]:
    return {**_own_import(world, user), "which": "episodes"}


def _other_original(world: World, user: User) -> dict[str, Any]:
    return {**_other_import(world, user), "which": "episodes"}


CARE_IMPORT_ROWS = [
    Row("referrals:care_import_list", roles=VIEW_CHILDREN.roles),
    Row("referrals:care_import", roles=SOCIAL_WORKERS),
    Row(
        "referrals:care_import_detail",
        roles=VIEW_CHILDREN.roles,
        kwargs=_own_import,
        hidden=_other_import,
    ),
    Row(
        "referrals:care_import_original",
        roles=VIEW_CHILDREN.roles,
        kwargs=_own_original,
        hidden=_other_original,
    ),
    Row("api:care-import-list", roles=VIEW_CHILDREN.roles),
    Row(
        "api:care-import-detail",
        roles=VIEW_CHILDREN.roles,
        kwargs=_own_import,
        hidden=_other_import,
    ),
]
ROWS += CARE_IMPORT_ROWS
