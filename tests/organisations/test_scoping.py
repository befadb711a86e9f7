"""Who sees which organisation: `Organisation.objects.visible_to(user)`, the pages and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.organisations.models import Organisation, RccMembership
from tests.factories import (
    LaServiceFactory,
    LocalAuthorityFactory,
    MembershipFactory,
    RccMembershipFactory,
    UserFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db


def visible(user) -> set[int]:
    return set(Organisation.objects.visible_to(user).values_list("pk", flat=True))


def ids(*orgs) -> set[int]:
    return {o.pk for o in orgs}


def rcc_family(world) -> set[int]:
    return ids(world.rcc, world.hub, world.la, world.la_service)


@pytest.mark.parametrize(
    "role", [Role.COMMISSIONER, Role.SCRUTINEER, Role.ADMINISTRATOR, Role.PLACEMENT_OFFICER]
)
def test_rcc_and_hub_members_see_the_rcc_its_hubs_las_and_their_services(world, role):
    assert visible(world.users[role]) == rcc_family(world)


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.IRO])
def test_la_members_see_their_la_its_services_and_its_rcc(world, role):
    assert visible(world.users[role]) == rcc_family(world)


@pytest.mark.parametrize("role", [Role.PROVIDER_REFERRALS, Role.PROVIDER_DATA])
def test_ifa_members_see_only_their_agency(world, role):
    assert visible(world.users[role]) == ids(world.ifa)


def test_la_fostering_service_members_see_the_service_and_its_owning_la(world):
    user = user_with_role(Role.PROVIDER_REFERRALS, world.la_service)
    assert visible(user) == ids(world.la_service, world.la)


def test_ncc_members_and_superusers_see_every_organisation(world):
    everything = set(Organisation.objects.values_list("pk", flat=True))
    assert visible(world.users[Role.NCC_ANALYST]) == everything
    assert visible(UserFactory(is_superuser=True)) == everything


def test_people_without_a_role_and_anonymous_callers_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert visible(UserFactory()) == set()
    assert visible(AnonymousUser()) == set()


def test_several_memberships_see_the_union(world):
    user = user_with_role(Role.PROVIDER_REFERRALS, world.ifa)
    MembershipFactory(user=user, organisation=world.other_la, role=Role.SOCIAL_WORKER)
    assert visible(user) == ids(
        world.ifa, world.other_rcc, world.other_hub, world.other_la, world.other_la_service
    )


def test_only_current_rcc_memberships_count(world):
    today = timezone.localdate()
    left = LocalAuthorityFactory()
    RccMembershipFactory(
        rcc=world.rcc,
        la=left,
        start_date=dt.date(2020, 1, 1),
        end_date=today - dt.timedelta(days=1),
    )
    LaServiceFactory(owning_la=left)
    joining = LocalAuthorityFactory()
    RccMembershipFactory(rcc=world.rcc, la=joining, start_date=today + dt.timedelta(days=30))
    ending_today = LocalAuthorityFactory()
    RccMembershipFactory(
        rcc=world.rcc, la=ending_today, start_date=dt.date(2020, 1, 1), end_date=today
    )

    commissioner = world.users[Role.COMMISSIONER]
    assert visible(commissioner) == rcc_family(world) | ids(ending_today)
    # A social worker in an LA that has left sees no RCC any more.
    assert visible(user_with_role(Role.SOCIAL_WORKER, left)) == {
        left.pk,
        *left.fostering_services.values_list("pk", flat=True),
    }


def test_rcc_membership_scoping_follows_the_rcc(world):
    seen = set(
        RccMembership.objects.visible_to(world.users[Role.COMMISSIONER]).values_list(
            "la_id", flat=True
        )
    )
    assert seen == ids(world.la)
    assert RccMembership.objects.visible_to(world.users[Role.PROVIDER_DATA]).count() == 0
    assert RccMembership.objects.visible_to(world.users[Role.NCC_ANALYST]).count() == 2


# --- the same scope through the pages and the API --------------------------------------------


def _names(response) -> set[str]:
    return {row["name"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    "role",
    [
        Role.COMMISSIONER,
        Role.SOCIAL_WORKER,
        Role.PLACEMENT_OFFICER,
        Role.PROVIDER_DATA,
        Role.NCC_ANALYST,
    ],
)
def test_api_list_and_detail_follow_the_scope(client, world, role):
    user = world.users[role]
    client.force_login(user)
    expected = Organisation.objects.visible_to(user)
    response = client.get(reverse("api:organisation-list"), {"page_size": 500})
    assert response.status_code == 200
    assert response.json()["count"] == expected.count()
    assert _names(response) == set(expected.values_list("name", flat=True))

    for org in Organisation.objects.all():
        detail = client.get(reverse("api:organisation-detail", kwargs={"pk": org.pk}))
        if org in expected:
            assert detail.status_code == 200
            assert detail.json()["name"] == org.name
        else:
            assert detail.status_code == 404, org
            assert detail.json() == {"detail": "Not found.", "errors": {}}


def test_api_filters_stay_inside_the_scope(client, world):
    client.force_login(world.users[Role.COMMISSIONER])
    response = client.get(reverse("api:organisation-list"), {"rcc": world.other_rcc.pk})
    assert response.status_code == 200
    assert response.json()["count"] == 0
    response = client.get(reverse("api:organisation-list"), {"kind": "la"})
    assert _names(response) == {world.la.name}


def test_pages_list_and_detail_follow_the_scope(client, world):
    user = world.users[Role.SOCIAL_WORKER]
    client.force_login(user)
    page = client.get(reverse("organisations:list"))
    assert page.status_code == 200
    listed = {o.pk for o in page.context["object_list"]}
    assert listed == visible(user)
    assert (
        client.get(reverse("organisations:detail", kwargs={"pk": world.rcc.pk})).status_code == 200
    )
    for hidden in (world.other_rcc, world.other_la, world.ifa, world.ncc):
        assert (
            client.get(reverse("organisations:detail", kwargs={"pk": hidden.pk})).status_code == 404
        )


def test_csv_export_follows_the_scope(client, world):
    client.force_login(world.users[Role.PROVIDER_DATA])
    response = client.get(reverse("organisations:list"), {"export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().strip().splitlines()
    assert lines[0].startswith("Name,Kind")
    assert len(lines) == 2
    assert lines[1].startswith(world.ifa.name)
