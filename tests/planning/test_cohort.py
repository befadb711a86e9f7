"""The synthetic looked-after cohort (apps/planning/cohort.py, seeding.py): deterministic,
idempotent, valid SSDA903 episode sequences, the DfE's figures within bands, needs assessments,
written as an LA's import of its files, no query per child."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import replace
from itertools import pairwise

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.roles import Role
from apps.organisations.models import Organisation, Postcode
from apps.planning import seeding
from apps.planning.cohort import (
    Area,
    Home,
    PlannedChild,
    birthday,
    collection_year_end,
    plan_cohort,
    years_before,
)
from apps.planning.seeding import seed_planning_cohort
from apps.referrals.choices import EPISODE_CONTINUES, LeftCare
from apps.referrals.models import (
    CareEpisode,
    CareHistoryImport,
    Child,
    LegalStatusChange,
    NeedsAssessment,
    NeedsAssessmentItem,
)
from apps.referrals.services.care_import import import_ssda903
from apps.referrals.ssda903 import (
    CIN_CODES,
    LS_CODES,
    PLACE_CODES,
    PLACE_PROVIDER_CODES,
    PLACE_WITHOUT_PROVIDER,
    REASON_PLACE_CHANGE_CODES,
)
from apps.reporting.ssda903.episodes import NO_URN_PLACES
from apps.reporting.ssda903.files import return_build
from tests.factories import (
    LaServiceFactory,
    RccFactory,
    RccMembershipFactory,
    user_with_role,
)

TODAY = dt.date(2026, 12, 4)
DOMAINS = (
    "emotional-wellbeing", "behaviour", "health", "disability", "education", "identity-culture",
    "family-relationships", "risk-to-child", "risk-to-others",
)  # fmt: skip
MOVES = frozenset({"P", "T", "B", "U"})
CONTINUING = MOVES | {"L"}
UNDER_18_ENDINGS = frozenset({"E11", "E12", "E45", "E46", "E47", "E48"})


def area(stock: int = 600, code: str = "352") -> Area:
    """A mid-size LA (Manchester has about 800 children looked after at the national rate)."""
    return Area(
        code=code,
        stock=stock,
        london=False,
        home_postcodes=[f"M{n} {n}AB" for n in range(1, 41)],
        nearby_postcodes=[f"OL{n} {n}AB" for n in range(1, 21)],
        in_house=("PR1", "SC835200"),
        ifas=[("PR4", "SC900001"), ("PR4", "SC900002"), ("PR5", "SC900003")],
        childrens_homes=[Home(f"SC7{code}0{n}", "PR4", f"M{n} {n}AB") for n in range(1, 5)],
        supported=[Home(f"SC6{code}0{n}", "PR5", f"M{n + 10} {n + 10}AB") for n in range(1, 4)],
        adoption=Home(f"SC5{code}00", "PR1", ""),
    )


@pytest.fixture(scope="module")
def planned() -> list[PlannedChild]:
    return plan_cohort(area(1500), seed=2026, today=TODAY, domains=DOMAINS)


# --- The plan (no database) ----------------------------------------------------------------


def test_the_plan_is_deterministic_for_a_seed_and_differs_with_another() -> None:
    first = plan_cohort(area(), seed=7, today=TODAY, domains=DOMAINS)
    again = plan_cohort(area(), seed=7, today=TODAY, domains=DOMAINS)
    other = plan_cohort(area(), seed=8, today=TODAY, domains=DOMAINS)
    elsewhere = plan_cohort(area(code="358"), seed=7, today=TODAY, domains=DOMAINS)

    assert first == again
    assert first != other
    assert first != elsewhere  # keyed by the LA's DfE code
    assert [c.identifier for c in first] == [f"LAC{n:07d}" for n in range(1, len(first) + 1)]
    assert all(len(c.identifier) <= 10 for c in first)  # the DfE's limit on CHILD


def problems(child: PlannedChild, today: dt.date) -> list[str]:
    """Everything wrong with one child's episodes as an SSDA903 sequence."""
    out = []
    eps = child.episodes
    window = years_before(today, 5)
    eighteen = birthday(child.dob, 18)
    if not eps:
        return ["no episodes"]
    if eps[0].rne != "S" and not eps[0].start < window:
        out.append("the first episode in the files starts care but is not RNE S")
    for e in eps:
        where = f"{child.identifier} {e.start}"
        if e.end is not None and e.end <= e.start:
            out.append(f"{where}: ends on or before it starts")
        if e.end is not None and e.end < window:
            out.append(f"{where}: ended before the five years")
        if (e.end or today) > eighteen:
            out.append(f"{where}: looked after past the 18th birthday")
        if (e.end is None) != (e.rec == ""):
            out.append(f"{where}: DEC and REC must both be given or both blank")
        for value, codes, name in (
            (e.ls, LS_CODES, "LS"),
            (e.cin, CIN_CODES, "CIN"),
            (e.place, PLACE_CODES, "PLACE"),
        ):
            if value not in codes:
                out.append(f"{where}: {name} {value} is not an SSDA903 code")
        if e.provider and e.provider not in PLACE_PROVIDER_CODES:
            out.append(f"{where}: PLACE_PROVIDER {e.provider}")
        if (e.provider == "") != (e.place in PLACE_WITHOUT_PROVIDER):
            out.append(f"{where}: PLACE_PROVIDER {e.provider!r} with {e.place}")
        if (e.place == "P1") != (e.provider == "PR0"):
            out.append(f"{where}: PR0 goes with P1 only (rules 527–531, 550)")
        if e.place == "P1" and e.ls == "V2":
            out.append(f"{where}: placed with parents under section 20 (rule 378)")
        if (e.urn == "") != (e.place in NO_URN_PLACES):
            out.append(f"{where}: URN {e.urn!r} with {e.place} (rules 218, 222)")
        if e.place in ("A3", "A5") and e.rne not in ("S", "T", "U"):
            out.append(f"{where}: placed for adoption with the foster carers as {e.rne} (217)")
        if e.place == "K3" and e.start < birthday(child.dob, 16):
            out.append(f"{where}: supported accommodation under 16 (rule 371)")
        if e.place != "P1" and e.pl_post == e.home_post:
            out.append(f"{where}: placed at the home postcode (rule 392d)")
        if e.rec and e.rec != EPISODE_CONTINUES and e.rec not in LeftCare.values:
            out.append(f"{where}: REC {e.rec}")
        if e.rec in UNDER_18_ENDINGS and e.end is not None and e.end >= eighteen:
            out.append(f"{where}: {e.rec} at 18 or over (rules 386, 407)")
        if e.rec == "E17" and e.end is not None and e.end < eighteen:
            out.append(f"{where}: staying put (E17) under 18 (rule 460)")
        if e.rec in ("E5", "E6") and e.end is not None and e.end < birthday(child.dob, 14):
            out.append(f"{where}: independent living under 14 (rule 387)")
    if eps[-1].end is None and eighteen <= collection_year_end(today):
        out.append("looked after today but 18 before the collection year ends (rule 359)")
    if len({e.cin for e in eps}) != 1:
        out.append("CIN changes")
    for before, after in pairwise(eps):
        where = f"{child.identifier} {after.start}"
        if before.end is None or before.end > after.start:
            out.append(f"{where}: overlaps the episode before")
            continue
        continues = before.end == after.start
        if continues != (before.rec == EPISODE_CONTINUES):
            out.append(f"{where}: X1 exactly where the next episode starts that day (rule 388)")
        if continues != (after.rne in CONTINUING):
            out.append(f"{where}: RNE {after.rne} after an episode ending {before.rec} (433)")
        if not continues:
            continue
        same_place = (before.place, before.provider, before.urn, before.pl_post) == (
            after.place,
            after.provider,
            after.urn,
            after.pl_post,
        )
        same_ls = before.ls == after.ls
        expected = {"L": same_place and not same_ls, "P": not same_place and same_ls}
        expected.update(T=expected["P"], B=not same_place and not same_ls)
        expected["U"] = expected["B"]
        if not expected[after.rne]:
            out.append(f"{where}: RNE {after.rne} does not match the change (rules 434–436)")
        if after.rne in MOVES and before.change not in REASON_PLACE_CHANGE_CODES:
            out.append(f"{where}: a change of placement with no reason (rule 225)")
        if after.rne == "L" and before.change:
            out.append(f"{where}: a reason for a change of legal status alone")
    return out


