"""Monitoring scope as designed (issue 11, item 4; docs/adr/0071-monitoring-scoping.md).

An RCC is linked to a provider only through its contracts (enrolments on its frameworks, soft
blocks) or placements of its LAs' children; sending a referral links nothing. A linked RCC reads
only its own children's placement rows and its own query threads; submissions (whose originals
hold every child's rows) are the provider's and the NCC's; only the RCC that owns the quarter's
return (the most placement rows) or the NCC accepts it.

World: RCC A is `world.rcc` (LA `world.la`), RCC B is `world.other_rcc` (LA `world.other_la`);
the provider P is `world.ifa`.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import Membership, User
from apps.accounts.roles import Role
from apps.monitoring.choices import Channel, ReturnStatus
from apps.monitoring.models import MonitoringReturn, ReturnQuery, ScorecardSnapshot
from apps.monitoring.quarters import Quarter
from apps.monitoring.querysets import linked_provider_ids, monitoring_scope, visible_providers
from apps.monitoring.services import (
    return_accept,
    return_query_raise,
    return_query_reply,
    return_submit_records,
    scorecard_refresh,
)
from apps.providers.models import Provider
from tests.contracts.factories import SoftBlockFactory
from tests.factories import user_with_role
from tests.monitoring.factories import (
    QUARTER,
    complete_records,
    due_return,
    placement,
    provider_of,
)
from tests.providers.factories import HouseholdFactory
from tests.referrals.factories import ChildFactory
from tests.referrals.placing_factories import ReferralTargetFactory, SentReferralFactory

pytestmark = pytest.mark.django_db

STARTED = dt.date(2025, 6, 2)


def api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@dataclass
class Case:
    ret: MonitoringReturn
    a: User  # RCC A's commissioner
    b: User  # RCC B's commissioner
    officer: User  # the provider's data officer


def _case(world, *, a_rows: int, b_rows: int) -> Case:
    """P's submitted return with `a_rows` placements of A's LA's children and `b_rows` of B's."""
    for _ in range(a_rows):
        placement(world.ifa, world.la, start=STARTED)
    for _ in range(b_rows):
        placement(world.ifa, world.other_la, start=STARTED)
    ret = due_return(world.ifa)
    officer = world.users[Role.PROVIDER_DATA]
    sub = return_submit_records(
        monitoring_return=ret, by=officer, records=complete_records(ret), channel=Channel.WEB
    )
    assert sub.version is not None, sub.errors
    ret.refresh_from_db()
    return Case(
        ret=ret,
        a=world.users[Role.COMMISSIONER],
        b=user_with_role(Role.COMMISSIONER, world.other_rcc),
        officer=officer,
    )


def _referral_from_b(world) -> None:
    """B's hub sends a referral for a child of B's LA to one of P's households (no placement)."""
    referral = SentReferralFactory(child=ChildFactory(la=world.other_la))
    assert referral.rcc == world.other_rcc
    ReferralTargetFactory(
        referral=referral, household=HouseholdFactory(provider=provider_of(world.ifa))
    )


def _la_codes(rows: list[dict[str, str]]) -> list[str]:
    return sorted(r["la_code"] for r in rows if r["record"] == "PLACEMENT")


def _csv_la_codes(content: bytes) -> list[str]:
    text = content.decode("utf-8-sig")
    return sorted(
        r["la_code"] for r in csv.DictReader(io.StringIO(text)) if r["record"] == "PLACEMENT"
    )


# --- Links: contracts, enrolments, the LAs' placements; never a referral -----------------------


def test_a_hub_sending_a_referral_links_nothing(world, client):
    case = _case(world, a_rows=1, b_rows=0)
    _referral_from_b(world)
    today = timezone.localdate()
    scorecard_refresh(quarters=[Quarter.of(today), QUARTER])
    # B's per-RCC scorecard row records its referral (its own figures), but links nothing.
    assert ScorecardSnapshot.objects.filter(
        provider__organisation=world.ifa, rcc=world.other_rcc, referrals_received__gt=0
    ).exists()
    provider = Provider.objects.get(organisation=world.ifa)
    assert not Provider.objects.filter(linked_provider_ids({world.other_rcc.pk}, "pk")).exists()
    assert provider not in visible_providers(case.b)
    assert not MonitoringReturn.objects.visible_to(case.b).filter(pk=case.ret.pk).exists()
    assert not ScorecardSnapshot.objects.visible_to(case.b).filter(provider=provider).exists()

    query = return_query_raise(
        monitoring_return=case.ret, by=case.a, subject="complaints", body="Only one?"
    )
    client.force_login(case.b)
    assert client.get(reverse("monitoring:return_detail", args=[case.ret.pk])).status_code == 404
    assert (
        client.get(reverse("monitoring:return_prefilled", args=[case.ret.pk, "csv"])).status_code
        == 404
    )
    assert (
        client.post(reverse("monitoring:query_reply", args=[query.pk]), {"body": "x"}).status_code
        == 404
    )
    assert client.post(reverse("monitoring:return_accept", args=[case.ret.pk])).status_code == 404
    assert client.get(reverse("monitoring:scorecard_detail", args=[provider.pk])).status_code == 404
    b_api = api(case.b)
    assert b_api.get(reverse("api:monitoring-return-detail", args=[case.ret.pk])).status_code == 404
    assert (
        b_api.get(reverse("api:monitoring-return-prefill", args=[case.ret.pk])).status_code == 404
    )
    assert (
        b_api.post(reverse("api:monitoring-return-accept", args=[case.ret.pk])).status_code == 404
    )
    assert b_api.get(reverse("api:monitoring-return-list")).json()["count"] == 0
    case.ret.refresh_from_db()
    assert case.ret.status == ReturnStatus.QUERIED and case.ret.accepted_at is None


