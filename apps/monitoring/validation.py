"""The one validator of the national return. The web form, the file upload and the API all turn
what they receive into `Record`s and call `validate_return`; nothing is accepted unless it
returns no errors. Every problem names its row, column, the value and how to fix it.

This module reads nothing from the database: `ValidationContext` carries what the checks
need (LA codes, the provider's placements on the platform, a lookup for other references),
built in `selectors.validation_context`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .format import CARER, FIGURE, RECORD_KINDS, ReturnFormat
from .quarters import Quarter
from .reader import Record, RowError, text_of
from .xlsx import Formula

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
PLACEMENT_REF = re.compile(r"^PL-(\d{1,12})$")
MAX_COUNT = 1_000_000
MAX_ERRORS = 50_000


@dataclass(frozen=True)
class PlatformPlacement:
    """What the platform holds about a placement, as the return refers to it."""

    pk: int
    provider_id: int
    child_ref: str
    la_code: str
    placement_type: str
    start_date: dt.date
    end_date: dt.date | None
    reason_ended: str
    household_ref: str

    @property
    def reference(self) -> str:
        return f"PL-{self.pk}"


@dataclass
class ValidationContext:
    provider_id: int
    quarter: Quarter
    fmt: ReturnFormat
    las: dict[str, tuple[int, int | None]]  # DfE code -> (LA id, its RCC id in the quarter)
    platform: dict[int, PlatformPlacement]  # the provider's placements active in the quarter
    lookup: Callable[[set[int]], dict[int, PlatformPlacement]] = lambda ids: {}


@dataclass
class CleanPlacement:
    row: int
    child_ref: str
    placement_id: int | None
    la_id: int
    rcc_id: int | None
    la_code: str
    placement_type: str
    start_date: dt.date
    end_date: dt.date | None
    reason_ended: str
    household_ref: str

    def key(self) -> str:
        return f"{self.child_ref}|{self.start_date.isoformat()}"

    def canonical(self) -> dict[str, Any]:
        return {
            "child_ref": self.child_ref,
            "placement_ref": f"PL-{self.placement_id}" if self.placement_id else "",
            "la_code": self.la_code,
            "placement_type": self.placement_type,
            "start_date": self.start_date.isoformat(),
            "end_date": self.end_date.isoformat() if self.end_date else "",
            "reason_ended": self.reason_ended,
            "household_ref": self.household_ref,
        }


@dataclass
class CleanReturn:
    format_version: str
    figures: dict[str, Any]
    carer_changes: list[dict[str, Any]]
    placements: list[CleanPlacement] = field(default_factory=list)

    def canonical(self) -> dict[str, Any]:
        """The content, independent of row order and file type: what the version hash covers."""
        return {
            "format_version": self.format_version,
            "figures": dict(sorted(self.figures.items())),
            "carer_changes": sorted(
                ({k: v for k, v in c.items() if k != "row"} for c in self.carer_changes),
                key=lambda c: (c["household_ref"], c["change"], c["change_date"]),
            ),
            "placements": sorted(
                (p.canonical() for p in self.placements),
                key=lambda p: (p["child_ref"], p["start_date"]),
            ),
        }

    def content_hash(self) -> str:
        text = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Invalid(Exception):
    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint


def validate_return(
    records: Iterable[Record], ctx: ValidationContext
) -> tuple[CleanReturn | None, list[RowError]]:
    """Check every row; return the clean return only when there is no error at all."""
    return _Validator(ctx).run(list(records))


class _Validator:
    def __init__(self, ctx: ValidationContext):
        self.ctx = ctx
        self.fmt = ctx.fmt
        self.q = ctx.quarter
        self.errors: list[RowError] = []
        self.figures: dict[str, Any] = {}
        self.figure_rows: dict[str, Record] = {}
        self.bad_figures: set[str] = set()
        self.changes: list[dict[str, Any]] = []
        self.placements: list[CleanPlacement] = []
        self.others: dict[int, PlatformPlacement] = {}
        self.seen_refs: dict[int, int] = {}
        self.seen_keys: dict[tuple[str, dt.date], int] = {}
        self.seen_changes: dict[tuple[str, str], int] = {}

    # --- helpers ---------------------------------------------------------------------------

    def error(self, record: Record | None, column: str, message: str, hint: str = "") -> None:
        if len(self.errors) >= MAX_ERRORS:
            return
        value = text_of(record.values.get(column))[:200] if record else ""
        self.errors.append(
            RowError(
                record.number if record else None,
                column,
                message,
                hint,
                value,
                record.cells.get(column, "") if record else "",
                record.label if record else "",
            )
        )

    def text(self, record: Record, column: str) -> str:
        return text_of(record.values.get(column))

    def date(self, record: Record, column: str) -> dt.date | None:
        value = record.values.get(column)
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = text_of(value)
        if not text:
            return None
        for fmt in DATE_FORMATS:
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise _Invalid(
            f"{column} {text!r} is not a date.",
            "Write the date as YYYY-MM-DD (2025-11-14) or DD/MM/YYYY (14/11/2025).",
        )

    def code(
        self, value: str, list_name: str, column: str, allowed: Iterable[str] | None = None
    ) -> str:
        codes = list(allowed) if allowed is not None else self.fmt.codes(list_name)
        if value in codes:
            return value
        upper = {c.upper(): c for c in codes}
        if value.upper() in upper:
            return upper[value.upper()]
        close = difflib.get_close_matches(value.upper(), list(upper), n=1, cutoff=0.6)
        hint = f"Did you mean {upper[close[0]]}? " if close else ""
        raise _Invalid(
            f"{column} {value!r} is not a code of the {self.fmt.version} list.",
            hint + "Use one of: " + ", ".join(codes) + ".",
        )

    # --- the run ---------------------------------------------------------------------------

    def run(self, records: list[Record]) -> tuple[CleanReturn | None, list[RowError]]:
        self._lookup_references(records)
        for record in records:
            self._check_record(record)
        self._check_figures_complete()
        self._check_cross_figures()
        self._check_platform_placements_present()
        if self.errors:
            self.errors.sort(key=lambda e: (e.row is not None, e.row or 0))
            return None, self.errors
        return CleanReturn(self.fmt.version, self.figures, self.changes, self.placements), []

    def _lookup_references(self, records: list[Record]) -> None:
        ids: set[int] = set()
        for record in records:
            match = PLACEMENT_REF.match(text_of(record.values.get("placement_ref")).upper())
            if match and int(match[1]) not in self.ctx.platform:
                ids.add(int(match[1]))
        self.others = self.ctx.lookup(ids) if ids else {}

    def _check_record(self, record: Record) -> None:
        for column, value in record.values.items():
            if isinstance(value, Formula):
                self.error(
                    record,
                    column,
                    f"{column} holds a formula ({str(value)[:60]}); formulas are not accepted.",
                    "Replace the formula with its value: copy the column and paste it back as "
                    "values only.",
                )
                record.values[column] = None
        if record.values.pop("__extra__", None):
            self.error(
                record,
                "(row)",
                "The row has values beyond the last named column.",
                "Delete the values to the right of the table, or give the column its template "
                "name.",
            )
        kind = self.text(record, "record").upper()
        if not kind:
            self.error(
                record,
                "record",
                "The record type is missing.",
                f"Write {', '.join(RECORD_KINDS)} in the record column.",
            )
            return
        if kind not in RECORD_KINDS:
            close = difflib.get_close_matches(kind, RECORD_KINDS, n=1)
            self.error(
                record,
                "record",
                f"{kind!r} is not a record type.",
                (f"Did you mean {close[0]}? " if close else "")
                + f"Use one of: {', '.join(RECORD_KINDS)}.",
            )
            return
        for col in self.fmt.columns:
            if kind not in col.records and col.name != "record" and self.text(record, col.name):
                self.error(
                    record,
                    col.name,
                    f"{col.name} is not used on {kind} rows.",
                    f"Leave {col.name} blank on {kind} rows (it belongs on "
                    f"{', '.join(col.records)} rows).",
                )
        if kind == FIGURE:
            self._figure(record)
        elif kind == CARER:
            self._carer(record)
        else:
            self._placement(record)

    # --- FIGURE ----------------------------------------------------------------------------

    def _figure(self, record: Record) -> None:
        item = self.text(record, "item").lower()
        if not item:
            self.error(
                record,
                "item",
                "The figure's item is missing.",
                "Name the figure, e.g. households_end (see the data dictionary).",
            )
            return
        spec = self.fmt.figure(item)
        if spec is None:
            close = difflib.get_close_matches(item, [f.item for f in self.fmt.figures], n=1)
            self.error(
                record,
                "item",
                f"{item!r} is not a figure of the {self.fmt.version} return.",
                (f"Did you mean {close[0]}? " if close else "")
                + "Use the items listed in the data dictionary.",
            )
            return
        if item in self.figure_rows:
            self.error(
                record,
                "item",
                f"The figure {item} is given twice: rows {self.figure_rows[item].number} and "
                f"{record.number}.",
                "Keep one row for each figure; delete the other.",
            )
            return
        self.figure_rows[item] = record
        raw = self.text(record, "value")
        try:
            self.figures[item] = self._figure_value(spec.kind, spec.code_list, item, raw)
        except _Invalid as err:
            self.bad_figures.add(item)
            self.error(record, "value", err.message, err.hint)

    def _figure_value(self, kind: str, code_list: str, item: str, raw: str) -> Any:
        if not raw:
            if item == "ofsted_date":
                return None
            raise _Invalid(
                f"The value of {item} is missing.",
                "Fill in the figure; write 0 when there were none.",
            )
        if kind == "count":
            digits = raw.replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+", raw) else raw
            if not re.fullmatch(r"\d+", digits):
                raise _Invalid(
                    f"{item} must be a whole number, 0 or more, not {raw!r}.",
                    "Write a whole number such as 12 (no decimals, no text).",
                )
            value = int(digits)
            if value > MAX_COUNT:
                raise _Invalid(
                    f"{item} {value:,} is far larger than any provider's.",
                    "Check the figure: it may be a total of several providers or a typing slip.",
                )
            return value
        if kind == "code":
            return self.code(raw, code_list, item)
        if kind == "date":
            record = Record(0, {"value": raw})
            day = self.date(record, "value")
            if day and day > self.q.end:
                raise _Invalid(
                    f"{item} {raw} is after the quarter ends ({self.q.end:%d/%m/%Y}).",
                    "Give the latest inspection up to the end of the quarter.",
                )
            return day.isoformat() if day else None
        if kind == "version":
            if raw != self.fmt.version:
                raise _Invalid(
                    f"This return uses template version {self.fmt.version}, not {raw!r}.",
                    f"Download the {self.fmt.version} template or your pre-filled return and copy "
                    "your rows into it.",
                )
            return raw
        if kind == "provider":
            if not re.fullmatch(r"\d+", raw) or int(raw) != self.ctx.provider_id:
                raise _Invalid(
                    f"The file is for provider {raw!r}, but this is the return of provider "
                    f"{self.ctx.provider_id}.",
                    "Check you are uploading your own provider's file; the number is on your "
                    "return's page.",
                )
            return int(raw)
        if kind == "quarter":
            try:
                quarter = Quarter.parse(raw)
            except ValueError as err:
                raise _Invalid(str(err), "Write the quarter as 2025-26 Q3.") from err
            if quarter != self.q:
                raise _Invalid(
                    f"The file is for {quarter.short}, but this is the return for {self.q.short}.",
                    f"Upload it to the {quarter.short} return, or correct the quarter to "
                    f"{self.q.short}.",
                )
            return quarter.short
        return raw

    def _check_figures_complete(self) -> None:
        for spec in self.fmt.figures:
            if spec.item not in self.figure_rows:
                self.bad_figures.add(spec.item)
                self.error(
                    None,
                    "item",
                    f"The figure {spec.item} ({spec.label.lower()}) is missing.",
                    f"Add a row: record FIGURE, item {spec.item}, and its value.",
                )
        grade = self.figures.get("ofsted_grade")
        if (
            "ofsted_date" in self.figures
            and not self.figures["ofsted_date"]
            and grade
            and grade != "not_inspected"
        ):
            self.bad_figures.add("ofsted_date")
            self.error(
                self.figure_rows.get("ofsted_date"),
                "value",
                "ofsted_date is missing: give the date of the inspection that gave the grade.",
                "Write the date as YYYY-MM-DD, or give ofsted_grade not_inspected.",
            )

    def _check_cross_figures(self) -> None:
        f, bad = self.figures, self.bad_figures

        def ok(*items: str) -> bool:
            return all(i in f and i not in bad for i in items)

        if ok("households_start", "households_end"):
            count = {
                c: sum(1 for x in self.changes if x["change"] == c)
                for c in ("APPROVED", "RESIGNED", "DEREGISTERED")
            }
            expected = (
                f["households_start"]
                + count["APPROVED"]
                - count["RESIGNED"]
                - count["DEREGISTERED"]
            )
            if f["households_end"] != expected:
                self.error(
                    self.figure_rows["households_end"],
                    "value",
                    f"households_end is {f['households_end']}, but households_start "
                    f"{f['households_start']} + {count['APPROVED']} approved "
                    f"- {count['RESIGNED']} resigned - {count['DEREGISTERED']} deregistered "
                    f"(CARER rows) = {expected}.",
                    "Correct the figures, or add the missing CARER rows, so that they agree.",
                )
        if ok("households_end", "places_end") and f["places_end"] < f["households_end"]:
            self.error(
                self.figure_rows["places_end"],
                "value",
                f"places_end ({f['places_end']}) is less than households_end "
                f"({f['households_end']}): every household has at least one place.",
                "Check both figures.",
            )
        if ok("vacancies_end", "places_end") and f["vacancies_end"] > f["places_end"]:
            self.error(
                self.figure_rows["vacancies_end"],
                "value",
                f"vacancies_end ({f['vacancies_end']}) is more than places_end "
                f"({f['places_end']}).",
                "Vacancies are free places: they cannot be more than the places.",
            )

    # --- CARER -----------------------------------------------------------------------------

    def _carer(self, record: Record) -> None:
        ok = True
        household = self.text(record, "household_ref")
        if not household:
            ok = False
            self.error(
                record,
                "household_ref",
                "household_ref is missing.",
                "Give the household's reference as on the register.",
            )
        elif len(household) > 40:
            ok = False
            self.error(
                record,
                "household_ref",
                "household_ref is longer than 40 characters.",
                "Use the register's reference.",
            )
        change = ""
        try:
            raw = self.text(record, "change")
            if not raw:
                raise _Invalid("change is missing.", "Write APPROVED, RESIGNED or DEREGISTERED.")
            change = self.code(raw, "change", "change")
        except _Invalid as err:
            ok = False
            self.error(record, "change", err.message, err.hint)
        day = None
        try:
            day = self.date(record, "change_date")
            if day is None:
                raise _Invalid(
                    "change_date is missing.",
                    "Give the date of the approval, resignation or deregistration.",
                )
            if not self.q.contains(day):
                raise _Invalid(
                    f"change_date {day:%d/%m/%Y} is outside the quarter ({self.q.start:%d/%m/%Y} "
                    f"to {self.q.end:%d/%m/%Y}).",
                    "Report each change in the return of the quarter it happened in.",
                )
        except _Invalid as err:
            ok = False
            self.error(record, "change_date", err.message, err.hint)
        reason = self.text(record, "change_reason")
        if change:
            allowed = self.fmt.reasons_for_change[change]
            try:
                if not allowed and reason:
                    raise _Invalid(
                        f"change_reason is not used for {change}.",
                        "Leave change_reason blank on APPROVED rows.",
                    )
                if allowed and not reason:
                    raise _Invalid(
                        f"change_reason is missing: say why the carers {change.lower()}.",
                        "Use one of: " + ", ".join(allowed) + ".",
                    )
                if reason:
                    reason = self.code(reason, "change_reason", "change_reason", allowed)
            except _Invalid as err:
                ok = False
                self.error(record, "change_reason", err.message, err.hint)
        if ok and change:
            key = (household, change)
            if key in self.seen_changes:
                self.error(
                    record,
                    "household_ref",
                    f"Household {household} is {change} twice: rows {self.seen_changes[key]} and "
                    f"{record.number}.",
                    "Keep one row for each change; delete the duplicate.",
                )
                return
            self.seen_changes[key] = record.number
            self.changes.append(
                {
                    "row": record.number,
                    "household_ref": household,
                    "change": change,
                    "change_date": day.isoformat() if day else "",
                    "change_reason": reason,
                }
            )

    # --- PLACEMENT -------------------------------------------------------------------------

    def _placement(self, record: Record) -> None:
        ok = True
        q = self.q
        child_ref = self.text(record, "child_ref")
        if not child_ref:
            ok = False
            self.error(
                record,
                "child_ref",
                "child_ref is missing.",
                "Give the pseudonymous child reference (pre-filled for placements made through "
                "the platform).",
            )
        elif not re.fullmatch(self.fmt.child_ref_pattern, child_ref) or not re.search(
            r"\d", child_ref
        ):
            ok = False
            self.error(
                record,
                "child_ref",
                f"child_ref {child_ref!r} is not a pseudonymous reference.",
                "Use 4 to 20 capital letters, digits or hyphens, with at least one digit. Never a "
                "name, initials or the LA's case number.",
            )
        platform: PlatformPlacement | None = None
        ref = self.text(record, "placement_ref").upper()
        if ref:
            match = PLACEMENT_REF.match(ref)
            if not match:
                ok = False
                self.error(
                    record,
                    "placement_ref",
                    f"placement_ref {ref!r} is not a platform reference.",
                    "Write PL- and the number (as pre-filled), or leave it blank for placements "
                    "not made through the platform.",
                )
            else:
                pk = int(match[1])
                platform = self.ctx.platform.get(pk)
                if platform is None:
                    ok = False
                    other = self.others.get(pk)
                    if other is None:
                        self.error(
                            record,
                            "placement_ref",
                            f"There is no placement {ref} on the platform.",
                            "Check the reference in your pre-filled return, or leave it blank for "
                            "a placement not made through the platform.",
                        )
                    elif other.provider_id != self.ctx.provider_id:
                        self.error(
                            record,
                            "placement_ref",
                            f"Placement {ref} belongs to another provider, not yours.",
                            "Remove the row, or correct the reference: your own placements are in "
                            "your pre-filled return.",
                        )
                    else:
                        ended = f", ended {other.end_date:%d/%m/%Y}" if other.end_date else ""
                        self.error(
                            record,
                            "placement_ref",
                            f"Placement {ref} (started {other.start_date:%d/%m/%Y}{ended}) was "
                            f"not with you during {q.short}.",
                            "Report it in the return of the quarters it ran in.",
                        )
                elif pk in self.seen_refs:
                    ok = False
                    self.error(
                        record,
                        "placement_ref",
                        f"Placement {ref} is in the return twice: rows {self.seen_refs[pk]} and "
                        f"{record.number}.",
                        "Keep one row for each placement; delete the duplicate.",
                    )
                    platform = None
                else:
                    self.seen_refs[pk] = record.number
        la_code = self.text(record, "la_code")
        la = None
        if not la_code:
            ok = False
            self.error(
                record,
                "la_code",
                "la_code is missing.",
                "Give the DfE code of the LA that placed the child (3 digits, e.g. 352).",
            )
        else:
            if la_code.isdigit() and len(la_code) < 3:
                la_code = la_code.zfill(3)
            la = self.ctx.las.get(la_code)
            if la is None:
                ok = False
                self.error(
                    record,
                    "la_code",
                    f"la_code {la_code!r} is not the DfE code of an English local authority.",
                    "Use the placing LA's 3-digit DfE code (see the LA list on the Organisations "
                    "page).",
                )
        placement_type = ""
        try:
            raw = self.text(record, "placement_type")
            if not raw:
                raise _Invalid(
                    "placement_type is missing.",
                    "Use the SSDA903 code: " + ", ".join(self.fmt.codes("placement_type")) + ".",
                )
            placement_type = self.code(raw, "placement_type", "placement_type")
        except _Invalid as err:
            ok = False
            self.error(record, "placement_type", err.message, err.hint)
        start = end = None
        try:
            start = self.date(record, "start_date")
            if start is None:
                raise _Invalid("start_date is missing.", "Give the date the placement started.")
            if start > q.end:
                raise _Invalid(
                    f"start_date {start:%d/%m/%Y} is after the quarter ends ({q.end:%d/%m/%Y}).",
                    "Report the placement in the return of the quarter it started in.",
                )
        except _Invalid as err:
            ok = False
            start = None
            self.error(record, "start_date", err.message, err.hint)
        try:
            end = self.date(record, "end_date")
            if end is not None:
                if start is not None and end < start:
                    raise _Invalid(
                        f"end_date {end:%d/%m/%Y} is before start_date {start:%d/%m/%Y}.",
                        "Check both dates: a placement cannot end before it starts.",
                    )
                if end < q.start:
                    raise _Invalid(
                        f"end_date {end:%d/%m/%Y} is before the quarter began "
                        f"({q.start:%d/%m/%Y}).",
                        "Leave out placements that ended before the quarter.",
                    )
                if end > q.end:
                    raise _Invalid(
                        f"end_date {end:%d/%m/%Y} is after the quarter ends ({q.end:%d/%m/%Y}).",
                        "Leave end_date blank: the ending belongs in next quarter's return.",
                    )
        except _Invalid as err:
            ok = False
            end = None
            self.error(record, "end_date", err.message, err.hint)
        reason = self.text(record, "reason_ended")
        try:
            if reason:
                reason = self.code(reason, "reason_ended", "reason_ended")
                if not self.text(record, "end_date"):
                    raise _Invalid(
                        "reason_ended is given but end_date is blank.",
                        "Give the end date, or leave reason_ended blank if the placement "
                        "continues.",
                    )
            elif self.text(record, "end_date"):
                raise _Invalid(
                    "reason_ended is missing: the placement ended, so say why.",
                    "Use the SSDA903 code: " + ", ".join(self.fmt.codes("reason_ended")) + ".",
                )
        except _Invalid as err:
            ok = False
            self.error(record, "reason_ended", err.message, err.hint)
        household = self.text(record, "household_ref")
        if len(household) > 40:
            ok = False
            self.error(
                record,
                "household_ref",
                "household_ref is longer than 40 characters.",
                "Use the register's reference.",
            )
        if platform is not None:
            for column, mine, theirs in (
                ("child_ref", child_ref, platform.child_ref),
                ("la_code", la_code, platform.la_code),
                ("start_date", start, platform.start_date),
            ):
                if mine and theirs and mine != theirs:
                    ok = False
                    shown = theirs.strftime("%d/%m/%Y") if isinstance(theirs, dt.date) else theirs
                    self.error(
                        record,
                        column,
                        f"{column} does not match the platform's record of {platform.reference} "
                        f"({shown}).",
                        "Use the pre-filled value. If the platform is wrong, ask the placing LA "
                        "to correct the placement.",
                    )
        if ok and start is not None and child_ref and la:
            key = (child_ref, start)
            if key in self.seen_keys:
                self.error(
                    record,
                    "child_ref",
                    f"The placement of {child_ref} from {start:%d/%m/%Y} is in the return twice: "
                    f"rows {self.seen_keys[key]} and {record.number}.",
                    "Keep one row for each placement; delete the duplicate.",
                )
                return
            self.seen_keys[key] = record.number
            self.placements.append(
                CleanPlacement(
                    record.number,
                    child_ref,
                    platform.pk if platform else None,
                    la[0],
                    la[1],
                    la_code,
                    placement_type,
                    start,
                    end,
                    reason,
                    household,
                )
            )

    def _check_platform_placements_present(self) -> None:
        for pk, p in sorted(self.ctx.platform.items()):
            if pk not in self.seen_refs:
                self.error(
                    None,
                    "placement_ref",
                    f"Placement {p.reference} (child {p.child_ref}, from {p.start_date:%d/%m/%Y}) "
                    f"was with you during {self.q.short} but is not in the return.",
                    "Add its PLACEMENT row (your pre-filled return has it). If the platform is "
                    "wrong, ask the placing LA to correct it.",
                )
