"""The report pages: read from the snapshot with a constant number of queries, progress that
polls only while a run is active, exports (CSV, XLSX, PDF, SSDA903), filters and comparison."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from apps.accounts.roles import Role
from apps.referrals.models import Child, Placement
from apps.referrals.ssda903 import EPISODE_COLUMNS
from apps.reporting.choices import ReportKind, RunStatus
from apps.reporting.models import ReportRun
from apps.reporting.ssda903.analysis import child_pseudonym
from tests.factories import LocalAuthorityFactory, RccFactory, RccMembershipFactory
from tests.reporting.factories import PERIOD, built, placed

pytestmark = pytest.mark.django_db


def login(client, world, role):
    client.force_login(world.users[role])
    return client


def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx)


def test_dashboards_render_from_the_snapshot_with_a_constant_number_of_queries(client, world):
    placed(world.ifa, world.la)
    built(ReportKind.RCC_MONTHLY, world.rcc)
    built(ReportKind.NCC_QUARTERLY, None)
    login(client, world, Role.NCC_ANALYST)
    rcc_url = reverse("reporting:rcc_dashboard", args=[world.rcc.pk])
    national_url = reverse("reporting:national")
    before = (queries(client, rcc_url), queries(client, national_url))

    for n in range(3):  # more RCCs and more placements: more rows, not more queries
        rcc = RccFactory()
        la = LocalAuthorityFactory()
        RccMembershipFactory(rcc=rcc, la=la)
        for _ in range(n + 2):
            placed(world.ifa, la)
    placed(world.la_service, world.la, code="PR1")
    built(ReportKind.RCC_MONTHLY, world.rcc)
    built(ReportKind.NCC_QUARTERLY, None)
    after = (queries(client, rcc_url), queries(client, national_url))
    assert after == before
    page = client.get(national_url).content.decode()
    assert page.count('data-chart="chart-') >= 5 and "Every RCC side by side" in page


def test_the_progress_panel_polls_every_2_seconds_only_while_the_run_is_active(client, world):
    run = ReportRun.objects.create(
        kind=ReportKind.RCC_MONTHLY,
        rcc=world.rcc,
        period_start=PERIOD.start,
        period_end=PERIOD.end,
        status=RunStatus.RUNNING,
        progress=40,
        step="Supply",
        heartbeat_at=timezone.now(),
    )
    login(client, world, Role.COMMISSIONER)
    url = reverse("reporting:run_progress", args=[run.pk])
    panel = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in panel and f'hx-get="{url}"' in panel
    assert 'value="40"' in panel and "Supply" in panel
    ReportRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE, progress=100, finished_at=timezone.now()
    )
    done = client.get(url).content.decode()
    assert "hx-trigger" not in done and "Done" in done
    page = client.get(reverse("reporting:run_detail", args=[run.pk])).content.decode()
    assert 'id="run-progress"' in page and "<script>" not in page and "style=" not in page


def test_each_table_exports_as_csv_and_xlsx(client, world):
    placed(world.la_service, world.la, code="PR1")
    snap = built(ReportKind.RCC_MONTHLY, world.rcc)
    login(client, world, Role.PLACEMENT_OFFICER)
    url = reverse("reporting:table_export", args=[snap.pk, "placed_by_provider"])
    response = client.get(url + "?export=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Provider", "Placements", "Share"]
    assert rows[1][:2] == ["Own LA's in-house service (PR1)", "1"]
    xlsx = client.get(url + "?export=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(row=2, column=2).value == 1
    assert client.get(url + "?export=pdf").status_code == 400


def test_the_national_filters_narrow_the_rows_and_two_rccs_are_compared(client, world):
    placed(world.ifa, world.la, miles=5)
    placed(world.other_ifa, world.other_la, miles=30)
    snap = built(ReportKind.NCC_QUARTERLY, None)
    login(client, world, Role.NCC_ANALYST)
    response = client.get(
        reverse("reporting:national"),
        {
            "snapshot": snap.pk,
            "a": world.rcc.name,
            "b": world.other_rcc.name,
            "trend": world.rcc.name,
        },
    )
    comparison = response.context["comparison"]
    within = next(r for r in comparison["rows"] if r["label"] == "Within 20 miles")
    assert (within["a"], within["b"], within["diff"]) == (100.0, 0.0, 100.0)
    trends = next(
        t for s in response.context["sections"] for t in s["tables"] if t["key"] == "trends"
    )
    assert {row[1] for row in trends["rows"]} == {world.rcc.name, "England"}
    export = client.get(trends["csv_url"]).content.decode()
    assert world.other_rcc.name not in export and world.rcc.name in export


def test_the_pdf_is_a_pdf(client, world):
    snap = built(ReportKind.RCC_MONTHLY, world.rcc)
    login(client, world, Role.COMMISSIONER)
    response = client.get(reverse("reporting:snapshot_pdf", args=[snap.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_the_rcc_analysis_file_is_ssda903_shaped_in_pseudonyms_and_districts(client, world):
    p = placed(
        world.la_service,
        world.la,
        code="PR1",
        start=dt.date(2025, 6, 2),
        end=dt.date(2025, 9, 1),
        reason="CARPL",
    )
    Placement.objects.filter(pk=p.pk).update(
        home_postcode="M14 5AB", placement_postcode="SK4 1AA", left_care_reason="E13"
    )
    placed(world.other_ifa, world.other_la, start=dt.date(2025, 6, 2))  # the other RCC
    child = Child.objects.get(pk=p.child_id)
    login(client, world, Role.COMMISSIONER)
    response = client.get(reverse("reporting:dfe_export", args=[world.rcc.pk]), {"year": 2025})
    text = response.content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0].keys()) == EPISODE_COLUMNS
    assert len(rows) == 1
    row = rows[0]
    assert row["DECOM"] == "02/06/2025" and row["DEC"] == "01/09/2025"
    assert (row["PLACE_PROVIDER"], row["REC"], row["REASON_PLACE_CHANGE"]) == ("PR1", "E13", "")
    assert row["RNE"] == "S" and row["LS"] == child.legal_status
    assert (row["HOME_POST"], row["PL_POST"]) == ("M14", "SK4")
    assert child.case_system_id not in text and child.local_identifier not in text
    assert row["CHILD"] == child_pseudonym(world.la.pk, child.local_identifier)
    assert len(row["CHILD"]) == 12
    assert (
        client.get(reverse("reporting:dfe_export", args=[world.rcc.pk]), {"year": "x"}).status_code
        == 400
    )


def test_an_rcc_sees_only_its_own_reports(client, world):
    other = built(ReportKind.RCC_MONTHLY, world.other_rcc)
    national = built(ReportKind.NCC_QUARTERLY, None)
    login(client, world, Role.COMMISSIONER)
    assert (
        client.get(reverse("reporting:rcc_dashboard", args=[world.other_rcc.pk])).status_code == 404
    )
    assert client.get(reverse("reporting:snapshot_pdf", args=[other.pk])).status_code == 404
    assert client.get(reverse("reporting:snapshot_pdf", args=[national.pk])).status_code == 404
    mine = reverse("reporting:rcc_dashboard", args=[world.rcc.pk])
    assert client.get(mine, {"snapshot": other.pk}).status_code == 404
    api = client.get(reverse("api:report-snapshot-list")).json()
    assert api["count"] == 0


def test_an_rcc_dashboard_with_no_report_yet_says_so(client, world):
    login(client, world, Role.COMMISSIONER)
    page = client.get(reverse("reporting:rcc_dashboard", args=[world.rcc.pk])).content.decode()
    assert "No report has been built" in page


def test_a_report_of_an_empty_period_says_it_is_empty(client, world):
    from apps.reporting.periods import Period

    snap = built(
        ReportKind.RCC_MONTHLY, world.rcc, period=Period(dt.date(2001, 1, 1), dt.date(2001, 1, 31))
    )
    login(client, world, Role.COMMISSIONER)
    page = client.get(
        reverse("reporting:rcc_dashboard", args=[world.rcc.pk]), {"snapshot": snap.pk}
    ).content.decode()
    assert "There was no referral or placement activity in this period" in page


def test_starting_a_report_from_the_page_with_bad_dates_explains(client, world):
    login(client, world, Role.COMMISSIONER)
    response = client.post(
        reverse("reporting:run_create"),
        {
            "kind": ReportKind.RCC_MONTHLY,
            "rcc": world.rcc.pk,
            "period_start": "2026-03-01",
            "period_end": "2026-01-01",
        },
    )
    assert response.status_code == 200
    assert "The period must end on or after its start." in response.content.decode()
    assert not ReportRun.objects.exists()


def test_the_api_starts_a_run_and_answers_200_with_the_one_already_running(client, world):
    login(client, world, Role.COMMISSIONER)
    data = {
        "kind": ReportKind.RCC_MONTHLY,
        "rcc": world.rcc.pk,
        "period_start": "2026-01-01",
        "period_end": "2026-01-31",
    }
    first = client.post(reverse("api:report-run-list"), data, content_type="application/json")
    assert first.status_code == 201
    assert first.json()["status"] == "queued"  # the test's transaction never commits
    again = client.post(reverse("api:report-run-list"), data, content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    bad = client.post(
        reverse("api:report-run-list"), {"kind": "weekly"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "kind" in bad.json()["errors"]
    national = client.post(
        reverse("api:report-run-list"),
        {"kind": ReportKind.NCC_QUARTERLY},
        content_type="application/json",
    )
    assert national.status_code == 403
