"""Simulated years on the pages, the API and the command line: starting one (run in this
process without a broker), its results and chart, the CSV, the form's errors, scoping of runs
(another RCC's or England's run is a 404), a person with memberships in two organisations, and
the list's queries."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.planning.models import SimulationRun
from apps.planning.services import simulation_run_request, simulation_runs_sweep
from apps.planning.simulation import POLICIES, POLICY_LABELS, simulate_year
from tests.factories import MembershipFactory, user_with_role
from tests.planning.simulation_support import IFA, child, home, make_cohort, simulation_input

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(world):
    return make_cohort(world)


def done_run(rcc, **fields):
    data = simulation_input([home(1, IFA, "M14")], [child("a")])
    return SimulationRun.objects.create(
        policy=fields.pop("policy", "all"),
        seed=fields.pop("seed", 1),
        rcc=rcc,
        status="done",
        finished_at=timezone.now(),
        inputs=data.describe(),
        results=simulate_year(data, POLICIES, seed=1),
        **fields,
    )


def signed_in(client, user):
    client.force_login(user)
    return client


def test_a_commissioner_starts_a_year_and_reads_the_comparison_and_the_csv(
    client, world, cohort, django_capture_on_commit_callbacks
):
    commissioner = world.users[Role.COMMISSIONER]
    signed_in(client, commissioner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("planning:simulation_create"),
            {"policy": "all", "seed": "2", "rcc": world.rcc.pk},
        )
    run = SimulationRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("planning:simulation_detail", args=[run.pk])
    assert (run.status, run.progress, run.requested_by) == ("done", 100, commissioner)
    assert run.inputs["children"] == 3 and run.inputs["arrivals"] == "entries"
    assert set(run.results) == set(POLICIES)

    page = client.get(reverse("planning:simulation_detail", args=[run.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert f"{world.rcc.name}: the year under each policy" in text
    for label in POLICY_LABELS.values():
        assert label in text
    assert 'data-chart="chart-sim_comparison"' in text
    assert "hx-get" not in text  # done: no more polling

    download = client.get(reverse("planning:simulation_export", args=[run.pk]), {"export": "csv"})
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0][:4] == ["For", "Policy", "Children arriving", "Placed"]
    assert [r[1] for r in rows[1:]] == [POLICY_LABELS[p] for p in POLICIES]
    assert all(r[0] == world.rcc.name and r[2] == "3" for r in rows[1:])
    xlsx = client.get(
        reverse("planning:simulation_export", args=[run.pk]),
        {"export": "xlsx", "table": "sim_comparison"},
    )
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    missing = client.get(
        reverse("planning:simulation_export", args=[run.pk]), {"table": "sim_nothing"}
    )
    assert missing.status_code == 404


def test_englands_year_shows_every_rcc_side_by_side(client, world, cohort):
    signed_in(client, world.users[Role.NCC_ANALYST])
    run = done_run(None)
    text = client.get(reverse("planning:simulation_detail", args=[run.pk])).content.decode()
    assert "England: the year under each policy" in text
    assert "Each RCC&#x27;s children under each policy" in text


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"policy": "all", "seed": "abc"}, "seed", "Enter the seed as a whole number, like 1."),
        ({"policy": "all", "seed": "-1"}, "seed", "The seed must be 0 or more."),
        ({"seed": "4"}, "policy", "Choose a policy, or all three."),
        ({"policy": "in-house-only", "seed": "4"}, "policy", "Select a valid choice."),
        ({"policy": "batch", "seed": "4", "rcc": ""}, "rcc", "Choose your RCC."),
        ({"policy": "batch", "seed": "4", "rcc": "OTHER"}, "rcc", "Choose one of the RCCs listed."),
    ],
)
def test_the_form_names_the_field_at_fault_and_keeps_what_was_typed(
    client, world, data, field, message
):
    signed_in(client, world.users[Role.COMMISSIONER])
    data = {"rcc": world.rcc.pk, **data}
    if data["rcc"] == "OTHER":
        data["rcc"] = world.other_rcc.pk
    response = client.post(reverse("planning:simulation_create"), data)
    text = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].errors[field][0].startswith(message)
    assert 'class="govuk-error-summary"' in text
    assert f'href="#id_{field}' in text
    if field == "seed":
        assert f'value="{data["seed"]}"' in text
    assert not SimulationRun.objects.exists()


def test_a_commissioner_cannot_start_englands_year(world):
    commissioner = world.users[Role.COMMISSIONER]
    with pytest.raises(Exception, match="Only NCC analysts"):
        simulation_run_request(policy="all", seed=1, rcc=None, by=commissioner)
    with pytest.raises(Exception, match="only your own RCC"):
        simulation_run_request(policy="all", seed=1, rcc=world.other_rcc, by=commissioner)
    assert not SimulationRun.objects.exists()


def test_runs_are_scoped_another_rccs_or_englands_run_is_a_404(client, world):
    mine, theirs, england = done_run(world.rcc), done_run(world.other_rcc), done_run(None)
    signed_in(client, world.users[Role.COMMISSIONER])
    for name in ("simulation_detail", "simulation_progress", "simulation_export"):
        assert client.get(reverse(f"planning:{name}", args=[mine.pk])).status_code == 200
        for hidden in (theirs, england):
            assert client.get(reverse(f"planning:{name}", args=[hidden.pk])).status_code == 404
    listed = client.get(reverse("planning:simulations")).context["object_list"]
    assert [r.pk for r in listed] == [mine.pk]
    api = client.get(reverse("api:simulation-run-list"), HTTP_ACCEPT="application/json").json()
    assert [r["id"] for r in api["results"]] == [mine.pk]
    detail = client.get(
        reverse("api:simulation-run-detail", args=[theirs.pk]), HTTP_ACCEPT="application/json"
    )
    assert detail.status_code == 404

    signed_in(client, world.users[Role.NCC_ANALYST])
    listed = client.get(reverse("planning:simulations")).context["object_list"]
    assert {r.pk for r in listed} == {mine.pk, theirs.pk, england.pk}
    only_england = client.get(reverse("planning:simulations"), {"scope": "national"})
    assert [r.pk for r in only_england.context["object_list"]] == [england.pk]


def test_a_commissioner_here_and_a_placement_officer_there_sees_only_this_rccs_runs(client, world):
    person = user_with_role(Role.COMMISSIONER, world.rcc)
    MembershipFactory(user=person, organisation=world.other_hub, role=Role.PLACEMENT_OFFICER)
    MembershipFactory(user=person, organisation=world.other_rcc, role=Role.SCRUTINEER)
    mine, theirs = done_run(world.rcc), done_run(world.other_rcc)
    signed_in(client, person)
    assert client.get(reverse("planning:simulation_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("planning:simulation_detail", args=[theirs.pk])).status_code == 404
    listed = client.get(reverse("planning:simulations")).context["object_list"]
    assert [r.pk for r in listed] == [mine.pk]
    form = client.get(reverse("planning:simulation_create")).context["form"]
    assert list(form.fields["rcc"].queryset) == [world.rcc]


def test_the_api_starts_a_run_and_explains_bad_input(client, world):
    signed_in(client, world.users[Role.COMMISSIONER])
    url = reverse("api:simulation-run-list")
    bad = client.post(url, {"policy": "all", "seed": "x", "rcc": world.rcc.pk})
    assert bad.status_code == 400 and "seed" in bad.json()["errors"]
    national = client.post(url, {"policy": "all", "seed": 1})
    assert national.status_code == 403
    made = client.post(url, {"policy": "batch", "seed": 9, "rcc": world.rcc.pk})
    assert made.status_code == 201 and made.json()["status"] == "queued"
    again = client.post(url, {"policy": "batch", "seed": 9, "rcc": world.rcc.pk})
    assert again.status_code == 200 and again.json()["id"] == made.json()["id"]
    run = done_run(world.rcc)
    detail = client.get(reverse("api:simulation-run-detail", args=[run.pk])).json()
    assert detail["results"]["needs-first"]["summary"]["children"] == 1
    assert detail["scope"] == world.rcc.name


def test_the_list_reads_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    signed_in(client, world.users[Role.NCC_ANALYST])
    done_run(world.rcc)
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("planning:simulations"))
    for seed in range(2, 12):
        done_run(world.other_rcc if seed % 2 else None, seed=seed)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("planning:simulations"))
    assert len(response.context["object_list"]) == 11


def test_the_progress_panel_polls_while_the_run_is_going(client, world):
    signed_in(client, world.users[Role.COMMISSIONER])
    run = SimulationRun.objects.create(
        policy="batch", seed=1, rcc=world.rcc, status="running", progress=40, step="Batch: day 90"
    )
    panel = client.get(reverse("planning:simulation_progress", args=[run.pk]))
    text = panel.content.decode()
    assert "hx-get" in text and "Progress: 40%" in text and "Batch: day 90" in text
    assert panel["Cache-Control"] == "no-store"


def test_a_run_whose_worker_stopped_is_failed_by_the_sweeper(world):
    long_ago = timezone.now() - dt.timedelta(hours=2)
    run = SimulationRun.objects.create(
        policy="all", seed=1, rcc=world.rcc, status="running", heartbeat_at=long_ago
    )
    assert simulation_runs_sweep()["failed"] == 1
    run.refresh_from_db()
    assert run.status == "failed" and "stopped" in run.error


def test_a_run_with_nothing_to_draw_from_fails_with_the_reason(
    client, world, django_capture_on_commit_callbacks
):
    signed_in(client, world.users[Role.NCC_ANALYST])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("planning:simulation_create"), {"policy": "all", "seed": "1"})
    run = SimulationRun.objects.get()
    assert run.status == "failed" and "care history" in run.error
    page = client.get(reverse("planning:simulation_detail", args=[run.pk])).content.decode()
    assert "The simulation did not finish" in page


def test_the_command_prints_the_table_keeps_the_run_and_writes_the_csv(world, cohort, tmp_path):
    out = io.StringIO()
    path = tmp_path / "year.csv"
    call_command(
        "simulate_year",
        "--policy",
        "all",
        "--seed",
        "3",
        "--rcc",
        world.rcc.name.upper(),
        "--csv",
        str(path),
        stdout=out,
        verbosity=0,
    )
    text = out.getvalue()
    run = SimulationRun.objects.get()
    assert (run.status, run.seed, run.rcc, run.requested_by) == ("done", 3, world.rcc, None)
    assert "Needs met at their level" in text and "needs-first" in text
    assert f"Kept as simulation run {run.pk}." in text
    rows = list(csv.reader(path.open(encoding="utf-8")))
    assert len(rows) == 1 + len(POLICIES)

    with pytest.raises(CommandError, match="--rcc: no RCC called 'Nowhere'"):
        call_command("simulate_year", "--rcc", "Nowhere", verbosity=0)
