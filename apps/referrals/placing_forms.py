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


PLACE_ERRORS = {
    "required": "Choose the household and place you offer.",
    "invalid_choice": (
        "That place is no longer open, or its household is not approved for this child: choose "
        "another place."
    ),
}


class OfferForm(forms.Form):
    """The provider's offer. Only places whose household's approval fits are listed: the child's
    age within the approved range (for a sibling group, each child's own list). A sibling group
    gets a place field per child; a child left blank is not in this offer (placed apart)."""

    vacancy = VacancyChoiceField(
        queryset=Vacancy.objects.none(),
        label="Household and place you offer",
        help_text="Your active households approved for this child's age, with a place open.",
        empty_label=None,
        error_messages=PLACE_ERRORS,
    )
    weekly_fee = forms.DecimalField(
        label="Proposed weekly fee (£)",
        max_digits=8,
        decimal_places=2,
        help_text="From your price schedule where one applies.",
        error_messages={
            "required": "Enter the proposed weekly fee in pounds, like 850.00.",
            "invalid": "Enter the weekly fee as an amount in pounds, like 850.00.",
            "max_digits": "Enter a weekly fee of less than £1,000,000.",
            "max_decimal_places": "Enter the weekly fee in pounds and pence, like 850.00.",
        },
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
        from .services.offers import age_on, approval_misfit, fitting_places, place_field

        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.group = target.referral.group
        self.is_group = len(self.group) > 1
        places = fitting_places(target, today)
        self.no_fitting_places = not places
        self.place_fields = []
        for index, child in enumerate(self.group):
            name = place_field(index)
            fits = [v.pk for v in places if not approval_misfit(v.household, [child], today)]
            age = age_on(child, today)
            if name == "vacancy":
                field = self.fields["vacancy"]
            else:
                field = self.fields[name] = VacancyChoiceField(
                    queryset=Vacancy.objects.none(), error_messages=PLACE_ERRORS
                )
            field.queryset = (  # type: ignore[attr-defined]
                Vacancy.objects.filter(pk__in=fits)
                .select_related("household")
                .order_by("household__reference", "available_from", "reference")
            )
            if self.is_group:
                field.required = False
                field.empty_label = "Not in this offer"  # type: ignore[attr-defined]
                field.label = (
                    f"Place for the referred child (age {age})"
                    if index == 0
                    else f"Place for the sibling aged {age}"
                )
                field.help_text = (
                    "Only places in households approved for this age. Choose "
                    "“Not in this offer” if this household cannot take this child: the "
                    "siblings would then be placed apart."
                )
            self.place_fields.append(name)
        own = [v for v in places if v.household_id == target.household_id]
        if own:
            # The hub chose this household: start from its places, one for each child.
            taken: set[int] = set()
            for name in self.place_fields:
                choices = {v.pk for v in self.fields[name].queryset}  # type: ignore[attr-defined]
                pick = next((v for v in own if v.pk in choices and v.pk not in taken), None)
                if pick is not None:
                    taken.add(pick.pk)
                    self.initial.setdefault(name, pick.pk)
            # Free when every place picked is free (or, with none picked, the first one).
            picked = [v.available_from for v in own if v.pk in taken] or [own[0].available_from]
            self.initial.setdefault("available_from", max(*picked, today))
        else:
            self.initial.setdefault("available_from", today)
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

    @property
    def place_bound_fields(self) -> list[Any]:
        return [self[name] for name in self.place_fields]

    def places(self) -> dict[int, Vacancy | None]:
        """Child id → the place chosen for the child (None: not in this offer)."""
        return {
            child.pk: self.cleaned_data.get(name)
            for child, name in zip(self.group, self.place_fields, strict=True)
        }

    def chosen_household(self) -> Any:
        chosen = [v for v in self.places().values() if v is not None]
        return chosen[0].household if chosen else None

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
    siblings_split = forms.BooleanField(
        label="Siblings are placed apart",
        required=False,
        help_text="Tick if a brother or sister of this child is living elsewhere, then say why.",
    )
    also_offers = forms.ModelMultipleChoiceField(
        queryset=Offer.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Other offers that place the rest of the group",
        help_text=(
            "The proposed offer does not place every child: choose the offers that place the "
            "others. The siblings are then placed apart."
        ),
    )
    split_reason = forms.CharField(
        label="Why the siblings are placed apart, and who agreed it",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded on the referral and each child's placement with your name and the "
        "date.",
    )
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

    def __init__(self, *args: Any, referral: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.is_group = bool(referral is not None and referral.siblings.exists())
        if referral is not None:
            from .options import LIVE_OFFER_STATUSES

            others = (
                referral.offers.filter(status__in=LIVE_OFFER_STATUSES)
                .exclude(pk=referral.proposed_offer_id or 0)
                .select_related("household__provider__organisation")
                .prefetch_related("places__child")
            )
            field = self.fields["also_offers"]
            field.queryset = others  # type: ignore[attr-defined]
            field.label_from_instance = lambda o: (  # type: ignore[attr-defined]
                f"{o.household.display_name}: places "
                + ", ".join(p.child.local_identifier for p in o.places.all())
                + f" (£{o.full_weekly_cost:,.2f} a week each)"
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["also_offers"] = list(data.get("also_offers") or [])
        return data


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
