"""Issue 8's "Done when", as a new user would try it: NCC staff start the quarterly report,
watch its progress, open the national dashboard, compare two RCCs, export a table, and publish
a bulletin whose public page shows suppressed small numbers. And a `make demo` user sees
dashboards already built from the demo data."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import Client
from django.urls import reverse

from apps.accounts.roles import Role
from apps.reporting.choices import ReportKind, RunStatus
from apps.reporting.models import Bulletin, ReportRun, ReportSnapshot
from apps.reporting.seeding import seed_reports
from tests.reporting.factories import PERIOD, placed


@pytest.mark.django_db(transaction=True)  # each request commits: the queued run is built
def test_ncc_staff_build_compare_export_and_publish(world):
    for org, la, code, n in (
        (world.la_service, world.la, "PR1", 2),
        (world.ifa, world.la, "PR4", 12),
        (world.other_la_service, world.other_la, "PR1", 9),
        (world.other_ifa, world.other_la, "PR4", 14),
    ):
        for _ in range(n):
            placed(org, la, code=code, miles=8)
    analyst = Client()
    analyst.force_login(world.users[Role.NCC_ANALYST])

    # Start the quarterly report.
    form = analyst.get(reverse("reporting:index"))
    assert "Build a report now" in form.content.decode()
    response = analyst.post(
        reverse("reporting:run_create"),
        {
            "kind": ReportKind.NCC_QUARTERLY,
            "rcc": "",
            "period_start": PERIOD.start,
            "period_end": PERIOD.end,
        },
    )
    run = ReportRun.objects.get(kind=ReportKind.NCC_QUARTERLY)
    assert response.status_code == 302 and response["Location"] == reverse(
        "reporting:run_detail", args=[run.pk]
    )

    # Watch its progress: the page carries the panel the browser polls.
    page = analyst.get(response["Location"]).content.decode()
    assert 'id="run-progress"' in page
    panel = analyst.get(reverse("reporting:run_progress", args=[run.pk])).content.decode()
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and 'value="100"' in panel
    link = re.search(r'href="([^"]+)">Open the report<', panel)
    assert link

    # Open the national dashboard, and compare two RCCs.
    dashboard = analyst.get(link.group(1).replace("&amp;", "&"))
    assert dashboard.status_code == 200
    snapshot = ReportSnapshot.objects.get(run=run)
    compared = analyst.get(
        reverse("reporting:national"),
        {"snapshot": snapshot.pk, "a": world.rcc.name, "b": world.other_rcc.name},
    )
    html = compared.content.decode()
    assert f"{world.rcc.name} and {world.other_rcc.name}" in html
    own = next(r for r in compared.context["comparison"]["rows"] if r["label"] == "Own LA (PR1)")
    assert (own["a"], own["b"]) == (14.3, 39.1)

    # Export a table.
    export = analyst.get(
        reverse("reporting:table_export", args=[snapshot.pk, "rcc_side_by_side"]), {"export": "csv"}
    )
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0][0] == "RCC" and {r[0] for r in rows[1:]} == {
        world.rcc.name,
        world.other_rcc.name,
        "England",
    }

    # Write and publish a bulletin; its public page shows the small number suppressed.
    created = analyst.post(
        reverse("reporting:bulletin_create"),
        {
            "title": "Placements in the quarter",
            "summary": "Where children were placed.",
            "body": "Placements by RCC.",
            "snapshot": snapshot.pk,
            "table_keys": ["pub_placements_route"],
            "rounding": 1,
        },
    )
    bulletin = Bulletin.objects.get()
    assert created.status_code == 302
    preview = analyst.get(reverse("reporting:bulletin_detail", args=[bulletin.pk])).content.decode()
    assert "cells suppressed" in preview or "cell suppressed" in preview
    analyst.post(reverse("reporting:bulletin_publish", args=[bulletin.pk]))
    public = Client().get(reverse("public:bulletin", args=[bulletin.slug]))
    text = public.content.decode()
    assert public.status_code == 200
    row = re.search(rf"{re.escape(world.rcc.name)}</th>(.*?)</tr>", text, re.S)
    assert row and row.group(1).count('aria-hidden="true">c</span>') >= 2  # the 2, and one more


@pytest.mark.django_db
def test_a_demo_user_sees_dashboards_already_built(world):
    placed(world.ifa, world.la)
    summary = seed_reports()
    # dashboards (2 RCCs, England), months, the quarter, planning (2 RCCs, England)
    assert not summary.failed and summary.built == 2 + 1 + 2 + 1 + 2 + 1
    commissioner = Client()
    commissioner.force_login(world.users[Role.COMMISSIONER])
    page = commissioner.get(
        reverse("reporting:rcc_dashboard", args=[world.rcc.pk])
    ).content.decode()
    assert "Dashboard refresh" in page and "No report has been built" not in page
    analyst = Client()
    analyst.force_login(world.users[Role.NCC_ANALYST])
    assert "Every RCC side by side" in analyst.get(reverse("reporting:national")).content.decode()
    assert summary.bulletin  # and the public site has a bulletin
