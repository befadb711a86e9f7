"""Formula injection (issue 11, item 6): no file the platform generates for download lets a
spreadsheet read a cell as a formula, and no download's file name carries a path, a quote or
a control character.

The first tests hold the helper (`apps.core.exports.safe_cell`) and the shared list export to
the rule; `test_every_export_neutralises_formulas` then downloads every export of the site with
a formula seeded into a field it shows, and `test_every_list_export_is_in_the_table` fails when
a list gains an export that is not in that table."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pytest
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.urls import URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from apps.accounts.roles import Role
from apps.core.exports import attachment_disposition, export_rows, safe_cell, safe_filename

if TYPE_CHECKING:
    from tests.conftest import World

PAYLOAD = '=HYPERLINK("http://x","y")'
SIGNED_NUMBER = re.compile(r"-\d+(\.\d+)?")


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_cells(content: bytes) -> list[Any]:
    """Every cell of every sheet, as openpyxl reads it back (formulas are kept as formulas)."""
    wb = load_workbook(io.BytesIO(content))
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row]


@pytest.mark.parametrize(
    "text",
    [PAYLOAD, "+1+1", "-2+3+cmd|' /C calc'!A0", "@SUM(A1:A2)", "\t=1+1", "\r=1+1", "=1"],
)
def test_text_a_spreadsheet_would_run_gets_an_apostrophe(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize(
    "value",
    [-5, -2.5, Decimal("-12.50"), 0, True, dt.date(2026, 1, 2), None, "", "Ordinary text", "-5"],
)
def test_numbers_dates_and_plain_text_are_unchanged(value: Any) -> None:
    assert safe_cell(value) == value
    assert type(safe_cell(value)) is type(value)


def test_anything_else_is_written_as_its_neutralised_text() -> None:
    class Named:
        def __str__(self) -> str:
            return PAYLOAD

    assert safe_cell(Named()) == "'" + PAYLOAD


COLUMNS = [("Name", "name"), ("Amount", "amount"), ("=Label", lambda r: r.name)]
ROWS = [SimpleNamespace(name=PAYLOAD, amount=Decimal("-12.50"))]


def test_list_export_csv_cells_start_with_an_apostrophe() -> None:
    response = export_rows(ROWS, COLUMNS, "csv", "things")
    header, row = csv_rows(response.content)
    assert header == ["Name", "Amount", "'=Label"]
    assert row == ["'" + PAYLOAD, "-12.50", "'" + PAYLOAD]


def test_list_export_xlsx_writes_text_never_a_formula_and_numbers_as_numbers() -> None:
    response = export_rows(ROWS, COLUMNS, "xlsx", "things")
    cells = xlsx_cells(response.content)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    by_ref = {c.coordinate: c for c in cells}
    assert by_ref["A2"].value == "'" + PAYLOAD
    assert by_ref["B2"].value == -12.5
    assert by_ref["B2"].data_type == "n"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ('=HYPERLINK("x").csv', "HYPERLINK(_x_).csv"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\return.xlsx", "return.xlsx"),
        ("evil\r\nSet-Cookie: a=b.csv", "evilSet-Cookie_ a=b.csv"),
        ("", "download"),
        ("Return Q3.xlsx", "Return Q3.xlsx"),
    ],
)
def test_file_names_are_sanitised(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


def test_disposition_quotes_the_sanitised_name() -> None:
    assert attachment_disposition('a"b.csv') == 'attachment; filename="a_b.csv"'
    assert attachment_disposition("Rückgabe.csv").startswith("attachment; filename*=utf-8''")


# --- every export of the site -----------------------------------------------------------------
#
# Each export names who downloads it and how to give that person at least one row; then every
# organisation's name becomes `=HYPERLINK("http://x","<name>")` (organisation names are in
# almost every export), and the few exports that show no organisation seed the payload into a
# field they do show. The download must hold the payload neutralised, and no live formula.

Seed = Callable[["World"], dict[str, Any]]


@dataclass(frozen=True)
class Export:
    name: str  # URL name
    role: str | None  # who downloads it (None: the public, not signed in)
    seed: Seed  # gives that role a row; returns the URL kwargs
    formats: tuple[str, ...] = ("csv", "xlsx")
    query: bool = True  # the format is ?export=<fmt> (else it is the URL's `fmt` kwarg)
    seeded: bool = True  # False: a fixed document (no user data) checked for live formulas only


def _nothing(world: World) -> dict[str, Any]:
    return {}


def _contracts(world: World) -> dict[str, Any]:
    from tests.contracts.permission_rows import contracts_of

    contracts_of(world)
    return {}


def _terms(world: World) -> dict[str, Any]:
    from apps.contracts.models import TermsVersion

    _contracts(world)
    TermsVersion.objects.update(title=PAYLOAD)
    return {}


def _specialist(world: World) -> dict[str, Any]:
    from apps.contracts.models import SpecialistService

    _contracts(world)
    SpecialistService.objects.update(name=PAYLOAD)
    return {}


def _above_schedule(world: World) -> dict[str, Any]:
    from tests.referrals.permission_rows import _placing_offer

    offer = _placing_offer(world)
    offer.scheduled_fee, offer.weekly_fee = Decimal("800"), Decimal("900")
    offer.fee_above_schedule_reason = PAYLOAD
    offer.save(update_fields=["scheduled_fee", "weekly_fee", "fee_above_schedule_reason"])
    return {}


def _household(world: World) -> dict[str, Any]:
    from apps.providers.models import Household
    from tests.referrals.matching_support import home

    home(world.ifa, places=1)
    Household.objects.update(preferences=PAYLOAD)  # the register file's free text
    return {}


def _upload(world: World) -> dict[str, Any]:
    from apps.providers.models import RegisterUpload
    from tests.providers.permission_rows import _upload as upload

    upload(world, world.ifa)
    RegisterUpload.objects.update(original_name=PAYLOAD + ".csv")  # the file's name is shown
    return {}


def _child(world: World) -> dict[str, Any]:
    from tests.referrals.factories import ChildFactory

    ChildFactory(la=world.la)
    return {}


def _care_import(world: World) -> dict[str, Any]:
    from apps.referrals.models import CareHistoryImport

    CareHistoryImport.objects.create(
        la=world.la,
        uploaded_by=world.users[Role.SOCIAL_WORKER],
        header_name=PAYLOAD + ".csv",
        episodes_name="=1+2.csv",
        status="rejected",
    )
    return {}


def _referral(world: World) -> dict[str, Any]:
    from tests.referrals.permission_rows import _referral as referral

    referral(world, world.users[Role.SOCIAL_WORKER])
    return {}


def _hub_referral(world: World) -> dict[str, Any]:
    from tests.referrals.matching_support import referral

    referral(world)
    return {}


def _target(world: World) -> dict[str, Any]:
    from tests.referrals.permission_rows import _placing_target

    _placing_target(world)
    return {}


def _proposed(world: World) -> dict[str, Any]:
    from tests.referrals.permission_rows import _placing_offer

    _placing_offer(world, stage="proposed")
    return {}


def _placement(world: World) -> dict[str, Any]:
    from tests.referrals.permission_rows import _placing_placement

    _placing_placement(world)
    return {}


def _monitoring(world: World) -> dict[str, Any]:
    from tests.monitoring.permission_rows import monitoring_of

    monitoring_of(world)
    return {}


def _feedback(world: World) -> dict[str, Any]:
    from tests.monitoring.permission_rows import _feedback as feedback

    feedback(world, world.users[Role.SOCIAL_WORKER], 0)
    return {}


def _reporting(world: World) -> dict[str, Any]:
    from tests.reporting.permission_rows import reporting_of

    reporting_of(world)
    return {}


def _bulletins(world: World) -> dict[str, Any]:
    from apps.reporting.models import Bulletin

    _reporting(world)
    Bulletin.objects.update(title=PAYLOAD)
    return {}


def _report_table(world: World) -> dict[str, Any]:
    from tests.reporting.permission_rows import reporting_of

    snapshot = reporting_of(world).snapshot
    table = snapshot.tables["pub_endings"]
    table["rows"][0][0] = PAYLOAD
    snapshot.save(update_fields=["tables"])
    return {"pk": snapshot.pk, "key": "pub_endings"}


def _public_table(world: World) -> dict[str, Any]:
    from apps.reporting.models import Bulletin
    from tests.reporting.permission_rows import fresh_published

    bulletin = Bulletin.objects.get(pk=fresh_published(world, world.users[Role.NCC_ANALYST])["pk"])
    table = bulletin.published_tables[0]
    table["rows"][0][0] = PAYLOAD
    bulletin.save(update_fields=["published_tables"])
    return {"slug": bulletin.slug, "key": table["key"]}


def _dfe(world: World) -> dict[str, Any]:
    from apps.referrals.models import Placement, PlacementAgreement

    _placement(world)
    PlacementAgreement.objects.update(provider_urn="=1+2")
    Placement.objects.update(provider_urn="=1+2")
    return {"pk": world.rcc.pk}


def _ssda903(part: str) -> Seed:
    def seed(world: World) -> dict[str, Any]:
        from apps.contracts.dates import financial_year_of
        from apps.referrals.models import Child, Placement

        _placement(world)
        Placement.objects.update(provider_urn="=1+2")
        Child.objects.update(local_identifier="=1+2")
        year = financial_year_of(Placement.objects.get().start_date)
        return {"la": world.la.pk, "year": year, "part": part}

    return seed


def _prefilled(fmt: str) -> Seed:
    def seed(world: World) -> dict[str, Any]:
        from tests.monitoring.permission_rows import submitted

        ret = submitted(world)
        ret.refresh_from_db()
        version = ret.current_version
        version.carer_changes = [
            {"household_ref": PAYLOAD, "change": "APPROVED", "change_date": "2025-10-20"}
        ]
        version.save(update_fields=["carer_changes"])
        return {"pk": ret.pk, "fmt": fmt}

    return seed


def _simulation(world: World) -> dict[str, Any]:
    """A done simulated year of the world's RCC (its name is in the list and in the CSV)."""
    from tests.planning.permission_rows import simulation

    return simulation(world, world.users[Role.COMMISSIONER])


