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
    added = seed_demo_referrals()
    # Manchester's children only (no second RCC here), the current carer's and the IRO's
    # review requests; no in-house homes (Manchester's service has no register here).
    assert added == {"children": 6, "referrals": 4, "reviews": 2, "homes": 0, "targets": 0}
    counts = (
        Child.objects.count(),
        NeedsAssessment.objects.count(),
        Referral.objects.count(),
        ReferralReview.objects.count(),
    )
    assert not any(seed_demo_referrals().values())
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


def test_the_demo_gives_the_in_house_login_the_iro_and_the_second_rcc_work(client):
    """In-house homes that suit the sent children, sent to by the hub (the in-house login has
    referrals to answer); review requests for the IRO; the second RCC's own logins and
    referrals, kept from the first RCC's people. Idempotent."""
    from django.urls import reverse

    from apps.accounts.models import Membership, User
    from apps.accounts.roles import Role
    from apps.accounts.seeding import seed_second_rcc_users
    from apps.organisations.kinds import OrganisationKind
    from apps.organisations.models import Organisation
    from apps.organisations.seeding import ensure_rcc
    from apps.referrals.models import ReferralTarget
    from tests.providers.factories import ProviderFactory

    call_command("load_reference", verbosity=0)
    seed_demo_users(seed_demo_organisations())
    nw = ensure_rcc(name="North West Regional Care Cooperative", la_codes=["888", "341"])
    logins = seed_second_rcc_users()
    assert {login.email.split("@")[0] for login in logins} == {
        "nw.social.worker",
        "nw.iro",
        "nw.placement.officer",
        "nw.commissioner",
        "nw.scrutineer",
    }  # Lancashire's fostering service is made by the register seed, not here
    manchester_service = Organisation.objects.get(
        kind=OrganisationKind.LA_SERVICE, owning_la__dfe_la_code="352"
    )
    ProviderFactory(organisation=manchester_service)

    added = seed_demo_referrals()
    assert added == {"children": 8, "referrals": 6, "reviews": 3, "homes": 2, "targets": 2}
    assert not any(seed_demo_referrals().values())
    assert seed_second_rcc_users() == logins

    # The in-house login: each home was sent the referral it was made for.
    sent = {
        (t.referral.child.local_identifier, t.household.reference)
        for t in ReferralTarget.objects.select_related("referral__child", "household")
    }
    assert sent == {("MCR-C-0003", "MCR-INH-0001"), ("MCR-C-0004", "MCR-INH-0002")}
    in_house = User.objects.get(email="inhouse.referrals@demo.rcc.example")
    client.force_login(in_house)
    page = client.get(reverse("referrals:provider_targets")).content.decode()
    assert "MCR-INH-0001" in page and "MCR-INH-0002" in page

    # The IROs: one review request each, in their own LA.
    for email, child in (("iro", "MCR-C-0001"), ("nw.iro", "LAN-C-0002")):
        review = ReferralReview.objects.get(reviewer__email=f"{email}@demo.rcc.example")
        assert (review.contributor_role, review.referral.child.local_identifier) == ("iro", child)

    # The second RCC: its own people, its own referrals, none of the first RCC's.
    nw_hub = Organisation.objects.get(kind=OrganisationKind.HUB, rcc=nw)
    assert Membership.objects.filter(
        user__email="nw.placement.officer@demo.rcc.example",
        organisation=nw_hub,
        role=Role.PLACEMENT_OFFICER,
    ).exists()
    lan = Referral.objects.get(child__local_identifier="LAN-C-0001")
    assert (lan.rcc_id, lan.status, lan.la.dfe_la_code) == (nw.pk, "sent", "888")
    client.force_login(User.objects.get(email="nw.placement.officer@demo.rcc.example"))
    queue = client.get(reverse("referrals:hub_queue")).content.decode()
    assert "LAN-C-0001" in queue and "MCR-C-0003" not in queue
    client.force_login(User.objects.get(email="placement.officer@demo.rcc.example"))
    queue = client.get(reverse("referrals:hub_queue")).content.decode()
    assert "MCR-C-0003" in queue and "LAN-C-0001" not in queue
