"""Forms of the provider's answer, the choice, scrutiny and the placement. They parse input
only: every rule is the service's, whose DomainError lands on the field it names."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from apps.core.forms import date_field
from apps.providers.models import Vacancy

from .choices import (
    ChoiceReason,
    DeclineReason,
    LeftCare,
    PlacementType,
    ReasonEnded,
    ScrutinyDecision,
    SupportKind,
)
from .models import Offer, ReferralTarget


def support_field(kind: str) -> str:
    return f"support_{kind}"


def support_note_field(kind: str) -> str:
    return f"support_{kind}_note"


class VacancyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Vacancy) -> str:
        free = obj.available_from
        when = "now" if free <= timezone.localdate() else f"from {free:%-d %B %Y}"
        return f"Household {obj.household.reference}, place {obj.reference} (free {when})"


class OfferForm(forms.Form):
    vacancy = VacancyChoiceField(
        queryset=Vacancy.objects.none(),
        label="Household and place you offer",
        help_text="Your active households with a place open now. The hub chose the first one.",
        empty_label=None,
    )
    weekly_fee = forms.DecimalField(
        label="Proposed weekly fee (£)",
        max_digits=8,
        decimal_places=2,
        help_text="From your price schedule where one applies.",
    )
    fee_above_schedule_reason = forms.CharField(
        label="Why the fee is above the price schedule (if it is)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    available_from = date_field("Available from")
    notes = forms.CharField(
        label="Anything else the social worker should know about this home",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(
        self,
        *args: Any,
        target: ReferralTarget,
        scheduled_fee: Decimal | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        places = (
            Vacancy.objects.filter(
                household__provider_id=target.provider_id,
                household__status="active",
                status="open",
            )
            .select_related("household")
            .order_by("household__reference", "available_from", "reference")
        )
        self.fields["vacancy"].queryset = places  # type: ignore[attr-defined]
        own = [v for v in places if v.household_id == target.household_id]
        if own:
            self.initial.setdefault("vacancy", own[0].pk)
            self.initial.setdefault(
                "available_from", max(own[0].available_from, timezone.localdate())
            )
        else:
            self.initial.setdefault("available_from", timezone.localdate())
        self.has_schedule = scheduled_fee is not None
        if scheduled_fee is not None:
            self.initial.setdefault("weekly_fee", scheduled_fee)
            self.fields["weekly_fee"].help_text = (
                f"The price schedule's fee for this child is £{scheduled_fee:,.2f} a week. A "
                "higher fee needs a reason."
            )
        else:
            self.fields[
                "weekly_fee"
            ].help_text = (
                "No price schedule of yours applies to this child: give your proposed fee."
            )
        self.support_rows = []
        for kind, label in SupportKind.choices:
            cost = self.fields[support_field(kind)] = forms.DecimalField(
                label="Weekly cost (£)", required=False, max_digits=8, decimal_places=2
            )
            note = self.fields[support_note_field(kind)] = forms.CharField(
                label="What it is", required=False, max_length=500
            )
            cost.widget.attrs["inputmode"] = "decimal"
            note.widget.attrs["autocomplete"] = "off"
            self.support_rows.append(
                (label, self[support_field(kind)], self[support_note_field(kind)])
            )

    def support_package(self) -> list[dict[str, Any]]:
        lines = []
        for kind in SupportKind.values:
            cost = self.cleaned_data.get(support_field(kind))
            if cost is None:
                continue
            lines.append(
                {
                    "kind": kind,
                    "weekly_cost": cost,
                    "note": self.cleaned_data.get(support_note_field(kind), ""),
                }
            )
        return lines


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why can you not offer a home?",
        choices=DeclineReason.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Note for the hub",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text='Required when the reason is "Other".',
    )


class OptionForm(forms.Form):
    """The social worker's notes on one option."""

    shortlisted = forms.BooleanField(label="Shortlist this option", required=False)
    equally_meets_needs = forms.BooleanField(
        label="Meets the child's needs as well as the best option",
        required=False,
    )
    childs_view = forms.CharField(
        label="The child's view of this option",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "In the child's own words where you can. Needed for each option when more than one "
            "can meet the needs."
        ),
    )


class ProposeForm(forms.Form):
    offer = forms.ModelChoiceField(
        queryset=Offer.objects.none(),
        label="The option you propose",
        widget=forms.RadioSelect,
        empty_label=None,
    )
    reason = forms.ChoiceField(
        label="Why this option", choices=ChoiceReason.choices, widget=forms.RadioSelect
    )
    notes = forms.CharField(
        label="Notes for the scrutineer", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, offers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["offer"]
        field.queryset = offers  # type: ignore[attr-defined]
        field.label_from_instance = lambda o: (  # type: ignore[attr-defined]
            f"{o.household.display_name}, £{o.full_weekly_cost:,.2f} a week"
        )


class ScrutinyForm(forms.Form):
    decision = forms.ChoiceField(
        label="Approve the match, or return it?",
        choices=[
            (ScrutinyDecision.APPROVED, "Approve the match"),
            (ScrutinyDecision.RETURNED, "Return it to the social worker"),
        ],
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(
        label="Reasons",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="The social worker and hub read these. Say what to change if you return it.",
    )


class PlacementAgreeForm(forms.Form):
    start_date = date_field("Start date")
    placement_type = forms.ChoiceField(
        label="Placement type (SSDA903)",
        choices=[(c, PlacementType(c).label) for c in ("U6", "U4", "U5")],
        widget=forms.RadioSelect,
        initial="U6",
    )
    siblings_split = forms.BooleanField(label="Siblings are placed apart", required=False)
    provider_urn = forms.CharField(
        label="Provider's Ofsted URN (optional)",
        required=False,
        max_length=10,
        help_text="Leave blank to use the provider's URN. The DfE return (SSDA903 URN) needs it.",
    )
    placement_postcode = forms.CharField(
        label="Carers' full postcode",
        required=False,
        max_length=10,
        help_text=(
            "Such as M14 5AB, in the household's postcode district. Only the child's local "
            "authority and the hub see it. The DfE return (SSDA903 PL_POST) and the distance "
            "from home need it."
        ),
    )


class PlacementEndForm(forms.Form):
    end_date = date_field("End date")
    reason_ended = forms.ChoiceField(
        label="Reason the placement ended (SSDA903)",
        choices=[("", "Choose a reason"), *ReasonEnded.choices],
    )
    left_care = forms.TypedChoiceField(
        label="Did the child stop being looked after?",
        choices=[
            ("yes", "Yes, the child left care"),
            ("no", "No, the child moves to another placement"),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the child stopped being looked after."},
    )
    left_care_reason = forms.ChoiceField(
        label="Reason the child left care (SSDA903)",
        choices=[("", "Choose a reason"), *LeftCare.choices],
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("left_care") is False:
            # A reason chosen before the answer changed to "No" is not kept.
            cleaned["left_care_reason"] = ""
        return cleaned
