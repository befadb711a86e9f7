"""An LA's SSDA903 return from the database: the LA's identifiers (at most 10 characters),
Header rows, URN and full postcodes, legal status history, care history; the page, downloads and
API scoped to the LA and the hub (others' files are a 404), read-logged; and the placements
list export's REC column."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest
from django.urls import reverse

from apps.accounts.roles import Role
from apps.organisations.models import Organisation
from apps.providers.models import Provider
from apps.referrals.choices import ReferralStatus, TargetStatus
from apps.referrals.models import (
    CareEpisode,
    Child,
    LegalStatusChange,
    Placement,
    ReferralAccessLog,
)
from apps.referrals.ssda903 import EPISODE_COLUMNS, HEADER_COLUMNS
from apps.reporting.ssda903.files import return_build
from tests.factories import MembershipFactory, user_with_role
from tests.monitoring.factories import placement as monitoring_placement
from tests.monitoring.factories import provider_of
from tests.providers.factories import HouseholdFactory, VacancyFactory
from tests.referrals.placing_factories import (
    OfferFactory,
    ReferralTargetFactory,
    SentReferralFactory,
)

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = D(2026, 12, 4)
HOME, CARERS = "M14 5AB", "SK4 1AA"


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)


def first(provider_org: Organisation, la: Organisation, **kw) -> Placement:
    ident = kw.pop("ident", None)
    p = monitoring_placement(provider_org, la, **kw)
    Placement.objects.filter(pk=p.pk).update(
        provider_urn="SC123456", home_postcode=HOME, placement_postcode=CARERS
    )
    if ident:
        Child.objects.filter(pk=p.child_id).update(local_identifier=ident)
    p.refresh_from_db()
    return p


def then(prev: Placement, provider_org: Organisation, *, start, end=None, reason="", **kw):
    """Another placement of the same child (a new referral, offer and place)."""
    provider = Provider.objects.filter(organisation=provider_org).first() or provider_of(
        provider_org
    )
    household = kw.pop("household", None) or HouseholdFactory(provider=provider)
    referral = SentReferralFactory(child=prev.child, status=ReferralStatus.PLACED)
    target = ReferralTargetFactory(
        referral=referral, household=household, status=TargetStatus.OFFERED
    )
    vacancy = VacancyFactory(household=household, status="filled")
    offer = OfferFactory(target=target, vacancy=vacancy, status="accepted")
    return Placement.objects.create(
        referral=referral,
        child=prev.child,
        offer=offer,
        vacancy=vacancy,
        household=household,
        provider=household.provider,
        la=prev.la,
        rcc=referral.rcc,
        placement_type="U4",
        placement_provider="PR4",
        start_date=start,
        end_date=end,
        reason_ended=reason,
        provider_urn="SC654321",
        home_postcode=HOME,
        placement_postcode="OL1 1AA",
        booked_by=offer.made_by,
        **kw,
    )


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def built(la, year=2025, children=None):
    return return_build(la=la, year=year, children=children or Child.objects.all(), today=TODAY)


def test_the_files_are_in_the_las_identifiers_with_urn_and_full_postcodes(world):
    p = first(world.ifa, world.la, start=D(2025, 5, 1), ident="ABC123")
    first(world.other_ifa, world.other_la, start=D(2025, 5, 1))  # another LA: not in it
    result = built(world.la)
    header, episodes = rows(result.header_csv()), rows(result.episodes_csv())
    assert tuple(header[0]) == HEADER_COLUMNS and tuple(episodes[0]) == EPISODE_COLUMNS
    child = p.child
    assert header == [
        {
            "CHILD": "ABC123",
            "SEX": child.sex,
            "DOB": child.date_of_birth.strftime("%d/%m/%Y"),
            "ETHNIC": child.ethnicity,
            "UPN": "",
            "MOTHER": "",
            "MC_DOB": "",
        }
    ]
    (row,) = episodes
    assert row["CHILD"] == "ABC123" and child.case_system_id not in result.episodes_csv()
    assert (row["DECOM"], row["RNE"], row["LS"], row["DEC"], row["REC"]) == (
        "01/05/2025",
        "S",
        "C2",
        "",
        "",
    )
    assert (row["HOME_POST"], row["PL_POST"], row["URN"]) == (HOME, CARERS, "SC123456")
    assert result.attention == []
    with zipfile.ZipFile(io.BytesIO(result.zip_bytes())) as archive:
        assert sorted(archive.namelist()) == sorted(
            [result.filename("header"), result.filename("episodes")]
        )


def test_the_urn_falls_back_to_the_providers_and_missing_postcodes_are_listed(world):
    world.la_service.ofsted_urn = "SC777777"
    world.la_service.save()
    p = monitoring_placement(world.la_service, world.la, start=D(2025, 5, 1))
    (row,) = built(world.la).episodes
    assert row["URN"] == "SC777777"
    whats = [a.what for a in built(world.la).attention]
    assert "no home postcode (HOME_POST)" in whats and "no placement postcode (PL_POST)" in whats
    Child.objects.filter(pk=p.child_id).update(home_postcode=HOME)
    assert built(world.la).episodes[0]["HOME_POST"] == HOME  # the child's, when not at booking


def test_a_child_whose_identifier_is_longer_than_ten_characters_is_left_out_and_listed(world):
    first(world.ifa, world.la, start=D(2025, 5, 1), ident="ABCDEFGHIJK")
    first(world.ifa, world.la, start=D(2025, 5, 1), ident="ABCDEFGHIJ")
    result = built(world.la)
    assert [r["CHILD"] for r in result.header] == ["ABCDEFGHIJ"]
    assert [r["CHILD"] for r in result.episodes] == ["ABCDEFGHIJ"]
    (note,) = result.attention
    assert note.child == "ABCDEFGHIJK" and "shorter identifier" in note.what


def test_repeat_placements_same_day_move_gap_and_leaving_care(world):
    a = first(world.ifa, world.la, start=D(2025, 5, 1), end=D(2025, 7, 1), reason="CARPL")
    then(
        a, world.ifa, start=D(2025, 7, 1), end=D(2025, 9, 1), reason="PLACE", left_care_reason="E4B"
    )
    then(
        a,
        world.ifa,
        start=D(2025, 11, 1),
        end=D(2026, 1, 10),
        reason="OTHER",
        left_care_reason="E13",
    )
    got = [
        (r["DECOM"], r["RNE"], r["DEC"], r["REC"], r["REASON_PLACE_CHANGE"])
        for r in built(world.la).episodes
    ]
    assert got == [
        ("01/05/2025", "S", "01/07/2025", "X1", "CARPL"),
        ("01/07/2025", "T", "01/09/2025", "E4B", ""),
        ("01/11/2025", "S", "10/01/2026", "E13", ""),
    ]


def test_an_ended_placement_with_no_next_and_no_reason_is_not_x1_and_is_listed(world):
    first(world.ifa, world.la, start=D(2025, 5, 1), end=D(2025, 7, 1), reason="CARPL")
    result = built(world.la)
    (row,) = result.episodes
    assert (row["DEC"], row["REC"]) == ("01/07/2025", "")
    assert any("reason the child left care" in a.what for a in result.attention)


def test_legal_status_history_and_care_history_are_read(world):
    p = first(world.ifa, world.la, start=D(2025, 5, 1))
    LegalStatusChange.objects.create(child=p.child, legal_status="C1", start_date=D(2025, 1, 2))
    LegalStatusChange.objects.create(child=p.child, legal_status="C2", start_date=D(2025, 8, 1))
    CareEpisode.objects.create(
        child=p.child,
        start_date=D(2025, 1, 2),
        end_date=D(2025, 5, 1),
        new_episode_reason="S",
        legal_status="C1",
        category_of_need="N1",
        placement_type="U6",
        placement_provider="PR1",
        reason_ended="X1",
        reason_place_change="PLACE",
        home_postcode=HOME,
        placement_postcode="M1 1AA",
        urn="SC111111",
        source="imported",
    )
    got = [
        (r["DECOM"], r["RNE"], r["LS"], r["CIN"], r["DEC"], r["REC"], r["URN"])
        for r in built(world.la).episodes
    ]
    assert got == [
        ("02/01/2025", "S", "C1", "N1", "01/05/2025", "X1", "SC111111"),
        ("01/05/2025", "T", "C1", "", "01/08/2025", "X1", "SC123456"),
        ("01/08/2025", "L", "C2", "", "", "", "SC123456"),
    ]
    # the next year: only the episode still open, continuing the legal status change
    assert [(r["DECOM"], r["RNE"]) for r in built(world.la, 2026).episodes] == [("01/08/2025", "L")]


def test_a_placement_starting_in_the_future_has_not_happened(world):
    first(world.ifa, world.la, start=TODAY + dt.timedelta(days=3))
    assert built(world.la, 2026).episodes == []


# --- the page, downloads and API -------------------------------------------------------------


def _page(la, year=2025):
    return reverse("reporting:ssda903") + f"?la={la.pk}&year={year}"


def _file(la, part="episodes", year=2025):
    return reverse("reporting:ssda903_file", args=[la.pk, year, part])


def _api(la, part=None, year=2025):
    if part:
        return reverse("api:ssda903-file", args=[la.pk, year, part])
    return reverse("api:ssda903-return", args=[la.pk, year])


def test_the_las_social_worker_downloads_its_own_las_files_only(client, world):
    p = first(world.ifa, world.la, start=D(2025, 5, 1), ident="KID1")
    client.force_login(world.users[Role.SOCIAL_WORKER])
    page = client.get(_page(world.la))
    assert page.status_code == 200 and b"KID1" not in page.content  # nothing needs attention
    assert b"Download the Episodes" in page.content and b"MC_DOB" in page.content
    response = client.get(_file(world.la))
    assert response.status_code == 200
    assert rows(response.content.decode())[0]["CHILD"] == "KID1"
    assert client.get(_file(world.la, "header")).status_code == 200
    assert client.get(_file(world.la, "zip"))["Content-Type"] == "application/zip"
    log = ReferralAccessLog.objects.filter(child=p.child, action="ssda903_episodes").get()
    assert log.channel == "export" and log.organisation_id == world.la.pk
    for url in (_page(world.other_la), _file(world.other_la), _file(world.la, "other")):
        assert client.get(url).status_code == 404, url
    assert client.get(_file(world.la, year=2030)).status_code == 404
    assert b"collection year that has started" in client.get(_page(world.la, 2030)).content


def test_the_hub_downloads_each_la_of_its_rcc_with_the_children_referred_to_it(client, world):
    mine = first(world.ifa, world.la, start=D(2025, 5, 1), ident="HUB1")
    # a child of the same LA the hub never placed (care history the LA imported)
    other = Child.objects.create(
        la=world.la,
        local_identifier="LAONLY",
        date_of_birth=D(2015, 1, 1),
        sex="M",
        ethnicity="WBRI",
        legal_status="C2",
        created_by=mine.booked_by,
    )
    CareEpisode.objects.create(
        child=other,
        start_date=D(2025, 6, 1),
        new_episode_reason="S",
        legal_status="C2",
        placement_type="U4",
        placement_provider="PR1",
        source="imported",
    )
    client.force_login(world.users[Role.PLACEMENT_OFFICER])
    assert [r["CHILD"] for r in rows(client.get(_file(world.la)).content.decode())] == ["HUB1"]
    assert client.get(_file(world.other_la)).status_code == 404
    client.force_login(world.users[Role.SOCIAL_WORKER])
    assert sorted(r["CHILD"] for r in rows(client.get(_file(world.la)).content.decode())) == [
        "HUB1",
        "LAONLY",
    ]


@pytest.mark.parametrize(
    "role",
    [
        Role.COMMISSIONER,
        Role.SCRUTINEER,
        Role.PROVIDER_REFERRALS,
        Role.PROVIDER_DATA,
        Role.NCC_ANALYST,
        Role.ADMINISTRATOR,
        Role.IRO,
    ],
)
def test_other_roles_may_not(client, world, role):
    client.force_login(world.users[role])
    for url in (reverse("reporting:ssda903"), _file(world.la), _api(world.la)):
        assert client.get(url).status_code == 403, url


def test_anonymous_is_sent_to_sign_in(client, world):
    assert client.get(_file(world.la)).status_code == 302
    assert client.get(_api(world.la)).status_code in (401, 403)


def test_two_roles_in_two_organisations_never_combine(client, world):
    # A social worker in the other LA who is also a commissioner of this RCC: only the other LA.
    person = user_with_role(Role.SOCIAL_WORKER, world.other_la)
    MembershipFactory(user=person, organisation=world.rcc, role=Role.COMMISSIONER)
    first(world.ifa, world.la, start=D(2025, 5, 1))
    first(world.other_ifa, world.other_la, start=D(2025, 5, 1), ident="OTHER1")
    client.force_login(person)
    assert client.get(_file(world.la)).status_code == 404
    assert rows(client.get(_file(world.other_la)).content.decode())[0]["CHILD"] == "OTHER1"
    listed = client.get(reverse("api:ssda903-list")).json()
    assert [x["la"] for x in listed] == [world.other_la.pk]
    # A placement officer of one hub who is a social worker in the other RCC's LA: both LAs,
    # each through its own membership.
    both = user_with_role(Role.PLACEMENT_OFFICER, world.hub)
    MembershipFactory(user=both, organisation=world.other_la, role=Role.SOCIAL_WORKER)
    client.force_login(both)
    assert client.get(_file(world.la)).status_code == 200
    assert client.get(_file(world.other_la)).status_code == 200


def test_the_api_gives_the_notes_and_the_files(client, world):
    p = first(
        world.ifa, world.la, start=D(2025, 5, 1), end=D(2025, 6, 1), reason="CARPL", ident="API1"
    )
    client.force_login(world.users[Role.SOCIAL_WORKER])
    listed = client.get(reverse("api:ssda903-list")).json()
    assert listed == [
        {
            "la": world.la.pk,
            "name": world.la.name,
            "dfe_la_code": world.la.dfe_la_code,
            "years": [2026, 2025],
        }
    ]
    data = client.get(_api(world.la)).json()
    assert (data["children"], data["episodes"], data["collection_year"]) == (1, 1, "2025-26")
    assert {f["field"] for f in data["blank_fields"]} >= {"UPN", "MOTHER", "MC_DOB", "CIN"}
    assert data["attention"][0]["child"] == "API1"
    assert data["files"]["zip"].endswith(_api(world.la, "zip"))
    csv_text = client.get(_api(world.la, "episodes")).content.decode()
    assert rows(csv_text)[0]["CHILD"] == "API1"
    assert ReferralAccessLog.objects.filter(child=p.child, channel="api").count() == 1
    assert client.get(_api(world.other_la)).status_code == 404
    assert client.get(_api(world.la, year=2030)).status_code == 404


# --- the RCC-wide placements list export ---------------------------------------------------------


def test_the_placements_export_rec_column_holds_rec(client, world):
    moved = first(world.ifa, world.la, start=D(2025, 5, 1), end=D(2025, 7, 1), reason="CARPL")
    then(moved, world.ifa, start=D(2025, 7, 1))
    left = first(world.ifa, world.la, start=D(2025, 5, 2), end=D(2025, 7, 2), reason="PLACE")
    Placement.objects.filter(pk=left.pk).update(left_care_reason="E4A")
    unknown = first(world.ifa, world.la, start=D(2025, 5, 3), end=D(2025, 7, 3), reason="CARPL")
    client.force_login(world.users[Role.PLACEMENT_OFFICER])
    response = client.get(reverse("referrals:placement_list"), {"export": "csv"})
    by_start = {r["DECOM"]: r for r in rows(response.content.decode())}
    assert (by_start["01/05/2025"]["REC"], by_start["01/05/2025"]["REASON_PLACE_CHANGE"]) == (
        "X1",
        "CARPL",
    )
    assert (by_start["02/05/2025"]["REC"], by_start["02/05/2025"]["REASON_PLACE_CHANGE"]) == (
        "E4A",
        "",
    )
    assert by_start["03/05/2025"]["REC"] == "" and unknown.reason_ended == "CARPL"
    assert by_start["01/07/2025"]["REC"] == ""  # still running
    assert by_start["01/05/2025"]["URN"] == "SC123456"


# --- child-level stability in the reports reads care history ----------------------------------


def test_placements_per_child_count_the_care_history(world):
    from apps.reporting.build.facts import Facts
    from apps.reporting.build.measures import moves_per_child
    from apps.reporting.periods import Period

    a = first(world.ifa, world.la, start=D(2025, 6, 1), end=D(2025, 8, 1), reason="CARPL")
    then(a, world.ifa, start=D(2025, 8, 1))
    CareEpisode.objects.create(  # before the platform: imported, in the year
        child=a.child,
        start_date=D(2025, 4, 10),
        end_date=D(2025, 6, 1),
        new_episode_reason="S",
        legal_status="C2",
        placement_type="U4",
        placement_provider="PR1",
        reason_ended="X1",
        source="imported",
    )
    CareEpisode.objects.create(  # the LA's own record of the platform placement: not counted
        child=a.child,
        start_date=D(2025, 6, 2),
        end_date=D(2025, 7, 1),
        new_episode_reason="P",
        legal_status="C2",
        placement_type="U4",
        placement_provider="PR4",
        source="imported",
    )
    first(world.ifa, world.la, start=D(2025, 5, 1))
    facts = Facts(period=Period(D(2025, 4, 1), D(2026, 3, 31)), rcc_id=world.rcc.pk, today=TODAY)
    table = moves_per_child(facts)
    assert table.rows == [
        [world.la.name, 2, 1, 0, 1, 50.0],
        ["All", 2, 1, 0, 1, 50.0],
    ]


# --- the export_903 command ----------------------------------------------------------------------


def test_export_903_writes_each_las_files_and_refuses_bad_input(world, tmp_path):
    import json

    from django.core.management import call_command
    from django.core.management.base import CommandError

    first(world.ifa, world.la, start=D(2025, 5, 1), ident="CMD1")
    call_command("export_903", "--la", world.la.dfe_la_code, "--year", "2025", "--out", tmp_path)
    folder = tmp_path / f"{world.la.dfe_la_code}-2025"
    info = json.loads((folder / "info.json").read_text())
    assert (info["gss_code"], info["collection_year"], info["episodes"]) == (
        world.la.gss_code,
        2026,
        1,
    )
    assert rows((folder / "episodes.csv").read_text())[0]["CHILD"] == "CMD1"
    assert rows((folder / "header.csv").read_text())[0]["CHILD"] == "CMD1"
    with pytest.raises(CommandError, match="no LA with DfE code 999"):
        call_command("export_903", "--la", "999", "--out", tmp_path)
    with pytest.raises(CommandError, match="--year 2030"):
        call_command("export_903", "--year", "2030", "--out", tmp_path)
