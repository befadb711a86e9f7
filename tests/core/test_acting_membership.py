"""Pages outside the base views act through one membership too (docs/adr/0006)."""

from __future__ import annotations

import pytest

from apps.accounts.roles import Role
from tests.contracts.permission_rows import contracts_of
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_home_panel_reads_as_the_panels_roles_only(client, world):
    """A commissioner who is also a placement officer in the other RCC's hub: the
    commissioner's panel shows their own RCC's soft blocks, not the other RCC's (which the hub
    membership could read, but it holds no role the panel is for)."""
    c = contracts_of(world)
    person = world.users[Role.COMMISSIONER]
    MembershipFactory(user=person, organisation=world.other_hub, role=Role.PLACEMENT_OFFICER)
    client.force_login(person)
    page = client.get("/").content.decode()
    assert c.mine.soft_block.reference in page
    assert c.other.soft_block.reference not in page


def test_navigation_lists_all_the_persons_work(client, world):
    """The header shows every memberships' sections even on a page that acts as one."""
    from django.urls import reverse

    person = world.users[Role.IRO]
    MembershipFactory(user=person, organisation=world.ifa, role=Role.PROVIDER_REFERRALS)
    client.force_login(person)
    on_la_page = client.get(reverse("referrals:referral_list")).content.decode()
    on_home = client.get("/").content.decode()
    provider_link = reverse("referrals:provider_targets")
    assert provider_link in on_home
    assert provider_link in on_la_page