def test_every_episode_sequence_is_valid(planned: list[PlannedChild]) -> None:
    found = [p for child in planned for p in problems(child, TODAY)]

    assert found == [], found[:20]
    rne = Counter(e.rne for c in planned for e in c.episodes)
    assert {"S", "L", "P", "T", "U"} <= set(rne)  # every kind of new episode occurs
    assert Counter(e.place for c in planned for e in c.episodes)["A5"] > 0
    recs = Counter(e.rec for c in planned for e in c.episodes)
    for code in ("E4A", "E13", "E11", "E46", "E17", "E5"):  # home, adopted, SGO, at 18
        assert recs[code] > 0, code
    # Some children come back into care after going home: a second period (RNE S).
    assert any(sum(e.rne == "S" for e in c.episodes) > 1 for c in planned)


def test_the_check_finds_a_broken_sequence(planned: list[PlannedChild]) -> None:
    """`problems` itself: each kind of break in a valid child's episodes is reported."""
    child = next(
        c
        for c in planned
        if len(c.episodes) >= 3
        and c.episodes[1].rne == "T"
        and c.episodes[0].start > years_before(TODAY, 4)
    )
    assert problems(child, TODAY) == []

    def broken(index: int, **change: object) -> list[str]:
        episodes = [replace(e) for e in child.episodes]
        episodes[index] = replace(episodes[index], **change)
        return problems(replace(child, episodes=episodes), TODAY)

    first, second = child.episodes[0], child.episodes[1]
    assert broken(0, rne="T")  # care must start with S
    assert broken(0, rec="E13")  # leaving care, then a same-day move
    assert broken(0, end=second.start + dt.timedelta(days=3))  # overlap
    assert broken(0, change="")  # a move with no reason
    assert broken(1, rne="L")  # a change of legal status that moved the child
    assert broken(1, ls="V2" if second.ls != "V2" else "C2", place="P1", provider="PR0")
    assert broken(0, urn="" if first.urn else "SC123456")
    assert broken(0, pl_post=first.home_post, place="U4")
    assert broken(0, place="H5")  # no longer an SSDA903 code
    assert broken(0, cin="N9")