def test_contracts_and_placements_link_and_return_rows_link_through_the_scorecard(world):
    provider = provider_of(world.ifa)
    due_return(world.ifa)
    a = world.users[Role.COMMISSIONER]
    assert provider not in visible_providers(a)
    SoftBlockFactory(rcc=world.rcc, provider=provider)  # a contract
    assert provider in visible_providers(a)

    # A return's rows for an RCC's LA (not on the platform) are counted in its scorecard row.
    third = user_with_role(Role.COMMISSIONER, world.other_rcc)
    snapshot = ScorecardSnapshot.objects.create(
        provider=provider,
        quarter_start=QUARTER.start,
        rcc=world.other_rcc,
        referrals_received=3,
        computed_at=timezone.now(),
    )
    assert provider not in visible_providers(third)
    snapshot.placements = 2
    snapshot.save()
    assert provider in visible_providers(third)


def test_only_an_rccs_commissioners_get_its_monitoring_scope(world):
    assert monitoring_scope(world.users[Role.COMMISSIONER]).rcc_ids == {world.rcc.pk}
    for role in (Role.PLACEMENT_OFFICER, Role.SCRUTINEER, Role.ADMINISTRATOR):
        assert monitoring_scope(world.users[role]).rcc_ids == frozenset(), role


def test_scope_follows_the_membership_list_of_a_narrowed_user_copy(world):
    """A view narrowed to its rule's roles passes a copy of the user holding fewer memberships:
    the scope is worked out from that list, not from what the whole user reached before."""
    user = user_with_role(Role.COMMISSIONER, world.rcc)
    Membership.objects.create(user=user, organisation=world.other_rcc, role=Role.COMMISSIONER)
    user = User.objects.get(pk=user.pk)
    assert monitoring_scope(user).rcc_ids == {world.rcc.pk, world.other_rcc.pk}
    narrowed = copy.copy(user)
    narrowed.membership_list = [
        m for m in user.membership_list if m.organisation_id == world.rcc.pk
    ]
    assert monitoring_scope(narrowed).rcc_ids == {world.rcc.pk}


# --- Each RCC reads its own children's rows and its own threads ---------------------------


def test_each_rcc_reads_only_its_own_childrens_rows(world, client):
    SoftBlockFactory(rcc=world.rcc, provider=provider_of(world.ifa))
    case = _case(world, a_rows=2, b_rows=1)
    a_code, b_code = world.la.dfe_la_code, world.other_la.dfe_la_code

    for user, codes in (
        (case.a, [a_code, a_code]),
        (case.b, [b_code]),
        (case.officer, sorted([a_code, a_code, b_code])),
        (world.users[Role.NCC_ANALYST], sorted([a_code, a_code, b_code])),
    ):
        client.force_login(user)
        response = client.get(reverse("monitoring:return_prefilled", args=[case.ret.pk, "csv"]))
        assert response.status_code == 200
        assert _csv_la_codes(response.content) == codes, user
        prefill = api(user).get(reverse("api:monitoring-return-prefill", args=[case.ret.pk]))
        assert _la_codes(prefill.json()["records"]) == codes, user


def test_diffs_leave_out_other_rccs_childrens_rows(world, client):
    case = _case(world, a_rows=1, b_rows=1)
    changed = complete_records(case.ret, complaints="2")
    for r in changed:
        if r["record"] == "PLACEMENT" and r["la_code"] == world.other_la.dfe_la_code:
            r.update(end_date="2025-11-20", reason_ended="CARPL")
    sub = return_submit_records(
        monitoring_return=case.ret, by=case.officer, records=changed, channel=Channel.WEB
    )
    assert sub.version.number == 2 and sub.version.diff["placements"]["rows"]
    b_child = sub.version.diff["placements"]["rows"][0]["child_ref"]

    provider_view = api(case.officer).get(
        reverse("api:monitoring-return-detail", args=[case.ret.pk])
    )
    assert provider_view.json()["versions"][0]["diff"]["placements"]["rows"]
    for user in (case.a, case.b):
        detail = api(user).get(reverse("api:monitoring-return-detail", args=[case.ret.pk])).json()
        diff = detail["versions"][0]["diff"]
        assert diff["placements"]["rows"] == [] and diff["placements"]["changed"] == 1
        client.force_login(user)
        html = client.get(reverse("monitoring:return_detail", args=[case.ret.pk])).content.decode()
        assert b_child not in html
    client.force_login(case.officer)
    html = client.get(reverse("monitoring:return_detail", args=[case.ret.pk])).content.decode()
    assert b_child in html


