"""Responses true to the OpenAPI schema (the schemathesis test checks every operation; these
pin the drifts found, each on its own)."""

from __future__ import annotations

import json

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from apps.accounts.roles import Role
from tests.contracts.factories import PlacementBudgetFactory, SoftBlockFactory, provider_for
from tests.referrals.factories import ChildFactory, NeedsAssessmentFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def test_a_referral_carries_its_childs_latest_needs_version(client, world):
    social_worker = world.users[Role.SOCIAL_WORKER]
    child = ChildFactory(la=world.la, created_by=social_worker)
    referral = ReferralFactory(child=child, created_by=social_worker)  # records version 1
    newer = NeedsAssessmentFactory(child=child)
    client.force_login(social_worker)
    body = client.get(f"/api/v1/referrals/{referral.pk}/").json()
    assert body["child"]["latest_needs_version"] == newer.version == 2
    assert body["child"]["latest_needs_assessed_on"] == newer.assessed_on.isoformat()


def test_budget_figures_and_utilisation_are_strings_as_the_schema_says(client, world):
    PlacementBudgetFactory(rcc=world.rcc, la=world.la)
    SoftBlockFactory(rcc=world.rcc, provider=provider_for(world.ifa))
    client.force_login(world.users[Role.COMMISSIONER])
    figures = client.get("/api/v1/contracts/budgets/").json()["results"][0]["figures"]
    assert figures["forecast"] == "0.00"
    assert figures["remaining"] == "1000000.00"
    utilisation = client.get("/api/v1/contracts/soft-blocks/").json()["results"][0]["utilisation"]
    assert utilisation["percent"] == "0.0"


def test_read_only_choices_that_may_be_blank_admit_blank_in_the_schema():
    document = json.loads(
        OpenApiJsonRenderer().render(
            SchemaGenerator().get_schema(request=None, public=True), renderer_context={}
        )
    )
    schemas = document["components"]["schemas"]
    for component, field in [("Target", "decline_reason"), ("Organisation", "region")]:
        options = schemas[component]["properties"][field]["oneOf"]
        assert {"$ref": "#/components/schemas/BlankEnum"} in options, (component, field)
    assert schemas["BlankEnum"] == {"enum": [""]}
