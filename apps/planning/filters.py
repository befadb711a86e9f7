"""One filterset per list, shared by the web pages and the API."""

from __future__ import annotations

from typing import Any

import django_filters

from apps.core.filters import set_choices
from apps.organisations.models import Organisation
from apps.reporting.choices import RunStatus
from apps.reporting.filters import NATIONAL, ScopeFilter

from .choices import SimulationPolicy
from .models import SimulationRun
from .querysets import planning_scope


def _scope_choices(request: Any) -> list[tuple[str, str]]:
    scope = planning_scope(getattr(request, "user", None))
    rccs = Organisation.objects.rccs().order_by("name")
    if not scope.national:
        rccs = rccs.filter(pk__in=scope.rcc_ids)
    choices = [(str(pk), name) for pk, name in rccs.values_list("pk", "name")]
    return [(NATIONAL, "England"), *choices] if scope.national else choices


class SimulationRunFilter(django_filters.FilterSet):
    policy = django_filters.ChoiceFilter(choices=SimulationPolicy.choices, label="Policy")
    status = django_filters.ChoiceFilter(choices=RunStatus.choices, label="Status")
    scope = ScopeFilter(label="Children of", choices=[])
    seed = django_filters.NumberFilter(label="Seed")
    sort = django_filters.OrderingFilter(
        fields=(("created_at", "asked"), ("seed", "seed"), ("status", "status")),
        field_labels={"created_at": "Asked for", "seed": "Seed", "status": "Status"},
        label="Sort by",
    )

    class Meta:
        model = SimulationRun
        fields = ["policy", "status", "seed"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "scope", _scope_choices(self.request))
