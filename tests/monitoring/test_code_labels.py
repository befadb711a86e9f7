"""Codes show with their labels: the return's web form (RETIRE – Retirement…), the return's
carer changes, the scorecard's unplanned endings, the household's approval end, and the
SSDA903 codes on the placement pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.accounts.roles import Role
from apps.monitoring.format import format_for
from apps.monitoring.templatetags.monitoring_codes import (
    code_options,
    reason_ended_label,
    return_code,
)
from apps.referrals.services.placements import placement_agree
from tests.factories import UserFactory
from tests.monitoring.factories import QUARTER, due_return, provider_of
from tests.providers.factories import HouseholdFactory
from tests.referrals.placing_factories import journey, offer_on

pytestmark = pytest.mark.django_db


def test_the_returns_code_lists_carry_their_labels():
    fmt = format_for(QUARTER)
    assert return_code(fmt, "change_reason", "RETIRE") == "RETIRE – Retirement"
    assert return_code(fmt, "change_reason", "MOVEPROV") == (
        "MOVEPROV – Moved to another fostering provider"
    )
    assert return_code(fmt, "change_reason", "") == "–"
    assert return_code(fmt, "change_reason", "NOPE") == "NOPE"
    options = code_options(fmt, "reason_ended")
    assert list(options) == fmt.codes("reason_ended")
    assert options["CARPL"].startswith("CARPL – ")
    assert reason_ended_label("CARPL") == "CARPL – Carer ended the placement"


def test_the_web_form_offers_codes_with_their_labels(world, client):
    ret = due_return(world.ifa)
    client.force_login(world.users[Role.PROVIDER_DATA])
    html = client.get(reverse("monitoring:return_form", args=[ret.pk])).content.decode()
    assert '<option value="RETIRE">RETIRE – Retirement</option>' in html
    assert '<option value="CARPL">CARPL – ' in html
    assert '<option value="RETIRE">RETIRE</option>' not in html


def test_the_households_approval_end_shows_its_reason_in_words(world, client):
    household = HouseholdFactory(
        provider=provider_of(world.ifa),
        status="resigned",
        approval_end_reason="MOVEPROV",
    )
    client.force_login(world.users[Role.PROVIDER_REFERRALS])
    page = client.get(reverse("providers:household_detail", args=[household.pk]))
    assert "MOVEPROV – Moved to another fostering provider" in page.content.decode()


def test_placements_show_ssda903_codes_with_labels(world, client):
    j = journey(world)
    offer = offer_on(j.ifa, status="proposed")
    j.referral.status = "approved"
    j.referral.proposed_offer = offer
    j.referral.save()
    placement_agree(referral=j.referral, by=UserFactory(is_superuser=True))
    client.force_login(world.users[Role.SOCIAL_WORKER])
    html = client.get(reverse("referrals:placement_list")).content.decode()
    assert "U6 – " in html or "U4 – " in html or "U5 – " in html
    assert "PR4 – " in html or "PR5 – " in html
    children = client.get(reverse("referrals:child_list")).content.decode()
    assert f"{j.referral.child.legal_status} – " in children
