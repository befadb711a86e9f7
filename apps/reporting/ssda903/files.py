"""An LA's SSDA903 return for one collection year (1 April to 31 March): the Header and
Episodes files the LA checks with the DfE's validator and sends, read from the platform.

- CHILD is the LA's own identifier for the child (`Child.local_identifier`); the DfE allows at
  most 10 characters, so a child whose identifier is longer is left out and listed in the notes.
- Header: CHILD, SEX, DOB, ETHNIC, UPN, MOTHER, MC_DOB. The platform does not hold UPN, MOTHER
  or MC_DOB: they are blank (FIELDS_THE_LA_HOLDS) and the LA fills them in from its case system.
- Episodes: the 13 columns, one row per episode open at any time in the year, built from the
  child's whole care history by `episodes.py` (see its rules). CIN comes from care history the
  LA imported; it is blank for platform placements.
- HOME_POST and PL_POST are full postcodes: restricted data. Only the child's LA and the hub that
  placed the child may download the files (see `views/ssda903.py`); every download is logged
  against each child in it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet

from apps.contracts.dates import financial_year_bounds, financial_year_label, financial_year_of
from apps.core.exports import safe_cell
from apps.organisations.models import Organisation
from apps.referrals.models import CareEpisode, Child, LegalStatusChange, Placement
from apps.referrals.ssda903 import CHILD_MAX_LENGTH, EPISODE_COLUMNS, HEADER_COLUMNS

from .episodes import NO_URN_PLACES, Episode, Stay, child_episodes, clip_to_year, merge_history

FIRST_YEAR = 2025  # the first collection year the platform ran through (2025-26)
FIELDS_THE_LA_HOLDS = (
    ("UPN", "the child's unique pupil number is held in the LA's education records"),
    ("MOTHER", "whether the child is a mother is recorded in the LA's case system"),
    ("MC_DOB", "the date of birth of the child's own child is recorded in the LA's case system"),
    (
        "CIN",
        "the category of need is recorded in the LA's case system (care history the LA "
        "imported keeps the CIN it was imported with)",
    ),
)


@dataclass(frozen=True)
class Attention:
    child: str
    what: str
    episode: str = ""  # "from 04/05/2025 (placement 12)"


@dataclass
class Return903:
    la: Organisation
    year: int
    header: list[dict[str, str]] = field(default_factory=list)
    episodes: list[dict[str, str]] = field(default_factory=list)
    attention: list[Attention] = field(default_factory=list)
    child_ids: list[int] = field(default_factory=list)  # the children in the files

    @property
    def label(self) -> str:
        return financial_year_label(self.year)

    def filename(self, part: str) -> str:
        ext = "zip" if part == "zip" else "csv"
        name = f"ssda903-{self.la.dfe_la_code}-{self.year}-{(self.year + 1) % 100:02d}"
        return f"{name}.{ext}" if part == "zip" else f"{name}-{part}.{ext}"

    def header_csv(self) -> str:
        return _csv(HEADER_COLUMNS, self.header)

    def episodes_csv(self) -> str:
        return _csv(EPISODE_COLUMNS, self.episodes)

    def zip_bytes(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(self.filename("header"), self.header_csv())
            archive.writestr(self.filename("episodes"), self.episodes_csv())
        return out.getvalue()


def _csv(columns: tuple[str, ...], rows: Iterable[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([safe_cell(row[c]) for c in columns] for row in rows)
    return out.getvalue()


def _date(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def collection_years(today: dt.date) -> list[int]:
    """The collection years that have started, newest first (2026 for 2026-27)."""
    return list(range(financial_year_of(today), FIRST_YEAR - 1, -1))


def collection_year_end(year: int, today: dt.date) -> dt.date:
    """The last day the year's file covers: 31 March, or today while the year runs."""
    return min(financial_year_bounds(year)[1], today)


