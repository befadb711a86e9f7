"""The register file: one column definition, the templates made from it, and the parser.

One row per household; its carers, skills and vacancies are columns of the same row
(``carer_1_…``, ``skill_<domain code>``, ``vacancy_1_…``). The same definitions produce the
data dictionary on /register/template/, the CSV and XLSX templates and the header check, so
they cannot drift apart. This module reads files into plain values and reports cell-level
problems (row, column, cell, fix); the rules a household must meet are in `validation`,
and writing is `services.register_upload_process`.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from apps.core import uploads
from apps.core.exports import safe_row

from .choices import (
    CARE_TYPE_CODES,
    END_REASONS_FOR_STATUS,
    LANGUAGES,
    AgeBand,
    ApprovalEndReason,
    Ethnicity,
    HouseholdStatus,
    Religion,
    Sex,
    VacancyStatus,
)
from .validation import AGE_LIMIT, MAX_BEDROOMS, MAX_PLACES, Problem

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 300
BLANK_ROWS_TO_STOP = 1_000
TEMPLATE_CARERS = 2
TEMPLATE_VACANCIES = 4
# A file may carry more vacancy columns than the template's four (vacancy_5_… and on, as the
# download of a household with more places has): up to the household form's limit.
MAX_VACANCIES = 30
SHEET_NAME = "Households"
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
LIST_SPLIT = re.compile(r"[;,]")
RESAVE_HINT = (
    "Open it in your spreadsheet program and save it again as Excel Workbook (.xlsx), or as CSV."
)


@dataclass(frozen=True)
class ColumnDef:
    """One column of the template, or a family of them (``{n}`` is the carer or vacancy number)."""

    name: str
    kind: str  # text | int | date | code | codes | ints
    description: str
    group: str
    required: str = ""
    allowed: str = ""
    example: str = ""
    slots: int = 1

    def names(self) -> list[str]:
        if "{n}" not in self.name:
            return [self.name]
        return [self.name.format(n=n) for n in range(1, self.slots + 1)]

    @property
    def display_name(self) -> str:
        if "{n}" not in self.name:
            return self.name
        return self.name.format(n="N") + f" (N = 1 to {self.slots})"


def _codes(values: Iterable[str]) -> str:
    return ", ".join(values)


HOUSEHOLD_COLUMNS: tuple[ColumnDef, ...] = (
    ColumnDef(
        "reference",
        "text",
        "Your own reference for the household. Rows are matched to the register by it: "
        "keep it the same from one upload to the next.",
        "Household",
        "Yes",
        "Up to 40 letters, digits, spaces, dots, hyphens or underscores",
        "PFC-0001",
    ),
    ColumnDef(
        "status",
        "code",
        "Whether the household can take children now. Blank means active.",
        "Household",
        "No",
        _codes(HouseholdStatus.values),
        "active",
    ),
    ColumnDef(
        "postcode_district",
        "text",
        "The household's postcode district: the first half of its postcode. Distances are "
        "measured from the district's centre; the full postcode is never kept.",
        "Household",
        "Yes",
        "A known postcode district",
        "OL11",
    ),
    ColumnDef(
        "age_min",
        "int",
        "The youngest age the household is approved for, in years.",
        "Household",
        "Yes",
        f"Whole number 0 to {AGE_LIMIT}, not more than age_max",
        "0",
    ),
    ColumnDef(
        "age_max",
        "int",
        "The oldest age the household is approved for, in years.",
        "Household",
        "Yes",
        f"Whole number 0 to {AGE_LIMIT}",
        "17",
    ),
    ColumnDef(
        "places",
        "int",
        "Number of children the household is approved to care for.",
        "Household",
        "Yes",
        f"Whole number 1 to {MAX_PLACES}",
        "2",
    ),
    ColumnDef(
        "max_sibling_group",
        "int",
        "The largest sibling group the household can take together. Blank means 1.",
        "Household",
        "No",
        "Whole number from 1 up to places",
        "2",
    ),
    ColumnDef(
        "care_types",
        "codes",
        "The types of care the household is approved for.",
        "Household",
        "Yes",
        "One or more of " + _codes(CARE_TYPE_CODES) + ", separated by ;",
        "short_term;long_term;emergency",
    ),
    ColumnDef(
        "bedrooms",
        "int",
        "Spare bedrooms for children placed. Blank means 1.",
        "Household",
        "No",
        f"Whole number 0 to {MAX_BEDROOMS}",
        "2",
    ),
    ColumnDef(
        "pets",
        "text",
        "Pets in the household. Blank when there are none.",
        "Household",
        "No",
        "Up to 200 characters",
        "One dog",
    ),
    ColumnDef(
        "adaptations",
        "text",
        "Adaptations the home has, such as wheelchair access or a ground-floor bedroom. Blank "
        "when none. Matching shows them beside a child's stated adaptations.",
        "Household",
        "No",
        "Up to 300 characters",
        "Level access; ground-floor bedroom",
    ),
    ColumnDef(
        "other_children_ages",
        "ints",
        "Ages of other children living in the household (birth children, other placed children).",
        "Household",
        "No",
        f"Whole numbers 0 to {AGE_LIMIT}, separated by ;",
        "6;11",
    ),
    ColumnDef(
        "preferences",
        "text",
        "The carers' stated preferences, in their words.",
        "Household",
        "No",
        "Up to 2,000 characters",
        "Prefer children who like the outdoors",
    ),
    ColumnDef(
        "approved_on",
        "date",
        "The day the household was approved as foster carers. Blank keeps the date already on "
        "the register (today for a new household). The national return counts households and "
        "approvals from it.",
        "Household",
        "No",
        "Date as YYYY-MM-DD or DD/MM/YYYY, not in the future",
        "2019-03-14",
    ),
    ColumnDef(
        "approval_ended_on",
        "date",
        "The day the carers resigned or were deregistered. Blank while they are approved.",
        "Household",
        "Yes when status is resigned or deregistered",
        "Date as YYYY-MM-DD or DD/MM/YYYY, not before approved_on",
        "",
    ),
    ColumnDef(
        "approval_end_reason",
        "code",
        "Why the approval ended (the national return's change_reason). Blank while approved.",
        "Household",
        "Yes when status is resigned or deregistered",
        "; ".join(
            f"{status}: {_codes(reasons)}" for status, reasons in END_REASONS_FOR_STATUS.items()
        ),
        "",
    ),
)

CARER_COLUMNS: tuple[ColumnDef, ...] = (
    ColumnDef(
        "carer_{n}_age_band",
        "code",
        "The carer's age band.",
        "Carers",
        "Yes for carer 1; for carer 2 when there is a second carer",
        _codes(AgeBand.values),
        "45-54",
        TEMPLATE_CARERS,
    ),
    ColumnDef(
        "carer_{n}_sex",
        "code",
        "The carer's sex.",
        "Carers",
        "Yes for carer 1; for carer 2 when there is a second carer",
        _codes(Sex.values) + " (U: not stated)",
        "F",
        TEMPLATE_CARERS,
    ),
    ColumnDef(
        "carer_{n}_ethnicity",
        "code",
        "The carer's ethnicity, as a DfE ethnicity code (the ONS categories used in SSDA903).",
        "Carers",
        "Yes for carer 1; for carer 2 when there is a second carer",
        _codes(Ethnicity.values),
        "WBRI",
        TEMPLATE_CARERS,
    ),
    ColumnDef(
        "carer_{n}_religion",
        "code",
        "The carer's religion. Blank means not stated.",
        "Carers",
        "No",
        _codes(Religion.values),
        "christian",
        TEMPLATE_CARERS,
    ),
    ColumnDef(
        "carer_{n}_languages",
        "codes",
        "Languages the carer speaks or signs (ISO 639-1 codes; bsl for British Sign Language, "
        "makaton for Makaton).",
        "Carers",
        "No",
        _codes(LANGUAGES) + ", separated by ;",
        "en;ur",
        TEMPLATE_CARERS,
    ),
)

SKILL_COLUMN = ColumnDef(
    "skill_{code}",
    "int",
    "For each domain of the needs taxonomy, the highest level of need the household is trained "
    "and supported to meet. Blank means no particular skill in that domain.",
    "Skills",
    "No",
    "A level rank from the needs taxonomy",
    "2",
)

VACANCY_COLUMNS: tuple[ColumnDef, ...] = (
    ColumnDef(
        "vacancy_{n}_reference",
        "text",
        "Your reference for this place; unique within the household.",
        "Vacancies",
        "Yes when the vacancy has any other value",
        "Up to 40 characters",
        "PFC-0001-A",
        TEMPLATE_VACANCIES,
    ),
    ColumnDef(
        "vacancy_{n}_available_from",
        "date",
        "The date the place is free (today or earlier when it is free now).",
        "Vacancies",
        "Yes when the vacancy has a reference",
        "Date as YYYY-MM-DD or DD/MM/YYYY",
        "2026-06-01",
        TEMPLATE_VACANCIES,
    ),
    ColumnDef(
        "vacancy_{n}_status",
        "code",
        "The state of the place. Blank means open.",
        "Vacancies",
        "No",
        _codes(VacancyStatus.values),
        "open",
        TEMPLATE_VACANCIES,
    ),
    ColumnDef(
        "vacancy_{n}_hold_reason",
        "text",
        "Why the place is on hold.",
        "Vacancies",
        "Yes when status is on_hold",
        "Up to 200 characters",
        "Carer on leave until 1 July",
        TEMPLATE_VACANCIES,
    ),
)


@dataclass(frozen=True)
class Column:
    """One concrete column of the file."""

    name: str
    definition: ColumnDef
    slot: int = 0  # carer or vacancy number
    domain: str = ""  # for skill columns

    @property
    def is_vacancy(self) -> bool:
        return self.definition in VACANCY_COLUMNS

    @property
    def optional(self) -> bool:
        """A vacancy column beyond the template's: a file may have it or not."""
        return self.is_vacancy and self.slot > TEMPLATE_VACANCIES


