"""The stability early-warning list: the LA's children in care with two or more moves in the
last 12 months or concerns raised about their current placement, highest risk first, with the
reasons; scoped to the reader's own LA (other LAs' children neither listed nor readable, and a
second membership elsewhere adds nothing); filters, sorting, paging, CSV export and the API;
every child shown or downloaded logged as a read; queries that do not grow."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.monitoring.models import PlacementFeedback
from apps.referrals.choices import AccessChannel
from apps.referrals.models import CareEpisode, Child, Placement, ReferralAccessLog
from tests.factories import MembershipFactory
from tests.monitoring.factories import placement
from tests.referrals.factories import ChildFactory

pytestmark = pytest.mark.django_db

URL = reverse("planning:early_warning")
API = reverse("api:early-warning")


def ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def history(child: Child, *moves: tuple[int, str]) -> Child:
    """Episodes starting `days` ago, each ended by the next (with the reason given for it);
    the first starts the child's care (S), the last is open."""
    for i, (days, _why) in enumerate(moves):
        following = moves[i + 1] if i + 1 < len(moves) else None
        CareEpisode.objects.create(
            child=child,
            start_date=ago(days),
            end_date=ago(following[0]) if following else None,
            new_episode_reason="S" if i == 0 else "T",
            legal_status="C2",
            placement_type="U4",
            placement_provider="PR1",
            reason_ended="X1" if following else "",
            reason_place_change=following[1] if following else "",
            source="imported",
        )
    return child


def concern(p: Placement, days: int, raised: bool = True) -> PlacementFeedback:
    return PlacementFeedback.objects.create(
        placement=p,
        author=p.booked_by,
        author_role="social_worker",
        review_date=ago(days),
        childs_progress=2,
        carer_support=2,
        communication=3,
        concerns=raised,
        concerns_detail="Carer struggling with evenings." if raised else "",
    )


@pytest.fixture
def scene(world) -> dict[str, Any]:
    la = world.la
    born_14 = timezone.localdate() - dt.timedelta(days=int(365.25 * 14) + 10)
    two = history(
        ChildFactory(la=la, local_identifier="EW-TWO", date_of_birth=born_14),
        (400, ""),
        (200, "PLACE"),
        (100, "LAREQ"),
    )
    three = history(
        ChildFactory(la=la, local_identifier="EW-THREE"),
        (500, ""),
        (300, "CARPL"),
        (200, "ALLEG"),
        (50, "PLACE"),
    )
    history(ChildFactory(la=la, local_identifier="EW-ONE"), (400, ""), (100, "PLACE"))
    current = placement(world.la_service, la, start=ago(200))
    Child.objects.filter(pk=current.child_id).update(local_identifier="EW-CONCERN")
    concern(current, 30)
    concern(current, 90)
    concern(current, 60, raised=False)
    concern(current, 400)  # over a year ago
    ended = placement(world.la_service, la, start=ago(300), end=ago(100), reason="PLACE")
    Child.objects.filter(pk=ended.child_id).update(local_identifier="EW-OLD-CONCERN")
    concern(ended, 120)  # about a placement the child has left
    history(ended.child, (100, ""))
    CareEpisode.objects.filter(child=ended.child).update(new_episode_reason="T")
    left = history(
        ChildFactory(la=la, local_identifier="EW-LEFT"),
        (500, ""),
        (300, "CARPL"),
        (200, "CARPL"),
        (100, "CARPL"),
    )
    CareEpisode.objects.filter(child=left, end_date__isnull=True).update(
        end_date=ago(10), reason_ended="E4A"
    )
    far = history(
        ChildFactory(la=world.other_la, local_identifier="EW-FAR"),
        (500, ""),
        (300, "CARPL"),
        (200, "ALLEG"),
    )
    return {
        "two": two,
        "three": three,
        "concern": Child.objects.get(pk=current.child_id),
        "far": far,
    }


def listed(response: Any) -> list[str]:
    assert response.status_code == 200
    return [w.local_identifier for w in response.context["object_list"]]


