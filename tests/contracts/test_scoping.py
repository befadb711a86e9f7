"""Who sees which commissioning records (`visible_to`): the RCC's own, the NCC everything,
providers their own, LAs their own budget lines."""

from __future__ import annotations

import pytest

from apps.accounts.roles import Role
from apps.contracts.models import (
    ContractAlert,
    Dispute,
    Enrolment,
    Framework,
    PartnershipMeeting,
    PlacementBudget,
    PriceSchedule,
    SoftBlock,
)
from tests.contracts.permission_rows import contracts_of
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

MINE, OTHER, BOTH, NONE = "mine", "other", "both", "none"
# role → what it sees of each kind of record (the world's users; providers are the world's IFA).
EXPECTED = {
    Role.COMMISSIONER: {
        "framework": MINE,
        "enrolment": MINE,
        "schedule": MINE,
        "soft_block": MINE,
        "dispute": MINE,
        "meeting": MINE,
        "alert": MINE,
        "budget": MINE,
    },
    Role.SCRUTINEER: {
        "framework": MINE,
        "enrolment": MINE,
        "schedule": MINE,
        "soft_block": MINE,
        "dispute": MINE,
        "meeting": MINE,
        "alert": MINE,
        "budget": MINE,
    },
    Role.PLACEMENT_OFFICER: {
        "framework": MINE,
        "enrolment": MINE,
        "schedule": MINE,
        "soft_block": MINE,
        "dispute": MINE,
        "meeting": MINE,
        "alert": MINE,
        "budget": MINE,
    },
    Role.NCC_ANALYST: {
        "framework": BOTH,
        "enrolment": BOTH,
        "schedule": BOTH,
        "soft_block": BOTH,
        "dispute": BOTH,
        "meeting": BOTH,
        "alert": BOTH,
        "budget": BOTH,
    },
    Role.PROVIDER_REFERRALS: {
        "framework": MINE,
        "enrolment": MINE,
        "schedule": MINE,
        "soft_block": MINE,
        "dispute": MINE,
        "meeting": MINE,
        "alert": NONE,
        "budget": NONE,
    },
    Role.SOCIAL_WORKER: {
        "framework": NONE,
        "enrolment": NONE,
        "schedule": NONE,
        "soft_block": NONE,
        "dispute": NONE,
        "meeting": NONE,
        "alert": NONE,
        "budget": MINE,
    },
}
MODELS = {
    "framework": Framework,
    "enrolment": Enrolment,
    "schedule": PriceSchedule,
    "soft_block": SoftBlock,
    "dispute": Dispute,
    "meeting": PartnershipMeeting,
    "alert": ContractAlert,
    "budget": PlacementBudget,
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_visible_to(world, role):
    c = contracts_of(world)
    user = world.users[role]
    for name, model in MODELS.items():
        mine, other = getattr(c.mine, name).pk, getattr(c.other, name).pk
        seen = set(
            model.objects.visible_to(user).filter(pk__in=[mine, other]).values_list("pk", flat=True)
        )
        expected = {MINE: {mine}, OTHER: {other}, BOTH: {mine, other}, NONE: set()}[
            EXPECTED[role][name]
        ]
        assert seen == expected, (role, name)


def test_providers_see_live_dps_they_may_join_but_not_others_frameworks(world):
    from tests.contracts.permission_rows import _new_dps_lot

    c = contracts_of(world)
    lot_pk = _new_dps_lot(world, world.users[Role.COMMISSIONER])["pk"]
    officer = world.users[Role.PROVIDER_REFERRALS]
    visible = set(Framework.objects.visible_to(officer).values_list("pk", flat=True))
    assert c.mine.framework.pk in visible and c.other.framework.pk not in visible
    assert Framework.objects.filter(lots__pk=lot_pk).get().pk in visible


def test_an_la_service_sees_its_own_enrolment_and_schedule_only(world):
    c = contracts_of(world)
    service_staff = user_with_role(Role.PROVIDER_DATA, world.la_service)
    assert set(Enrolment.objects.visible_to(service_staff)) == set(
        Enrolment.objects.filter(provider=c.la_service)
    )
    assert not PriceSchedule.objects.visible_to(
        service_staff
    ).exists()  # the IFA's fee is not theirs


def test_the_ncc_framework_is_visible_to_every_rcc(world):
    c = contracts_of(world)
    national = Framework.objects.create(
        owner=world.ncc,
        kind="dps",
        reference="NCC-1",
        title="Specialist",
        specification_summary="Rare needs.",
        terms_version=c.terms,
        start_date=c.mine.framework.start_date,
        end_date=c.mine.framework.end_date,
        lead_manager=world.users[Role.NCC_ANALYST],
        deputy_manager=world.users[Role.COMMISSIONER],
        created_by=world.users[Role.NCC_ANALYST],
    )
    for role in (Role.COMMISSIONER, Role.PLACEMENT_OFFICER):
        assert Framework.objects.visible_to(world.users[role]).filter(pk=national.pk).exists()
