"""Budgets pooled at the RCC, spend and forecast; LA in-house full costs."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from apps.core.views import ScopedDetailView, ScopedListView

from .. import selectors, services
from ..dates import financial_year_label, financial_year_of
from ..filters import BudgetFilter, InHouseCostFilter
from ..forms import BudgetForm, InHouseCostForm
from ..models import InHouseCost, PlacementBudget
from ..permissions import MANAGE_BUDGETS, MANAGE_IN_HOUSE_COSTS, VIEW_BUDGETS, VIEW_IN_HOUSE_COSTS
from ._base import FiguresListView, ServiceFormView


class BudgetListView(FiguresListView):
    rule = VIEW_BUDGETS
    model = PlacementBudget
    filterset_class = BudgetFilter
    select_related = ("la", "rcc")
    template_name = "contracts/budget_list.html"
    export_filename = "placement-budgets"
    export_columns = [
        ("Local authority", "la__name"),
        ("RCC", "rcc__name"),
        ("Financial year", "year_label"),
        ("Budget", "amount"),
        ("Actual to date", lambda b: b.figures.actual),
        ("Committed to year end", lambda b: b.figures.committed),
        ("Forecast", lambda b: b.figures.forecast),
        ("Remaining after forecast", lambda b: b.figures.remaining),
        ("Placements", lambda b: b.figures.placements),
    ]

    def decorate(self, rows: list[PlacementBudget]) -> list[PlacementBudget]:
        figures = selectors.budget_figures(rows)
        for budget in rows:
            budget.figures = figures[budget.pk]  # type: ignore[attr-defined]
        return rows

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        rows = ctx["object_list"]
        ctx["totals"] = {
            "amount": sum((b.amount for b in rows), start=0),
            "actual": sum((b.figures.actual for b in rows), start=0),
            "committed": sum((b.figures.committed for b in rows), start=0),
            "forecast": sum((b.figures.forecast for b in rows), start=0),
            "remaining": sum((b.figures.remaining for b in rows), start=0),
        }
        ctx["can_create"] = MANAGE_BUDGETS.allows(self.request.user)
        ctx["this_year"] = financial_year_label(financial_year_of(timezone.localdate()))
        return ctx


class BudgetDetailView(ScopedDetailView):
    rule = VIEW_BUDGETS
    model = PlacementBudget
    select_related = ("la", "rcc", "updated_by")
    template_name = "contracts/budget_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["figures"] = selectors.budget_figures([self.object])[self.object.pk]
        ctx["today"] = timezone.localdate()
        return ctx


class BudgetCreateView(ServiceFormView):
    rule = MANAGE_BUDGETS
    form_class = BudgetForm
    title = "Set an LA's placement budget"
    intro = "Each LA's placement budget for a financial year (April to March) is pooled at its RCC."
    success_message = "{obj.la}'s budget for {obj.year_label} is saved."

    def get_initial(self) -> dict[str, Any]:
        return {"financial_year": financial_year_of(timezone.localdate())}

    def perform(self, form: BudgetForm) -> PlacementBudget:
        return services.budget_set(by=self.request.user, **form.cleaned_data)

    def success_url_for(self, obj: PlacementBudget) -> str:
        return reverse("contracts:budget", args=[obj.pk])

    def back_url(self) -> str:
        return reverse("contracts:budgets")


class InHouseCostListView(ScopedListView):
    rule = VIEW_IN_HOUSE_COSTS
    model = InHouseCost
    filterset_class = InHouseCostFilter
    select_related = ("service__organisation__owning_la",)
    template_name = "contracts/in_house_cost_list.html"
    export_filename = "in-house-costs"
    export_columns = [
        ("Service", "service__organisation__name"),
        ("LA", "service__organisation__owning_la__name"),
        ("Financial year", lambda c: financial_year_label(c.financial_year)),
        ("Allowance", "allowance"),
        ("Fees to carers", "carer_fees"),
        ("Support", "support"),
        ("Overheads", "overheads"),
        ("Full weekly cost", "full_weekly_cost"),
    ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["can_create"] = MANAGE_IN_HOUSE_COSTS.allows(self.request.user)
        return ctx


class InHouseCostCreateView(ServiceFormView):
    rule = MANAGE_IN_HOUSE_COSTS
    form_class = InHouseCostForm
    title = "Enter an in-house service's full cost"
    intro = (
        "The weekly cost of a placement with an LA's own carers on a full-cost basis, so it can be "
        "compared with independent agencies' fees: allowance, fees to carers, support and "
        "overheads."
    )
    success_message = "The full weekly cost of {obj.service} is £{obj.full_weekly_cost}."

    def get_initial(self) -> dict[str, Any]:
        return {"financial_year": financial_year_of(timezone.localdate())}

    def perform(self, form: InHouseCostForm) -> InHouseCost:
        return services.in_house_cost_set(by=self.request.user, **form.cleaned_data)

    def success_url_for(self, obj: Any) -> str:
        return reverse("contracts:in_house_costs")

    def back_url(self) -> str:
        return reverse("contracts:in_house_costs")
