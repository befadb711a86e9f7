"""The planning pages and API: built by reporting's runs into a planning snapshot, each section
read from it with a fixed number of queries, scoped by RCC, exported, and never mixed with the
dashboards' reports."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.roles import Role
from apps.planning import build as planning_build
from apps.planning.selectors import section_tables
from apps.reporting.build.facts import Facts
from apps.reporting.build.tables import COUNT, TEXT, Col, Table
from apps.reporting.choices import ReportKind, RunStatus
from apps.reporting.models import ReportSnapshot
from apps.reporting.selectors import dashboard_snapshot, sections
from apps.reporting.services import report_run_build_now
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _step(section: str, key: str, title: str):  # type: ignore[no-untyped-def]
    def step(facts: Facts) -> list[Table]:
        t = Table(key, title, section, [Col("la", "LA", TEXT), Col("n", "LAs in scope", COUNT)])
        t.add("All", len(facts.la_ids))
        planning_build.memo(facts, "summary", dict)[f"{key}_las"] = len(facts.la_ids)
        return [t]

    return step


@pytest.fixture
def steps(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(
        planning_build,
        "STEPS",
        [
            ("Forecast", _step("Demand forecast", "forecast_test", "Projected children")),
            ("Sufficiency", _step("Sufficiency", "suff_test", "Gap by need")),
        ],
    )


def _build(rcc):  # type: ignore[no-untyped-def]
    run = report_run_build_now(kind=ReportKind.PLANNING, rcc=rcc)
    assert run.status == RunStatus.DONE, run.error
    return ReportSnapshot.objects.get(run=run)


def test_each_section_page_shows_its_own_tables_from_the_snapshot(client, world, steps):
    snapshot = _build(world.rcc)
    assert snapshot.kind == ReportKind.PLANNING
    assert snapshot.summary == {"forecast_test_las": 1, "suff_test_las": 1}
    client.force_login(world.users[Role.COMMISSIONER])
    page = client.get(reverse("planning:rcc_section", args=[world.rcc.pk, "forecast"]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Projected children" in body and "Gap by need" not in body
    assert reverse("reporting:table_export", args=[snapshot.pk, "forecast_test"]) in body
    assert "Rebuild planning now" in body
    page = client.get(reverse("planning:rcc_section", args=[world.rcc.pk, "sufficiency"]))
    assert "Gap by need" in page.content.decode()
    # A table exports as CSV from the planning snapshot.
    csv = client.get(
        reverse("reporting:table_export", args=[snapshot.pk, "suff_test"]), {"export": "csv"}
    )
    assert csv.status_code == 200 and b"LAs in scope" in csv.content


def test_pages_say_when_nothing_is_built_and_refuse_unknown_sections(client, world, steps):
    client.force_login(world.users[Role.COMMISSIONER])
    page = client.get(reverse("planning:rcc_section", args=[world.rcc.pk, "forecast"]))
    assert "Planning has not been built" in page.content.decode()
    assert client.get(f"/planning/rcc/{world.rcc.pk}/everything/").status_code == 404
    api = client.get(reverse("api:planning-rcc-section", args=[world.rcc.pk, "forecast"]))
    assert api.status_code == 404 and "has not been built" in api.json()["detail"]


def test_another_rccs_planning_is_a_404_even_by_snapshot_id(client, world, steps):
    _build(world.rcc)
    other = _build(world.other_rcc)
    client.force_login(world.users[Role.COMMISSIONER])
    url = reverse("planning:rcc_section", args=[world.rcc.pk, "forecast"])
    assert client.get(url, {"snapshot": other.pk}).status_code == 404
    assert (
        client.get(
            reverse("planning:rcc_section", args=[world.other_rcc.pk, "forecast"])
        ).status_code
        == 404
    )
    assert client.get(reverse("planning:national_section", args=["forecast"])).status_code == 403


def test_a_person_with_two_memberships_reads_planning_only_through_the_commissioner_one(
    client, world, steps
):
    """A commissioner of one RCC who is also a placement officer at the other RCC's hub reads
    only the first RCC's planning: the hub role does not carry planning (docs/adr/0006)."""
    _build(world.rcc)
    _build(world.other_rcc)
    person = world.users[Role.COMMISSIONER]
    MembershipFactory(user=person, organisation=world.other_hub, role=Role.PLACEMENT_OFFICER)
    client.force_login(person)
    mine = reverse("planning:rcc_section", args=[world.rcc.pk, "forecast"])
    theirs = reverse("planning:rcc_section", args=[world.other_rcc.pk, "forecast"])
    assert client.get(mine).status_code == 200
    assert client.get(theirs).status_code == 404
    index = client.get(reverse("planning:index")).content.decode()
    assert world.rcc.name in index and world.other_rcc.name not in index


def test_the_national_pages_and_api_for_ncc_analysts(client, world, steps):
    national = _build(None)
    client.force_login(world.users[Role.NCC_ANALYST])
    page = client.get(reverse("planning:national_section", args=["sufficiency"]))
    assert page.status_code == 200 and "Gap by need" in page.content.decode()
    api = client.get(reverse("api:planning-national-section", args=["sufficiency"])).json()
    assert api["scope"] == "England" and api["snapshot"] == national.pk
    assert [t["key"] for t in api["tables"]] == ["suff_test"]
    assert api["tables"][0]["rows"] == [["All", 2]]


def test_pages_read_the_snapshot_with_the_same_number_of_queries(client, world, steps):
    _build(world.rcc)
    client.force_login(world.users[Role.NCC_ANALYST])
    url = reverse("planning:rcc_section", args=[world.rcc.pk, "forecast"])
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    _build(world.rcc)  # a second build: the old one is kept, the page reads the new one
    with CaptureQueriesContext(connection) as second:
        response = client.get(url)
    assert len(first) == len(second)
    assert len(response.context["choices"]) == 2


def test_dashboards_never_show_a_planning_snapshot(world, steps):
    _build(world.rcc)
    assert dashboard_snapshot(ReportSnapshot.objects.all(), rcc_id=world.rcc.pk) is None, (
        "the RCC dashboard fell back to the planning snapshot"
    )


def test_tables_keep_their_build_order_through_the_database(world, monkeypatch):
    """jsonb orders an object's keys shortest first: the pages must not."""
    first = _step("Demand forecast", "forecast_the_longest_key_of_all", "First table")
    second = _step("Demand forecast", "f_b", "Second table")
    monkeypatch.setattr(planning_build, "STEPS", [("One", first), ("Two", second)])
    snapshot = ReportSnapshot.objects.get(pk=_build(world.rcc).pk)
    titles = [t["title"] for t in section_tables(snapshot, "Demand forecast")]
    assert titles == ["First table", "Second table"]
    assert [s["name"] for s in sections(snapshot)] == ["Demand forecast"]
