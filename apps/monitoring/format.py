"""The national quarterly return: ONE versioned definition of its columns, figures and code lists.

Everything else is made from it: the page that documents the format, the data dictionary, the
CSV and XLSX templates (blank and pre-filled), the header check and the validator. A new
version is a new `ReturnFormat` added to `FORMATS`; old versions stay as they were, so a
return for an old quarter is read with the code lists of its own version (SSDA903 code lists
change by collection year: DOMAIN.md).

The file is one table. Each row is a record of one of three kinds, named in the `record`
column, and uses the columns of its kind:

- FIGURE: one figure of the quarter (`item`, `value`), including which template version,
  provider and quarter the file is for;
- CARER: a household approved, resigned or deregistered in the quarter, with the reason;
- PLACEMENT: one placement with the provider at any time in the quarter, with a pseudonymous
  child reference (never a name or case number), SSDA903 placement type and reason ended.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from apps.core.exports import safe_cell, safe_row

from .quarters import Quarter

FIGURE, CARER, PLACEMENT = "FIGURE", "CARER", "PLACEMENT"
RECORD_KINDS = (FIGURE, CARER, PLACEMENT)
SHEET_NAME = "Return"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_ROWS = 60_000


@dataclass(frozen=True)
class ColumnDef:
    name: str
    records: tuple[str, ...]
    kind: str  # text | code | date
    description: str
    required: str
    allowed: str
    example: str
    code_list: str = ""


@dataclass(frozen=True)
class FigureDef:
    item: str
    kind: str  # count | code | date | text | provider | quarter | version
    label: str
    description: str
    group: str
    example: str = ""
    required: bool = True
    code_list: str = ""


@dataclass(frozen=True)
class ReturnFormat:
    version: str
    title: str
    first_quarter: Quarter
    columns: tuple[ColumnDef, ...]
    figures: tuple[FigureDef, ...]
    code_lists: Mapping[str, tuple[tuple[str, str], ...]]
    reasons_for_change: Mapping[str, tuple[str, ...]]
    child_ref_pattern: str = r"^[A-Z0-9][A-Z0-9-]{3,19}$"
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def figure(self, item: str) -> FigureDef | None:
        return next((f for f in self.figures if f.item == item), None)

    def codes(self, name: str) -> list[str]:
        return [code for code, _label in self.code_lists[name]]

    def code_label(self, name: str, code: str) -> str:
        return dict(self.code_lists[name]).get(code, code)


# --- NQR-2026.1 ---------------------------------------------------------------------------
# Code lists of this version, as data. SSDA903 lists are those of the 2025-26 collection.

_CODE_LISTS_2026_1: dict[str, tuple[tuple[str, str], ...]] = {
    "record": (
        (FIGURE, "A figure of the quarter (item and value)"),
        (CARER, "A household approved, resigned or deregistered in the quarter"),
        (PLACEMENT, "A placement with the provider at any time in the quarter"),
    ),
    "change": (
        ("APPROVED", "Household approved as foster carers"),
        ("RESIGNED", "Carers resigned"),
        ("DEREGISTERED", "Carers' approval ended by the provider (deregistered)"),
    ),
    "change_reason": (
        ("RETIRE", "Retirement"),
        ("HEALTH", "The carers' health"),
        ("FAMILY", "Family circumstances"),
        ("MOVEPROV", "Moved to another fostering provider"),
        (
            "PERMANENCE",
            "Adopted, or took a special guardianship or child arrangements order for, the child "
            "placed",
        ),
        ("ALLEG", "Following an allegation"),
        ("STAND", "Standards of care concerns"),
        ("UNSUIT", "No longer suitable after a review of approval"),
        ("INACTIVE", "No child placed for two years"),
        ("OTHER", "Other"),
    ),
    "placement_type": (
        ("U1", "Foster placement with relative or friend: long term"),
        ("U2", "Foster placement with relative or friend: FFA/concurrent"),
        ("U3", "Foster placement with relative or friend: other"),
        ("U4", "Placement with other foster carer: long term"),
        ("U5", "Placement with other foster carer: FFA/concurrent"),
        ("U6", "Placement with other foster carer: other"),
    ),
    "reason_ended": (
        ("CARPL", "Carer ended the placement"),
        ("CLOSE", "Provider closed"),
        ("ALLEG", "Allegation"),
        ("STAND", "Standards of care concern"),
        ("APPRR", "Carer's approval removed"),
        ("CREQB", "Child's request: behaviour"),
        ("CREQO", "Child's request: other"),
        ("CHILD", "Child's needs changed"),
        ("LAREQ", "LA's request"),
        ("PLACE", "Planned change"),
        ("CUSTOD", "Custody"),
        ("OTHER", "Other"),
    ),
    "ofsted_grade": (
        ("outstanding", "Outstanding"),
        ("good", "Good"),
        ("requires_improvement", "Requires improvement"),
        ("inadequate", "Inadequate"),
        ("not_inspected", "Not yet inspected"),
    ),
}

_REASONS_2026_1 = {
    "APPROVED": (),
    "RESIGNED": ("RETIRE", "HEALTH", "FAMILY", "MOVEPROV", "PERMANENCE", "OTHER"),
    "DEREGISTERED": ("ALLEG", "STAND", "UNSUIT", "INACTIVE", "OTHER"),
}

_DATE = "Date as YYYY-MM-DD or DD/MM/YYYY"


def _listing(name: str) -> str:
    return ", ".join(code for code, _ in _CODE_LISTS_2026_1[name])


_COLUMNS_2026_1 = (
    ColumnDef(
        "record",
        RECORD_KINDS,
        "code",
        "What the row records: a figure, a change of carers or a placement.",
        "Yes",
        _listing("record"),
        PLACEMENT,
        "record",
    ),
    ColumnDef(
        "item",
        (FIGURE,),
        "code",
        "The figure the row gives: one of the figure items listed below, each once.",
        "Yes on FIGURE rows",
        "A figure item (see Figures)",
        "households_end",
    ),
    ColumnDef(
        "value",
        (FIGURE,),
        "text",
        "The figure's value: a whole number, a code or a date, as the item says.",
        "Yes on FIGURE rows (ofsted_date may be blank when not inspected)",
        "As the item says",
        "41",
    ),
    ColumnDef(
        "household_ref",
        (CARER, PLACEMENT),
        "text",
        "Your reference for the household, as on the register.",
        "Yes on CARER rows; optional on PLACEMENT rows",
        "Up to 40 characters",
        "HH-352-0012",
    ),
    ColumnDef(
        "change",
        (CARER,),
        "code",
        "What happened to the household's approval in the quarter.",
        "Yes on CARER rows",
        _listing("change"),
        "RESIGNED",
        "change",
    ),
    ColumnDef(
        "change_date",
        (CARER,),
        "date",
        "The date of the approval, resignation or deregistration; within the quarter.",
        "Yes on CARER rows",
        _DATE,
        "2025-11-14",
    ),
    ColumnDef(
        "change_reason",
        (CARER,),
        "code",
        "Why the carers resigned or were deregistered (blank for APPROVED). RESIGNED: "
        + ", ".join(_REASONS_2026_1["RESIGNED"])
        + "; DEREGISTERED: "
        + ", ".join(_REASONS_2026_1["DEREGISTERED"])
        + ".",
        "Yes on RESIGNED and DEREGISTERED rows",
        _listing("change_reason"),
        "RETIRE",
        "change_reason",
    ),
    ColumnDef(
        "child_ref",
        (PLACEMENT,),
        "text",
        "A pseudonymous reference for the child: the platform's (pre-filled) for placements made "
        "through it, or your own for others. Never the child's name, initials or the LA's case "
        "number.",
        "Yes on PLACEMENT rows",
        "4 to 20 capital letters, digits or hyphens",
        "C-7F3A9B21C4",
    ),
    ColumnDef(
        "placement_ref",
        (PLACEMENT,),
        "text",
        "The platform's reference for the placement (pre-filled) when it was made through the "
        "platform; blank otherwise.",
        "No",
        "PL- followed by digits",
        "PL-1042",
    ),
    ColumnDef(
        "la_code",
        (PLACEMENT,),
        "code",
        "The DfE code of the local authority that placed the child.",
        "Yes on PLACEMENT rows",
        "A DfE LA code (3 digits)",
        "352",
    ),
    ColumnDef(
        "placement_type",
        (PLACEMENT,),
        "code",
        "The SSDA903 placement type.",
        "Yes on PLACEMENT rows",
        _listing("placement_type"),
        "U6",
        "placement_type",
    ),
    ColumnDef(
        "start_date",
        (PLACEMENT,),
        "date",
        "The date the placement started (it may be before the quarter).",
        "Yes on PLACEMENT rows",
        _DATE,
        "2025-06-02",
    ),
    ColumnDef(
        "end_date",
        (PLACEMENT,),
        "date",
        "The date the placement ended, if it ended in the quarter. Blank when it continued past "
        "the quarter's end.",
        "No",
        _DATE + "; within the quarter; not before start_date",
        "2025-12-19",
    ),
    ColumnDef(
        "reason_ended",
        (PLACEMENT,),
        "code",
        "The SSDA903 reason the placement ended.",
        "Yes when end_date is given; blank otherwise",
        _listing("reason_ended"),
        "PLACE",
        "reason_ended",
    ),
)

_FIGURES_2026_1 = (
    FigureDef(
        "format_version",
        "version",
        "Template version",
        "The version of this template. Keep the value the template has.",
        "About the file",
        "NQR-2026.1",
    ),
    FigureDef(
        "provider",
        "provider",
        "Provider number",
        "Your provider number on the platform (shown on your return's page).",
        "About the file",
        "1042",
    ),
    FigureDef(
        "quarter",
        "quarter",
        "Quarter",
        "The quarter the return is for, as 2025-26 Q3 (financial year and quarter; Q1 is April to "
        "June).",
        "About the file",
        "2025-26 Q3",
    ),
    FigureDef(
        "households_start",
        "count",
        "Households at the start",
        "Approved fostering households on the first day of the quarter.",
        "Households and places",
        "40",
    ),
    FigureDef(
        "households_end",
        "count",
        "Households at the end",
        "Approved fostering households on the last day of the quarter. Must equal "
        "households_start plus CARER rows APPROVED, less RESIGNED and DEREGISTERED.",
        "Households and places",
        "41",
    ),
    FigureDef(
        "places_start",
        "count",
        "Places at the start",
        "Approved places (children the households may care for) on the first day of the quarter.",
        "Households and places",
        "71",
    ),
    FigureDef(
        "places_end",
        "count",
        "Places at the end",
        "Approved places on the last day of the quarter; at least households_end.",
        "Households and places",
        "73",
    ),
    FigureDef(
        "vacancies_end",
        "count",
        "Vacancies at the end",
        "Places free and available on the last day of the quarter; not more than places_end.",
        "Households and places",
        "9",
    ),
    FigureDef(
        "allegations",
        "count",
        "Allegations",
        "Allegations made against carers in the quarter.",
        "Safeguarding and quality",
        "1",
    ),
    FigureDef(
        "complaints",
        "count",
        "Complaints",
        "Complaints received in the quarter (from children, families or professionals).",
        "Safeguarding and quality",
        "3",
    ),
    FigureDef(
        "notifications",
        "count",
        "Notifications to Ofsted",
        "Notifiable events reported to Ofsted in the quarter (Fostering Services (England) "
        "Regulations 2011, regulation 36).",
        "Safeguarding and quality",
        "2",
    ),
    FigureDef(
        "carers_trained",
        "count",
        "Carers trained",
        "Carers who completed at least one training course in the quarter.",
        "Carer training and support",
        "25",
    ),
    FigureDef(
        "training_hours",
        "count",
        "Training hours",
        "Hours of training carers completed in the quarter, in total (whole hours).",
        "Carer training and support",
        "160",
    ),
    FigureDef(
        "supervision_visits",
        "count",
        "Supervision visits",
        "Supervising social worker visits to households in the quarter.",
        "Carer training and support",
        "120",
    ),
    FigureDef(
        "respite_nights",
        "count",
        "Respite nights",
        "Nights of respite (short breaks for carers) provided in the quarter.",
        "Carer training and support",
        "18",
    ),
    FigureDef(
        "ofsted_grade",
        "code",
        "Ofsted grade",
        "The overall grade of your latest Ofsted inspection.",
        "Ofsted",
        "good",
        code_list="ofsted_grade",
    ),
    FigureDef(
        "ofsted_date",
        "date",
        "Ofsted inspection date",
        "The date of that inspection. Blank only when not yet inspected.",
        "Ofsted",
        "2024-03-12",
        required=False,
    ),
)

NQR_2026_1 = ReturnFormat(
    version="NQR-2026.1",
    title="National quarterly monitoring return, version 2026.1",
    first_quarter=Quarter(2024, 1),
    columns=_COLUMNS_2026_1,
    figures=_FIGURES_2026_1,
    code_lists=_CODE_LISTS_2026_1,
    reasons_for_change=_REASONS_2026_1,
    notes=(
        "One file per provider and quarter. Rows may come in any order; columns may too.",
        "The platform pre-fills what it already holds (register, placements made through it, "
        "Ofsted grade): download your pre-filled return, check it, add what only you know, and "
        "submit.",
        "Placement rows list every placement with you at any time in the quarter, including those "
        "not made through the platform. The child reference is pseudonymous.",
        "Nothing is accepted until every row passes; every problem is reported with its row and a "
        "fix.",
    ),
)

FORMATS: dict[str, ReturnFormat] = {NQR_2026_1.version: NQR_2026_1}
CURRENT = NQR_2026_1


def format_for(quarter: Quarter) -> ReturnFormat:
    """The format a return for `quarter` must use: the latest version in force by then."""
    usable = [f for f in FORMATS.values() if f.first_quarter <= quarter]
    return max(usable, key=lambda f: f.first_quarter) if usable else CURRENT


# --- Data dictionary -----------------------------------------------------------------------


def dictionary_rows(fmt: ReturnFormat) -> list[dict[str, str]]:
    """The data dictionary: every column, every figure item and every code, in one table."""
    rows = [
        {
            "section": "Column",
            "name": c.name,
            "records": ", ".join(c.records),
            "required": c.required,
            "allowed": c.allowed,
            "example": c.example,
            "description": c.description,
        }
        for c in fmt.columns
    ]
    for f in fmt.figures:
        allowed = {
            "count": "Whole number, 0 or more",
            "code": ", ".join(fmt.codes(f.code_list)) if f.code_list else "",
            "date": _DATE,
            "version": fmt.version,
            "provider": "Your provider number",
            "quarter": "Financial year and quarter, as 2025-26 Q3",
        }.get(f.kind, "Text")
        rows.append(
            {
                "section": f"Figure: {f.group}",
                "name": f.item,
                "records": FIGURE,
                "required": "Yes" if f.required else "See description",
                "allowed": allowed,
                "example": f.example,
                "description": f.description,
            }
        )
    for list_name, codes in fmt.code_lists.items():
        for code, label in codes:
            rows.append(
                {
                    "section": f"Code list: {list_name}",
                    "name": code,
                    "records": "",
                    "required": "",
                    "allowed": "",
                    "example": "",
                    "description": label,
                }
            )
    return rows


DICTIONARY_HEADER = ("section", "name", "records", "required", "allowed", "example", "description")


def dictionary_csv(fmt: ReturnFormat) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(DICTIONARY_HEADER)
    for row in dictionary_rows(fmt):
        writer.writerow(safe_row(row[k] for k in DICTIONARY_HEADER))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# --- Templates -----------------------------------------------------------------------------

Record = dict[str, str]


def blank_records(fmt: ReturnFormat) -> list[Record]:
    """The blank template's rows: one FIGURE row per item, only the version filled in."""
    return [
        {"record": FIGURE, "item": f.item, "value": fmt.version if f.kind == "version" else ""}
        for f in fmt.figures
    ]


