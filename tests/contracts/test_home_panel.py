"""The commissioner's panel on the home page (the core HOME_PANELS hook)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from apps.accounts.roles import Role
from apps.contracts import services
from tests.contracts.permission_rows import contracts_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        (Role.COMMISSIONER, True),
        (Role.NCC_ANALYST, True),
        (Role.SOCIAL_WORKER, False),
        (Role.PROVIDER_REFERRALS, False),
    ],
)
def test_panel_shows_to_commissioners_and_the_ncc_only(client, world, role, shown):
    contracts_of(world)
    services.contract_alerts_raise(on=timezone.localdate())
    client.force_login(world.users[role])
    page = client.get("/").content.decode()
    assert ("Coming contract dates" in page) is shown
    assert ("Soft-block utilisation" in page) is shown


def test_commissioner_sees_only_their_rccs_alerts(client, world):
    c = contracts_of(world)
    client.force_login(world.users[Role.COMMISSIONER])
    page = client.get("/").content.decode()
    assert c.mine.soft_block.reference in page
    assert c.other.soft_block.reference not in page
