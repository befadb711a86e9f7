"""Forms of reporting: ask for a report, filter a dashboard, write a bulletin."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone

from apps.core.forms import date_field
from apps.organisations.kinds import Region
from apps.organisations.models import Organisation

from .choices import NATIONAL_KINDS, RCC_KINDS, ReportKind, Rounding
from .models import Bulletin, ReportSnapshot
from .querysets import reporting_scope
from .selectors import ordered_tables


class RunRequestForm(forms.Form):
    kind = forms.ChoiceField(label="Report")
    rcc = forms.ModelChoiceField(
        label="For",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="England (national)",
    )
    period_start = date_field(
        "From",
        required=False,
        help_text="Leave both dates blank for the usual period: the last month, the last "
        "quarter, or the 12 months to today.",
    )
    period_end = date_field("To", required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = reporting_scope(user)
        rccs = Organisation.objects.rccs().order_by("name")
        if not scope.national:
            rccs = rccs.filter(pk__in=scope.rcc_ids)
        self.fields["rcc"].queryset = rccs  # type: ignore[attr-defined]
        kinds = (
            ReportKind.choices
            if scope.national
            else [c for c in ReportKind.choices if c[0] in RCC_KINDS]
        )
        self.fields["kind"].choices = kinds  # type: ignore[attr-defined]
        if not scope.national:
            self.fields["rcc"].required = True
            self.fields["rcc"].empty_label = None  # type: ignore[attr-defined]
        self.national = scope.national
        if scope.national:
            self.fields["kind"].initial = ReportKind.NCC_QUARTERLY

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, rcc = data.get("kind"), data.get("rcc")
        start, end = data.get("period_start"), data.get("period_end")
        if kind and rcc is None and kind not in NATIONAL_KINDS:
            self.add_error("rcc", "Choose the RCC this report is for.")
        if kind and rcc is not None and kind not in RCC_KINDS:
            self.add_error("rcc", "The NCC quarterly report is national: choose England.")
        if bool(start) != bool(end):
            self.add_error(
                "period_end" if start else "period_start", "Give both dates, or neither."
            )
        elif start and end:
            if end < start:
                self.add_error("period_end", "The period must end on or after its start.")
            if start > timezone.localdate():
                self.add_error("period_start", "The period has not started yet.")
        return data


class NationalFilterForm(forms.Form):
    """Filters of the national dashboard: applied to the snapshot's stored rows."""

    region = forms.MultipleChoiceField(
        label="Region", choices=Region.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    need = forms.MultipleChoiceField(
        label="Need", choices=(), required=False, widget=forms.CheckboxSelectMultiple
    )
    a = forms.ChoiceField(label="Compare", choices=(), required=False)
    b = forms.ChoiceField(label="with", choices=(), required=False)
    trend = forms.ChoiceField(label="Trends for", choices=(), required=False)

    def __init__(self, *args: Any, rccs: list[str], needs: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rcc_choices = [("", "Choose an RCC"), *[(n, n) for n in rccs]]
        self.fields["a"].choices = rcc_choices  # type: ignore[attr-defined]
        self.fields["b"].choices = rcc_choices  # type: ignore[attr-defined]
        trend = self.fields["trend"]
        trend.choices = [("", "England and every RCC"), *[(n, n) for n in rccs]]  # type: ignore[attr-defined]
        self.fields["need"].choices = [(n, n) for n in needs]  # type: ignore[attr-defined]


class BulletinForm(forms.ModelForm):
    table_keys = forms.MultipleChoiceField(
        label="Tables to publish",
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Counts from 1 to 5 are shown as “c”, and further cells are hidden so that "
        "none of them can be worked out from the totals.",
    )
    rounding = forms.TypedChoiceField(
        label="Rounding",
        choices=Rounding.choices,
        coerce=int,
        initial=Rounding.NONE,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Bulletin
        fields = ["title", "summary", "body", "snapshot", "table_keys", "rounding"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 12}),
        }
        labels = {"snapshot": "The report it cites"}

    def __init__(self, *args: Any, snapshots: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["snapshot"].queryset = snapshots  # type: ignore[attr-defined]
        self.fields["snapshot"].label_from_instance = lambda s: (  # type: ignore[attr-defined]
            f"{s.get_kind_display()}: {s.period_label}"
        )
        keys: dict[str, str] = {}
        for snapshot in snapshots:
            for table in ordered_tables(snapshot):
                if table.get("publishable"):
                    keys.setdefault(table["key"], table["title"])
        self.fields["table_keys"].choices = list(keys.items())  # type: ignore[attr-defined]


def citable_snapshots(include: int | None = None) -> Any:
    """The national reports a bulletin may cite: the current ones (and the one it cites)."""
    keep = Q(is_current=True) | Q(pk=include) if include else Q(is_current=True)
    return ReportSnapshot.objects.national().filter(keep).order_by("-period_end", "-built_at")