def example_records(fmt: ReturnFormat) -> list[Record]:
    """A worked example (synthetic), as in the documentation."""
    rows = [{"record": FIGURE, "item": f.item, "value": f.example} for f in fmt.figures]
    rows += [
        {
            "record": CARER,
            "household_ref": "HH-352-0040",
            "change": "APPROVED",
            "change_date": "2025-10-20",
        },
        {
            "record": CARER,
            "household_ref": "HH-352-0007",
            "change": "RESIGNED",
            "change_date": "2025-11-14",
            "change_reason": "RETIRE",
        },
        {
            "record": PLACEMENT,
            "child_ref": "C-7F3A9B21C4",
            "placement_ref": "PL-1042",
            "la_code": "352",
            "placement_type": "U4",
            "start_date": "2024-02-05",
            "household_ref": "HH-352-0012",
        },
        {
            "record": PLACEMENT,
            "child_ref": "IFA-0457",
            "la_code": "354",
            "placement_type": "U6",
            "start_date": "2025-09-01",
            "end_date": "2025-12-19",
            "reason_ended": "PLACE",
        },
    ]
    return rows


def _record_cells(record: Mapping[str, Any], names: Sequence[str]) -> list[str]:
    """A record's cells as text (so that 0012 stays 0012), safe to open in a spreadsheet."""
    return ["" if record.get(n) is None else safe_cell(str(record.get(n))) for n in names]


