"""Sibling groups end to end (services): an offer names a place for each child; booking holds
every place of the group under one lock, all or none, with a placement and IPA per child; a
split records why, who agreed it and when; the 903 return, utilisation and the monitoring
pre-fill count every child."""

from __future__ import annotations

import pytest
from django.utils import timezone

from apps.accounts.roles import Role
from apps.core.errors import DomainError
from apps.providers.models import Vacancy
from apps.referrals.choices import OfferStatus, ReferralStatus, TargetStatus
from apps.referrals.models import Offer, OfferPlace, Placement, PlacementAgreement
from apps.referrals.services.offers import fitting_places, offer_make
from apps.referrals.services.placements import ALREADY_BOOKED, placement_agree
from tests.referrals.sibling_support import (
    approve,
    group_offer,
    household_for,
    provider_user,
    sibling_group,
    target_for,
)

pytestmark = pytest.mark.django_db


def test_a_group_offer_names_a_place_for_each_child(world):
    group = sibling_group(world)
    household, (a, b) = household_for(world)
    offer = group_offer(world, group, household, {group.children[0]: a, group.children[1]: b})
    assert {(p.child_id, p.vacancy_id) for p in offer.places.all()} == {
        (group.children[0].pk, a.pk),
        (group.children[1].pk, b.pk),
    }
    assert offer.vacancy_id == a.pk
    assert offer.target.status == TargetStatus.OFFERED


def test_a_single_childs_offer_still_works_with_vacancy_only(world):
    group = sibling_group(world, ages=(8,))
    household, (a,) = household_for(world, places=1)
    target = target_for(world, group.referral, household)
    offer = offer_make(
        target=target,
        by=provider_user(world),
        household=household,
        vacancy=a,
        weekly_fee="800",
        available_from=timezone.localdate(),
    )
    assert list(offer.places.values_list("child_id", "vacancy_id")) == [
        (group.children[0].pk, a.pk)
    ]


def _offer_error(world, group, household, places) -> DomainError:
    with pytest.raises(DomainError) as err:
        group_offer(world, group, household, places)
    assert not Offer.objects.filter(referral=group.referral).exists()
    return err.value


def test_the_offer_must_fit_each_childs_age_and_the_group_size(world):
    group = sibling_group(world, ages=(14, 3))
    household, (a, b) = household_for(world, age_min=5, age_max=17)
    err = _offer_error(world, group, household, {group.children[0]: a, group.children[1]: b})
    assert err.field == "place_1"
    assert "approved for ages 5 to 17, not for a child of 3" in err.message

    small, (c, d) = household_for(world, max_sibling_group=1)
    err = _offer_error(world, group, small, {group.children[0]: c, group.children[1]: d})
    assert "sibling groups of up to 1" in err.message
    assert "Offer places for fewer children" in err.message


def test_one_place_cannot_be_named_for_two_children(world):
    group = sibling_group(world)
    household, (a, _) = household_for(world)
    err = _offer_error(world, group, household, {group.children[0]: a, group.children[1]: a})
    assert err.field == "place_1"
    assert "named for two children" in err.message


def test_places_only_for_the_groups_children(world):
    group = sibling_group(world)
    stranger = sibling_group(world, ages=(6,)).children[0]
    household, (a, b) = household_for(world)
    err = _offer_error(world, group, household, {group.children[0]: a, stranger: b})
    assert err.field == "places"


def test_fitting_places_leave_out_households_approved_for_no_child(world):
    group = sibling_group(world, ages=(15, 13))
    young, _ = household_for(world, age_min=0, age_max=4)
    fits, (a, b) = household_for(world, age_min=10, age_max=17)
    target = target_for(world, group.referral, fits)
    ids = {v.pk for v in fitting_places(target, timezone.localdate())}
    assert {a.pk, b.pk} <= ids
    assert not ids & set(young.vacancies.values_list("pk", flat=True))


def test_booking_a_group_together_places_every_child(world):
    group = sibling_group(world, ages=(9, 7, 4))
    household, places = household_for(world, places=3)
    offer = group_offer(world, group, household, dict(zip(group.children, places, strict=True)))
    other_household, _ = household_for(world)
    other = group_offer(world, group, other_household, {group.children[0]: _[0]})
    approve(group.referral, offer)
    po = world.users[Role.PLACEMENT_OFFICER]

    main = placement_agree(referral=group.referral, by=po)

    placements = Placement.objects.filter(referral=group.referral).order_by("pk")
    assert main.child_id == group.children[0].pk
    assert [p.child_id for p in placements] == [c.pk for c in group.children]
    assert [p.vacancy_id for p in placements] == [v.pk for v in places]
    assert PlacementAgreement.objects.filter(placement__referral=group.referral).count() == 3
    assert not PlacementAgreement.objects.filter(siblings_split=True).exists()
    assert set(
        Vacancy.objects.filter(pk__in=[v.pk for v in places]).values_list("status", flat=True)
    ) == {"booked"}
    offer.refresh_from_db()
    other.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED
    assert other.status == OfferStatus.NOT_CHOSEN
    group.referral.refresh_from_db()
    assert group.referral.status == ReferralStatus.PLACED
    assert group.referral.siblings_split_reason == ""
    assert group.referral.placement == main
    event = group.referral.events.get(verb="placement_agreed")
    assert event.detail["children"] == 3 and event.detail["siblings_split"] is False


