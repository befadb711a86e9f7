"""Placement feedback: the child's social worker and IRO, at each review."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View
from django_filters.views import FilterView

from apps.core.errors import DomainError
from apps.core.views import RuleRequiredMixin, ScopedDetailView, ScopedListView
from apps.referrals.models import Placement

from ..filters import FeedbackFilter, FeedbackPlacementFilter
from ..forms import FeedbackForm
from ..models import PlacementFeedback
from ..permissions import GIVE_FEEDBACK
from ..selectors import feedback_list, feedback_placements, feedback_roles
from ..services import placement_feedback_give


class FeedbackListView(ScopedListView):
    """The feedback the user wrote."""

    rule = GIVE_FEEDBACK
    model = PlacementFeedback
    filterset_class = FeedbackFilter
    template_name = "monitoring/feedback_list.html"
    export_filename = "placement-feedback"
    export_columns = [
        ("Review date", lambda f: f.review_date.isoformat()),
        ("Child", "placement__child__local_identifier"),
        ("Provider", "placement__provider__organisation__name"),
        ("Given as", "get_author_role_display"),
        ("Child's progress", "childs_progress"),
        ("Carers' support", "carer_support"),
        ("Communication", "communication"),
        ("Concerns", lambda f: "yes" if f.concerns else "no"),
    ]

    def get_queryset(self) -> Any:
        return feedback_list(super().get_queryset()).order_by("-review_date", "-pk")


class FeedbackPlacementListView(RuleRequiredMixin, FilterView):
    """Placements of the user's LA's children, to give feedback on."""

    rule = GIVE_FEEDBACK
    filterset_class = FeedbackPlacementFilter
    template_name = "monitoring/feedback_placements.html"
    paginate_by = 25
    strict = False

    def get_queryset(self) -> Any:
        return feedback_placements(self.request.user).order_by("end_date", "-start_date", "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        ctx["querystring"] = params.urlencode()
        params.pop("sort", None)
        ctx["querystring_without_sort"] = params.urlencode()
        ctx["current_sort"] = self.request.GET.get("sort", "")
        return ctx


class FeedbackCreateView(RuleRequiredMixin, View):
    rule = GIVE_FEEDBACK
    template_name = "monitoring/feedback_form.html"

    def _placement(self, request: HttpRequest, pk: int) -> Placement:
        return get_object_or_404(feedback_placements(request.user), pk=pk)

    def _render(
        self, request: HttpRequest, placement: Placement, form: FeedbackForm
    ) -> HttpResponse:
        return render(request, self.template_name, {"placement": placement, "form": form})

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        placement = self._placement(request, pk)
        return self._render(
            request, placement, FeedbackForm(roles=feedback_roles(request.user, placement))
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        placement = self._placement(request, pk)
        form = FeedbackForm(request.POST, roles=feedback_roles(request.user, placement))
        if form.is_valid():
            try:
                feedback = placement_feedback_give(
                    placement=placement,
                    by=request.user,  # type: ignore[arg-type]
                    **form.cleaned_data,
                )
            except DomainError as err:
                form.add_error(err.field if err.field in form.fields else None, err.message)
            else:
                messages.success(
                    request,
                    "Thank you: your feedback is recorded. The provider will see it only within "
                    "anonymised totals.",
                )
                return HttpResponseRedirect(
                    reverse("monitoring:feedback_detail", args=[feedback.pk])
                )
        return self._render(request, placement, form)


class FeedbackDetailView(ScopedDetailView):
    rule = GIVE_FEEDBACK
    model = PlacementFeedback
    select_related = ("placement__child", "placement__provider__organisation", "placement__la")
    template_name = "monitoring/feedback_detail.html"
    context_object_name = "feedback"
