"""Forms of planning: start a simulated year of matching."""

from __future__ import annotations

from typing import Any

from django import forms

from apps.organisations.models import Organisation

from .choices import SimulationPolicy
from .querysets import planning_scope
from .services import MAX_SEED


class SimulationForm(forms.Form):
    policy = forms.ChoiceField(
        label="Policy",
        choices=SimulationPolicy.choices,
        initial=SimulationPolicy.ALL,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a policy, or all three."},
    )
    seed = forms.IntegerField(
        label="Seed",
        initial=1,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        min_value=0,
        max_value=MAX_SEED,
        help_text="The same seed gives the same year: the same children, placement lengths and "
        "places freeing. Try 1, 2 and 3 to see how much the results vary.",
        error_messages={
            "required": "Enter a seed, like 1.",
            "invalid": "Enter the seed as a whole number, like 1.",
            "min_value": "The seed must be 0 or more.",
            "max_value": f"The seed must be {MAX_SEED} or less.",
        },
    )
    rcc = forms.ModelChoiceField(
        label="Children of",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="England (every RCC)",
        error_messages={"invalid_choice": "Choose one of the RCCs listed."},
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = planning_scope(user)
        rccs = Organisation.objects.rccs().order_by("name")
        if not scope.national:
            rccs = rccs.filter(pk__in=scope.rcc_ids)
            self.fields["rcc"].required = True
            self.fields["rcc"].empty_label = None  # type: ignore[attr-defined]
            self.fields["rcc"].error_messages["required"] = "Choose your RCC."
        self.fields["rcc"].queryset = rccs  # type: ignore[attr-defined]
