"""Household references are the provider's own: unique within a provider, repeated across
providers. Anywhere a household is named to someone else it is "Provider — reference"."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from apps.accounts.roles import Role
from apps.providers.templatetags.register_tags import household_name
from tests.providers.factories import HouseholdFactory
from tests.referrals.placing_factories import OfferFactory, ReferralTargetFactory, provider_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def twins(world):
    """Two providers' homes with the same reference."""
    ours = HouseholdFactory(provider=provider_for(world.ifa), reference="HH-1")
    theirs = HouseholdFactory(provider=provider_for(world.other_ifa), reference="HH-1")
    return ours, theirs


def test_references_are_unique_within_a_provider_only(twins):
    ours, theirs = twins
    assert ours.reference == theirs.reference
    with pytest.raises(IntegrityError), transaction.atomic():
        HouseholdFactory(provider=ours.provider, reference="HH-1")


def test_a_household_is_named_with_its_provider(world, twins):
    ours, theirs = twins
    assert ours.display_name == f"{world.ifa.name} — HH-1"
    assert str(theirs) == f"{world.other_ifa.name} — HH-1"
    assert ours.display_name != theirs.display_name


def test_the_offer_email_names_the_provider_and_the_reference(world, twins):
    _ours, theirs = twins
    offer = OfferFactory(target=ReferralTargetFactory(household=theirs, status="offered"))
    body = render_to_string(
        "referrals/email/offer_made.txt",
        {"offer": offer, "provider": theirs.provider, "referral": offer.referral},
    )
    assert f"household {world.other_ifa.name} — HH-1" in body
    for template in ("offer_not_chosen", "placement_agreed"):
        text = render_to_string(
            f"referrals/email/{template}.txt",
            {"offer": offer, "provider": theirs.provider, "referral": offer.referral},
        )
        assert f"{world.other_ifa.name} — HH-1" in text


def test_the_household_page_names_the_provider(client, world, twins):
    _ours, theirs = twins
    client.force_login(world.users[Role.PLACEMENT_OFFICER])
    page = client.get(reverse("providers:household_detail", args=[theirs.pk]))
    assert page.status_code == 200
    assert f"Household {world.other_ifa.name} — HH-1" in page.content.decode()


def test_matching_rows_are_named_the_same_way():
    assert household_name({"reference": "HH-1", "provider_name": "Pennine"}) == "Pennine — HH-1"
    assert household_name({"reference": "HH-1", "provider": "Pennine"}) == "Pennine — HH-1"
    assert household_name({"reference": "HH-1", "provider": {"name": "Pennine"}}) == (
        "Pennine — HH-1"
    )
    assert household_name(None) == ""