def template_columns(
    domain_codes: Sequence[str], *, vacancies: int = TEMPLATE_VACANCIES
) -> list[Column]:
    """Every column of the template, in order, for the taxonomy's active domain codes; with
    `vacancies` vacancy slots (the template's four, or more for a register that has more)."""
    cols = [Column(d.name, d) for d in HOUSEHOLD_COLUMNS]
    for n in range(1, TEMPLATE_CARERS + 1):
        cols += [Column(d.name.format(n=n), d, slot=n) for d in CARER_COLUMNS]
    cols += [Column(f"skill_{code}", SKILL_COLUMN, domain=code) for code in domain_codes]
    for n in range(1, max(vacancies, TEMPLATE_VACANCIES) + 1):
        cols += [Column(d.name.format(n=n), d, slot=n) for d in VACANCY_COLUMNS]
    return cols


def upload_columns(domain_codes: Sequence[str]) -> list[Column]:
    """What an upload may have: the template's columns, and vacancy columns up to
    MAX_VACANCIES (the same columns a download of the register has)."""
    return template_columns(domain_codes, vacancies=MAX_VACANCIES)


def data_dictionary(domains: Sequence[Any], levels: Sequence[Any]) -> list[dict[str, str]]:
    """Rows for the data dictionary (web page and docs): one per column or column family."""
    rows = []
    for d in (*HOUSEHOLD_COLUMNS, *CARER_COLUMNS):
        rows.append(_dictionary_row(d))
    level_text = ", ".join(f"{lv.rank} ({lv.name})" for lv in levels)
    for domain in domains:
        rows.append(
            {
                "name": f"skill_{domain.code}",
                "group": SKILL_COLUMN.group,
                "required": SKILL_COLUMN.required,
                "allowed": level_text,
                "example": SKILL_COLUMN.example,
                "description": f"{domain.name}: {SKILL_COLUMN.description}",
            }
        )
    for d in VACANCY_COLUMNS:
        rows.append(_dictionary_row(d))
    return rows