def test_the_las_children_at_risk_highest_first(client, world, scene):
    client.force_login(world.users[Role.SOCIAL_WORKER])
    response = client.get(URL)
    # Risk: three moves and two unplanned endings 8; two reviews with concerns 6; two moves 4.
    assert listed(response) == ["EW-THREE", "EW-CONCERN", "EW-TWO"]
    assert [w.risk for w in response.context["object_list"]] == [8, 6, 4]
    page = response.content.decode()
    assert "3 moves in the last 12 months (4 placements: the DfE&#x27;s 3 or more)" in page
    assert "2 placements ended unplanned (CARPL, ALLEG)" in page
    latest = ago(30)
    assert f"Concerns raised at 2 reviews of the current placement, latest {latest:%-d %B %Y}" in (
        page
    )
    assert "Carer struggling" not in page  # the feedback itself stays with its author
    assert reverse("referrals:child_detail", args=[scene["three"].pk]) in page


def test_each_child_shown_is_logged_as_a_read(client, world, scene):
    sw = world.users[Role.SOCIAL_WORKER]
    client.force_login(sw)
    client.get(URL)
    logs = ReferralAccessLog.objects.filter(action="view_early_warning")
    assert sorted(logs.values_list("child__local_identifier", flat=True)) == [
        "EW-CONCERN",
        "EW-THREE",
        "EW-TWO",
    ]
    assert {(log.user_id, log.organisation_id, log.role, log.channel) for log in logs} == {
        (sw.pk, world.la.pk, Role.SOCIAL_WORKER, AccessChannel.WEB)
    }
    assert logs.first().action_label == "The stability early-warning list"


def test_an_iro_of_the_la_reads_it_too(client, world, scene):
    client.force_login(world.users[Role.IRO])
    assert listed(client.get(URL)) == ["EW-THREE", "EW-CONCERN", "EW-TWO"]


def test_another_las_child_is_neither_listed_nor_readable(client, world, scene):
    client.force_login(world.users[Role.SOCIAL_WORKER])
    assert "EW-FAR" not in listed(client.get(URL))
    detail = client.get(reverse("referrals:child_detail", args=[scene["far"].pk]))
    assert detail.status_code == 404
    other = MembershipFactory(organisation=world.other_la, role=Role.SOCIAL_WORKER).user
    client.force_login(other)
    assert listed(client.get(URL)) == ["EW-FAR"]


def test_roles_elsewhere_add_nothing(client, world, scene):
    """A social worker of this LA who is also a placement officer of the other RCC's hub, a
    commissioner of the other RCC and a referrals officer of the other LA's service sees only
    this LA's children (docs/adr/0006)."""
    person = world.users[Role.SOCIAL_WORKER]
    MembershipFactory(user=person, organisation=world.other_hub, role=Role.PLACEMENT_OFFICER)
    MembershipFactory(user=person, organisation=world.other_rcc, role=Role.COMMISSIONER)
    MembershipFactory(
        user=person, organisation=world.other_la_service, role=Role.PROVIDER_REFERRALS
    )
    client.force_login(person)
    response = client.get(URL)
    assert listed(response) == ["EW-THREE", "EW-CONCERN", "EW-TWO"]
    assert not response.context["many_las"]


def test_an_la_role_in_two_las_lists_both_with_a_filter(client, world, scene):
    person = world.users[Role.SOCIAL_WORKER]
    MembershipFactory(user=person, organisation=world.other_la, role=Role.IRO)
    client.force_login(person)
    response = client.get(URL)
    # Risk 6 each: EW-FAR's two moves and two unplanned endings come before EW-CONCERN's two
    # reviews (ties: more moves first).
    assert listed(response) == ["EW-THREE", "EW-FAR", "EW-CONCERN", "EW-TWO"]
    assert response.context["many_las"]
    assert listed(client.get(URL, {"la": world.other_la.pk})) == ["EW-FAR"]
    log = ReferralAccessLog.objects.filter(child=scene["far"]).first()
    assert (log.organisation_id, log.role) == (world.other_la.pk, Role.IRO)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"reason": "concerns"}, ["EW-CONCERN"]),
        ({"reason": "moves"}, ["EW-THREE", "EW-TWO"]),
        ({"min_moves": "3"}, ["EW-THREE"]),
        ({"age": "11-15"}, ["EW-TWO"]),
        ({"age": "5-10", "sort": "moves"}, ["EW-THREE", "EW-CONCERN"]),
        ({"q": "ew-t"}, ["EW-THREE", "EW-TWO"]),
        ({"sort": "identifier"}, ["EW-CONCERN", "EW-THREE", "EW-TWO"]),
        ({"sort": "-risk"}, ["EW-TWO", "EW-CONCERN", "EW-THREE"]),
        ({"sort": "concerns"}, ["EW-CONCERN", "EW-THREE", "EW-TWO"]),
        ({"sort": "since"}, ["EW-CONCERN", "EW-TWO", "EW-THREE"]),
    ],
)
def test_filters_and_sorting(client, world, scene, query, expected):
    client.force_login(world.users[Role.SOCIAL_WORKER])
    assert listed(client.get(URL, query)) == expected


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"min_moves": "lots"}, "Moves: enter a whole number, such as 2."),
        ({"min_moves": "-1"}, "Moves: enter a number from 0 to 50."),
        ({"age": "ancient"}, "Age: choose one of 0 to 4, 5 to 10, 11 to 15, 16 and over."),
        ({"reason": "luck"}, "Reason: choose moves or concerns."),
        ({"sort": "height"}, "Sort: use one of risk, moves, concerns, age, identifier, since"),
    ],
)
def test_bad_filters_say_which_and_keep_what_was_typed(client, world, scene, query, message):
    client.force_login(world.users[Role.SOCIAL_WORKER])
    response = client.get(URL, query)
    assert listed(response) == []
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    if "min_moves" in query:
        assert f'value="{query["min_moves"]}"' in page
    assert not ReferralAccessLog.objects.exists()
    api = client.get(API, query)
    assert api.status_code == 400
    (field,) = query
    assert message in api.json()["errors"][field][0]