def _simulations(world: World) -> dict[str, Any]:
    from apps.planning.models import SimulationRun

    _simulation(world)
    SimulationRun.objects.update(error=PAYLOAD)
    return {}


def _register_template(fmt: str) -> Seed:
    def seed(world: World) -> dict[str, Any]:
        from apps.needs.models import NeedDomain
        from tests.referrals.factories import load_taxonomy

        load_taxonomy()
        NeedDomain.objects.update(name=PAYLOAD)
        return {"fmt": fmt}

    return seed


def _return_format(name: str) -> Seed:
    def seed(world: World) -> dict[str, Any]:
        from apps.monitoring import format as fmt_module

        return {"version": fmt_module.CURRENT.version, "name": name}

    return seed


SW, IRO, HUB, COM = Role.SOCIAL_WORKER, Role.IRO, Role.PLACEMENT_OFFICER, Role.COMMISSIONER
LIST_EXPORTS = [
    Export("accounts:people", Role.ADMINISTRATOR, _nothing),
    Export("organisations:list", COM, _nothing),
    Export("register_search:search", HUB, _household),
    Export("providers:household_list", Role.PROVIDER_DATA, _household),
    Export("providers:upload_list", Role.PROVIDER_DATA, _upload),
    Export("referrals:child_list", SW, _child),
    Export("referrals:care_import_list", SW, _care_import),
    Export("referrals:referral_list", SW, _referral),
    Export("referrals:hub_queue", HUB, _hub_referral),
    Export("referrals:provider_targets", Role.PROVIDER_REFERRALS, _target),
    Export("referrals:scrutiny_queue", Role.SCRUTINEER, _proposed),
    Export("referrals:placement_list", SW, _placement),
    Export("contracts:terms", COM, _terms),
    Export("contracts:frameworks", COM, _contracts),
    Export("contracts:enrolments", COM, _contracts),
    Export("contracts:prices", COM, _contracts),
    Export("contracts:fees", COM, _contracts),
    Export("contracts:above_schedule", COM, _above_schedule),
    Export("contracts:soft_blocks", COM, _contracts),
    Export("contracts:disputes", COM, _contracts),
    Export("contracts:meetings", COM, _contracts),
    Export("contracts:account_managers", COM, _contracts),
    Export("contracts:alerts", COM, _contracts),
    Export("contracts:budgets", COM, _contracts),
    Export("contracts:in_house_costs", COM, _contracts),
    Export("contracts:specialist_services", COM, _specialist),
    Export("monitoring:return_list", COM, _monitoring),
    Export("monitoring:scorecard_list", COM, _monitoring),
    Export("monitoring:feedback_list", SW, _feedback),
    Export("reporting:index", COM, _reporting),
    Export("reporting:bulletin_list", Role.NCC_ANALYST, _bulletins),
    Export("planning:simulations", COM, _simulations),
]
OTHER_EXPORTS = [
    Export("reporting:table_export", COM, _report_table),
    Export("planning:simulation_export", COM, _simulation),
    Export("reporting:dfe_export", COM, _dfe, formats=("csv",), query=False),
    Export("reporting:ssda903_file", SW, _ssda903("episodes"), formats=("csv",), query=False),
    Export("reporting:ssda903_file", HUB, _ssda903("header"), formats=("csv",), query=False),
    Export("public:bulletin_table", None, _public_table, formats=("csv",), query=False),
    Export("monitoring:return_prefilled", COM, _prefilled("csv"), ("csv",), query=False),
    Export("monitoring:return_prefilled", COM, _prefilled("xlsx"), ("xlsx",), query=False),
    Export("providers:template_download", SW, _register_template("xlsx"), ("xlsx",), False),
    *[
        Export("providers:template_download", SW, _register_template(f), ("csv",), False, False)
        for f in ("csv", "example")
    ],
    *[
        Export(
            "monitoring:format_download", SW, _return_format(n), (n[-4:].strip("."),), False, False
        )
        for n in ("template.csv", "template.xlsx", "example.csv", "data-dictionary.csv")
    ],
]
CASES = [
    pytest.param(export, fmt, id=f"{export.name}-{i}-{fmt}")
    for i, export in enumerate([*LIST_EXPORTS, *OTHER_EXPORTS])
    for fmt in export.formats
]