def _dictionary_row(d: ColumnDef) -> dict[str, str]:
    return {
        "name": d.display_name,
        "group": d.group,
        "required": d.required,
        "allowed": d.allowed,
        "example": d.example,
        "description": d.description,
    }


# --- Templates ---------------------------------------------------------------------------

EXAMPLE_ROWS: tuple[dict[str, str], ...] = (
    {
        "reference": "EXAMPLE-1",
        "status": "active",
        "approved_on": "2019-03-14",
        "postcode_district": "OL11",
        "age_min": "0",
        "age_max": "17",
        "places": "2",
        "max_sibling_group": "2",
        "care_types": "short_term;long_term;emergency",
        "bedrooms": "2",
        "pets": "One dog",
        "other_children_ages": "9",
        "carer_1_age_band": "45-54",
        "carer_1_sex": "F",
        "carer_1_ethnicity": "WBRI",
        "carer_1_religion": "christian",
        "carer_1_languages": "en",
        "carer_2_age_band": "45-54",
        "carer_2_sex": "M",
        "carer_2_ethnicity": "WBRI",
        "carer_2_religion": "none",
        "carer_2_languages": "en",
        "skill_emotional-wellbeing": "2",
        "skill_education": "1",
        "vacancy_1_reference": "EXAMPLE-1-A",
        "vacancy_1_available_from": "2026-06-01",
        "vacancy_1_status": "open",
    },
    {
        "reference": "EXAMPLE-2",
        "postcode_district": "M14",
        "age_min": "11",
        "age_max": "18",
        "places": "1",
        "care_types": "long_term;uasc;staying_put",
        "bedrooms": "1",
        "carer_1_age_band": "35-44",
        "carer_1_sex": "M",
        "carer_1_ethnicity": "APKN",
        "carer_1_religion": "muslim",
        "carer_1_languages": "en;ur;pa",
        "skill_identity-culture": "3",
        "vacancy_1_reference": "EXAMPLE-2-A",
        "vacancy_1_available_from": "2026-05-18",
        "vacancy_1_status": "on_hold",
        "vacancy_1_hold_reason": "Carer on training until 18 May",
    },
)


