"""Matching: the hard constraints each exclude (and explain), the weighted score orders the rest
with every factor's contribution, and each RCC's weights change the order."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.providers.choices import CareType
from apps.referrals.choices import LiveAlongside, PetsOk, RiskLevel, Urgency
from apps.referrals.matching import (
    Exclusion,
    ProviderType,
    Stability,
    assess_households,
    rank_referral,
    read_preferences,
    weights_for,
)
from apps.referrals.models import Placement
from tests.referrals.matching_support import home, referral
from tests.referrals.placing_factories import OfferFactory

pytestmark = pytest.mark.django_db


def ids(ranking):
    return [o.household_id for o in ranking.options]


def excluded_for(ref, household):
    return assess_households(ref, [household.pk])[household.pk].reasons


# --- Hard constraints ---------------------------------------------------------------------------


def test_approval_must_cover_the_childs_age(world):
    ref = referral(world, age=9)
    fits = home(world.ifa, age_min=5, age_max=12)
    too_young = home(world.ifa, age_min=0, age_max=4)
    ranking = rank_referral(ref)
    assert ids(ranking) == [fits.pk]
    assert ranking.excluded[Exclusion.AGE] == 1
    assert excluded_for(ref, too_young) == [Exclusion.AGE]


def test_every_siblings_age_must_be_covered(world):
    ref = referral(world, age=9, siblings=[3])
    both = home(world.ifa, places=2, max_sibling_group=2, age_min=0, age_max=12)
    not_the_toddler = home(world.ifa, places=2, max_sibling_group=2, age_min=5, age_max=12)
    ranking = rank_referral(ref)
    assert ids(ranking) == [both.pk]
    assert excluded_for(ref, not_the_toddler) == [Exclusion.AGE]


def test_a_sibling_group_needs_the_approval_and_enough_places_on_time(world):
    ref = referral(world, siblings=[7, 11])
    approved = home(world.ifa, places=3, max_sibling_group=3)
    not_approved = home(world.ifa, places=3, max_sibling_group=2)
    too_few = home(world.ifa, places=2, max_sibling_group=3)
    too_late = home(
        world.ifa,
        places=3,
        max_sibling_group=3,
        free_from=ref.latest_start_date + dt.timedelta(days=1),
    )
    ranking = rank_referral(ref)
    assert ids(ranking) == [approved.pk]
    assert ranking.excluded == {Exclusion.SIBLINGS: 1}  # the others never had 3 places on time
    assert excluded_for(ref, not_approved) == [Exclusion.SIBLINGS]
    assert excluded_for(ref, too_few) == [Exclusion.PLACES]
    assert excluded_for(ref, too_late) == [Exclusion.PLACES]


def test_a_solo_child_never_goes_to_a_home_with_other_children(world):
    ref = referral(world, live_alongside=LiveAlongside.SOLO)
    alone = home(world.ifa)
    with_children = home(world.ifa, other_children_ages=[15])
    assert ids(rank_referral(ref)) == [alone.pk]
    assert excluded_for(ref, with_children) == [Exclusion.SOLO]


def test_only_older_and_only_younger(world):
    older_only = referral(world, age=9, live_alongside=LiveAlongside.ONLY_OLDER)
    younger_only = referral(world, age=9, live_alongside=LiveAlongside.ONLY_YOUNGER)
    with_older = home(world.ifa, other_children_ages=[13])
    with_younger = home(world.ifa, other_children_ages=[4])
    with_same_age = home(world.ifa, other_children_ages=[9])
    assert ids(rank_referral(older_only)) == [with_older.pk]
    assert ids(rank_referral(younger_only)) == [with_younger.pk]
    assert excluded_for(older_only, with_same_age) == [Exclusion.ONLY_OLDER]
    assert excluded_for(younger_only, with_same_age) == [Exclusion.ONLY_YOUNGER]


@pytest.mark.parametrize("risk", ["harm_physical", "harm_sexual"])
def test_a_high_risk_to_others_excludes_homes_with_younger_children(world, risk):
    ref = referral(world, age=12, **{risk: RiskLevel.HIGH})
    low_risk = referral(world, age=12, **{risk: RiskLevel.LOW})
    older_only = home(world.ifa, other_children_ages=[15])
    younger = home(world.ifa, other_children_ages=[6, 16])
    assert ids(rank_referral(ref)) == [older_only.pk]
    assert excluded_for(ref, younger) == [Exclusion.RISK_YOUNGER]
    assert set(ids(rank_referral(low_risk))) == {older_only.pk, younger.pk}


def test_a_high_risk_to_animals_excludes_homes_with_pets(world):
    ref = referral(world, harm_animals=RiskLevel.HIGH)
    no_pets = home(world.ifa, pets="")
    with_dog = home(world.ifa, pets="Dog")
    also_no_pets = home(world.ifa, pets="None")
    assert set(ids(rank_referral(ref))) == {no_pets.pk, also_no_pets.pk}
    assert excluded_for(ref, with_dog) == [Exclusion.ANIMALS]


def test_a_child_who_cannot_live_with_pets(world):
    ref = referral(world, pets_ok=PetsOk.NO)
    with_cat = home(world.ifa, pets="Cat")
    assert ids(rank_referral(ref)) == []
    assert excluded_for(ref, with_cat) == [Exclusion.NO_PETS]


def test_places_to_avoid_are_avoided(world):
    ref = referral(world, places_to_avoid=["ol1"])
    near_family = home(world.ifa, "M14")
    in_avoided = home(world.ifa, "OL1")
    ranking = rank_referral(ref)
    assert ids(ranking) == [near_family.pk]
    assert ranking.excluded == {Exclusion.AVOID: 1}
    assert excluded_for(ref, in_avoided) == [Exclusion.AVOID]


def test_an_emergency_needs_a_home_approved_for_emergencies(world):
    ref = referral(world, urgency=Urgency.EMERGENCY, latest_start_date=timezone.localdate())
    emergency = home(world.ifa, care_types=int(CareType.EMERGENCY | CareType.SHORT_TERM))
    planned_only = home(world.ifa, care_types=int(CareType.LONG_TERM))
    assert ids(rank_referral(ref)) == [emergency.pk]
    assert excluded_for(ref, planned_only) == [Exclusion.EMERGENCY]
    planned = referral(world)
    assert set(ids(rank_referral(planned))) == {emergency.pk, planned_only.pk}


def test_only_active_confirmed_homes_within_the_radius_are_searched(world):
    ref = referral(world)
    near = home(world.ifa, "L1")
    far = home(world.ifa, "B1")
    stale = home(world.ifa, last_confirmed_at=timezone.now() - dt.timedelta(days=30))
    resigned = home(world.ifa, status="resigned")
    ranking = rank_referral(ref)
    assert ids(ranking) == [near.pk]
    assert ranking.considered == 1
    assessed = assess_households(ref, [far.pk, stale.pk, resigned.pk])
    assert assessed[far.pk].reasons == [Exclusion.DISTANCE]
    assert assessed[stale.pk].reasons == [Exclusion.STALE]
    assert assessed[resigned.pk].reasons == [Exclusion.INACTIVE]
    assert "outside the search radius" in assessed[far.pk].text


def test_exclusions_are_counted_by_reason_and_explained(world):
    ref = referral(world, age=9, live_alongside=LiveAlongside.SOLO, harm_animals=RiskLevel.HIGH)
    home(world.ifa, age_max=4, other_children_ages=[2])  # age and solo
    home(world.ifa, pets="Dog")  # animals
    home(world.ifa)  # fine
    ranking = rank_referral(ref)
    assert ranking.excluded_homes == 2
    assert ranking.excluded == {Exclusion.AGE: 1, Exclusion.SOLO: 1, Exclusion.ANIMALS: 1}
    texts = {row["reason"]: row["text"] for row in ranking.exclusion_summary}
    assert texts[Exclusion.ANIMALS] == "the child poses a high risk to animals and they have pets"


# --- The weighted score -------------------------------------------------------------------------


def test_every_kind_of_provider_is_searched_at_once(world):
    ref = referral(world)
    in_house = home(world.la_service)
    other_la = home(world.other_la_service)
    ifa = home(world.ifa)
    types = {o.household_id: o.provider_type for o in rank_referral(ref).options}
    assert types == {
        in_house.pk: ProviderType.IN_HOUSE,
        other_la.pk: ProviderType.OTHER_LA,
        ifa.pk: ProviderType.IFA,
    }


def test_options_are_ordered_by_score_and_contributions_add_up(world):
    ref = referral(world, needs={"behaviour": 3, "education": 2})
    skilled = home(world.ifa, "M14", skills={"behaviour": 3, "education": 2})
    partly = home(world.ifa, "M14", skills={"behaviour": 1})
    unskilled = home(world.ifa, "M14")
    ranking = rank_referral(ref)
    assert ids(ranking) == [skilled.pk, partly.pk, unskilled.pk]
    for option in ranking.options:
        parts = option.contributions
        assert [c.factor for c in parts] == [
            "needs",
            "distance_family",
            "distance_school",
            "identity",
            "stability",
            "ofsted",
            "preferences",
            "stated_needs",
        ]
        assert sum(c.points for c in parts) == pytest.approx(option.score, abs=0.05)
        assert sum(c.share for c in parts) == pytest.approx(1.0)
        assert all(c.explanation for c in parts)
    needs = {o.household_id: o.contributions[0] for o in ranking.options}
    assert needs[skilled.pk].raw == 1.0
    # behaviour 1 of 3 counts a third, education not at all: (1/3 + 0) / 2
    assert needs[partly.pk].raw == pytest.approx(1 / 6)
    assert "Meets 0 of 2 assessed needs in full" in needs[partly.pk].explanation
    assert (
        "Behaviour: the child's need is high, the home's skill low" in needs[partly.pk].explanation
    )


def test_school_distance_counts_only_when_the_child_keeps_their_school(world):
    keeping = referral(world, keep_school=True)
    moving = referral(world, keep_school=False)
    home(world.ifa, "M14")
    kept = rank_referral(keeping).options[0].contributions[2]
    moved = rank_referral(moving).options[0].contributions[2]
    assert kept.raw is not None and kept.share > 0
    assert moved.raw is None and moved.share == 0 and moved.points == 0
    assert "not keeping their school" in moved.explanation


def test_staying_close_to_family_falls_off_faster(world):
    close = referral(world, stay_close_to_family=True)
    anywhere = referral(world, stay_close_to_family=False)
    home(world.ifa, "WA1")  # about 16 miles
    near_close = rank_referral(close).options[0].contributions[1]
    near_any = rank_referral(anywhere).options[0].contributions[1]
    assert near_close.raw < near_any.raw
    assert "should stay close to family" in near_close.explanation


def test_identity_compares_language_religion_and_ethnicity(world):
    ref = referral(
        world, child={"languages": ["ur", "en"], "religion": "muslim", "ethnicity": "APKN"}
    )
    matching = home(
        world.ifa,
        carers=[{"languages": ["ur", "en"], "religion": "muslim", "ethnicity": "APKN"}],
    )
    different = home(
        world.ifa, carers=[{"languages": ["en"], "religion": "none", "ethnicity": "WBRI"}]
    )
    parts = {o.household_id: o.contributions[3] for o in rank_referral(ref).options}
    assert parts[matching.pk].raw == 1.0
    # English of two languages (0.5), religion 0, ethnicity 0 → 1/6
    assert parts[different.pk].raw == pytest.approx(0.5 / 3)
    assert "Language" in parts[different.pk].explanation


def test_the_rccs_weights_change_the_order(world):
    ref = referral(world, needs={"behaviour": 3})
    near_unskilled = home(world.ifa, "M1")
    far_skilled = home(world.ifa, "LS1", skills={"behaviour": 3})
    assert ids(rank_referral(ref)) == [far_skilled.pk, near_unskilled.pk]
    weights = weights_for(world.rcc.pk)
    weights.needs, weights.distance_family = 0, 100
    weights.save()
    assert ids(rank_referral(ref)) == [near_unskilled.pk, far_skilled.pk]
    # another RCC's weights are its own
    assert weights_for(world.other_rcc.pk).needs == 40


def test_the_search_radius_is_the_rccs(world):
    ref = referral(world)
    home(world.ifa, "L1")  # ~31 miles
    weights = weights_for(world.rcc.pk)
    weights.search_radius_miles = 20
    weights.save()
    assert len(rank_referral(ref).options) == 0


def test_ofsted_grade_counts(world):
    from apps.providers.models import Provider

    ref = referral(world)
    outstanding = home(world.ifa)
    inadequate = home(world.other_ifa)
    Provider.objects.filter(pk=world.ifa.pk).update(ofsted_grade="outstanding")
    Provider.objects.filter(pk=world.other_ifa.pk).update(ofsted_grade="inadequate")
    ranking = rank_referral(ref)
    assert ids(ranking) == [outstanding.pk, inadequate.pk]
    parts = {o.household_id: o.contributions[5] for o in ranking.options}
    assert parts[outstanding.pk].raw == 1.0 and parts[inadequate.pk].raw == 0.0


def _ended_placement(provider_org, reason):
    offer = OfferFactory(target__household=home(provider_org, "M14"))
    referral = offer.referral
    return Placement.objects.create(
        referral=referral,
        child=referral.child,
        offer=offer,
        vacancy=offer.vacancy,
        household=offer.household,
        provider=offer.household.provider,
        la=referral.la,
        rcc=referral.rcc,
        placement_type="U6",
        placement_provider="PR4",
        start_date=timezone.localdate() - dt.timedelta(days=200),
        end_date=timezone.localdate() - dt.timedelta(days=20),
        reason_ended=reason,
        distance_from_home_miles=Decimal("3.0"),
        booked_by=offer.made_by,
    )


def test_the_providers_stability_record_counts_unplanned_endings(world):
    for reason in ("CARPL", "ALLEG", "STAND", "PLACE", "LAREQ", "PLACE"):
        _ended_placement(world.ifa, reason)
    _ended_placement(world.other_ifa, "CARPL")  # too few endings to judge
    ref = referral(world)
    steady = home(world.ifa, "M1")
    unknown = home(world.other_ifa, "M1")
    parts = {o.household_id: o.contributions[4] for o in rank_referral(ref).options}
    assert parts[steady.pk].raw == pytest.approx(0.5)
    assert "3 of 6 placements" in parts[steady.pk].explanation
    assert parts[unknown.pk].raw == 0.5
    assert parts[unknown.pk].explanation.startswith("Neutral: 1 placement ending")
    assert Stability(endings=10, unplanned=1).value == pytest.approx(0.9)
    assert Stability(endings=4, unplanned=4).value == 0.5


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted", "siblings"),
    [
        ("We would love to care for children aged 5-10.", [(5, 10)], [], False),
        ("Teenagers preferred; siblings welcome", [(13, 17)], [], True),
        ("No babies please, under 12 only", [(0, 11)], [(0, 2)], False),
        ("Experienced with therapeutic care", [], [], False),
    ],
)
def test_carers_preferences_are_read_simply(text, wanted, unwanted, siblings):
    got_wanted, got_unwanted, got_siblings = read_preferences(text)
    assert [(lo, hi) for lo, hi, _ in got_wanted] == wanted
    assert [(lo, hi) for lo, hi, _ in got_unwanted] == unwanted
    assert got_siblings is siblings


def test_preferences_score_the_childs_age(world):
    ref = referral(world, age=9)
    fits = home(world.ifa, preferences="Children aged 6 to 11")
    does_not = home(world.ifa, preferences="Teenagers only")
    silent = home(world.ifa, preferences="")
    parts = {o.household_id: o.contributions[6] for o in rank_referral(ref).options}
    assert parts[fits.pk].raw == 1.0
    assert parts[does_not.pk].raw == 0.0
    assert parts[silent.pk].raw == 0.5
    assert "does not fit" in parts[does_not.pk].explanation


def test_no_place_to_search_from_is_explained(world):
    from apps.core.errors import DomainError

    ref = referral(world)
    ref.family_postcode_district = None
    ref.save()
    ref.child.home_postcode_district = None
    ref.child.save()
    world.la.latitude = world.la.longitude = None
    world.la.save()
    with pytest.raises(DomainError, match="nowhere to search from"):
        rank_referral(ref)


def test_grown_up_children_at_home_do_not_count_as_other_children(world):
    ref = referral(world, age=9, live_alongside=LiveAlongside.SOLO)
    with_adult_son = home(world.ifa, other_children_ages=[19, 23])
    assert ids(rank_referral(ref)) == [with_adult_son.pk]


@pytest.fixture
def snapshot_on(settings):
    from apps.referrals.matching import forget_snapshot

    settings.MATCHING_REGISTER_CACHE_SECONDS = 60
    forget_snapshot()
    yield
    forget_snapshot()


def test_the_snapshot_ranks_exactly_as_the_live_register(world, settings):
    from apps.referrals.matching import forget_snapshot

    ref = referral(world, needs={"behaviour": 2, "education": 1}, siblings=[7])
    for org, at in ((world.ifa, "M14"), (world.la_service, "OL1"), (world.other_ifa, "WA1")):
        home(org, at, places=2, max_sibling_group=2, skills={"behaviour": 2})
    home(world.ifa, "L1", places=2, max_sibling_group=2, pets="Dog", preferences="teenagers")
    home(world.ifa, "B1", places=2, max_sibling_group=2)  # too far
    live = rank_referral(ref)
    settings.MATCHING_REGISTER_CACHE_SECONDS = 60
    forget_snapshot()
    try:
        cached = rank_referral(ref)
    finally:
        forget_snapshot()
    assert len(cached.options) == len(live.options) == 4
    assert [(o.household_id, o.score) for o in cached.options] == [
        (o.household_id, o.score) for o in live.options
    ]
    assert [c.explanation for c in cached.options[0].contributions] == [
        c.explanation for c in live.options[0].contributions
    ]
    assert cached.excluded == live.excluded and cached.considered == live.considered


def test_sending_rechecks_the_live_register_when_the_snapshot_is_older(world, snapshot_on):
    from apps.accounts.roles import Role
    from apps.core.errors import DomainError
    from apps.referrals.services.distribution import targets_send

    ref = referral(world)
    chosen = home(world.ifa)
    assert ids(rank_referral(ref)) == [chosen.pk]
    chosen.vacancies.update(status="filled")  # the place went since the snapshot was taken
    assert ids(rank_referral(ref)) == [chosen.pk]  # the snapshot has not caught up
    with pytest.raises(DomainError, match="enough places free"):
        targets_send(referral=ref, households=[chosen.pk], by=world.users[Role.PLACEMENT_OFFICER])
