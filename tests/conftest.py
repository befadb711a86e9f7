"""Shared fixtures: a small synthetic world with one person per role."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.organisations.models import Organisation
from tests.factories import (
    HubFactory,
    IfaFactory,
    LaServiceFactory,
    LocalAuthorityFactory,
    NccFactory,
    RccFactory,
    RccMembershipFactory,
    user_with_role,
)


@dataclass
class World:
    """Two RCCs, each with an LA, a hub and an LA fostering service; two IFAs; the NCC."""

    ncc: Organisation
    rcc: Organisation
    hub: Organisation
    la: Organisation
    la_service: Organisation
    ifa: Organisation
    other_rcc: Organisation
    other_hub: Organisation
    other_la: Organisation
    other_la_service: Organisation
    other_ifa: Organisation
    users: dict[str, User]


@pytest.fixture(autouse=True)
def _fresh_matching_caches():  # type: ignore[no-untyped-def]
    """What a process keeps for matching (snapshot, weights, levels) never outlives a test."""
    from apps.referrals.matching import forget_snapshot

    forget_snapshot()
    yield
    forget_snapshot()


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Uploaded originals are written under a temporary MEDIA_ROOT, never into .data/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(db) -> World:  # type: ignore[no-untyped-def]
    ncc = NccFactory()
    rcc, other_rcc = RccFactory(), RccFactory()
    hub, other_hub = HubFactory(rcc=rcc), HubFactory(rcc=other_rcc)
    la, other_la = LocalAuthorityFactory(), LocalAuthorityFactory()
    RccMembershipFactory(rcc=rcc, la=la)
    RccMembershipFactory(rcc=other_rcc, la=other_la)
    la_service = LaServiceFactory(owning_la=la)
    other_la_service = LaServiceFactory(owning_la=other_la)
    ifa, other_ifa = IfaFactory(), IfaFactory()
    users = {
        Role.SOCIAL_WORKER: user_with_role(Role.SOCIAL_WORKER, la),
        Role.IRO: user_with_role(Role.IRO, la),
        Role.PLACEMENT_OFFICER: user_with_role(Role.PLACEMENT_OFFICER, hub),
        Role.COMMISSIONER: user_with_role(Role.COMMISSIONER, rcc),
        Role.SCRUTINEER: user_with_role(Role.SCRUTINEER, rcc),
        Role.PROVIDER_REFERRALS: user_with_role(Role.PROVIDER_REFERRALS, ifa),
        Role.PROVIDER_DATA: user_with_role(Role.PROVIDER_DATA, ifa),
        Role.NCC_ANALYST: user_with_role(Role.NCC_ANALYST, ncc),
        Role.ADMINISTRATOR: user_with_role(Role.ADMINISTRATOR, rcc),
    }
    return World(
        ncc=ncc,
        rcc=rcc,
        hub=hub,
        la=la,
        la_service=la_service,
        ifa=ifa,
        other_rcc=other_rcc,
        other_hub=other_hub,
        other_la=other_la,
        other_la_service=other_la_service,
        other_ifa=other_ifa,
        users=users,
    )