def test_paging(client, world, scene):
    for n in range(26):
        history(
            ChildFactory(la=world.la, local_identifier=f"EW-MORE-{n:02d}"),
            (300, ""),
            (200, "PLACE"),
            (100, "PLACE"),
        )
    client.force_login(world.users[Role.SOCIAL_WORKER])
    first = client.get(URL)
    assert first.context["page_obj"].paginator.count == 29
    assert len(first.context["object_list"]) == 25
    second = client.get(URL, {"page": 2})
    assert len(second.context["object_list"]) == 4
    # Only the children shown are logged.
    assert ReferralAccessLog.objects.count() == 29


def test_csv_export(client, world, scene):
    client.force_login(world.users[Role.SOCIAL_WORKER])
    response = client.get(URL, {"reason": "moves", "export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:5] == [
        "Local identifier",
        "Local authority",
        "Age",
        "Risk score",
        "Moves in the last 12 months",
    ]
    assert [(r[0], r[3], r[4], r[9]) for r in rows[1:]] == [
        ("EW-THREE", "8", "3", "CARPL ALLEG"),
        ("EW-TWO", "4", "2", ""),
    ]
    logs = ReferralAccessLog.objects.all()
    assert {log.channel for log in logs} == {AccessChannel.EXPORT}
    assert logs.count() == 2
    assert client.get(URL, {"export": "pdf"}).status_code == 400


def test_api_lists_the_same_with_the_reasons(client, world, scene):
    client.force_login(world.users[Role.IRO])
    response = client.get(API, {"sort": "moves"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    first = body["results"][0]
    assert first["local_identifier"] == "EW-THREE"
    assert first["moves_last_12_months"] == 3
    assert first["unplanned_endings"] == ["CARPL", "ALLEG"]
    assert first["risk"] == 8
    assert first["reasons"][0].startswith("3 moves in the last 12 months")
    assert "EW-FAR" not in response.content.decode()
    assert set(ReferralAccessLog.objects.values_list("channel", flat=True)) == {AccessChannel.API}


def test_queries_do_not_grow_with_the_children(client, world, scene, django_assert_max_num_queries):
    client.force_login(world.users[Role.SOCIAL_WORKER])
    client.get(URL)
    with django_assert_max_num_queries(30) as first:
        client.get(URL)
    for n in range(10):
        history(ChildFactory(la=world.la), (300, ""), (200, "CARPL"), (100 - n, "PLACE"))
        concern(placement(world.la_service, world.la, start=ago(20)), 5)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(URL)
    assert response.context["page_obj"].paginator.count == 23


def test_the_social_workers_home_counts_the_list(client, world, scene):
    client.force_login(world.users[Role.SOCIAL_WORKER])
    home = client.get("/")
    items = {i.label: i for q in home.context["work"] for i in q["items"]}
    item = items["Children in care whose placements may be at risk"]
    assert item.count == 3
    assert client.get(item.href).context["page_obj"].paginator.count == 3
    sections = [s["href"] for s in home.context["sections"]]
    assert URL in sections