def register_row(household: Any, columns: Sequence[Column]) -> dict[str, str]:
    """A household as one row of the register file: what `_assemble` reads back to the same
    household, so that a downloaded register uploaded again changes nothing. Takes a household
    with its carers, skills (with domain and level) and vacancies loaded."""

    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, list | tuple):
            return ";".join(str(v) for v in value)
        return str(value)

    values: dict[str, Any] = {
        "reference": household.reference,
        "status": household.status,
        "postcode_district": household.postcode_district_id,
        "age_min": household.age_min,
        "age_max": household.age_max,
        "places": household.places,
        "max_sibling_group": household.max_sibling_group,
        "care_types": household.care_type_codes,
        "bedrooms": household.bedrooms,
        "pets": household.pets,
        "adaptations": household.adaptations,
        "other_children_ages": household.other_children_ages,
        "preferences": household.preferences,
        "approved_on": household.approved_on,
        "approval_ended_on": household.approval_ended_on,
        "approval_end_reason": household.approval_end_reason,
    }
    for n, carer in enumerate(household.carers.all(), start=1):
        for d in CARER_COLUMNS:
            name = d.name.format(n=n)
            values[name] = getattr(carer, name.split("_", 2)[2])
    for skill in household.skills.all():
        values[f"skill_{skill.domain.code}"] = skill.level.rank
    for n, vacancy in enumerate(household.vacancies.all(), start=1):
        for d in VACANCY_COLUMNS:
            name = d.name.format(n=n)
            values[name] = getattr(vacancy, name.split("_", 2)[2])
    return {c.name: text(values.get(c.name)) for c in columns}


