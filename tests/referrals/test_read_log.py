"""Who has read a child's record: every read by LA, hub and provider staff is logged (who,
through which organisation and role, what, when, how), and the child's own LA's social workers
see the log on the child's page; nobody else does."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.roles import Role
from apps.referrals.models import ReferralAccessLog
from apps.referrals.services.events import record_access
from tests.factories import user_with_role
from tests.referrals.placing_factories import journey

pytestmark = pytest.mark.django_db


def _only_log() -> ReferralAccessLog:
    return ReferralAccessLog.objects.get()


def test_social_worker_read_of_the_child_page_is_logged(client, world):
    j = journey(world)
    sw = world.users[Role.SOCIAL_WORKER]
    client.force_login(sw)
    assert (
        client.get(reverse("referrals:child_detail", args=[j.referral.child_id])).status_code == 200
    )
    log = _only_log()
    assert (log.child_id, log.referral_id, log.user, log.organisation) == (
        j.referral.child_id,
        None,
        sw,
        world.la,
    )
    assert (log.role, log.action, log.channel) == (Role.SOCIAL_WORKER, "view_child", "web")


@pytest.mark.parametrize(
    ("role", "org"), [(Role.IRO, "la"), (Role.PLACEMENT_OFFICER, "hub"), (Role.SCRUTINEER, "rcc")]
)
def test_la_and_hub_reads_of_a_referral_page_are_logged(client, world, role, org):
    j = journey(world)
    user = world.users[role]
    client.force_login(user)
    assert client.get(reverse("referrals:referral_detail", args=[j.referral.pk])).status_code == 200
    log = _only_log()
    assert (log.child_id, log.referral_id, log.user_id, log.action) == (
        j.referral.child_id,
        j.referral.pk,
        user.pk,
        "view_referral",
    )
    if org != "rcc":  # the scrutineer reads as a member of the RCC, not of the LA or a hub
        assert (log.organisation, log.role) == (getattr(world, org), role)


def test_api_reads_of_the_child_and_referral_are_logged_as_api(client, world):
    j = journey(world)
    sw = world.users[Role.SOCIAL_WORKER]
    client.force_login(sw)
    child_id = j.referral.child_id
    assert client.get(reverse("api:child-detail", args=[child_id])).status_code == 200
    assert client.get(reverse("api:child-assessments", args=[child_id])).status_code == 200
    assert client.get(reverse("api:referral-detail", args=[j.referral.pk])).status_code == 200
    logs = list(ReferralAccessLog.objects.order_by("pk"))
    assert [(log.action, log.channel, log.role) for log in logs] == [
        ("view_child", "api", Role.SOCIAL_WORKER),
        ("view_child_needs", "api", Role.SOCIAL_WORKER),
        ("view_referral", "api", Role.SOCIAL_WORKER),
    ]
    assert {log.child_id for log in logs} == {child_id}


def test_provider_reads_carry_the_child_role_and_channel(client, world):
    j = journey(world)
    officer = world.users[Role.PROVIDER_REFERRALS]
    client.force_login(officer)
    assert client.get(reverse("referrals:provider_target", args=[j.ifa.pk])).status_code == 200
    assert client.get(reverse("api:provider-target-detail", args=[j.ifa.pk])).status_code == 200
    logs = list(ReferralAccessLog.objects.order_by("pk"))
    assert [(log.channel, log.action) for log in logs] == [
        ("web", "provider_view"),
        ("api", "provider_view"),
    ]
    for log in logs:
        assert (log.child_id, log.organisation, log.role) == (
            j.referral.child_id,
            world.ifa,
            Role.PROVIDER_REFERRALS,
        )


def test_list_pages_are_not_logged_row_by_row(client, world):
    journey(world)
    client.force_login(world.users[Role.SOCIAL_WORKER])
    assert client.get(reverse("referrals:child_list")).status_code == 200
    assert client.get(reverse("referrals:referral_list")).status_code == 200
    assert client.get(reverse("api:child-list")).status_code == 200
    assert not ReferralAccessLog.objects.exists()


def test_a_read_is_one_insert(client, world):
    j = journey(world)
    client.force_login(world.users[Role.PLACEMENT_OFFICER])
    url = reverse("referrals:referral_detail", args=[j.referral.pk])
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    inserts = [q for q in ctx.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    assert "referralaccesslog" in inserts[0]["sql"]


def test_the_childs_social_worker_sees_who_read_the_record(client, world):
    j = journey(world)
    for role in (Role.PLACEMENT_OFFICER, Role.IRO):
        client.force_login(world.users[role])
        client.get(reverse("referrals:referral_detail", args=[j.referral.pk]))
    client.force_login(world.users[Role.PROVIDER_REFERRALS])
    client.get(reverse("referrals:provider_target", args=[j.ifa.pk]))
    other = journey(world)  # another child's reads are not on this child's page
    client.force_login(world.users[Role.PLACEMENT_OFFICER])
    client.get(reverse("referrals:referral_detail", args=[other.referral.pk]))

    sw = world.users[Role.SOCIAL_WORKER]
    client.force_login(sw)
    response = client.get(reverse("referrals:child_detail", args=[j.referral.child_id]))
    body = response.content.decode()
    assert "Who has read this record" in body
    page = response.context["read_log"]
    # Newest first: the social worker's own read of this page, then the provider, IRO, hub.
    assert [(log.user_id, log.organisation_id, log.role) for log in page] == [
        (sw.pk, world.la.pk, Role.SOCIAL_WORKER),
        (world.users[Role.PROVIDER_REFERRALS].pk, world.ifa.pk, Role.PROVIDER_REFERRALS),
        (world.users[Role.IRO].pk, world.la.pk, Role.IRO),
        (world.users[Role.PLACEMENT_OFFICER].pk, world.hub.pk, Role.PLACEMENT_OFFICER),
    ]
    for text in (world.ifa.name, world.hub.name, "Provider referrals officer", "Placement officer"):
        assert text in body


def test_the_read_log_is_paged(client, world):
    j = journey(world)
    po = world.users[Role.PLACEMENT_OFFICER]
    for _ in range(25):
        record_access(referral=j.referral, user=po, action="view_referral")
    client.force_login(world.users[Role.SOCIAL_WORKER])
    url = reverse("referrals:child_detail", args=[j.referral.child_id])
    first = client.get(url).context["read_log"]
    assert (len(first), first.paginator.count, first.paginator.num_pages) == (20, 26, 2)
    second = client.get(url, {"reads": 2}).context["read_log"]  # this read is logged too: 27
    assert len(second) == 7
    assert second[6].pk == ReferralAccessLog.objects.order_by("pk").first().pk


def test_only_the_childs_social_workers_see_the_log(client, world):
    j = journey(world)
    url = reverse("referrals:child_detail", args=[j.referral.child_id])
    client.force_login(world.users[Role.IRO])
    response = client.get(url)
    assert response.status_code == 200
    assert "read_log" not in response.context
    assert b"Who has read this record" not in response.content
    # A social worker of another LA cannot open the child at all (and that read is not logged).
    client.force_login(user_with_role(Role.SOCIAL_WORKER, world.other_la))
    assert client.get(url).status_code == 404
    # The hub cannot open the child's page (403): it sees the referral page, without the log.
    client.force_login(world.users[Role.PLACEMENT_OFFICER])
    assert client.get(url).status_code == 403
    referral_page = client.get(reverse("referrals:referral_detail", args=[j.referral.pk]))
    assert b"Who has read this record" not in referral_page.content
    assert ReferralAccessLog.objects.filter(action="view_child").count() == 1  # the IRO's