def test_each_rcc_reads_and_writes_only_its_own_query_threads(world, client):
    case = _case(world, a_rows=1, b_rows=1)
    theirs = return_query_raise(
        monitoring_return=case.ret, by=case.b, subject="B's child row", body="Ended when?"
    )
    ours = return_query_raise(
        monitoring_return=case.ret, by=case.a, subject="complaints", body="Only one?"
    )
    client.force_login(case.a)
    html = client.get(reverse("monitoring:return_detail", args=[case.ret.pk])).content.decode()
    assert "Only one?" in html and "Ended when?" not in html
    assert (
        client.post(reverse("monitoring:query_reply", args=[theirs.pk]), {"body": "x"}).status_code
        == 404
    )
    detail = api(case.a).get(reverse("api:monitoring-return-detail", args=[case.ret.pk])).json()
    assert [q["subject"] for q in detail["queries"]] == ["complaints"]
    url = reverse("api:monitoring-return-reply", args=[case.ret.pk, theirs.pk])
    assert api(case.a).post(url, {"body": "x"}, format="json").status_code == 404
    with pytest.raises(PermissionDenied):
        return_query_reply(query=theirs, by=case.a, body="x")
    assert theirs.messages.count() == 1

    officer_detail = api(case.officer).get(
        reverse("api:monitoring-return-detail", args=[case.ret.pk])
    )
    assert len(officer_detail.json()["queries"]) == 2
    assert set(ReturnQuery.objects.visible_to(case.a)) == {ours}
    assert set(ReturnQuery.objects.visible_to(case.officer)) == {ours, theirs}


def test_no_rcc_reads_the_submissions_which_hold_every_childs_rows(world, client):
    case = _case(world, a_rows=2, b_rows=1)
    sub = case.ret.submissions.get()
    for user in (case.a, case.b):
        client.force_login(user)
        assert (
            client.get(reverse("monitoring:submission_original", args=[sub.pk])).status_code == 403
        )
        assert client.get(reverse("monitoring:submission_detail", args=[sub.pk])).status_code == 403
        html = client.get(reverse("monitoring:return_detail", args=[case.ret.pk])).content.decode()
        assert reverse("monitoring:submission_original", args=[sub.pk]) not in html
        assert api(user).get(reverse("api:monitoring-submission-list")).status_code == 403
    for user in (case.officer, world.users[Role.NCC_ANALYST]):
        client.force_login(user)
        assert (
            client.get(reverse("monitoring:submission_original", args=[sub.pk])).status_code == 200
        )


# --- Only the owner RCC accepts ------------------------------------------------------------


def test_only_the_rcc_that_owns_the_return_accepts_it(world, client):
    # B's LAs placed most (2 rows to 1): B owns the return, though A is the older RCC.
    case = _case(world, a_rows=1, b_rows=2)
    accept = reverse("monitoring:return_accept", args=[case.ret.pk])

    client.force_login(case.a)
    assert client.post(accept).status_code == 403
    page = client.get(reverse("monitoring:return_detail", args=[case.ret.pk]))
    assert page.context["can_review"] and not page.context["can_accept"]
    assert accept not in page.content.decode()
    assert (
        api(case.a).post(reverse("api:monitoring-return-accept", args=[case.ret.pk])).status_code
        == 403
    )
    with pytest.raises(PermissionDenied):
        return_accept(monitoring_return=case.ret, by=case.a)
    case.ret.refresh_from_db()
    assert case.ret.status == ReturnStatus.SUBMITTED and case.ret.accepted_at is None
    # A may still query its own children's rows.
    return_query_raise(monitoring_return=case.ret, by=case.a, subject="complaints", body="?")

    client.force_login(case.b)
    page = client.get(reverse("monitoring:return_detail", args=[case.ret.pk]))
    assert page.context["can_accept"] and accept in page.content.decode()
    assert client.post(accept).status_code == 302
    case.ret.refresh_from_db()
    assert case.ret.status == ReturnStatus.ACCEPTED and case.ret.accepted_for == world.other_rcc


def test_a_return_no_rcc_owns_is_accepted_by_the_ncc(world):
    SoftBlockFactory(rcc=world.rcc, provider=provider_of(world.ifa))
    case = _case(world, a_rows=0, b_rows=0)
    with pytest.raises(PermissionDenied):
        return_accept(monitoring_return=case.ret, by=case.a)
    ncc_commissioner = user_with_role(Role.COMMISSIONER, world.ncc)
    return_accept(monitoring_return=case.ret, by=ncc_commissioner)
    case.ret.refresh_from_db()
    assert case.ret.accepted_for == world.ncc