def test_each_child_keeps_their_own_home_postcode(world):
    group = sibling_group(world)
    first, second = group.children
    first.home_postcode, second.home_postcode = "M14 5AB", "M15 6CD"
    first.save()
    second.save()
    household, (a, b) = household_for(world)
    approve(group.referral, group_offer(world, group, household, {first: a, second: b}))
    placement_agree(referral=group.referral, by=world.users[Role.PLACEMENT_OFFICER])
    homes = dict(Placement.objects.values_list("child_id", "home_postcode"))
    assert homes == {first.pk: "M14 5AB", second.pk: "M15 6CD"}


def _split_setup(world):
    group = sibling_group(world)
    first, second = group.children
    h1, (a, _) = household_for(world)
    h2, (c, _) = household_for(world, world.other_ifa)
    offer1 = group_offer(world, group, h1, {first: a})
    offer2 = group_offer(world, group, h2, {second: c}, by=provider_user(world, world.other_ifa))
    approve(group.referral, offer1)
    return group, offer1, offer2, a, c


def test_a_split_needs_a_reason_and_records_who_and_when(world):
    group, offer1, offer2, a, c = _split_setup(world)
    po = world.users[Role.PLACEMENT_OFFICER]
    with pytest.raises(DomainError) as err:
        placement_agree(referral=group.referral, by=po, also_offers=[offer2])
    assert err.value.field == "split_reason"
    assert not Placement.objects.exists()
    assert set(Vacancy.objects.filter(pk__in=[a.pk, c.pk]).values_list("status", flat=True)) == {
        "open"
    }

    placement_agree(
        referral=group.referral,
        by=po,
        also_offers=[offer2],
        split_reason="No household near school can take both; weekly contact agreed.",
    )
    placed = dict(Placement.objects.values_list("child_id", "household_id"))
    assert placed == {
        group.children[0].pk: offer1.household_id,
        group.children[1].pk: offer2.household_id,
    }
    group.referral.refresh_from_db()
    assert group.referral.siblings_split_reason.startswith("No household near school")
    assert group.referral.siblings_split_by == po
    assert group.referral.siblings_split_at is not None
    assert PlacementAgreement.objects.filter(siblings_split=True).count() == 2
    assert set(
        Offer.objects.filter(pk__in=[offer1.pk, offer2.pk]).values_list("status", flat=True)
    ) == {OfferStatus.ACCEPTED}


def test_every_child_needs_a_place(world):
    group, _, _, a, _ = _split_setup(world)
    with pytest.raises(DomainError) as err:
        placement_agree(referral=group.referral, by=world.users[Role.PLACEMENT_OFFICER])
    assert err.value.field == "also_offers"
    assert group.children[1].local_identifier in err.value.message
    assert not Placement.objects.exists()
    assert Vacancy.objects.get(pk=a.pk).status == "open"


def test_one_place_taken_books_none_of_the_group(world):
    group = sibling_group(world)
    household, (a, b) = household_for(world)
    approve(
        group.referral,
        group_offer(world, group, household, {group.children[0]: a, group.children[1]: b}),
    )
    Vacancy.objects.filter(pk=b.pk).update(status="booked")
    with pytest.raises(DomainError) as err:
        placement_agree(referral=group.referral, by=world.users[Role.PLACEMENT_OFFICER])
    assert err.value.message == ALREADY_BOOKED
    assert not Placement.objects.exists()
    assert Vacancy.objects.get(pk=a.pk).status == "open"
    group.referral.refresh_from_db()
    assert group.referral.status == ReferralStatus.APPROVED


def test_offer_made_before_offer_places_books_the_offers_own_place(world):
    """An offer recorded without named places (before sibling groups) books its vacancy."""
    group = sibling_group(world, ages=(8,))
    household, (a,) = household_for(world, places=1)
    offer = group_offer(world, group, household, {group.children[0]: a})
    OfferPlace.objects.filter(offer=offer).delete()
    approve(group.referral, offer)
    placement = placement_agree(referral=group.referral, by=world.users[Role.PLACEMENT_OFFICER])
    assert placement.vacancy_id == a.pk


def _booked_group(world):
    group = sibling_group(world)
    household, (a, b) = household_for(world)
    approve(
        group.referral,
        group_offer(world, group, household, {group.children[0]: a, group.children[1]: b}),
    )
    placement_agree(referral=group.referral, by=world.users[Role.PLACEMENT_OFFICER])
    return group, household


def test_the_903_return_has_every_child_of_the_group(world):
    from apps.contracts.dates import financial_year_of
    from apps.referrals.models import Child
    from apps.reporting.ssda903.files import return_build

    group, _ = _booked_group(world)
    today = timezone.localdate()
    result = return_build(
        la=world.la, year=financial_year_of(today), children=Child.objects.all(), today=today
    )
    assert set(result.child_ids) == {c.pk for c in group.children}
    idents = {row["CHILD"] for row in result.episodes}
    assert idents == {c.local_identifier for c in group.children}


def test_utilisation_and_the_monitoring_prefill_count_every_child(world):
    import datetime as dt

    from apps.contracts.selectors import soft_block_utilisation
    from apps.monitoring.quarters import Quarter
    from apps.monitoring.selectors import platform_placements
    from tests.contracts.factories import SoftBlockFactory

    _, household = _booked_group(world)
    today = timezone.localdate()
    rows = platform_placements(household.provider_id, Quarter.of(today))
    assert len({r.child_ref for r in rows.values()}) == 2  # one (pseudonymous) row per child

    block = SoftBlockFactory(
        rcc=world.rcc,
        provider=household.provider,
        places=2,
        start_date=today,
        end_date=today + dt.timedelta(days=30),
    )
    use = soft_block_utilisation([block], on=today)[block.pk]
    assert use.days_used == 2  # both children, one day each
