"""The demo referrals seed: needs histories, referrals in draft and sent; idempotent."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from apps.accounts.seeding import seed_demo_users
from apps.organisations.models import Postcode
from apps.organisations.seeding import seed_demo_organisations
from apps.referrals.completeness import referral_completeness
from apps.referrals.models import Child, NeedsAssessment, Referral, ReferralReview
from apps.referrals.seeding import seed_demo_referrals
from tests.providers.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


def test_seed_demo_referrals_is_idempotent():
    call_command("load_reference", verbosity=0)
    seed_demo_users(seed_demo_organisations())
    HouseholdFactory(places=2, max_sibling_group=2)
    assert seed_demo_referrals() == {"children": 6, "referrals": 4}
    counts = (
        Child.objects.count(),
        NeedsAssessment.objects.count(),
        Referral.objects.count(),
        ReferralReview.objects.count(),
    )
    assert seed_demo_referrals() == {"children": 0, "referrals": 0}
    assert counts == (
        Child.objects.count(),
        NeedsAssessment.objects.count(),
        Referral.objects.count(),
        ReferralReview.objects.count(),
    )
    assert all(
        c.local_identifier.startswith("MCR-C-") and c.la.dfe_la_code == "352"
        for c in Child.objects.all()
    )
    by_status = {r.child.local_identifier: r for r in Referral.objects.select_related("child")}
    assert by_status["MCR-C-0001"].status == "draft"
    assert referral_completeness(by_status["MCR-C-0001"]).can_send is False
    moving = by_status["MCR-C-0002"]
    assert moving.moving_from_placement and moving.status == "draft"
    assert moving.reviews.get().contributor_role == "current_carer"
    assert moving.reviews.get().reviewer.email == "ifa.referrals@demo.rcc.example"
    assert {by_status["MCR-C-0003"].status, by_status["MCR-C-0004"].status} == {"sent"}
    assert by_status["MCR-C-0004"].siblings.get().local_identifier == "MCR-C-0005"
    assert Child.objects.get(local_identifier="MCR-C-0001").assessments.count() == 2
    # SSDA903: a real full home postcode in the child's district, and a legal status history
    for child in Child.objects.all():
        assert child.home_postcode.split(" ")[0] == child.home_postcode_district_id
        assert Postcode.objects.filter(code=child.home_postcode).exists()
        assert [s.legal_status for s in child.legal_statuses.all()] == [child.legal_status]