def records_csv(fmt: ReturnFormat, records: Iterable[Mapping[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    names = fmt.column_names
    writer.writerow(names)
    for record in records:
        writer.writerow(_record_cells(record, names))
    # A byte-order mark so that Excel opens the file as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def records_xlsx(fmt: ReturnFormat, records: Sequence[Mapping[str, Any]]) -> bytes:
    """A workbook: the Return sheet (with drop-downs for codes), the dictionary and code lists."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_NAME
    names = fmt.column_names
    ws.append(names)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "B2"
    last = max(len(records) + 200, 1000)
    for i, column in enumerate(fmt.columns, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = max(12, len(column.name) + 3)
        # Text, so that 0012 or a code such as 352 stays as typed.
        ws.column_dimensions[letter].number_format = "@"
        if column.code_list:
            codes = fmt.codes(column.code_list)
            if len(",".join(codes)) < 250:
                dv = DataValidation(
                    type="list", formula1='"' + ",".join(codes) + '"', allow_blank=True
                )
                dv.error = f"Use one of: {', '.join(codes)}"
                ws.add_data_validation(dv)
                dv.add(f"{letter}2:{letter}{last}")
    for record in records:
        ws.append(_record_cells(record, names))
    info = wb.create_sheet("Data dictionary")
    info.append([h.capitalize() for h in DICTIONARY_HEADER])
    for cell in info[1]:
        cell.font = Font(bold=True)
    for row in dictionary_rows(fmt):
        info.append(safe_row(row[k] for k in DICTIONARY_HEADER))
    for letter, width in zip("ABCDEFG", (28, 22, 22, 26, 44, 18, 90), strict=True):
        info.column_dimensions[letter].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