def _poison_organisation_names() -> None:
    from apps.organisations.models import Organisation

    Organisation.objects.update(
        name=Concat(Value('=HYPERLINK("http://x","'), F("name"), Value('")'))
    )


def _texts(content: bytes, fmt: str) -> list[str]:
    """Every text cell of the file (XLSX: and fails if any cell is a formula)."""
    if fmt == "csv":
        return [cell for row in csv_rows(content) for cell in row]
    cells = xlsx_cells(content)
    assert not [f"{c.parent.title}!{c.coordinate}" for c in cells if c.data_type == "f"]
    return [c.value for c in cells if isinstance(c.value, str)]


@pytest.mark.parametrize(("export", "fmt"), CASES)
def test_every_export_neutralises_formulas(client, world, export: Export, fmt: str) -> None:
    kwargs = export.seed(world)
    _poison_organisation_names()
    if export.role is not None:
        client.force_login(world.users[export.role])
    url = reverse(export.name, kwargs=kwargs)
    response = client.get(url, {"export": fmt} if export.query else {})
    assert response.status_code == 200, response.content[:300]
    content = b"".join(response.streaming_content) if response.streaming else response.content

    texts = _texts(content, fmt)
    live = [t for t in texts if t.startswith(("=", "+", "@", "\t", "\r"))]
    live += [t for t in texts if t.startswith("-") and not SIGNED_NUMBER.fullmatch(t)]
    assert not live, f"{export.name} ({fmt}) writes live formulas: {live[:3]}"
    if export.seeded:
        assert [t for t in texts if t.startswith(("'=HYPERLINK(", "'=1+2"))], (
            f"{export.name} ({fmt}) shows none of the seeded text: the seed does not reach it"
        )


