"""Forms of the hub's search and of the RCC's matching weights (shared by the web and the API)."""

from __future__ import annotations

from typing import Any

from django import forms

from .matching import FACTORS, PROVIDER_TYPE_CHOICES, ProviderType
from .models import MatchingWeights

WEIGHT_FIELDS = tuple(code for code, _ in FACTORS)

IN_HOUSE_ONLY = (
    "The search always covers other LAs' services and IFAs as well as in-house homes: tick "
    "at least one of them. To record that you are looking in-house first, use the "
    '"Looking in-house first" button; it does not stop you asking other providers.'
)


class OptionsFilterForm(forms.Form):
    """Which options to show. Every kind of provider is shown unless the hub narrows it, and
    the hub may never narrow it to in-house homes only (DOMAIN.md §4)."""

    provider_type = forms.MultipleChoiceField(
        choices=PROVIDER_TYPE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Provider type",
    )
    max_distance = forms.IntegerField(
        min_value=1,
        max_value=500,
        required=False,
        label="Within this many miles of the family",
    )
    sort = forms.ChoiceField(
        choices=[("score", "Best match first"), ("distance", "Nearest first")],
        required=False,
        label="Order",
    )

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        data = data.copy() if data is not None else {}
        if not data.get("provider_type"):
            if hasattr(data, "setlist"):
                data.setlist("provider_type", list(ProviderType.ALL))
            else:
                data["provider_type"] = list(ProviderType.ALL)
        super().__init__(data, **kwargs)

    def clean_provider_type(self) -> list[str]:
        chosen = self.cleaned_data.get("provider_type") or list(ProviderType.ALL)
        if set(chosen) == {ProviderType.IN_HOUSE}:
            raise forms.ValidationError(IN_HOUSE_ONLY)
        return chosen

    def values(self) -> dict[str, Any]:
        """The filters to apply; the defaults when the form is invalid."""
        if not self.is_valid():
            return {"provider_types": ProviderType.ALL, "max_distance": None, "sort": "score"}
        return {
            "provider_types": self.cleaned_data["provider_type"],
            "max_distance": self.cleaned_data.get("max_distance"),
            "sort": self.cleaned_data.get("sort") or "score",
        }


class MatchingWeightsForm(forms.ModelForm):
    class Meta:
        model = MatchingWeights
        fields = [*WEIGHT_FIELDS, "search_radius_miles"]
        labels = {
            "needs": "Needs met by the home's skills",
            "distance_family": "Distance to family",
            "distance_school": "Distance to school (when the child keeps their school)",
            "identity": "Culture, language and religion",
            "stability": "Provider's stability record",
            "ofsted": "Provider's Ofsted grade",
            "preferences": "Carers' stated preferences",
            "search_radius_miles": "Search radius (miles from the family)",
        }
        help_texts = {
            "search_radius_miles": "Homes further than this from the family's postcode district "
            "are not searched. Between 5 and 300 miles."
        }
        widgets = {name: forms.NumberInput(attrs={"inputmode": "numeric"}) for name in fields}
