"""Importing an LA's SSDA903 Header and Episodes as care history (issue 12, point 5)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apps.accounts.roles import Role
from apps.core.errors import DomainError
from apps.referrals.models import CareEpisode, CareHistoryImport, Child, LegalStatusChange
from apps.referrals.services import care_import
from apps.referrals.services.care_import import import_ssda903
from apps.referrals.ssda903 import EPISODE_COLUMNS, HEADER_COLUMNS
from apps.referrals.ssda903_synthetic import generate, rows_csv, rows_xlsx
from tests.core import hostile
from tests.factories import MembershipFactory, UserFactory, user_with_role
from tests.referrals.factories import ChildFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _d(days_ago: int) -> str:
    return (TODAY - dt.timedelta(days=days_ago)).strftime("%d/%m/%Y")


def header(*rows: dict[str, str]) -> list[dict[str, str]]:
    base = {"SEX": "F", "DOB": _d(4000), "ETHNIC": "WBRI", "UPN": "", "MOTHER": "", "MC_DOB": ""}
    return [{**base, **r} for r in rows]


def episode(**values: str) -> dict[str, str]:
    base = dict.fromkeys(EPISODE_COLUMNS, "")
    base.update(RNE="S", LS="C1", CIN="N1", PLACE="U4", PLACE_PROVIDER="PR1", URN="SC123456")
    base.update(HOME_POST="M14 5AB", PL_POST="M20 2RN")
    base.update(values)
    return base


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def run(world: Any, head: list[dict[str, str]], eps: list[dict[str, str]], *, xlsx=False, by=None):
    if xlsx:
        files = (
            upload("header.xlsx", rows_xlsx(head, HEADER_COLUMNS, "Header")),
            upload("episodes.xlsx", rows_xlsx(eps, EPISODE_COLUMNS, "Episodes")),
        )
    else:
        files = (
            upload("header.csv", rows_csv(head, HEADER_COLUMNS)),
            upload("episodes.csv", rows_csv(eps, EPISODE_COLUMNS)),
        )
    return import_ssda903(
        by=by or world.users[Role.SOCIAL_WORKER],
        la=world.la,
        header_upload=files[0],
        episodes_upload=files[1],
    )


def story() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """A child moved the same day (X1 → T), changed legal status (X1 → L), went home (E13) and
    came back (S); a second child still in their first placement."""
    head = header({"CHILD": "A1"}, {"CHILD": "B2", "SEX": "M", "ETHNIC": "BAFR"})
    eps = [
        episode(CHILD="A1", DECOM=_d(900), LS="V2", DEC=_d(700), REC="X1",
                REASON_PLACE_CHANGE="CARPL"),
        episode(CHILD="A1", DECOM=_d(700), RNE="T", LS="V2", PLACE="U6", PLACE_PROVIDER="PR4",
                DEC=_d(600), REC="X1"),
        episode(CHILD="A1", DECOM=_d(600), RNE="L", LS="C1", PLACE="U6", PLACE_PROVIDER="PR4",
                DEC=_d(400), REC="E13"),
        episode(CHILD="A1", DECOM=_d(300), RNE="S", LS="C2", HOME_POST="SK4 1AA"),
        episode(CHILD="B2", DECOM=_d(50), LS="L1", HOME_POST="", PL_POST=""),
    ]  # fmt: skip
    return head, eps


def db_state() -> tuple[int, int, int]:
    return Child.objects.count(), CareEpisode.objects.count(), LegalStatusChange.objects.count()


# --- Accepted ----------------------------------------------------------------------------------


@pytest.mark.parametrize("xlsx", [False, True], ids=["csv", "xlsx"])
def test_children_episodes_and_legal_status_history_are_imported(world, xlsx):
    head, eps = story()
    result = run(world, head, eps, xlsx=xlsx)

    assert result.status == "accepted", result.errors
    assert (result.header_rows, result.episode_rows) == (2, 5)
    assert (result.children_created, result.episodes_created) == (2, 5)
    a1 = Child.objects.get(la=world.la, local_identifier="A1")
    assert (a1.sex, a1.ethnicity, a1.legal_status) == ("F", "WBRI", "C2")
    assert a1.date_of_birth == TODAY - dt.timedelta(days=4000)
    assert a1.home_postcode == "SK4 1AA"  # the latest episode's HOME_POST
    history = list(a1.care_history.order_by("start_date"))
    assert [e.new_episode_reason for e in history] == ["S", "T", "L", "S"]
    assert [e.reason_ended for e in history] == ["X1", "X1", "E13", ""]
    assert history[0].reason_place_change == "CARPL"
    assert history[1].placement_provider == "PR4" and history[1].urn == "SC123456"
    assert history[3].end_date is None
    assert {e.source for e in history} == {"imported"}
    assert {e.imported_from_id for e in history} == {result.pk}
    # A legal status row where LS changed (V2 → C1) and where care began again (C2).
    steps = list(a1.legal_statuses.order_by("start_date").values_list("legal_status", "start_date"))
    assert steps == [
        ("V2", TODAY - dt.timedelta(days=900)),
        ("C1", TODAY - dt.timedelta(days=600)),
        ("C2", TODAY - dt.timedelta(days=300)),
    ]
    b2 = Child.objects.get(la=world.la, local_identifier="B2")
    assert (b2.sex, b2.legal_status, b2.home_postcode) == ("M", "L1", "")
    assert result.header_file.name and result.episodes_file.name
    assert result.header_file.read().startswith(b"CHILD,SEX") or xlsx


def test_importing_the_same_files_again_changes_nothing(world):
    head, eps = story()
    first = run(world, head, eps)
    before = db_state()
    stamps = dict(CareEpisode.objects.values_list("pk", "updated_at"))

    again = run(world, head, eps)

    assert again.status == "accepted"
    assert (again.children_created, again.children_updated, again.children_unchanged) == (0, 0, 2)
    assert (again.episodes_created, again.episodes_updated, again.episodes_unchanged) == (0, 0, 5)
    assert again.legal_statuses_created == 0
    assert db_state() == before
    assert dict(CareEpisode.objects.values_list("pk", "updated_at")) == stamps
    assert set(CareEpisode.objects.values_list("imported_from", flat=True)) == {first.pk}


def test_a_corrected_file_updates_children_and_episodes_and_replaces_a_moved_decom(world):
    head, eps = story()
    run(world, head, eps)
    head[0]["ETHNIC"] = "WOTH"
    eps[1]["PLACE"] = "U5"
    # The last episode's DECOM was wrong by a day: the old one goes, the new one comes.
    eps[3]["DECOM"] = _d(301)

    result = run(world, head, eps)

    assert result.status == "accepted", result.errors
    assert (result.children_updated, result.children_unchanged) == (1, 1)
    assert (result.episodes_created, result.episodes_updated, result.episodes_replaced) == (1, 1, 1)
    a1 = Child.objects.get(local_identifier="A1")
    assert a1.ethnicity == "WOTH"
    assert list(a1.care_history.values_list("start_date", flat=True)) == [
        TODAY - dt.timedelta(days=d) for d in (900, 700, 600, 301)
    ]


def test_an_existing_child_keeps_what_the_file_does_not_hold(world):
    sw = world.users[Role.SOCIAL_WORKER]
    child = ChildFactory(
        la=world.la, local_identifier="A1", case_system_id="CS-9", religion="muslim",
        languages=["ur"], home_postcode="OL1 1AA", legal_status="C2", created_by=sw,
    )  # fmt: skip
    head, eps = story()

    result = run(world, head, eps)

    assert (result.children_created, result.children_updated) == (1, 1)
    child.refresh_from_db()
    assert (child.case_system_id, child.religion, child.languages) == ("CS-9", "muslim", ["ur"])
    assert child.home_postcode == "OL1 1AA"  # the child had one: kept
    assert child.created_by == sw


def test_a_care_leaver_over_18_can_be_imported(world):
    head = header({"CHILD": "OLD1", "DOB": _d(365 * 19)})
    eps = [episode(CHILD="OLD1", DECOM=_d(365 * 3), DEC=_d(200), REC="E17")]
    assert run(world, head, eps).status == "accepted"


def test_an_episode_that_is_a_platform_placement_is_skipped(world):
    from tests.referrals.test_placement_figures import _placed

    placement = _placed(world, start=TODAY)
    child = placement.child
    head = header({"CHILD": child.local_identifier})
    eps = [
        episode(CHILD=child.local_identifier, DECOM=_d(100), DEC=_d(0), REC="X1",
                REASON_PLACE_CHANGE="CHILD"),
        episode(CHILD=child.local_identifier, DECOM=_d(0), RNE="T", LS="C2"),
    ]  # fmt: skip

    result = run(world, head, eps)

    assert result.status == "accepted", result.errors
    assert (result.episodes_created, result.episodes_platform) == (1, 1)
    assert list(child.care_history.values_list("start_date", flat=True)) == [
        TODAY - dt.timedelta(days=100)
    ]


def test_a_platform_recorded_legal_status_is_kept_and_the_latest_wins(world):
    sw = world.users[Role.SOCIAL_WORKER]
    child = ChildFactory(la=world.la, local_identifier="A1", legal_status="E1", created_by=sw)
    LegalStatusChange.objects.create(
        child=child, legal_status="E1", start_date=TODAY - dt.timedelta(days=10)
    )
    head, eps = story()

    run(world, head, eps)

    child.refresh_from_db()
    assert child.legal_status == "E1"  # recorded after the file's latest (C2, 300 days ago)
    assert child.legal_statuses.filter(source="recorded").count() == 1


# --- Rejected: each problem named, nothing written ---------------------------------------------


def _bad(kind: str) -> tuple[list[dict[str, str]], list[dict[str, str]], tuple[str, int, str]]:
    head, eps = story()
    where = ("Episodes", 3, "PLACE")
    if kind == "unknown code":
        eps[1]["PLACE"] = "Q9"
    elif kind == "bad date":
        eps[1]["DECOM"], where = "31/02/2024", ("Episodes", 3, "DECOM")
    elif kind == "future date":
        eps[4]["DEC"], eps[4]["REC"], where = _d(-3), "E13", ("Episodes", 6, "DEC")
    elif kind == "DEC before DECOM":
        eps[4]["DEC"], eps[4]["REC"], where = _d(60), "E13", ("Episodes", 6, "DEC")
    elif kind == "child not in the Header":
        eps[4]["CHILD"], where = "ZZ9", ("Episodes", 6, "CHILD")
    elif kind == "duplicate CHILD and DECOM":
        eps.append(dict(eps[4]))
        where = ("Episodes", 7, "DECOM")
    elif kind == "overlap":
        eps[1]["DECOM"], where = _d(800), ("Episodes", 3, "DECOM")
    elif kind == "open episode then another":
        eps[0]["DEC"], eps[0]["REC"], where = "", "", ("Episodes", 3, "DECOM")
    elif kind == "CHILD too long":
        head[1]["CHILD"] = eps[4]["CHILD"] = "B2345678901"
        where = ("Header", 3, "CHILD")
    elif kind == "sex":
        head[0]["SEX"], where = "X", ("Header", 2, "SEX")
    elif kind == "ethnicity":
        head[0]["ETHNIC"], where = "WHIT", ("Header", 2, "ETHNIC")
    elif kind == "REC missing":
        eps[0]["REC"], where = "", ("Episodes", 2, "REC")
    elif kind == "REC without DEC":
        eps[4]["REC"], where = "E13", ("Episodes", 6, "DEC")
    elif kind == "postcode":
        eps[0]["HOME_POST"], where = "NOT A PC", ("Episodes", 2, "HOME_POST")
    elif kind == "duplicate child in Header":
        head.append(dict(head[0]))
        where = ("Header", 4, "CHILD")
    elif kind == "DECOM before DOB":
        head[1]["DOB"], where = _d(10), ("Episodes", 6, "DECOM")
    return head, eps, where


BAD = [
    "unknown code", "bad date", "future date", "DEC before DECOM", "child not in the Header",
    "duplicate CHILD and DECOM", "overlap", "open episode then another", "CHILD too long", "sex",
    "ethnicity", "REC missing", "REC without DEC", "postcode", "duplicate child in Header",
    "DECOM before DOB",
]  # fmt: skip


@pytest.mark.parametrize("kind", BAD)
def test_a_bad_row_is_named_and_nothing_is_written(world, kind):
    head, eps, (file, row, column) = _bad(kind)
    result = run(world, head, eps)

    assert result.status == "rejected"
    assert db_state() == (0, 0, 0)
    assert result.error_count == len(result.errors) >= 1
    named = [(e["file"], e["row"], e["column"]) for e in result.errors]
    assert (file, row, column) in named, result.errors
    assert all(e["message"] for e in result.errors)
    assert result.header_file.name and result.episodes_file.name  # originals kept
    assert (result.children_created, result.episodes_created) == (0, 0)


def test_nothing_is_written_when_an_existing_childs_update_is_fine_but_one_row_is_bad(world):
    head, eps = story()
    run(world, head, eps)
    before = db_state()
    head[0]["ETHNIC"] = "WOTH"
    eps.append(episode(CHILD="B2", DECOM=_d(20), RNE="T", PLACE="XX"))
    result = run(world, head, eps)
    assert result.status == "rejected"
    assert db_state() == before
    assert Child.objects.get(local_identifier="A1").ethnicity == "WBRI"


def test_a_new_child_without_episodes_is_refused(world):
    head, eps = story()
    head.append(header({"CHILD": "C3"})[0])
    result = run(world, head, eps)
    assert result.status == "rejected"
    assert [(e["file"], e["row"], e["column"]) for e in result.errors] == [("Header", 4, "CHILD")]
    assert db_state() == (0, 0, 0)


def test_columns_in_any_order_any_case_extra_ignored_and_iso_dates(world):
    content = b"note, child ,Sex,dob,ethnic\r\nx,A1,F,2015-04-01,WBRI\r\n"
    episodes = (
        b"URN,child,decom,rne,ls,cin,place,place_provider,dec,rec,extra\r\n"
        b"SC1,A1,2020-05-01,S,c2,N1,u4,PR1,,,ignored\r\n"
    )
    result = import_ssda903(
        by=world.users[Role.SOCIAL_WORKER],
        la=world.la,
        header_upload=upload("h.csv", content),
        episodes_upload=upload("e.csv", episodes),
    )
    assert result.status == "accepted", result.errors
    ep = CareEpisode.objects.get()
    assert (ep.start_date, ep.legal_status, ep.placement_type, ep.urn) == (
        dt.date(2020, 5, 1), "C2", "U4", "SC1",
    )  # fmt: skip


def test_a_missing_column_and_swapped_files_are_said(world):
    head, eps = story()
    result = import_ssda903(
        by=world.users[Role.SOCIAL_WORKER],
        la=world.la,
        header_upload=upload("episodes.csv", rows_csv(eps, EPISODE_COLUMNS)),
        episodes_upload=upload("header.csv", rows_csv(head, HEADER_COLUMNS)),
    )
    assert result.status == "rejected"
    messages = {e["file"]: e["message"] for e in result.errors}
    assert "It looks like the Episodes file" in messages["Header"]
    assert "It looks like the Header file" in messages["Episodes"]
    assert all(e["column"] == "(header)" for e in result.errors)


# --- Hostile files -----------------------------------------------------------------------------


def test_formula_cells_are_refused(world):
    _head, eps = story()
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Header"
    ws.append(list(HEADER_COLUMNS))
    ws.append(["A1", "F", TODAY - dt.timedelta(days=4000), '=HYPERLINK("http://x","WBRI")'])
    ws.append(["B2", "M", TODAY - dt.timedelta(days=4000), "BAFR"])
    out = io.BytesIO()
    wb.save(out)
    result = import_ssda903(
        by=world.users[Role.SOCIAL_WORKER],
        la=world.la,
        header_upload=upload("header.xlsx", out.getvalue()),
        episodes_upload=upload("episodes.csv", rows_csv(eps, EPISODE_COLUMNS)),
    )
    assert result.status == "rejected"
    assert ("Header", 2, "ETHNIC") in [(e["file"], e["row"], e["column"]) for e in result.errors]
    assert "formula" in result.errors[0]["message"]
    assert db_state() == (0, 0, 0)


def test_an_oversized_file_is_refused_without_reading_it(world, monkeypatch):
    head, eps = story()
    monkeypatch.setattr(care_import, "MAX_UPLOAD_BYTES", 200)
    result = run(world, head, eps)
    assert result.status == "rejected"
    assert [e["file"] for e in result.errors] == ["Episodes"]
    assert "the largest accepted is" in result.errors[0]["message"]
    assert not result.episodes_file  # not kept: over the limit
    assert db_state() == (0, 0, 0)


@pytest.mark.parametrize(
    "make",
    [
        lambda: hostile.high_ratio_member(sheet_name="Header"),
        lambda: hostile.many_members(sheet_name="Header"),
        lambda: hostile.declared_dimension(HEADER_COLUMNS, sheet_name="Header"),
        lambda: hostile.far_column(HEADER_COLUMNS, sheet_name="Header"),
        lambda: hostile.nested_archive(HEADER_COLUMNS),
        lambda: hostile.doctype_sheet(HEADER_COLUMNS),
    ],
    ids=["zip-bomb", "many-parts", "declared-range", "far-column", "nested", "doctype"],
)
def test_hostile_workbooks_are_refused_fast(world, make):
    _head, eps = story()
    content = make()
    started = time.perf_counter()
    result = import_ssda903(
        by=world.users[Role.SOCIAL_WORKER],
        la=world.la,
        header_upload=upload("header.xlsx", content),
        episodes_upload=upload("episodes.csv", rows_csv(eps, EPISODE_COLUMNS)),
    )
    assert time.perf_counter() - started < 3
    assert result.status == "rejected"
    assert result.errors[0]["file"] == "Header"
    assert db_state() == (0, 0, 0)


def test_a_csv_with_a_huge_line_is_refused(world):
    _head, eps = story()
    result = import_ssda903(
        by=world.users[Role.SOCIAL_WORKER],
        la=world.la,
        header_upload=upload("header.csv", hostile.csv_long_line(HEADER_COLUMNS)),
        episodes_upload=upload("episodes.csv", rows_csv(eps, EPISODE_COLUMNS)),
    )
    assert result.status == "rejected" and "longer than" in result.errors[0]["message"]


# --- Who may import ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["other_la_social_worker", Role.IRO, Role.PLACEMENT_OFFICER, Role.PROVIDER_REFERRALS]
)
def test_only_a_social_worker_of_the_la_may_import(world, who):
    user = (
        user_with_role(Role.SOCIAL_WORKER, world.other_la)
        if who == "other_la_social_worker"
        else world.users[who]
    )
    head, eps = story()
    with pytest.raises(DomainError):
        run(world, head, eps, by=user)
    assert CareHistoryImport.objects.count() == 0
    assert db_state() == (0, 0, 0)


def test_two_roles_in_two_organisations_import_only_where_a_social_worker(world):
    user = UserFactory()
    MembershipFactory(user=user, organisation=world.la, role=Role.IRO)
    MembershipFactory(user=user, organisation=world.other_la, role=Role.SOCIAL_WORKER)
    head, eps = story()
    with pytest.raises(DomainError):
        run(world, head, eps, by=user)
    result = import_ssda903(
        by=user,
        la=world.other_la,
        header_upload=upload("h.csv", rows_csv(head, HEADER_COLUMNS)),
        episodes_upload=upload("e.csv", rows_csv(eps, EPISODE_COLUMNS)),
    )
    assert result.status == "accepted"
    assert set(Child.objects.values_list("la", flat=True)) == {world.other_la.pk}


def test_not_for_an_organisation_that_is_not_an_la(world):
    head, eps = story()
    with pytest.raises(DomainError):
        import_ssda903(
            by=UserFactory(is_superuser=True),
            la=world.ifa,
            header_upload=upload("h.csv", rows_csv(head, HEADER_COLUMNS)),
            episodes_upload=upload("e.csv", rows_csv(eps, EPISODE_COLUMNS)),
        )


# --- The synthetic files -----------------------------------------------------------------------


def test_synthetic_files_import_cleanly_with_every_kind_of_move(world):
    files = generate(children=40, episodes=160, seed=7)
    rnes = {e["RNE"] for e in files.episodes}
    recs = {e["REC"] for e in files.episodes}
    assert {"S", "T", "L"} <= rnes and "X1" in recs and recs & {"E13", "E4A", "E41"}
    result = import_ssda903(
        by=world.users[Role.SOCIAL_WORKER],
        la=world.la,
        header_upload=upload("header.csv", files.header_csv()),
        episodes_upload=upload("episodes.csv", files.episodes_csv()),
    )
    assert result.status == "accepted", result.errors[:3]
    assert (result.children_created, result.episodes_created) == (40, 160)
    assert max(len(e["CHILD"]) for e in files.episodes) <= 10
