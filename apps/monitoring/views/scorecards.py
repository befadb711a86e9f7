"""Provider scorecards, per RCC and nationally, read from precomputed snapshots (a fixed
number of queries however much data there is)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from apps.core.errors import DomainError
from apps.core.views import RuleRequiredMixin, ScopedListView

from ..filters import NATIONAL_LABEL, SCOPE_NATIONAL, ScorecardFilter, scorecard_scope_choices
from ..forms import MeetingLinkForm
from ..models import MeetingScorecardLink, ScorecardSnapshot
from ..permissions import LINK_MEETING, VIEW_SCORECARDS
from ..quarters import Quarter
from ..querysets import monitoring_scope, visible_providers
from ..selectors import (
    TREND_QUARTERS,
    ScorecardRow,
    latest_quarter_with_figures,
    linkable_meetings,
    meeting_links,
    scorecard_list,
    scorecard_rows,
    scorecard_scopes,
)
from ..services import scorecard_meeting_link


class ScorecardListView(ScopedListView):
    rule = VIEW_SCORECARDS
    model = ScorecardSnapshot
    filterset_class = ScorecardFilter
    template_name = "monitoring/scorecard_list.html"
    export_filename = "provider-scorecards"
    export_columns = [
        ("Provider", "provider__organisation__name"),
        ("Provider number", "provider_id"),
        ("Quarter", lambda s: s.quarter.short),
        ("Figures for", lambda s: s.rcc.name if s.rcc_id else NATIONAL_LABEL),
        ("Placements", "placements"),
        ("Placement-years", lambda s: ScorecardRow(s).placement_years),
        ("Unplanned endings", "unplanned_endings"),
        ("Unplanned endings per 100 placement-years", "stability_rate"),
        ("Referrals received", "referrals_received"),
        ("Median response (hours)", "response_hours_median"),
        ("Offer rate %", lambda s: ScorecardRow(s).offer_rate),
        ("Acceptance rate %", lambda s: ScorecardRow(s).acceptance_rate),
        (
            "Feedback reviews",
            lambda s: s.feedback_count if s.feedback_count >= 5 or s.feedback_count == 0 else "c",
        ),
        ("Feedback average (1-5)", lambda s: ScorecardRow(s).feedback_average or ""),
        ("Ofsted grade", "ofsted_grade"),
        ("Fee against lot median %", "fee_vs_median_pct"),
        ("Return status", "return_status"),
        ("Return days late", "return_days_late"),
    ]

    def get_filterset_kwargs(self, filterset_class: Any) -> dict[str, Any]:
        kwargs = super().get_filterset_kwargs(filterset_class)
        choices = scorecard_scope_choices(self.request.user)
        data = kwargs.get("data")
        data = data.copy() if data is not None else self.request.GET.copy()
        if not data.get("scope"):
            data["scope"] = choices[0][0]
        if not data.get("quarter"):
            data["quarter"] = _default_quarter(self.get_queryset()).code
        kwargs["data"] = data
        kwargs["scope_choices"] = choices
        return kwargs

    def get_queryset(self) -> Any:
        return scorecard_list(super().get_queryset()).order_by("provider__organisation__name", "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["rows"] = [ScorecardRow(s) for s in ctx["object_list"]]
        return ctx


class ScorecardDetailView(RuleRequiredMixin, TemplateView):
    rule = VIEW_SCORECARDS
    template_name = "monitoring/scorecard_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        provider = get_object_or_404(
            visible_providers(user).select_related("organisation"), pk=kwargs["pk"]
        )
        snapshots = ScorecardSnapshot.objects.visible_to(user)  # type: ignore[arg-type]
        scopes = scorecard_scopes(snapshots, provider.pk)
        allowed = {str(pk): name for pk, name in scopes}
        requested = self.request.GET.get("scope", "")
        mine = [str(pk) for pk in monitoring_scope(user).rcc_ids if str(pk) in allowed]
        scope = (
            requested
            if requested in allowed or requested == SCOPE_NATIONAL
            else (mine[0] if mine else SCOPE_NATIONAL)
        )
        rcc_id = None if scope == SCOPE_NATIONAL else int(scope)
        try:
            upto = Quarter.parse(self.request.GET["quarter"])
        except (KeyError, ValueError):
            upto = _default_quarter(snapshots.filter(provider_id=provider.pk))
        rows = scorecard_rows(snapshots, provider.pk, rcc_id, upto)
        latest = rows[-1] if rows and rows[-1].quarter == upto else None
        links = list(meeting_links(MeetingScorecardLink.objects.visible_to(user), provider.pk))  # type: ignore[arg-type]
        can_link = LINK_MEETING.allows(user)
        quarters = upto.back(TREND_QUARTERS)
        ctx.update(
            provider=provider,
            scope=scope,
            scope_label=NATIONAL_LABEL if rcc_id is None else f"{allowed[scope]}'s placements",
            scopes=[
                (SCOPE_NATIONAL, NATIONAL_LABEL),
                *[(str(pk), f"{name}'s placements") for pk, name in scopes],
            ],
            upto=upto,
            previous=upto.previous(),
            following=upto.next() if upto.next().start <= timezone.localdate() else None,
            rows=rows,
            latest=latest,
            chart=_chart(rows),
            links=links,
            link_form=MeetingLinkForm(
                meetings=linkable_meetings(user, provider.pk), quarters=quarters
            )
            if can_link
            else None,
        )
        ctx["links"] = [(link, _meeting_url(link.meeting_id)) for link in links]
        return ctx


def _default_quarter(snapshots: Any) -> Quarter:
    """The last quarter that has ended (the quarter of the latest returns), or the latest with
    figures if that is earlier."""
    ended = Quarter.last_ended(timezone.localdate())
    latest = latest_quarter_with_figures(snapshots)
    return min(latest, ended) if latest else ended


def _meeting_url(meeting_id: int) -> str:
    for name in ("contracts:meeting_detail", "contracts:meeting"):
        try:
            return reverse(name, args=[meeting_id])
        except NoReverseMatch:
            continue
    return ""


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def _chart(rows: list[ScorecardRow]) -> dict[str, Any]:
    """The trend chart's data, read by static/monitoring/scorecard.js (the table shows the same)."""
    return {
        "labels": [r.quarter.short for r in rows],
        "series": [
            {
                "label": "Unplanned endings per 100 placement-years",
                "axis": "y",
                "type": "bar",
                "data": [_num(r.stability_rate) for r in rows],
            },
            {
                "label": "Offer rate (%)",
                "axis": "y1",
                "type": "line",
                "data": [_num(r.offer_rate) for r in rows],
            },
            {
                "label": "Acceptance rate (%)",
                "axis": "y1",
                "type": "line",
                "data": [_num(r.acceptance_rate) for r in rows],
            },
        ],
    }


class ScorecardMeetingLinkView(RuleRequiredMixin, View):
    rule = LINK_MEETING
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        provider = get_object_or_404(visible_providers(request.user), pk=pk)
        form = MeetingLinkForm(
            request.POST,
            meetings=linkable_meetings(request.user, provider.pk),
            quarters=Quarter.of(timezone.localdate()).back(3 * TREND_QUARTERS),
        )
        url = reverse("monitoring:scorecard_detail", args=[provider.pk])
        if not form.is_valid():
            messages.error(request, "Choose one of the provider's meetings and a quarter.")
            return HttpResponseRedirect(url + "#meetings")
        try:
            link = scorecard_meeting_link(
                meeting=form.cleaned_data["meeting"],
                quarter=form.cleaned_data["quarter"],
                by=request.user,  # type: ignore[arg-type]
            )
        except DomainError as err:
            messages.error(request, err.message)
            return HttpResponseRedirect(url + "#meetings")
        messages.success(
            request,
            f"Linked: the meeting on {link.meeting.held_on:%d %B %Y} discussed the "
            f"{Quarter.of(link.quarter_start).short} scorecard.",
        )
        return HttpResponseRedirect(f"{url}?quarter={Quarter.of(link.quarter_start).code}#meetings")
