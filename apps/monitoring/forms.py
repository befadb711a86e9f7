"""Forms of monitoring. The return's web form only carries rows: checking them is the one
validator's job (`validation.validate_return`), exactly as for a file or the API."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils import timezone

from apps.contracts.models import PartnershipMeeting
from apps.core.forms import date_field

from .choices import FEEDBACK_SCALE, FeedbackRole
from .format import CARER, FIGURE, MAX_UPLOAD_BYTES, PLACEMENT, ReturnFormat
from .quarters import Quarter

WEB_FORM_MAX_PLACEMENTS = 300
EXTRA_CARER_ROWS = 3
EXTRA_PLACEMENT_ROWS = 5
CARER_COLUMNS = ("household_ref", "change", "change_date", "change_reason")
PLACEMENT_COLUMNS = (
    "child_ref",
    "placement_ref",
    "la_code",
    "placement_type",
    "start_date",
    "end_date",
    "reason_ended",
    "household_ref",
)


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Your return (CSV or XLSX)",
        help_text="The pre-filled return or the template, filled in. "
        f"Up to {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".csv", ".xlsx")):
            raise forms.ValidationError(
                "Upload a .csv or .xlsx file (save .xls and .ods files as .xlsx first)."
            )
        return upload


class QueryForm(forms.Form):
    subject = forms.ChoiceField(label="What are you asking about?")
    body = forms.CharField(
        label="Your question", widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )

    def __init__(self, *args: Any, fmt: ReturnFormat, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        figures = [
            (f.item, f"Figure: {f.label} ({f.item})")
            for f in fmt.figures
            if f.kind not in ("version", "provider", "quarter")
        ]
        self.fields["subject"].choices = [  # type: ignore[attr-defined]
            ("", "Choose one"),
            *figures,
            ("CARER rows", "Carer changes (CARER rows)"),
            ("PLACEMENT rows", "Placements (PLACEMENT rows)"),
            ("The return as a whole", "The return as a whole"),
        ]


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Your reply", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )


class FeedbackForm(forms.Form):
    author_role = forms.ChoiceField(label="You are giving feedback as", widget=forms.RadioSelect)
    review_date = date_field("Date of the review")
    childs_progress = forms.TypedChoiceField(
        label="The child's progress in this placement",
        choices=FEEDBACK_SCALE,
        coerce=int,
        widget=forms.RadioSelect,
    )
    carer_support = forms.TypedChoiceField(
        label="The support the carers give the child",
        choices=FEEDBACK_SCALE,
        coerce=int,
        widget=forms.RadioSelect,
    )
    communication = forms.TypedChoiceField(
        label="Communication with the provider",
        choices=FEEDBACK_SCALE,
        coerce=int,
        widget=forms.RadioSelect,
    )
    concerns = forms.BooleanField(label="I have concerns about this placement", required=False)
    concerns_detail = forms.CharField(
        label="What are the concerns?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text="Kept with your feedback. The provider sees only how many reviews raised "
        "concerns, never who or on which placement. Raise anything urgent directly, as now.",
    )
    comments = forms.CharField(
        label="Anything else (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text="Not shown to the provider.",
    )

    def __init__(self, *args: Any, roles: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(r, FeedbackRole(r).label) for r in roles]
        self.fields["author_role"].choices = choices  # type: ignore[attr-defined]
        if len(roles) == 1:
            self.fields["author_role"].initial = roles[0]
        self.fields["review_date"].initial = timezone.localdate()


class MeetingLinkForm(forms.Form):
    meeting: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=PartnershipMeeting.objects.none(),
        label="Partnership meeting",
        empty_label="Choose a meeting",
    )
    quarter = forms.ChoiceField(label="The quarter's scorecard it discussed")

    def __init__(
        self, *args: Any, meetings: Any, quarters: Sequence[Quarter], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings  # type: ignore[attr-defined]
        self.fields["meeting"].label_from_instance = _meeting_label  # type: ignore[attr-defined]
        choices = [(q.code, q.short) for q in reversed(quarters)]
        self.fields["quarter"].choices = choices  # type: ignore[attr-defined]

    def clean_quarter(self) -> Quarter:
        return Quarter.parse(self.cleaned_data["quarter"])


def _meeting_label(meeting: Any) -> str:
    return f"{meeting.held_on:%d %b %Y}, {meeting.rcc.name}"


# --- The return's web form -----------------------------------------------------------------


@dataclass
class WebRow:
    index: int
    values: dict[str, str]
    number: int = 0  # the record number the validator reports (0: blank, not sent)
    errors: dict[str, list[str]] = field(default_factory=dict)


class WebReturnForm:
    """Turns the web form into the same records a file holds, in a fixed order (figures, carer
    changes, placements), and puts the validator's errors back beside the fields."""

    def __init__(
        self,
        fmt: ReturnFormat,
        *,
        data: Mapping[str, Any] | None = None,
        records: Sequence[Mapping[str, Any]] = (),
    ):
        self.fmt = fmt
        self.figures: dict[str, str] = {}
        self.figure_errors: dict[str, list[str]] = {}
        self.carers: list[WebRow] = []
        self.placements: list[WebRow] = []
        self.other_errors: list[dict[str, Any]] = []
        self.summary: list[tuple[str, str]] = []
        if data is not None:
            self._from_post(data)
        else:
            self._from_records(records)
            self.add_blank_rows()

    def _from_records(self, records: Sequence[Mapping[str, Any]]) -> None:
        for r in records:
            kind = str(r.get("record", "")).upper()
            if kind == FIGURE:
                self.figures[str(r.get("item", ""))] = _s(r.get("value"))
            elif kind == CARER:
                self.carers.append(
                    WebRow(len(self.carers), {c: _s(r.get(c)) for c in CARER_COLUMNS})
                )
            elif kind == PLACEMENT:
                self.placements.append(
                    WebRow(len(self.placements), {c: _s(r.get(c)) for c in PLACEMENT_COLUMNS})
                )

    def add_blank_rows(self) -> None:
        for _ in range(EXTRA_CARER_ROWS):
            self.carers.append(WebRow(len(self.carers), dict.fromkeys(CARER_COLUMNS, "")))
        for _ in range(EXTRA_PLACEMENT_ROWS):
            self.placements.append(
                WebRow(len(self.placements), dict.fromkeys(PLACEMENT_COLUMNS, ""))
            )

    def _from_post(self, data: Mapping[str, Any]) -> None:
        for f in self.fmt.figures:
            self.figures[f.item] = _s(data.get(f"fig-{f.item}"))
        for prefix, columns, rows in (
            ("carer", CARER_COLUMNS, self.carers),
            ("pl", PLACEMENT_COLUMNS, self.placements),
        ):
            count = _int(data.get(f"{prefix}-count"), 0, 5000)
            for i in range(count):
                if data.get(f"{prefix}-{i}-remove"):
                    continue
                rows.append(
                    WebRow(len(rows), {c: _s(data.get(f"{prefix}-{i}-{c}")) for c in columns})
                )

    @property
    def too_large(self) -> bool:
        return sum(1 for r in self.placements if any(r.values.values())) > WEB_FORM_MAX_PLACEMENTS

    def records(self) -> tuple[list[dict[str, str]], list[str]]:
        """The records to validate and a label for each (shown with its errors)."""
        records: list[dict[str, str]] = []
        labels: list[str] = []
        for f in self.fmt.figures:
            records.append(
                {"record": FIGURE, "item": f.item, "value": self.figures.get(f.item, "")}
            )
            labels.append(f"Figure: {f.label}")
        for kind, rows, name in (
            (CARER, self.carers, "Carer change"),
            (PLACEMENT, self.placements, "Placement"),
        ):
            for row in rows:
                if not any(row.values.values()):
                    row.number = 0
                    continue
                records.append({"record": kind, **row.values})
                row.number = len(records)
                labels.append(f"{name} {row.index + 1}")
        return records, labels

    def apply_errors(self, errors: Sequence[Mapping[str, Any]]) -> None:
        """Put each error beside its field, and list them all (with a link) for the summary."""
        figure_numbers = {i + 1: f.item for i, f in enumerate(self.fmt.figures)}
        carers = {r.number: r for r in self.carers if r.number}
        placements = {r.number: r for r in self.placements if r.number}
        self.summary = []
        for e in errors:
            row, column = e.get("row"), e.get("column", "")
            text = e["message"] + (f" {e['hint']}" if e.get("hint") else "")
            label = e.get("label") or ("The return" if row is None else f"Row {row}")
            if row in figure_numbers and column in ("value", "item"):
                self.figure_errors.setdefault(figure_numbers[row], []).append(text)
                self.summary.append((f"#fig-{figure_numbers[row]}", f"{label}: {text}"))
            elif row in carers and column in carers[row].values:
                carers[row].errors.setdefault(column, []).append(text)
                self.summary.append(
                    (f"#carer-{carers[row].index}-{column}", f"{label}, {column}: {text}")
                )
            elif row in placements and column in placements[row].values:
                placements[row].errors.setdefault(column, []).append(text)
                self.summary.append(
                    (f"#pl-{placements[row].index}-{column}", f"{label}, {column}: {text}")
                )
            else:
                self.other_errors.append(dict(e))
                self.summary.append(("", f"{label}: {text}"))

    def figure_groups(self) -> list[tuple[str, list[dict[str, Any]]]]:
        groups: dict[str, list[dict[str, Any]]] = {}
        for f in self.fmt.figures:
            groups.setdefault(f.group, []).append(
                {
                    "spec": f,
                    "name": f"fig-{f.item}",
                    "value": self.figures.get(f.item, ""),
                    "errors": self.figure_errors.get(f.item, []),
                    "readonly": f.kind in ("version", "provider", "quarter"),
                }
            )
        return list(groups.items())


def _s(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _int(value: Any, default: int, most: int) -> int:
    try:
        return max(0, min(int(value), most))
    except (TypeError, ValueError):
        return default
