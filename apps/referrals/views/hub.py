"""The hub's side: the work queue, the search for one referral (ranked options with every
factor's contribution, exclusions explained) and sending to chosen households only; batch
matching across the RCC's waiting children; and the RCC's matching weights.

Views parse input, call one selector or service, and render.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import DetailView, FormView
from django.views.generic.detail import SingleObjectMixin

from apps.core.errors import DomainError
from apps.core.throttling import ThrottledViewMixin
from apps.core.views import RuleRequiredMixin, ScopedListView, ScopedQuerysetMixin
from apps.referrals import selectors
from apps.referrals.batch import batch_match, waiting_referrals
from apps.referrals.filters import HubQueueFilter
from apps.referrals.hub_forms import MatchingWeightsForm, OptionsFilterForm
from apps.referrals.matching import PROFILE_SELECT, ProviderType, rank_referral
from apps.referrals.matching.specialist import specialist_services_for_profile
from apps.referrals.models import MatchingWeights, Referral
from apps.referrals.permissions import EDIT_MATCHING_WEIGHTS, HUB_SEARCH
from apps.referrals.services import distribution
from apps.referrals.services.matching_weights import matching_weights_update, weight_shares
from apps.referrals.tasks import BATCH_CACHE_SECONDS, batch_cache_key, batch_match_rcc

from .la import attach_error

OPTIONS_PER_PAGE = 25
# Above this many waiting referrals the batch page asks a worker instead of computing inline.
BATCH_INLINE_LIMIT = 400


def age_in_years(born: Any, on: Any = None) -> int:
    on = on or timezone.localdate()
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))  # type: ignore[no-any-return]


class HubReferralMixin(RuleRequiredMixin, ScopedQuerysetMixin):
    """A referral of an RCC whose hub the user works in (404 for anyone else's)."""

    rule = HUB_SEARCH
    model = Referral

    def get_queryset(self) -> QuerySet[Referral]:
        qs = selectors.hub_referrals(super().get_queryset(), self.request.user)  # type: ignore[arg-type]
        return qs.select_related(*self.select_related)


class HubRccMixin(RuleRequiredMixin):
    """An RCC the user works for (404 for any other)."""

    request: HttpRequest

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.hub_rccs(self.request.user)  # type: ignore[arg-type]


# --- The work queue ----------------------------------------------------------------------------


def _days_waiting(referral: Referral) -> int | str:
    return (timezone.now() - referral.sent_at).days if referral.sent_at else ""


class HubQueueView(ScopedListView):
    """Referrals waiting with the hub: urgency, dates, how long, who was asked, offers so far."""

    rule = HUB_SEARCH
    model = Referral
    filterset_class = HubQueueFilter
    template_name = "referrals/hub_queue.html"
    export_filename = "hub-queue"
    export_columns = [
        ("Referral", "pk"),
        ("Child", "child__local_identifier"),
        ("Age", lambda r: age_in_years(r.child.date_of_birth)),
        ("Local authority", "la__name"),
        ("Urgency", "get_urgency_display"),
        ("Status", "get_status_display"),
        ("Latest start date", "latest_start_date"),
        ("Sent to the hub", lambda r: timezone.localtime(r.sent_at).date() if r.sent_at else ""),
        ("Days waiting", _days_waiting),
        ("Providers asked", "targets_sent"),
        ("Offers received", "offers_received"),
        ("Looking in-house first", lambda r: "yes" if r.looking_in_house_first else "no"),
    ]

    def get_queryset(self) -> QuerySet[Referral]:
        qs = selectors.hub_referrals(super().get_queryset(), self.request.user)  # type: ignore[arg-type]
        return selectors.hub_queue(qs).order_by("urgency", "latest_start_date", "sent_at", "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        today = timezone.localdate()
        for referral in ctx["object_list"]:
            referral.age = age_in_years(referral.child.date_of_birth, today)
            referral.days_waiting = _days_waiting(referral)
        ctx["rccs"] = list(selectors.hub_rccs(self.request.user))  # type: ignore[arg-type]
        return ctx


# --- Searching for one referral and sending to chosen households --------------------------------

# The households ticked on the search, kept in the session per referral so that a selection
# carries across result pages (and filters); cleared once the referral is sent to them.
SELECTION_KEY = "hub-selection-{pk}"
SELECTION_MAX = 200


def _ids(values: list[str]) -> set[int]:
    return {int(v) for v in values if str(v).isdigit()}


def selection_get(request: HttpRequest, referral_pk: int) -> list[int]:
    return list(request.session.get(SELECTION_KEY.format(pk=referral_pk), []))


def selection_update(request: HttpRequest, referral_pk: int) -> list[int]:
    """The selection after this page's ticks: the households shown on the page (`shown`) that
    are not ticked leave it, the ticked ones (`households`) join it."""
    kept = set(selection_get(request, referral_pk)) - _ids(request.POST.getlist("shown"))
    chosen = sorted(kept | _ids(request.POST.getlist("households")))[:SELECTION_MAX]
    request.session[SELECTION_KEY.format(pk=referral_pk)] = chosen
    return chosen


def selection_clear(request: HttpRequest, referral_pk: int) -> None:
    request.session.pop(SELECTION_KEY.format(pk=referral_pk), None)


class HubSearchView(HubReferralMixin, ThrottledViewMixin, DetailView):
    """The ranked options for one referral with every factor's contribution and the homes
    excluded (and why); the hub ticks households and sends to their providers."""

    select_related = PROFILE_SELECT
    template_name = "referrals/hub_search.html"
    throttle_scope = "search"
    context_object_name = "referral"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        referral: Referral = self.object
        form = OptionsFilterForm(self.request.GET)
        try:
            ranking = rank_referral(referral)
        except DomainError as err:
            ctx.update(search_error=err.message, form=form)
            return ctx
        shown = ranking.filtered(**form.values())
        page = Paginator(shown, OPTIONS_PER_PAGE).get_page(self.request.GET.get("page"))
        params = self.request.GET.copy()
        params.pop("page", None)
        sent = dict(
            referral.targets.values_list("household_id", "status")  # type: ignore[attr-defined]
        )
        selected = [h for h in selection_get(self.request, referral.pk) if h not in sent]
        on_page = {o.household_id for o in page.object_list}
        ctx.update(
            selected=set(selected),
            selected_elsewhere=[h for h in selected if h not in on_page],
            selected_count=len(selected),
            warnings=ranking.profile.warnings,
            specialist_services=specialist_services_for_profile(ranking.profile),
        )
        ctx.update(
            form=form,
            ranking=ranking,
            profile=ranking.profile,
            start_by_text=f"{ranking.profile.start_by:%-d %b %Y}",
            page_obj=page,
            options=page.object_list,
            querystring=params.urlencode(),
            sent=sent,
            can_send=referral.status in distribution.SENDABLE,
            shares=weight_shares(ranking.weights),
            type_counts=ranking.type_counts(),
            type_labels=ProviderType.LABELS,
            care=selectors.care_history(child=referral.child),
        )
        return ctx


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("goto") or request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


class HubTargetsSendView(HubReferralMixin, SingleObjectMixin, View):
    """POST: send the referral to the providers of the ticked households (and only those)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        referral = self.get_object()
        search = reverse("referrals:hub_search", args=[referral.pk])
        sent = set(referral.targets.values_list("household_id", flat=True))  # type: ignore[attr-defined]
        households = [h for h in selection_update(request, referral.pk) if h not in sent]
        try:
            targets = distribution.targets_send(
                referral=referral, households=households, by=request.user
            )
        except DomainError as err:
            messages.error(request, err.message)
            return redirect(_back(request, search))
        selection_clear(request, referral.pk)
        providers = len({t.provider_id for t in targets})
        messages.success(
            request,
            f"Sent to {providers} provider{'s' if providers != 1 else ''} about "
            f"{len(targets)} household{'s' if len(targets) != 1 else ''}.",
        )
        return redirect(_back(request, search))


class HubSelectionView(HubReferralMixin, SingleObjectMixin, View):
    """POST: keep this page's ticks in the selection (or clear it), then go to the page asked
    for (`next`): how the ticked households carry across result pages."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        referral = self.get_object()
        if request.POST.get("clear"):
            selection_clear(request, referral.pk)
        else:
            selection_update(request, referral.pk)
        return redirect(_back(request, reverse("referrals:hub_search", args=[referral.pk])))


class HubInHouseFirstView(HubReferralMixin, SingleObjectMixin, View):
    """POST: record (or clear) that the hub is looking in-house first; it blocks nothing."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        referral = self.get_object()
        looking = request.POST.get("looking") == "yes"
        try:
            distribution.referral_looking_in_house_first_set(
                referral=referral, by=request.user, looking=looking
            )
        except DomainError as err:
            messages.error(request, err.message)
        else:
            messages.success(
                request,
                "Recorded: looking in-house first. You can still send to other LAs' services "
                "and IFAs at the same time."
                if looking
                else "No longer recorded as looking in-house first.",
            )
        return redirect(_back(request, reverse("referrals:hub_search", args=[referral.pk])))


# --- Batch matching ----------------------------------------------------------------------------


class BatchMatchingView(HubRccMixin, DetailView):
    """The assignment of all the RCC's waiting children to places that maximises the total
    match score, beside each child's own best option."""

    rule = HUB_SEARCH
    template_name = "referrals/hub_batch.html"
    context_object_name = "rcc"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        rcc = self.object
        key = batch_cache_key(rcc.pk)
        result = None if self.request.GET.get("refresh") else cache.get(key)
        queued = False
        if result is None:
            if len(waiting_referrals(rcc.pk)) <= BATCH_INLINE_LIMIT:
                result = batch_match(rcc.pk).as_dict()
                cache.set(key, result, BATCH_CACHE_SECONDS)
            else:
                batch_match_rcc.delay(rcc.pk)
                queued = True
                result = cache.get(key)
        if result:
            for suggestion in result["suggestions"]:
                suggestion["start_by"] = dt.date.fromisoformat(suggestion["latest_start_date"])
        ctx.update(
            result=result,
            queued=queued,
            computed_at=dt.datetime.fromisoformat(result["computed_at"]) if result else None,
        )
        return ctx


# --- The RCC's matching weights ----------------------------------------------------------------


class MatchingWeightsHomeView(RuleRequiredMixin, View):
    """The commissioner's own RCC's weights (the first, when they work for several)."""

    rule = EDIT_MATCHING_WEIGHTS

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        rcc = selectors.hub_rccs(request.user).order_by("name").first()  # type: ignore[arg-type]
        if rcc is None:
            raise Http404("You do not work for an RCC.")
        return redirect("referrals:matching_weights", pk=rcc.pk)


class MatchingWeightsView(HubRccMixin, SingleObjectMixin, FormView):
    rule = EDIT_MATCHING_WEIGHTS
    form_class = MatchingWeightsForm
    template_name = "referrals/hub_matching_weights.html"
    context_object_name = "rcc"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and self.rule.allows(request.user):
            self.object = self.get_object()
            self.weights, _ = MatchingWeights.objects.get_or_create(rcc=self.object)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[return-value]

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.weights}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["shares"] = weight_shares(self.weights)
        ctx["weights"] = self.weights
        return ctx

    def form_valid(self, form: MatchingWeightsForm) -> HttpResponse:
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            matching_weights_update(rcc=self.object, by=self.request.user, **values)
        except DomainError as err:
            attach_error(form, err)  # type: ignore[arg-type]
            self.weights.refresh_from_db()
            return self.form_invalid(form)
        messages.success(self.request, "The matching weights are saved. New searches use them.")
        return redirect("referrals:matching_weights", pk=self.object.pk)
