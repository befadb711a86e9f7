"""Importing an LA's SSDA903 Header and Episodes files as its children's care history.

`import_ssda903` reads both files (CSV or XLSX, as a case system writes them: any column
order, header names in any case, extra columns ignored) through the one safe upload reader
(`apps.core.uploads`), checks every row, and only if every row passes writes in one
transaction:

- children created or updated by the LA's identifier (CHILD): sex, date of birth and ethnicity
  from the Header; nothing the file does not hold is touched;
- each episode as a `CareEpisode` (source "imported") keyed by (child, DECOM); an episode that
  starts the day a platform placement of the child starts is the platform's own record and is
  skipped; earlier imported episodes of the child inside the span the file covers that the
  file no longer holds (a corrected DECOM) are removed;
- a `LegalStatusChange` at each DECOM where LS changes (or a new period of care starts), and
  the child's legal status set to the latest; the home postcode from the latest episode's
  HOME_POST when the child has none.

Importing the same files again changes nothing. Any problem: nothing is written, and the
import is recorded as rejected with each problem's file, row and column. The originals are
kept either way (except a file over the size limit).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import logging
import os
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields
from typing import Any, cast

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.core import uploads
from apps.core.errors import DomainError
from apps.organisations.kinds import OrganisationKind
from apps.organisations.models import Organisation, PostcodeDistrict
from apps.organisations.services import normalise_postcode

from .. import ssda903 as codes
from ..choices import CareHistorySource, NewEpisodeReason
from ..models import CareEpisode, CareHistoryImport, Child, LegalStatusChange, Placement
from .children import require_social_worker

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # each file; 20,000 episodes take about 1.5 MB as CSV
MAX_ROWS = 100_000
LIMITS = uploads.Limits(
    max_rows=MAX_ROWS + 1,
    max_columns=64,
    max_cells=(MAX_ROWS + 1) * 40,
    max_text=2_000,
    max_member_bytes=128 * 1024 * 1024,
    max_total_bytes=192 * 1024 * 1024,
)
HEADER, EPISODES = "Header", "Episodes"
EPISODE_FIELDS = (
    "end_date", "new_episode_reason", "legal_status", "category_of_need", "placement_type",
    "placement_provider", "reason_ended", "reason_place_change", "home_postcode",
    "placement_postcode", "urn",
)  # fmt: skip


@dataclass(frozen=True)
class RowError:
    """One problem: the file (Header or Episodes), its row (None: the whole file), the column."""

    file: str
    row: int | None
    column: str
    message: str
    value: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


class FileRejected(Exception):
    def __init__(self, error: RowError):
        super().__init__(error.message)
        self.error = error


@dataclass
class HeaderRow:
    row: int
    child: str
    sex: str
    dob: dt.date | None  # None only on a row with errors
    ethnicity: str


@dataclass
class EpisodeRow:
    row: int
    child: str
    start: dt.date
    end: dt.date | None
    values: dict[str, Any]  # CareEpisode field → value (EPISODE_FIELDS)


@dataclass
class Timings:
    """Seconds spent reading, checking and writing (for bench/ssda903_import.py)."""

    parse: float = 0.0
    validate: float = 0.0
    write: float = 0.0


@dataclass
class _Counts:
    children_created: int = 0
    children_updated: int = 0
    children_unchanged: int = 0
    episodes_created: int = 0
    episodes_updated: int = 0
    episodes_unchanged: int = 0
    episodes_platform: int = 0
    episodes_replaced: int = 0
    legal_statuses_created: int = 0


# --- Reading -----------------------------------------------------------------------------------


def _file_kind(file: str, name: str, content: bytes) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    is_zip = content[:4] == b"PK\x03\x04"
    if ext == "xlsx" or (ext != "csv" and is_zip):
        if not is_zip:
            raise FileRejected(
                RowError(file, None, "", "The file is not a readable XLSX workbook.")
            )
        return "xlsx"
    if ext == "csv" or ext == "txt":
        if is_zip:
            raise FileRejected(
                RowError(
                    file,
                    None,
                    "",
                    "The file is a spreadsheet workbook with a .csv name: save it as CSV, or "
                    "rename it .xlsx.",
                )
            )
        return "csv"
    raise FileRejected(
        RowError(
            file, None, "", f"Files of type .{ext or '(none)'} cannot be read: use .csv or .xlsx."
        )
    )


def _rows(file: str, name: str, content: bytes) -> Iterator[uploads.Row]:
    kind = _file_kind(file, name, content)
    try:
        if kind == "xlsx":
            yield from uploads.xlsx_rows(content, sheet_name=file, limits=LIMITS)
        else:
            yield from uploads.csv_rows(content, limits=LIMITS)
    except uploads.UploadRejected as err:
        raise FileRejected(RowError(file, None, "", f"{err.message} {err.hint}".strip())) from err


def read_table(
    file: str, name: str, content: bytes, *, required: Sequence[str], optional: Sequence[str]
) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """The file's rows as (row number, {COLUMN: text}) for the columns the platform reads.

    Refused as a whole (FileRejected) when empty, without its header or required columns, or
    past a limit. A formula cell is a row-level error (its value depends on the program)."""
    if not content.strip():
        raise FileRejected(RowError(file, None, "", "The file is empty."))
    rows = _rows(file, name, content)
    first = next(rows, None)
    if first is None:
        raise FileRejected(RowError(file, None, "", "The file has no header row."))
    header = [uploads.cell_text(v).upper() for v in first[1]]
    wanted = (*required, *optional)
    index: dict[str, int] = {}
    for i, column in enumerate(header):
        if column in wanted and column not in index:
            index[column] = i
    missing = [c for c in required if c not in index]
    if missing:
        other = EPISODES if file == HEADER else HEADER
        looks_other = (
            {"DECOM", "PLACE"} <= set(header)
            if file == HEADER
            else ("ETHNIC" in header and "DECOM" not in header)
        )
        hint = f" It looks like the {other} file." if looks_other else ""
        raise FileRejected(
            RowError(
                file,
                first[0],
                "(header)",
                f"The header row has no column {', '.join(missing)}: the {file} file needs "
                f"{', '.join(required)} (any order).{hint}",
            )
        )
    out: list[tuple[int, dict[str, str]]] = []
    errors: list[RowError] = []
    columns = list(index.items())
    text = uploads.cell_text
    for number, values, _cells in rows:
        width = len(values)
        record: dict[str, str] = {}
        blank = True
        for column, i in columns:
            value = values[i] if i < width else None
            if isinstance(value, uploads.Formula):
                errors.append(
                    RowError(
                        file,
                        number,
                        column,
                        "The cell holds a formula: type the value itself.",
                        uploads.clip(str(value), 60),
                    )
                )
                value = None
            cell = text(value)
            if cell:
                blank = False
            record[column] = cell
        if blank:
            continue
        if len(out) >= MAX_ROWS:
            raise FileRejected(
                RowError(file, number, "", f"The file has more than {MAX_ROWS:,} rows.")
            )
        for column in optional:
            record.setdefault(column, "")
        out.append((number, record))
    return out, errors


# --- Checking ----------------------------------------------------------------------------------


def parse_date(text: str) -> dt.date | None:
    """DD/MM/YYYY (the 903's own form) or YYYY-MM-DD (with a time after it, as XLSX dates
    read); None if neither."""
    try:
        if "/" in text:
            day, month, year = text.split("/")
            if len(year) != 4:
                return None
            return dt.date(int(year), int(month), int(day))
        if len(text) > 10 and text[10] in " T":
            text = text[:10]
        if len(text) == 10 and text[4] == "-":
            return dt.date.fromisoformat(text)
    except ValueError:
        return None
    return None


class _Checker:
    def __init__(self, file: str, today: dt.date):
        self.file = file
        self.today = today
        self.errors: list[RowError] = []

    def error(self, row: int, column: str, message: str, value: str = "") -> None:
        self.errors.append(RowError(self.file, row, column, message, uploads.clip(value, 60)))

    def code(
        self, row: int, values: dict[str, str], column: str, allowed: frozenset[str], *, req: bool
    ) -> str:
        value = values[column].upper()
        if not value:
            if req:
                self.error(row, column, f"{column} is blank: it is needed on every row.")
            return ""
        if value not in allowed:
            self.error(
                row, column, f"{value} is not an SSDA903 {column} code ({_listed(allowed)}).", value
            )
            return ""
        return value

    def date(self, row: int, values: dict[str, str], column: str, *, req: bool) -> dt.date | None:
        value = values[column]
        if not value:
            if req:
                self.error(row, column, f"{column} is blank: it is needed on every row.")
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.error(row, column, f"{value} is not a date: write it as DD/MM/YYYY.", value)
        elif parsed > self.today:
            self.error(row, column, f"{column} {value} is in the future.", value)
            return None
        return parsed

    def child(self, row: int, values: dict[str, str]) -> str:
        child = values["CHILD"]
        if not child:
            self.error(row, "CHILD", "CHILD is blank: give the child's identifier.")
        elif len(child) > codes.CHILD_MAX_LENGTH:
            self.error(
                row,
                "CHILD",
                f"CHILD is {len(child)} characters long; the DfE's limit is "
                f"{codes.CHILD_MAX_LENGTH}.",
                child,
            )
            return ""
        return child


def _listed(allowed: frozenset[str]) -> str:
    ordered = sorted(allowed)
    return ", ".join(ordered) if len(ordered) <= 8 else ", ".join(ordered[:8]) + " …"


SEX_LEGACY = {"1": "M", "2": "F"}  # the code before 2024-25


def check_header(
    rows: list[tuple[int, dict[str, str]]], today: dt.date
) -> tuple[dict[str, HeaderRow], list[RowError]]:
    check = _Checker(HEADER, today)
    out: dict[str, HeaderRow] = {}
    for number, values in rows:
        before = len(check.errors)
        child = check.child(number, values)
        sex_text = SEX_LEGACY.get(values["SEX"], values["SEX"])
        sex = check.code(number, {"SEX": sex_text}, "SEX", codes.SEX_CODES, req=True)
        dob = check.date(number, values, "DOB", req=True)
        ethnic = check.code(number, values, "ETHNIC", codes.ETHNIC_CODES, req=True)
        if child and child in out:
            check.error(
                number,
                "CHILD",
                f"CHILD {child} is in the Header twice (rows {out[child].row} and {number}).",
                child,
            )
            continue
        if len(check.errors) == before and child and dob:
            out[child] = HeaderRow(number, child, sex, dob, ethnic)
        elif child:
            out.setdefault(child, HeaderRow(number, child, sex, None, ethnic))
    return out, check.errors


def check_episodes(
    rows: list[tuple[int, dict[str, str]]], header: dict[str, HeaderRow], today: dt.date
) -> tuple[dict[str, list[EpisodeRow]], list[RowError]]:
    check = _Checker(EPISODES, today)
    by_child: dict[str, list[EpisodeRow]] = defaultdict(list)
    for number, v in rows:
        child = check.child(number, v)
        if child and child not in header:
            check.error(
                number, "CHILD", f"CHILD {child} is not in the Header file: add the child there.",
                child,
            )  # fmt: skip
        start = check.date(number, v, "DECOM", req=True)
        end = check.date(number, v, "DEC", req=False)
        rne = check.code(number, v, "RNE", codes.RNE_CODES, req=True)
        ls = check.code(number, v, "LS", codes.LS_CODES, req=True)
        cin = check.code(number, v, "CIN", codes.CIN_CODES, req=False)
        place = check.code(number, v, "PLACE", codes.PLACE_CODES, req=True)
        provider = check.code(number, v, "PLACE_PROVIDER", codes.PLACE_PROVIDER_CODES, req=False)
        rec = check.code(number, v, "REC", codes.REC_CODES, req=False)
        change = check.code(
            number, v, "REASON_PLACE_CHANGE", codes.REASON_PLACE_CHANGE_CODES, req=False
        )
        if v["DEC"] and not v["REC"]:
            check.error(
                number, "REC", "REC is blank: an episode that ended (DEC) needs its reason."
            )
        if v["REC"] and not v["DEC"]:
            check.error(
                number,
                "DEC",
                f"DEC is blank but REC is {v['REC']}: give the date the episode ended, or "
                "leave REC blank while it continues.",
            )
        if start and end and end < start:
            check.error(
                number,
                "DEC",
                f"DEC {v['DEC']} is before DECOM {v['DECOM']}: an episode cannot end before it "
                "starts.",
                v["DEC"],
            )
            end = None
        known = header.get(child)
        if start and known and known.dob and start < known.dob:
            check.error(
                number,
                "DECOM",
                f"DECOM {v['DECOM']} is before the child's date of birth in the Header.",
                v["DECOM"],
            )
        posts = {}
        for column in ("HOME_POST", "PL_POST"):
            raw = v[column]
            post = normalise_postcode(raw) if raw else ""
            if post is None:
                check.error(number, column, f"{raw} is not a UK postcode.", raw)
                post = ""
            posts[column] = post
        urn = v["URN"].strip()
        if len(urn) > 10:
            check.error(number, "URN", "URN is longer than 10 characters.", urn)
        if child and start:
            by_child[child].append(
                EpisodeRow(
                    row=number,
                    child=child,
                    start=start,
                    end=end,
                    values={
                        "end_date": end,
                        "new_episode_reason": rne,
                        "legal_status": ls,
                        "category_of_need": cin,
                        "placement_type": place,
                        "placement_provider": provider,
                        "reason_ended": rec,
                        "reason_place_change": change,
                        "home_postcode": posts["HOME_POST"],
                        "placement_postcode": posts["PL_POST"],
                        "urn": urn,
                    },
                )
            )
    for child, episodes in by_child.items():
        episodes.sort(key=lambda e: (e.start, e.row))
        for before, after in itertools.pairwise(episodes):
            if before.start == after.start:
                check.error(
                    after.row,
                    "DECOM",
                    f"CHILD {child} has two episodes starting {_dmy(after.start)} (rows "
                    f"{before.row} and {after.row}): an episode is keyed by CHILD and DECOM.",
                    _dmy(after.start),
                )
            elif before.end is None or before.end > after.start:
                ended = "has no DEC" if before.end is None else f"ends {_dmy(before.end)}"
                check.error(
                    after.row,
                    "DECOM",
                    f"CHILD {child}'s episode starting {_dmy(after.start)} overlaps the one "
                    f"starting {_dmy(before.start)} (row {before.row}), which {ended}.",
                    _dmy(after.start),
                )
    return by_child, check.errors


def _dmy(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


# --- Writing -----------------------------------------------------------------------------------


def _legal_status_steps(episodes: list[EpisodeRow]) -> list[tuple[dt.date, str]]:
    """(date, LS) where the legal status changes, or a new period of care starts (RNE S)."""
    steps: list[tuple[dt.date, str]] = []
    previous = None
    for episode in episodes:
        ls = episode.values["legal_status"]
        if ls != previous or episode.values["new_episode_reason"] == NewEpisodeReason.S:
            steps.append((episode.start, ls))
        previous = ls
    return steps


def _write(
    *,
    la: Organisation,
    by: User,
    record: CareHistoryImport,
    header: dict[str, HeaderRow],
    episodes: dict[str, list[EpisodeRow]],
) -> _Counts:
    counts = _Counts()
    now = timezone.now()
    Organisation.objects.select_for_update().filter(pk=la.pk).values_list("pk").get()
    existing = {c.local_identifier: c for c in Child.objects.filter(la=la)}
    no_episodes = [
        h for ident, h in header.items() if ident not in existing and not episodes.get(ident)
    ]
    if no_episodes:
        raise _Rejected(
            [
                RowError(
                    HEADER,
                    h.row,
                    "CHILD",
                    f"CHILD {h.child} has no episodes in the Episodes file: a child new to the "
                    "platform is added with their episodes.",
                    h.child,
                )
                for h in no_episodes
            ]
        )
    # Every candidate home postcode's district that the platform knows.
    latest_home = {
        ident: next(
            (e.values["home_postcode"] for e in reversed(eps) if e.values["home_postcode"]), ""
        )
        for ident, eps in episodes.items()
    }
    districts = set(
        PostcodeDistrict.objects.filter(
            code__in={p.split(" ")[0] for p in latest_home.values() if p}
        ).values_list("code", flat=True)
    )

    # Children: new ones first (they need a legal status: the latest in the file).
    new_children = []
    for ident, h in header.items():
        if ident in existing:
            continue
        eps = episodes[ident]
        home = latest_home.get(ident, "")
        district = home.split(" ")[0] if home else ""
        new_children.append(
            Child(
                la=la,
                local_identifier=ident,
                date_of_birth=cast(dt.date, h.dob),  # checked: no errors
                sex=h.sex,
                ethnicity=h.ethnicity,
                legal_status=eps[-1].values["legal_status"],
                home_postcode=home,
                home_postcode_district_id=district if district in districts else None,
                created_by=by,
                created_at=now,
                updated_at=now,
            )
        )
    Child.objects.bulk_create(new_children, batch_size=2000)
    counts.children_created = len(new_children)
    created_ids = {c.pk for c in new_children}
    children = {**existing, **{c.local_identifier: c for c in new_children}}
    ids = [children[ident].pk for ident in header]

    # Episodes, against what is stored and the platform's own placements.
    stored: dict[int, dict[dt.date, CareEpisode]] = defaultdict(dict)
    if len(created_ids) < len(ids):
        for ep in CareEpisode.objects.filter(child_id__in=ids).exclude(child_id__in=created_ids):
            stored[ep.child_id][ep.start_date] = ep
    platform = set(Placement.objects.filter(child_id__in=ids).values_list("child_id", "start_date"))
    to_create: list[CareEpisode] = []
    to_update: list[CareEpisode] = []
    to_delete: list[int] = []
    for ident, eps in episodes.items():
        child_id = children[ident].pk
        mine = stored.get(child_id, {})
        in_file = set()
        for e in eps:
            in_file.add(e.start)
            if (child_id, e.start) in platform:
                counts.episodes_platform += 1
                continue
            current = mine.get(e.start)
            if current is None:
                to_create.append(
                    CareEpisode(
                        child_id=child_id,
                        start_date=e.start,
                        source=CareHistorySource.IMPORTED,
                        imported_from=record,
                        created_at=now,
                        updated_at=now,
                        **e.values,
                    )
                )
                continue
            changed = current.source != CareHistorySource.IMPORTED or any(
                getattr(current, name) != value for name, value in e.values.items()
            )
            if changed:
                for name, value in e.values.items():
                    setattr(current, name, value)
                current.source = CareHistorySource.IMPORTED
                current.imported_from = record
                current.updated_at = now
                to_update.append(current)
            else:
                counts.episodes_unchanged += 1
        first, last = eps[0].start, eps[-1].end
        to_delete += [
            ep.pk
            for day, ep in mine.items()
            if ep.source == CareHistorySource.IMPORTED
            and day not in in_file
            and first <= day
            and (last is None or day <= last)
        ]
    if to_delete:
        CareEpisode.objects.filter(pk__in=to_delete).delete()
    CareEpisode.objects.bulk_create(to_create, batch_size=2000)
    CareEpisode.objects.bulk_update(
        to_update, [*EPISODE_FIELDS, "source", "imported_from", "updated_at"], batch_size=2000
    )
    counts.episodes_created, counts.episodes_updated = len(to_create), len(to_update)
    counts.episodes_replaced = len(to_delete)

    # Legal status history: the file's steps; rows recorded on the platform are kept.
    statuses: dict[int, dict[dt.date, LegalStatusChange]] = defaultdict(dict)
    for row in LegalStatusChange.objects.filter(child_id__in=ids):
        statuses[row.child_id][row.start_date] = row
    ls_create: list[LegalStatusChange] = []
    ls_update: list[LegalStatusChange] = []
    for ident, eps in episodes.items():
        child_id = children[ident].pk
        mine_ls = statuses[child_id]
        for day, ls in _legal_status_steps(eps):
            current_ls = mine_ls.get(day)
            if current_ls is None:
                mine_ls[day] = LegalStatusChange(
                    child_id=child_id,
                    legal_status=ls,
                    start_date=day,
                    source=CareHistorySource.IMPORTED,
                    created_at=now,
                )
                ls_create.append(mine_ls[day])
            elif current_ls.source == CareHistorySource.IMPORTED and current_ls.legal_status != ls:
                current_ls.legal_status = ls
                ls_update.append(current_ls)
    LegalStatusChange.objects.bulk_create(ls_create, batch_size=2000)
    LegalStatusChange.objects.bulk_update(ls_update, ["legal_status"], batch_size=2000)
    counts.legal_statuses_created = len(ls_create)

    # The children's own fields: the Header's, the latest legal status, a home postcode.
    child_update: list[Child] = []
    for ident, h in header.items():
        child = children[ident]
        if child.pk in created_ids:
            continue  # made above with the file's latest legal status and home postcode
        changed = False
        header_values = (("sex", h.sex), ("date_of_birth", h.dob), ("ethnicity", h.ethnicity))
        for name, value in header_values:
            if getattr(child, name) != value:
                setattr(child, name, value)
                changed = True
        if statuses.get(child.pk):
            latest = statuses[child.pk][max(statuses[child.pk])].legal_status
            if latest != child.legal_status:
                child.legal_status = latest
                changed = True
        home = latest_home.get(ident, "")
        if home and not child.home_postcode:
            child.home_postcode = home
            district = home.split(" ")[0]
            if child.home_postcode_district_id is None and district in districts:
                child.home_postcode_district_id = district
            changed = True
        if changed:
            child.updated_at = now
            child_update.append(child)
            counts.children_updated += 1
        else:
            counts.children_unchanged += 1
    Child.objects.bulk_update(
        child_update,
        [
            "sex",
            "date_of_birth",
            "ethnicity",
            "legal_status",
            "home_postcode",
            "home_postcode_district",
            "updated_at",
        ],
        batch_size=2000,
    )
    return counts


class _Rejected(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} problems")
        self.errors = errors


# --- The service -------------------------------------------------------------------------------


def _content(file: str, upload: Any) -> tuple[str, bytes | None, RowError | None]:
    name = os.path.basename(getattr(upload, "name", "") or file.lower())[:255]
    size = getattr(upload, "size", None)
    if size is None or size <= MAX_UPLOAD_BYTES:
        content = upload.read(MAX_UPLOAD_BYTES + 1)
        size = len(content)
        if size <= MAX_UPLOAD_BYTES:
            return name, content, None
    limit = MAX_UPLOAD_BYTES // (1024 * 1024)
    return (
        name,
        None,
        RowError(
            file,
            None,
            "",
            f"The file is {size / (1024 * 1024):.1f} MB; the largest accepted is {limit} MB.",
        ),
    )


def import_ssda903(
    *,
    by: User,
    la: Organisation,
    header_upload: Any,
    episodes_upload: Any,
    timings: Timings | None = None,
) -> CareHistoryImport:
    """Import an LA's SSDA903 Header and Episodes (see the module's docstring).

    Only a social worker of `la` may (DomainError otherwise: nothing is recorded). Returns the
    import, accepted with its counts or rejected with its row-level errors."""
    if la.kind != OrganisationKind.LOCAL_AUTHORITY:
        raise DomainError("Care history is imported for a local authority.", field="la")
    require_social_worker(by, la)
    timings = timings if timings is not None else Timings()
    started = time.perf_counter()
    header_name, header_content, header_error = _content(HEADER, header_upload)
    episodes_name, episodes_content, episodes_error = _content(EPISODES, episodes_upload)
    record = CareHistoryImport(
        la=la, uploaded_by=by, header_name=header_name, episodes_name=episodes_name
    )
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    for attr, content, name in (
        ("header_file", header_content, header_name),
        ("episodes_file", episodes_content, episodes_name),
    ):
        if content is not None:
            ext = os.path.splitext(name)[1].lower()[:6] or ".bin"
            digest = hashlib.sha256(content).hexdigest()[:12]
            getattr(record, attr).save(
                f"{la.pk}-{stamp}-{attr.split('_')[0]}-{digest}{ext}",
                ContentFile(content),
                save=False,
            )
    size_errors = [e for e in (header_error, episodes_error) if e is not None]
    if size_errors:
        return _reject(record, size_errors)
    assert header_content is not None and episodes_content is not None

    errors: list[RowError] = []
    header_rows: list[tuple[int, dict[str, str]]] = []
    episode_rows: list[tuple[int, dict[str, str]]] = []
    try:
        header_rows, errs = read_table(
            HEADER,
            header_name,
            header_content,
            required=codes.HEADER_REQUIRED,
            optional=(),
        )
        errors += errs
        if not header_rows:
            errors.append(RowError(HEADER, None, "", "The Header file has no children."))
    except FileRejected as rejected:
        errors.append(rejected.error)
    try:
        optional = tuple(c for c in codes.EPISODE_COLUMNS if c not in codes.EPISODES_REQUIRED)
        episode_rows, errs = read_table(
            EPISODES,
            episodes_name,
            episodes_content,
            required=codes.EPISODES_REQUIRED,
            optional=optional,
        )
        errors += errs
    except FileRejected as rejected:
        errors.append(rejected.error)
    record.header_rows, record.episode_rows = len(header_rows), len(episode_rows)
    timings.parse = time.perf_counter() - started
    if errors and not (header_rows or episode_rows):
        return _reject(record, errors)

    started = time.perf_counter()
    today = timezone.localdate()
    header, errs = check_header(header_rows, today)
    errors += errs
    episodes, errs = check_episodes(episode_rows, header, today)
    errors += errs
    timings.validate = time.perf_counter() - started
    if errors:
        return _reject(record, errors)

    started = time.perf_counter()
    try:
        with transaction.atomic():
            record.status = CareHistoryImport.Status.ACCEPTED
            record.save()
            counts = _write(la=la, by=by, record=record, header=header, episodes=episodes)
            for name, value in vars(counts).items():
                setattr(record, name, value)
            record.save()
    except _Rejected as rejected:
        record.pk = None
        record._state.adding = True
        return _reject(record, rejected.errors)
    except IntegrityError:
        logger.exception("SSDA903 import for LA %s failed to write", la.pk)
        record.pk = None
        record._state.adding = True
        return _reject(
            record,
            [
                RowError(
                    EPISODES,
                    None,
                    "",
                    "The children's records changed while the files were imported: import "
                    "them again.",
                )
            ],
        )
    finally:
        timings.write = time.perf_counter() - started
    return record


def _reject(record: CareHistoryImport, errors: list[RowError]) -> CareHistoryImport:
    errors.sort(key=lambda e: (e.file != HEADER, e.row or 0))
    record.status = CareHistoryImport.Status.REJECTED
    record.error_count = len(errors)
    record.errors = uploads.stored_errors([e.as_dict() for e in errors])
    for f in fields(_Counts):
        setattr(record, f.name, 0)
    record.save()
    return record