def template_csv(columns: Sequence[Column], *, example: bool = False) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.name for c in columns])
    if example:
        for row in EXAMPLE_ROWS:
            writer.writerow(safe_row(row.get(c.name, "") for c in columns))
    # A byte-order mark so that Excel opens the file as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(columns: Sequence[Column], dictionary: Sequence[dict[str, str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_NAME
    ws.append([c.name for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "B2"
    for i, col in enumerate(columns, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = max(12, len(col.name) + 2)
        kind = col.definition.kind
        if kind in ("text", "codes", "ints"):
            # Text, so that a reference such as 0012 is not turned into the number 12.
            ws.column_dimensions[letter].number_format = "@"
        choices = _choices_for(col)
        if choices and len(",".join(choices)) < 250:
            dv = DataValidation(
                type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True
            )
            dv.error = f"Use one of: {', '.join(choices)}"
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    info = wb.create_sheet("Data dictionary")
    info.append(["Column", "Group", "Required", "Allowed values", "Example", "Description"])
    for cell in info[1]:
        cell.font = Font(bold=True)
    for row in dictionary:
        info.append(
            safe_row(
                row[k] for k in ("name", "group", "required", "allowed", "example", "description")
            )
        )
    for letter, width in zip("ABCDEF", (34, 12, 22, 50, 24, 80), strict=True):
        info.column_dimensions[letter].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _choices_for(col: Column) -> list[str]:
    base = col.name.rsplit("_", 1)[-1] if col.slot else col.name
    if col.definition.kind != "code":
        return []
    return {
        "status": HouseholdStatus.values if not col.slot else VacancyStatus.values,
        "band": AgeBand.values,
        "sex": Sex.values,
        "ethnicity": Ethnicity.values,
        "religion": Religion.values,
        "approval_end_reason": ApprovalEndReason.values,
    }.get(base, [])


# --- Reading a file ----------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """A problem to show the user: the row and column (or None for the whole file)."""

    row: int | None
    column: str
    message: str
    hint: str = ""
    cell: str = ""
    value: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "cell": self.cell,
            "value": self.value,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass
class ParsedRow:
    number: int
    data: dict[str, Any]
    paths: dict[str, str] = field(default_factory=dict)  # data path -> column name
    cells: dict[str, str] = field(default_factory=dict)  # column name -> cell ("F3") in XLSX
    raw: dict[str, str] = field(default_factory=dict)  # column name -> value as text
    failed: set[str] = field(default_factory=set)  # columns whose value could not be read

    def error_for(self, problem: Problem) -> RowError:
        column = self.column_for(problem.path)
        return RowError(
            self.number,
            column,
            problem.message,
            problem.hint,
            self.cells.get(column, ""),
            self.raw.get(column, ""),
        )

    def column_for(self, path: str) -> str:
        if path in self.paths:
            return self.paths[path]
        if path == "carers" or path.startswith("carers."):
            return (
                "carer_1_age_band" if path == "carers" else f"carer_{int(path.split('.')[1]) + 1}_*"
            )
        if path == "vacancies":
            return "vacancy_*_status"
        return path


@dataclass
class ParsedFile:
    format: str
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


class FileRejected(Exception):
    """The file as a whole cannot be read (type, size, damage, header)."""

    def __init__(self, message: str, hint: str = "", column: str = ""):
        super().__init__(message)
        self.error = RowError(None, column, message, hint)


def file_format(name: str, content: bytes) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    is_zip = content[:4] == b"PK\x03\x04"
    if ext == "xlsx":
        if not is_zip:
            raise FileRejected(
                "The file is not a readable XLSX workbook: it may be damaged, "
                "or another kind of file renamed .xlsx.",
                RESAVE_HINT,
            )
        return "xlsx"
    if ext == "csv":
        if is_zip:
            raise FileRejected(
                "The file is a spreadsheet workbook with a .csv name.",
                "Save it as CSV (comma delimited), or rename it to .xlsx.",
            )
        return "csv"
    raise FileRejected(
        f"Files of type .{ext or '(none)'} cannot be read.",
        "Upload the register as .csv or .xlsx (save older .xls and .ods files as .xlsx first).",
    )


def read_register_file(name: str, content: bytes, columns: Sequence[Column]) -> ParsedFile:
    """Read every row and every cell; collect every problem; raise FileRejected for the file."""
    fmt = file_format(name, content)
    if not content.strip():
        raise FileRejected("The file is empty.", "Download the template, fill it in and upload it.")
    result = ParsedFile(format=fmt)
    rows = (_xlsx_rows if fmt == "xlsx" else _csv_rows)(content, len(columns))
    header: list[str] | None = None
    by_name = {c.name: c for c in columns}
    first_seen: dict[str, int] = {}
    count = 0
    blank_streak = 0
    for number, values, cells in rows:
        if header is None:
            header = _check_header(values, columns)
            continue
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            blank_streak += 1
            if blank_streak >= BLANK_ROWS_TO_STOP:
                break
            continue
        blank_streak = 0
        count += 1
        if count > MAX_ROWS:
            raise FileRejected(
                f"The file has more than {MAX_ROWS:,} households.",
                "Split it into several files of fewer rows, or use the API.",
            )
        row, cell_errors = _parse_row(number, header, values, cells, by_name)
        result.errors.extend(cell_errors)
        reference = row.data.get("reference")
        if isinstance(reference, str) and reference:
            if reference in first_seen:
                result.errors.append(
                    RowError(
                        number,
                        "reference",
                        f"Household reference {reference!r} is in the file twice: "
                        f"rows {first_seen[reference]} and {number}.",
                        "Each household must be on one row only: "
                        "delete or correct one of the two rows.",
                        row.cells.get("reference", ""),
                        reference,
                    )
                )
            else:
                first_seen[reference] = number
        result.rows.append(row)
    if header is None:
        raise FileRejected(
            "The file has no header row.", "Download the template and keep its first row."
        )
    if not result.rows:
        raise FileRejected(
            "The file has a header but no households.",
            "Add one row per household under the header.",
        )
    return result


def _check_header(values: Sequence[Any], columns: Sequence[Column]) -> list[str]:
    header = [str(v).strip().lower() if v is not None else "" for v in values]
    while header and not header[-1]:
        header.pop()
    if len(header) > MAX_COLUMNS:
        raise FileRejected(
            f"The file has {len(header)} columns; the template has "
            f"{sum(1 for c in columns if not c.optional)}.",
            "Use the template's header row.",
        )
    expected = [c.name for c in columns]
    expected_set = set(expected)
    seen: set[str] = set()
    duplicated = sorted({h for h in header if h and (h in seen or seen.add(h))})  # type: ignore[func-returns-value]
    blank = [i + 1 for i, h in enumerate(header) if not h]
    missing = [c.name for c in columns if c.name not in seen and not c.optional]
    unknown = [h for h in dict.fromkeys(header) if h and h not in expected_set]
    if not (missing or unknown or duplicated or blank):
        return header
    parts = []
    if missing:
        parts.append("missing column(s): " + ", ".join(missing))
    if unknown:
        named = []
        for h in unknown:
            close = difflib.get_close_matches(h, expected, n=1)
            named.append(f"{h} (did you mean {close[0]}?)" if close else h)
        parts.append("unknown column(s): " + ", ".join(named))
    if duplicated:
        parts.append("column(s) given twice: " + ", ".join(duplicated))
    if blank:
        parts.append("column(s) with no name: " + ", ".join(f"number {i}" for i in blank))
    raise FileRejected(
        "The header row does not match the template: " + "; ".join(parts) + ".",
        "Copy the first row of the template from /register/template/ "
        "(column order does not matter).",
        column="(header)",
    )


def _limits(width: int) -> uploads.Limits:
    """What a register file may hold: the template's rows and columns, and no more."""
    return uploads.Limits(
        max_rows=MAX_ROWS + 2,  # a backstop: read_register_file counts households and says so
        max_columns=MAX_COLUMNS,
        max_cells=(MAX_ROWS + 2) * max(2 * width, 64),
    )


def _csv_rows(content: bytes, width: int = 0) -> Iterator[tuple[int, list[Any], Sequence[str]]]:
    try:
        yield from uploads.csv_rows(content, limits=_limits(width))
    except uploads.NotText as err:
        raise FileRejected(
            "The file is not a text CSV file.",
            "Save the register as CSV (comma delimited) or .xlsx.",
        ) from err
    except uploads.UploadRejected as err:
        raise FileRejected(err.message, err.hint) from err


def _xlsx_rows(content: bytes, width: int = 0) -> Iterator[tuple[int, list[Any], Sequence[str]]]:
    try:
        yield from uploads.xlsx_rows(content, sheet_name=SHEET_NAME, limits=_limits(width))
    except uploads.DamagedWorkbook as err:
        raise FileRejected(
            "The file is not a readable XLSX workbook: it may be damaged or not a workbook.",
            RESAVE_HINT,
        ) from err
    except uploads.UploadRejected as err:
        raise FileRejected(err.message, err.hint) from err


_Formula = uploads.Formula


_text = uploads.cell_text


class _CellError(Exception):
    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint


def _int(value: Any, column: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise _CellError(f"{column} must be a whole number, not {value!r}.", "Type a whole number.")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _text(value)
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    raise _CellError(
        f"{column} must be a whole number, not {text!r}.", "Type a whole number, such as 2."
    )


def _date(value: Any, column: str) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise _CellError(
        f"{column} {text!r} is not a date.",
        "Write the date as YYYY-MM-DD (2026-06-01) or DD/MM/YYYY (01/06/2026).",
    )


def _list(value: Any) -> list[str]:
    return [part.strip() for part in LIST_SPLIT.split(_text(value)) if part.strip()]


def _ints(value: Any, column: str) -> list[int]:
    out = []
    for part in _list(value):
        if not re.fullmatch(r"[+-]?\d+", part):
            raise _CellError(
                f"{column}: {part!r} is not a whole number.",
                "List whole numbers separated by ;, e.g. 4;9",
            )
        out.append(int(part))
    return out


def _parse_cell(value: Any, col: Column) -> Any:
    kind = col.definition.kind
    if kind == "int":
        return _int(value, col.name)
    if kind == "date":
        return _date(value, col.name)
    if kind == "codes":
        return _list(value)
    if kind == "ints":
        return _ints(value, col.name)
    return _text(value)


def _parse_row(
    number: int,
    header: Sequence[str],
    values: Sequence[Any],
    cells: Sequence[str],
    by_name: dict[str, Column],
) -> tuple[ParsedRow, list[RowError]]:
    row = ParsedRow(number=number, data={})
    parsed: dict[str, Any] = {}
    errors: list[RowError] = []
    for i, name in enumerate(header):
        value = values[i] if i < len(values) else None
        col = by_name[name]
        row.raw[name] = _text(value)[:200]
        if i < len(cells):
            row.cells[name] = cells[i]
        if isinstance(value, _Formula):
            row.failed.add(name)
            where = f"cell {row.cells.get(name)}" if row.cells.get(name) else name
            errors.append(
                RowError(
                    number,
                    name,
                    f"{where} holds a formula ({str(value)[:60]}); formulas are not accepted.",
                    "Replace the formula with its value: "
                    "copy the column and paste it back as values only.",
                    row.cells.get(name, ""),
                    str(value)[:200],
                )
            )
            continue
        try:
            parsed[name] = _parse_cell(value, col)
        except _CellError as err:
            row.failed.add(name)
            errors.append(
                RowError(
                    number, name, err.message, err.hint, row.cells.get(name, ""), row.raw[name]
                )
            )
    _assemble(row, parsed, by_name)
    return row, errors


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == []


def _assemble(row: ParsedRow, parsed: dict[str, Any], by_name: dict[str, Column]) -> None:
    """Turn the flat columns into the nested household the services take."""
    data = row.data
    for d in HOUSEHOLD_COLUMNS:
        if d.name in parsed and not _blank(parsed[d.name]):
            data[d.name] = parsed[d.name]
        row.paths[d.name] = d.name
    data["carers"] = []
    for n in range(1, TEMPLATE_CARERS + 1):
        names = {d.name.format(n=n).split("_", 2)[2]: d.name.format(n=n) for d in CARER_COLUMNS}
        if all(_blank(parsed.get(col)) and col not in row.failed for col in names.values()):
            continue
        i = len(data["carers"])
        carer = {}
        for key, col in names.items():
            row.paths[f"carers.{i}.{key}"] = col
            if not _blank(parsed.get(col)):
                carer[key] = parsed[col]
        data["carers"].append(carer)
    data["skills"] = []
    for column in by_name.values():
        if not column.domain or column.name in row.failed:
            continue
        level = parsed.get(column.name)
        if level is None:
            continue
        i = len(data["skills"])
        row.paths[f"skills.{i}.domain"] = column.name
        row.paths[f"skills.{i}.level"] = column.name
        data["skills"].append({"domain": column.domain, "level": level})
    data["vacancies"] = []
    slots = max((c.slot for c in by_name.values() if c.is_vacancy), default=0)
    for n in range(1, slots + 1):
        names = {d.name.format(n=n).split("_", 2)[2]: d.name.format(n=n) for d in VACANCY_COLUMNS}
        if all(_blank(parsed.get(col)) and col not in row.failed for col in names.values()):
            continue
        i = len(data["vacancies"])
        vacancy = {}
        for key, col in names.items():
            row.paths[f"vacancies.{i}.{key}"] = col
            if not _blank(parsed.get(col)):
                vacancy[key] = parsed[col]
        data["vacancies"].append(vacancy)