def return_build(
    *, la: Organisation, year: int, children: QuerySet[Child], today: dt.date
) -> Return903:
    """The LA's return for `year` from the children of `children` (already scoped to the
    reader) whose care history reaches into the year."""
    start = financial_year_bounds(year)[0]
    end = collection_year_end(year, today)
    result = Return903(la=la, year=year)
    if end < start:
        return result
    in_year = Q(start_date__lte=end) & (Q(end_date__isnull=True) | Q(end_date__gte=start))
    rows = (
        children.filter(la=la)
        .filter(
            Exists(Placement.objects.filter(in_year, child=OuterRef("pk")))
            | Exists(CareEpisode.objects.filter(in_year, child=OuterRef("pk")))
        )
        .order_by("local_identifier", "pk")
        .values_list("pk", "local_identifier", "sex", "date_of_birth", "ethnicity", "legal_status")
    )
    people = {row[0]: row for row in rows}
    stays = _stays(list(people), today)
    statuses: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    for child_id, day, status in LegalStatusChange.objects.filter(
        child_id__in=list(people)
    ).values_list("child_id", "start_date", "legal_status"):
        statuses[child_id].append((day, status))
    for pk, ident, sex, dob, ethnicity, current in people.values():
        placements, care = stays.get(pk, ([], []))
        episodes = clip_to_year(
            child_episodes(
                merge_history(placements, care),
                legal_statuses=statuses.get(pk, []),
                current_status=current,
                today=today,
            ),
            year_start=start,
            year_end=end,
        )
        if not episodes:
            continue
        if len(ident) > CHILD_MAX_LENGTH:
            result.attention.append(
                Attention(
                    ident,
                    f"left out: the identifier is longer than the DfE's {CHILD_MAX_LENGTH} "
                    "characters; give the child a shorter identifier",
                )
            )
            continue
        result.child_ids.append(pk)
        result.header.append(
            {
                "CHILD": ident,
                "SEX": sex,
                "DOB": _date(dob),
                "ETHNIC": ethnicity,
                "UPN": "",
                "MOTHER": "",
                "MC_DOB": "",
            }
        )
        for episode in episodes:
            result.episodes.append(_episode_row(ident, episode))
            result.attention.extend(_checks(ident, episode))
    return result


def _stays(child_ids: list[int], today: dt.date) -> dict[int, tuple[list[Stay], list[Stay]]]:
    """Each child's platform placements (started by today) and care episodes."""
    out: dict[int, tuple[list[Stay], list[Stay]]] = defaultdict(lambda: ([], []))
    placements = (
        Placement.objects.filter(child_id__in=child_ids, start_date__lte=today)
        .order_by("start_date", "pk")
        .values_list(
            "pk",
            "child_id",
            "start_date",
            "end_date",
            "placement_type",
            "placement_provider",
            "household_id",
            "reason_ended",
            "left_care_reason",
            "provider_urn",
            "agreement__provider_urn",
            "provider__organisation__ofsted_urn",
            "home_postcode",
            "child__home_postcode",
            "placement_postcode",
        )
    )
    for (
        pk,
        child_id,
        start,
        end,
        place,
        provider,
        household,
        reason,
        left_care,
        urn,
        ipa_urn,
        org_urn,
        home,
        child_home,
        pl_post,
    ) in placements:
        out[child_id][0].append(
            Stay(
                start=start,
                end=end,
                place=place,
                provider=provider,
                ref=f"placement {pk}",
                carers=f"household {household}",
                home_post=home or child_home,
                pl_post=pl_post,
                urn="" if place in NO_URN_PLACES else urn or ipa_urn or org_urn,
                left_care=left_care,
                change_reason=reason,
            )
        )
    for e in CareEpisode.objects.filter(child_id__in=child_ids).order_by("start_date", "pk"):
        out[e.child_id][1].append(
            Stay(
                start=e.start_date,
                end=e.end_date,
                place=e.placement_type,
                provider=e.placement_provider,
                ref=f"care episode {e.pk}",
                home_post=e.home_postcode,
                pl_post=e.placement_postcode,
                urn=e.urn,
                cin=e.category_of_need,
                legal_status=e.legal_status,
                rne=e.new_episode_reason,
                rec=e.reason_ended,
                change_reason=e.reason_place_change,
            )
        )
    return out


def _episode_row(ident: str, episode: Episode) -> dict[str, str]:
    stay = episode.stay
    return {
        "CHILD": ident,
        "DECOM": _date(episode.start),
        "RNE": episode.rne,
        "LS": episode.legal_status,
        "CIN": stay.cin,
        "PLACE": stay.place,
        "PLACE_PROVIDER": stay.provider,
        "DEC": _date(episode.end),
        "REC": episode.rec,
        "REASON_PLACE_CHANGE": episode.reason_place_change,
        "HOME_POST": stay.home_post,
        "PL_POST": stay.pl_post,
        "URN": stay.urn,
    }


def _checks(ident: str, episode: Episode) -> list[Attention]:
    stay = episode.stay
    what = list(episode.notes)
    if not stay.home_post:
        what.append("no home postcode (HOME_POST)")
    if not stay.pl_post:
        what.append("no placement postcode (PL_POST)")
    if not stay.urn and stay.place not in NO_URN_PLACES:
        what.append("no Ofsted URN for the placement's provider")
    where = f"from {_date(episode.start)} ({stay.ref})"
    return [Attention(ident, w, where) for w in what]
