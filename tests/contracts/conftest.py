"""Fixtures for commissioning tests: the world's RCC with a deputy commissioner, the national
terms, and Provider rows for the world's IFA (with approved places) and LA service."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from apps.accounts.roles import Role
from apps.contracts.models import TermsVersion
from apps.providers.models import Provider
from tests.contracts.factories import TermsVersionFactory, provider_for
from tests.factories import user_with_role


@dataclass
class Setup:
    world: Any
    commissioner: Any
    deputy: Any
    ncc: Any
    terms: TermsVersion
    ifa: Provider
    la_service: Provider
    other_ifa: Provider


@pytest.fixture
def setup(world) -> Setup:  # type: ignore[no-untyped-def]
    return Setup(
        world=world,
        commissioner=world.users[Role.COMMISSIONER],
        deputy=user_with_role(Role.COMMISSIONER, world.rcc),
        ncc=world.users[Role.NCC_ANALYST],
        terms=TermsVersionFactory(version=1, effective_from=dt.date(2025, 4, 1)),
        ifa=provider_for(world.ifa, places=6),
        la_service=provider_for(world.la_service, places=4),
        other_ifa=provider_for(world.other_ifa, places=3),
    )
