"""Administrators give people roles and take them away: services, pages, scope, queries."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.models import Membership, User
from apps.accounts.roles import Role
from apps.accounts.services import membership_grant, membership_revoke
from apps.core.errors import DomainError
from tests.factories import MembershipFactory, UserFactory, user_with_role

pytestmark = pytest.mark.django_db


# --- services ---------------------------------------------------------------------------------


def test_grant_creates_the_person_with_a_password_nobody_knows(world):
    admin = world.users[Role.ADMINISTRATOR]
    membership = membership_grant(
        by=admin, email="New.Person@Test.RCC.example", organisation=world.rcc, role=Role.SCRUTINEER
    )
    assert membership.user.email == "new.person@test.rcc.example"
    assert membership.user.password, "a random password is set"
    assert not membership.user.check_password("")
    assert membership.role == Role.SCRUTINEER


def test_grant_to_an_existing_person_adds_a_role(world):
    admin = world.users[Role.ADMINISTRATOR]
    person = world.users[Role.COMMISSIONER]
    membership_grant(
        by=admin, email=person.email.upper(), organisation=world.rcc, role=Role.SCRUTINEER
    )
    assert set(person.memberships.values_list("role", flat=True)) == {
        Role.COMMISSIONER,
        Role.SCRUTINEER,
    }
    assert User.objects.filter(email__iexact=person.email).count() == 1


@pytest.mark.parametrize(
    ("org_attr", "role", "field"),
    [
        ("other_rcc", Role.COMMISSIONER, "organisation"),  # not administered by the grantor
        ("la", Role.SOCIAL_WORKER, "organisation"),  # in scope, but not administered
        ("rcc", Role.PROVIDER_DATA, "role"),  # a provider role cannot be held in an RCC
    ],
)
def test_grant_refuses_and_writes_nothing(world, org_attr, role, field):
    users, memberships = User.objects.count(), Membership.objects.count()
    with pytest.raises(DomainError) as err:
        membership_grant(
            by=world.users[Role.ADMINISTRATOR],
            email="someone@test.rcc.example",
            organisation=getattr(world, org_attr),
            role=role,
        )
    assert err.value.field == field
    assert (User.objects.count(), Membership.objects.count()) == (users, memberships)


def test_grant_twice_is_refused(world):
    admin = world.users[Role.ADMINISTRATOR]
    person = world.users[Role.COMMISSIONER]
    with pytest.raises(DomainError, match="already holds that role"):
        membership_grant(
            by=admin, email=person.email, organisation=world.rcc, role=Role.COMMISSIONER
        )


def test_an_ncc_administrator_administers_every_organisation(world):
    ncc_admin = user_with_role(Role.ADMINISTRATOR, world.ncc)
    membership = membership_grant(
        by=ncc_admin,
        email="ifa.person@test.rcc.example",
        organisation=world.other_ifa,
        role=Role.PROVIDER_DATA,
    )
    assert membership.organisation == world.other_ifa


def test_revoke(world):
    admin = world.users[Role.ADMINISTRATOR]
    membership = world.users[Role.SCRUTINEER].memberships.get()
    membership_revoke(by=admin, membership=membership)
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_revoke_refuses_outside_the_administered_organisations_and_ones_own_admin_role(world):
    admin = world.users[Role.ADMINISTRATOR]
    outside = world.users[Role.SOCIAL_WORKER].memberships.get()
    with pytest.raises(DomainError, match="do not administer"):
        membership_revoke(by=admin, membership=outside)
    own = admin.memberships.get()
    with pytest.raises(DomainError, match="your own administrator role"):
        membership_revoke(by=admin, membership=own)
    assert Membership.objects.filter(pk__in=[outside.pk, own.pk]).count() == 2


# --- scope ------------------------------------------------------------------------------------


def test_memberships_and_people_visible_to_an_administrator(world):
    admin = world.users[Role.ADMINISTRATOR]
    in_rcc = {world.users[r].pk for r in (Role.COMMISSIONER, Role.SCRUTINEER, Role.ADMINISTRATOR)}
    assert set(Membership.objects.visible_to(admin).values_list("user_id", flat=True)) == in_rcc
    assert set(User.objects.visible_to(admin).values_list("pk", flat=True)) == in_rcc


def test_people_without_the_administrator_role_see_only_themselves(world):
    user = world.users[Role.COMMISSIONER]
    assert list(Membership.objects.visible_to(user)) == list(user.memberships.all())
    assert list(User.objects.visible_to(user)) == [user]


def test_ncc_administrators_and_superusers_see_everyone(world):
    for user in (user_with_role(Role.ADMINISTRATOR, world.ncc), UserFactory(is_superuser=True)):
        assert Membership.objects.visible_to(user).count() == Membership.objects.count()
        assert User.objects.visible_to(user).count() == User.objects.count()


# --- pages ------------------------------------------------------------------------------------


def test_people_page_lists_only_administered_organisations(client, world):
    client.force_login(world.users[Role.ADMINISTRATOR])
    response = client.get(reverse("accounts:people"))
    assert response.status_code == 200
    shown = {m.user.email for m in response.context["object_list"]}
    assert world.users[Role.COMMISSIONER].email in shown
    assert world.users[Role.SOCIAL_WORKER].email not in shown
    assert world.users[Role.SOCIAL_WORKER].email not in response.content.decode()


def test_people_page_export(client, world):
    client.force_login(world.users[Role.ADMINISTRATOR])
    response = client.get(reverse("accounts:people"), {"export": "csv"})
    lines = response.content.decode().strip().splitlines()
    assert lines[0] == "Email,Name,Organisation,Role,Since"
    assert len(lines) == 1 + 3


def test_add_person_form_grants_the_role_and_emails_an_invitation(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.users[Role.ADMINISTRATOR])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:membership_grant"),
            {
                "email": "invited@test.rcc.example",
                "first_name": "Ivy",
                "last_name": "Ng",
                "organisation": world.rcc.pk,
                "role": Role.SCRUTINEER,
            },
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:people")
    assert Membership.objects.filter(
        user__email="invited@test.rcc.example", role=Role.SCRUTINEER
    ).exists()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["invited@test.rcc.example"]
    assert "/accounts/password/reset/" in message.body


def test_add_person_form_shows_the_rule_that_was_broken(client, world):
    client.force_login(world.users[Role.ADMINISTRATOR])
    response = client.post(
        reverse("accounts:membership_grant"),
        {"email": "x@test.rcc.example", "organisation": world.rcc.pk, "role": Role.PROVIDER_DATA},
    )
    assert response.status_code == 200
    assert "cannot be held in a Regional Care Cooperative" in response.content.decode()
    assert not User.objects.filter(email="x@test.rcc.example").exists()


def test_add_person_form_offers_only_administered_organisations(client, world):
    client.force_login(world.users[Role.ADMINISTRATOR])
    response = client.post(
        reverse("accounts:membership_grant"),
        {
            "email": "x@test.rcc.example",
            "organisation": world.other_rcc.pk,
            "role": Role.COMMISSIONER,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["organisation"]
    assert not User.objects.filter(email="x@test.rcc.example").exists()


def test_remove_role_page_and_post(client, world):
    client.force_login(world.users[Role.ADMINISTRATOR])
    membership = world.users[Role.SCRUTINEER].memberships.get()
    url = reverse("accounts:membership_revoke", kwargs={"pk": membership.pk})
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_removing_ones_own_admin_role_is_refused_with_a_message(client, world):
    admin = world.users[Role.ADMINISTRATOR]
    client.force_login(admin)
    own = admin.memberships.get()
    response = client.post(
        reverse("accounts:membership_revoke", kwargs={"pk": own.pk}), follow=True
    )
    assert "cannot remove your own administrator role" in response.content.decode()
    assert Membership.objects.filter(pk=own.pk).exists()


# --- query counts -----------------------------------------------------------------------------


def add_people(world, n: int) -> None:
    for _ in range(n):
        MembershipFactory(organisation=world.rcc, role=Role.COMMISSIONER)
        MembershipFactory(organisation=world.hub, role=Role.PLACEMENT_OFFICER)


def test_people_page_query_count_does_not_grow(client, world, django_assert_num_queries):
    admin = world.users[Role.ADMINISTRATOR]
    MembershipFactory(user=admin, organisation=world.hub, role=Role.ADMINISTRATOR)
    client.force_login(admin)
    url = reverse("accounts:people")
    add_people(world, 2)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    baseline = len(ctx.captured_queries)
    assert baseline <= 14, f"{baseline} queries for the people list"
    add_people(world, 5)  # 3.5x the rows, still on the first page
    with django_assert_num_queries(baseline):
        response = client.get(url)
    assert (
        len(response.context["object_list"]) == Membership.objects.visible_to(admin).count() == 19
    )


def test_people_export_query_count_does_not_grow(client, world, django_assert_num_queries):
    client.force_login(world.users[Role.ADMINISTRATOR])
    url = reverse("accounts:people")
    add_people(world, 5)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url, {"export": "csv"})
    add_people(world, 15)
    with django_assert_num_queries(len(ctx.captured_queries)):
        response = client.get(url, {"export": "csv"})
    assert response.content.decode().count("\n") == 1 + 3 + 20