def _url_names_with_list_exports() -> set[str]:
    def walk(patterns: Any, namespace: str = "") -> Any:
        for p in patterns:
            if isinstance(p, URLResolver):
                inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
                yield from walk(p.url_patterns, inner)
            else:
                yield f"{namespace}{p.name}", p.callback

    return {
        name
        for name, callback in walk(get_resolver().url_patterns)
        if _has_list_export(getattr(callback, "view_class", None))
    }


def _has_list_export(view: Any) -> bool:
    """A list with `export_columns`, or one that names its own export (the register's file)."""
    return bool(
        getattr(view, "export_columns", None)
        or getattr(view, "export_filename", "export") != "export"
    )


def test_every_list_export_is_in_the_table() -> None:
    """A new list with `export_columns` must be added to LIST_EXPORTS (and so be tested)."""
    assert _url_names_with_list_exports() == {e.name for e in LIST_EXPORTS}


def test_list_export_xlsx_writes_aware_date_times_as_local_time(settings) -> None:
    settings.TIME_ZONE = "Europe/London"
    stamp = dt.datetime(2026, 7, 1, 9, 30, tzinfo=dt.UTC)
    response = export_rows([SimpleNamespace(at=stamp)], [("At", "at")], "xlsx", "things")
    assert {c.coordinate: c.value for c in xlsx_cells(response.content)}["A2"] == dt.datetime(
        2026, 7, 1, 10, 30
    )


# --- originals: returned as uploaded, under a sanitised name ---------------------------------

HOSTILE_NAME = "=cmd|calc\r\n.csv"


def _original_upload(world: World) -> tuple[str, dict[str, Any]]:
    from apps.providers.models import RegisterUpload
    from tests.providers.permission_rows import _upload as upload

    pk = upload(world, world.ifa).pk
    RegisterUpload.objects.filter(pk=pk).update(original_name=HOSTILE_NAME)
    return "providers:upload_original", {"pk": pk}


def _original_submission(world: World) -> tuple[str, dict[str, Any]]:
    from apps.monitoring.models import ReturnSubmission
    from tests.monitoring.permission_rows import monitoring_of

    pk = monitoring_of(world).submission.pk
    ReturnSubmission.objects.filter(pk=pk).update(original_name=HOSTILE_NAME)
    return "monitoring:submission_original", {"pk": pk}


@pytest.mark.parametrize("original", [_original_upload, _original_submission])
def test_an_original_is_downloaded_under_a_sanitised_name(client, world, original: Any) -> None:
    name, kwargs = original(world)
    client.force_login(world.users[Role.PROVIDER_DATA])
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="cmd_calc.csv"'