def _age(dob: dt.date, on: dt.date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def _placements_in_year(child: PlannedChild, start: dt.date, end: dt.date) -> int:
    """Placements during the year, as the DfE counts them: every episode that starts a
    placement (not a change of legal status alone)."""
    in_year = [e for e in child.episodes if e.start <= end and (e.end is None or e.end >= start)]
    return sum(1 for i, e in enumerate(in_year) if i == 0 or e.rne != "L")


def test_the_cohort_looks_like_the_dfes_figures(planned: list[PlannedChild]) -> None:
    now = [c for c in planned if c.episodes[-1].end is None]
    # The stock today is the target (1,500), less the young people who left before 18.
    assert 1350 <= len(now) <= 1650
    ages = Counter(_age(c.dob, TODAY) for c in now)

    def share(lo: int, hi: int) -> float:
        return sum(n for age, n in ages.items() if lo <= age <= hi) / len(now)

    # DfE, 31 March: under 1 5%, 1–4 14%, 5–9 17%, 10–15 38%, 16 and over 26%.
    assert 0.02 <= share(0, 0) <= 0.08
    assert 0.10 <= share(1, 4) <= 0.20
    assert 0.12 <= share(5, 9) <= 0.24
    assert 0.32 <= share(10, 15) <= 0.48
    assert 0.14 <= share(16, 17) <= 0.30
    places = Counter(c.episodes[-1].place for c in now)
    foster = sum(n for p, n in places.items() if p.startswith("U")) / len(now)
    assert 0.65 <= foster <= 0.85  # about 70% in foster care, most with U4 or U6
    assert places["U4"] + places["U6"] > sum(places[p] for p in ("U1", "U2", "U3", "U5"))
    assert places["K2"] and places["K3"] and places["P1"]
    assert all(_age(c.dob, c.episodes[-1].start) >= 16 for c in now if c.episodes[-1].place == "K3")
    # Children starting to be looked after in the last year: many babies and 10 to 15s.
    year_ago = TODAY - dt.timedelta(days=365)
    entries = [(c, e) for c in planned for e in c.episodes if e.rne == "S" and e.start > year_ago]
    assert 0.25 <= len(entries) / len(now) <= 0.55  # ~31,000 a year against ~83,000 today
    entry_ages = Counter(_age(c.dob, e.start) for c, e in entries)
    assert entry_ages[0] / len(entries) >= 0.12
    assert sum(entry_ages[a] for a in range(10, 16)) / len(entries) >= 0.25
    # Stability, DfE measures for the year to 31 March 2026.
    start, end = dt.date(2025, 4, 1), dt.date(2026, 3, 31)
    at_end = [c for c in planned if any(_open_on(e, end) for e in c.episodes)]
    three = sum(_placements_in_year(c, start, end) >= 3 for c in at_end) / len(at_end)
    assert 0.06 <= three <= 0.14  # about one in ten with three or more placements
    long_term = [c for c in at_end if _age(c.dob, end) < 16 and _in_care_for(c, end) >= 913]
    same = sum(_in_placement_for(c, end) >= 730 for c in long_term) / len(long_term)
    assert 0.6 <= same <= 0.8  # 68% of under-16s in care 2.5 years: same placement 2 years


def _open_on(e, day: dt.date) -> bool:  # type: ignore[no-untyped-def]
    return e.start <= day and (e.end is None or e.end > day)


def _in_care_for(child: PlannedChild, day: dt.date) -> int:
    """Days the child has been looked after on `day`, since the period of care began."""
    eps = [e for e in child.episodes if e.start <= day]
    i = len(eps) - 1
    while i > 0 and eps[i].rne != "S" and eps[i - 1].end == eps[i].start:
        i -= 1
    return (day - eps[i].start).days


def _in_placement_for(child: PlannedChild, day: dt.date) -> int:
    """Days in the placement the child is in on `day` (changes of legal status alone do not
    end a placement)."""
    eps = [e for e in child.episodes if e.start <= day]
    i = len(eps) - 1
    while i > 0 and eps[i].rne == "L":
        i -= 1
    return (day - eps[i].start).days


def test_needs_grow_with_age_and_moves(planned: list[PlannedChild]) -> None:
    assert all(1 <= len(c.needs) <= 4 for c in planned)
    assert all(set(c.needs) <= set(DOMAINS) for c in planned)
    assert all(1 <= level <= 4 for c in planned for level in c.needs.values())
    assert {len(c.needs) for c in planned} == {1, 2, 3, 4}

    def mean(children: list[PlannedChild]) -> float:
        return sum(sum(c.needs.values()) for c in children) / len(children)

    young = [c for c in planned if _age(c.dob, c.assessed_on) < 5]
    older = [c for c in planned if _age(c.dob, c.assessed_on) >= 10]
    moved = [c for c in planned if sum(e.rne in ("S", "T", "U") for e in c.episodes) >= 3]
    settled = [c for c in planned if sum(e.rne in ("S", "T", "U") for e in c.episodes) == 1]
    assert mean(older) > mean(young) + 1
    assert mean(moved) > mean(settled)
    assert all(c.assessed_on <= TODAY for c in planned)


# --- Written to the database ----------------------------------------------------------------


@pytest.fixture
def two_las(db):  # type: ignore[no-untyped-def]
    """Manchester (with its fostering service) and Trafford in an RCC, with the reference data."""
    call_command("load_reference", verbosity=0)
    rcc = RccFactory()
    manchester = Organisation.objects.get(dfe_la_code="352")
    trafford = Organisation.objects.get(dfe_la_code="358")
    for la in (manchester, trafford):
        RccMembershipFactory(rcc=rcc, la=la)
    LaServiceFactory(owning_la=manchester, ofsted_urn="SC835200", name="Manchester Fostering")
    return manchester, trafford


def _dump() -> list[tuple[object, ...]]:
    """The cohort as data, without database ids."""
    rows = []
    for child in Child.objects.filter(local_identifier__startswith="LAC").order_by(
        "la__dfe_la_code", "local_identifier"
    ):
        episodes = CareEpisode.objects.filter(child=child).order_by("start_date")
        needs = NeedsAssessmentItem.objects.filter(assessment__child=child).order_by("domain")
        rows.append(
            (
                child.la.dfe_la_code,
                child.local_identifier,
                child.date_of_birth,
                child.sex,
                child.ethnicity,
                child.home_postcode,
                child.legal_status,
                tuple(
                    episodes.values_list(
                        "start_date", "end_date", "new_episode_reason", "legal_status",
                        "placement_type", "placement_provider", "reason_ended", "urn",
                        "placement_postcode",
                    )
                ),
                tuple(needs.values_list("domain__code", "level__rank")),
            )
        )  # fmt: skip
    return rows


@pytest.mark.django_db
def test_seeding_writes_each_las_import_and_is_idempotent_and_deterministic(two_las) -> None:  # type: ignore[no-untyped-def]
    manchester, trafford = two_las
    summary = seed_planning_cohort(scale="demo", seed=2026, today=TODAY)

    assert summary.las == 2 and summary.skipped == 0
    assert summary.children == Child.objects.count() > 0
    assert summary.looked_after > 0
    assert any("Planning cohort: 2 LAs" in line for line in summary.lines())
    for la in (manchester, trafford):
        record = CareHistoryImport.objects.get(la=la)
        assert record.status == CareHistoryImport.Status.ACCEPTED
        children = Child.objects.filter(la=la)
        episodes = CareEpisode.objects.filter(child__la=la)
        assert record.children_created == children.count() > 0
        assert record.episodes_created == episodes.count()
        assert not episodes.exclude(imported_from=record).exists()
        assert set(episodes.values_list("source", flat=True)) == {"imported"}
        assert (
            record.legal_statuses_created == LegalStatusChange.objects.filter(child__la=la).count()
        )
        # The originals the import read are kept, one row per child and per episode.
        assert record.header_file.read().decode().count("\r\n") == children.count() + 1
        assert record.episodes_file.read().decode().count("\r\n") == episodes.count() + 1
    # Manchester's own fostering service approves its carers (PR1 with its URN); Trafford has
    # none on the register: its carers carry the URN the register seed would give it.
    assert CareEpisode.objects.filter(child__la=manchester, urn="SC835200").exists()
    assert CareEpisode.objects.filter(child__la=trafford, urn="SC835800").exists()
    # Every child has a real home postcode in the reference data, and its district.
    homes = set(Child.objects.values_list("home_postcode", "home_postcode_district_id"))
    known = set(Postcode.objects.values_list("code", "district_id"))
    assert homes <= known
    # One needs assessment (version 1) each, with 1 to 4 needs.
    assert NeedsAssessment.objects.count() == Child.objects.count()
    assert set(NeedsAssessment.objects.values_list("version", flat=True)) == {1}
    per_assessment = Counter(NeedsAssessmentItem.objects.values_list("assessment_id", flat=True))
    assert set(per_assessment.values()) <= {1, 2, 3, 4}
    assert len(per_assessment) == NeedsAssessment.objects.count()

    first = _dump()
    again = seed_planning_cohort(scale="demo", seed=2026, today=TODAY)
    assert again.las == 0 and again.skipped == 2
    assert _dump() == first
    assert "already present for 2 LAs" in again.lines()[0]

    # The same seed writes the same cohort into an empty database.
    Child.objects.filter(local_identifier__startswith="LAC").delete()
    CareHistoryImport.objects.all().delete()
    seed_planning_cohort(scale="demo", seed=2026, today=TODAY)
    assert _dump() == first


@pytest.mark.django_db
def test_no_query_per_child(two_las, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def queries(rate: float) -> tuple[int, int]:
        Child.objects.filter(local_identifier__startswith="LAC").delete()
        CareHistoryImport.objects.all().delete()
        monkeypatch.setattr(seeding, "DEMO_RATE", rate)
        with CaptureQueriesContext(connection) as captured:
            summary = seed_planning_cohort(scale="demo", today=TODAY)
        return summary.children, len(captured)

    queries(0.0001)  # once first: the LAs' synthetic social workers are made
    few, small = queries(0.0001)
    many, large = queries(0.001)
    assert many > 5 * few
    assert large == small  # the same statements, however many children
    assert large <= 40


@pytest.mark.django_db
def test_the_originals_import_again_unchanged_and_export_with_nothing_missing(two_las) -> None:  # type: ignore[no-untyped-def]
    """The files pass the platform's own import checks and say what is stored; the LA's
    SSDA903 return from them needs nothing added (postcodes, URNs, reasons all there)."""
    manchester, _ = two_las
    today = timezone.localdate()
    seed_planning_cohort(scale="demo", today=today)
    record = CareHistoryImport.objects.get(la=manchester)
    social_worker = user_with_role(Role.SOCIAL_WORKER, manchester)

    again = import_ssda903(
        by=social_worker,
        la=manchester,
        header_upload=SimpleUploadedFile("header.csv", record.header_file.read()),
        episodes_upload=SimpleUploadedFile("episodes.csv", record.episodes_file.read()),
    )

    assert again.status == CareHistoryImport.Status.ACCEPTED, again.errors[:5]
    assert again.children_created == again.episodes_created == 0
    assert again.children_updated == again.episodes_updated == 0
    assert again.episodes_unchanged == record.episodes_created
    year = today.year - (today.month < 4)
    built = return_build(la=manchester, year=year, children=Child.objects.all(), today=today)
    assert built.episodes
    attention = {a.what for a in built.attention}
    assert attention == set(), sorted(attention)[:5]
