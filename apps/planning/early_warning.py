"""The early-warning list: the children in care now whose placement may be at risk, for the
social workers and IROs of the child's LA (live, never a snapshot).

A child is listed when they are looked after today and either moved twice or more in the last
12 months, or a review of their current placement raised concerns in the last 12 months
(PlacementFeedback.concerns, written by the child's social worker or IRO). The risk score is
a plain sum people can check: 2 points a move, 3 points a review with concerns, 1 point a
placement that ended unplanned (UNPLANNED_ENDINGS), all in the last 12 months.

The children are always `Child.objects.visible_to(user)` acting as the LA roles of the rule
(docs/adr/0006); the care histories are read in bulk (apps.referrals.history.care_timelines),
so the list costs the same few queries for ten children or two thousand.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet

from apps.monitoring.models import PlacementFeedback
from apps.organisations.kinds import OrganisationKind
from apps.organisations.models import Organisation
from apps.referrals.choices import UNPLANNED_ENDINGS
from apps.referrals.history import care_timelines, stability_summary
from apps.referrals.models import Child
from apps.referrals.querysets import org_ids_by_kind

from .stability import age_on

CHUNK = 5000
MOVES_LISTED = 2  # moves in the last 12 months that put a child on the list
POINTS_MOVE, POINTS_CONCERN, POINTS_UNPLANNED = 2, 3, 1
AGE_BANDS = (
    ("0-4", "0 to 4", 0, 4),
    ("5-10", "5 to 10", 5, 10),
    ("11-15", "11 to 15", 11, 15),
    ("16+", "16 and over", 16, 200),
)
REASONS = (
    ("moves", f"{MOVES_LISTED} or more moves in the last 12 months"),
    ("concerns", "Concerns raised about the current placement"),
)
SORTS = {
    "risk": "Risk score",
    "moves": "Moves",
    "concerns": "Reviews with concerns",
    "age": "Age",
    "identifier": "Local identifier",
    "since": "Current placement since",
}


def _plural(n: int, word: str, many: str = "") -> str:
    return f"{n} {word if n == 1 else many or word + 's'}"


@dataclass(frozen=True)
class EarlyWarning:
    """One child on the list, with why."""

    child_id: int
    local_identifier: str
    la_id: int
    la_name: str
    date_of_birth: dt.date
    age: int
    moves: int  # changes of placement in the last 12 months
    placements: int  # placements open at any time in the last 12 months
    placement_since: dt.date | None
    concerns: int  # reviews of the current placement with concerns in the last 12 months
    latest_concern: dt.date | None
    unplanned: tuple[str, ...]  # codes of the placements that ended unplanned in the 12 months

    @property
    def risk(self) -> int:
        return (
            POINTS_MOVE * self.moves
            + POINTS_CONCERN * self.concerns
            + POINTS_UNPLANNED * len(self.unplanned)
        )

    @property
    def reasons(self) -> list[str]:
        out = []
        if self.moves:
            text = f"{_plural(self.moves, 'move')} in the last 12 months"
            if self.placements >= 3:
                text += f" ({self.placements} placements: the DfE's 3 or more)"
            out.append(text)
        if self.concerns:
            assert self.latest_concern is not None
            out.append(
                f"Concerns raised at {_plural(self.concerns, 'review')} of the current "
                f"placement, latest {self.latest_concern:%-d %B %Y}"
            )
        if self.unplanned:
            out.append(
                f"{_plural(len(self.unplanned), 'placement')} ended unplanned "
                f"({', '.join(self.unplanned)})"
            )
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "child": self.child_id,
            "local_identifier": self.local_identifier,
            "la": self.la_id,
            "la_name": self.la_name,
            "age": self.age,
            "moves_last_12_months": self.moves,
            "placements_last_12_months": self.placements,
            "current_placement_since": self.placement_since,
            "reviews_with_concerns": self.concerns,
            "latest_concern": self.latest_concern,
            "unplanned_endings": list(self.unplanned),
            "risk": self.risk,
            "reasons": self.reasons,
        }


def early_warnings(children: QuerySet[Child], *, today: dt.date) -> list[EarlyWarning]:
    """The children of `children` (already scoped to the reader) on the list on `today`,
    highest risk first."""
    rows = list(
        children.order_by().values_list(
            "pk", "local_identifier", "la_id", "la__name", "date_of_birth"
        )
    )
    ids = [r[0] for r in rows]
    timelines = care_timelines(child_ids=ids)
    year_ago = today - dt.timedelta(days=365)
    concerns: dict[int, list[dt.date]] = defaultdict(list)
    for i in range(0, len(ids), CHUNK):
        for placement_id, day in PlacementFeedback.objects.filter(
            placement__child_id__in=ids[i : i + CHUNK],
            concerns=True,
            review_date__gt=year_ago,
            review_date__lte=today,
        ).values_list("placement_id", "review_date"):
            concerns[placement_id].append(day)
    out = []
    for child_id, identifier, la_id, la_name, born in rows:
        history = timelines.get(child_id)
        if not history:
            continue
        s = stability_summary(history, today)
        if not s.looked_after:
            continue
        raised = sorted(set(concerns.get(s.current_placement_id or 0, [])))
        if s.moves_last_12_months < MOVES_LISTED and not raised:
            continue
        out.append(
            EarlyWarning(
                child_id=child_id,
                local_identifier=identifier,
                la_id=la_id,
                la_name=la_name,
                date_of_birth=born,
                age=age_on(born, today),
                moves=s.moves_last_12_months,
                placements=s.placements_last_12_months,
                placement_since=s.placement_since,
                concerns=len(raised),
                latest_concern=raised[-1] if raised else None,
                unplanned=tuple(r for r in s.endings_last_12_months if r in UNPLANNED_ENDINGS),
            )
        )
    return sort_warnings(out, "risk")


def _sort_key(sort: str) -> Any:
    keys = {
        "risk": lambda w: (w.risk, w.moves, w.latest_concern or dt.date.min),
        "moves": lambda w: (w.moves, w.risk),
        "concerns": lambda w: (w.concerns, w.latest_concern or dt.date.min),
        "age": lambda w: (w.age, w.date_of_birth),
        "identifier": lambda w: w.local_identifier,
        "since": lambda w: w.placement_since or dt.date.min,
    }
    return keys[sort]


def sort_warnings(warnings: Sequence[EarlyWarning], sort: str) -> list[EarlyWarning]:
    """`sort` a key of SORTS: "risk" and the counts run highest first, the rest lowest first;
    "-" before the key turns it round. Ties: by local identifier."""
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    ordered = sorted(warnings, key=lambda w: w.local_identifier)
    first_high = key in ("risk", "moves", "concerns")
    return sorted(ordered, key=_sort_key(key), reverse=first_high != descending)


class EarlyWarningFilterForm(forms.Form):
    """The list's filters, for the page and the API alike."""

    q = forms.CharField(required=False, max_length=40, label="Local identifier")
    la = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label="Local authority"
    )
    reason = forms.ChoiceField(
        required=False,
        choices=[("", "Any reason"), *REASONS],
        label="Reason",
        error_messages={"invalid_choice": "Reason: choose moves or concerns."},
    )
    min_moves = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=50,
        label="At least this many moves in the last 12 months",
        error_messages={
            "invalid": "Moves: enter a whole number, such as 2.",
            "min_value": "Moves: enter a number from 0 to 50.",
            "max_value": "Moves: enter a number from 0 to 50.",
        },
    )
    age = forms.ChoiceField(
        required=False,
        choices=[("", "Any age"), *[(key, label) for key, label, _lo, _hi in AGE_BANDS]],
        label="Age",
        error_messages={
            "invalid_choice": "Age: choose one of "
            + ", ".join(label for _k, label, _lo, _hi in AGE_BANDS)
            + "."
        },
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[(k, v) for key, v in SORTS.items() for k in (key, f"-{key}")],
        label="Sort by",
        error_messages={
            "invalid_choice": "Sort: use one of " + ", ".join(SORTS) + " (or - before it)."
        },
    )

    def __init__(self, *args: Any, las: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        la = self.fields["la"]
        assert isinstance(la, forms.TypedChoiceField)
        la.choices = [("", "Every local authority"), *las]
        la.error_messages["invalid_choice"] = (
            "Local authority: choose one of your local authorities."
        )
        if len(las) < 2:
            la.widget = forms.HiddenInput()

    def apply(self, warnings: Sequence[EarlyWarning]) -> list[EarlyWarning]:
        """The warnings the filters keep, in the order asked for (valid forms only)."""
        data = self.cleaned_data
        rows = list(warnings)
        if data.get("q"):
            text = data["q"].strip().lower()
            rows = [w for w in rows if text in w.local_identifier.lower()]
        if data.get("la"):
            rows = [w for w in rows if w.la_id == data["la"]]
        if data.get("reason") == "moves":
            rows = [w for w in rows if w.moves >= MOVES_LISTED]
        elif data.get("reason") == "concerns":
            rows = [w for w in rows if w.concerns]
        if data.get("min_moves") is not None:
            rows = [w for w in rows if w.moves >= data["min_moves"]]
        if data.get("age"):
            lo, hi = next((lo, hi) for key, _l, lo, hi in AGE_BANDS if key == data["age"])
            rows = [w for w in rows if lo <= w.age <= hi]
        return sort_warnings(rows, data.get("sort") or "risk")


def readable_children(user: Any) -> tuple[QuerySet[Child], list[tuple[int, str]]]:
    """The children whose warnings `user` (acting as the list's rule) may read, and their
    LAs for the filter: `Child.objects.visible_to(user)`, kept to the user's own LAs (the
    child's LA only: never a child seen through an RCC's referral)."""
    children = Child.objects.visible_to(user)
    if user.is_superuser:
        las = list(
            Organisation.objects.local_authorities().order_by("name").values_list("pk", "name")
        )
        return children, las
    la_ids = org_ids_by_kind(user)[OrganisationKind.LOCAL_AUTHORITY]
    las = sorted(
        {
            (m.organisation_id, m.organisation.name)
            for m in user.membership_list
            if m.organisation_id in la_ids
        },
        key=lambda la: la[1],
    )
    return children.filter(la_id__in=la_ids), las
