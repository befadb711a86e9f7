"""The provider's side (IFAs and LA fostering services alike): the referrals sent to it, each
read minimised and logged, and its answer: an offer of a named household, or a decline.

A provider only ever sees its own targets (404 for anyone else's), and never the child's
identity: the local identifier appears only once the LA has shortlisted its offer.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from apps.core.errors import DomainError
from apps.core.views import RuleRequiredMixin, ScopedListView
from apps.referrals import selectors
from apps.referrals.choices import OfferStatus, TargetStatus
from apps.referrals.filters import TargetFilter
from apps.referrals.minimise import age_in_years
from apps.referrals.models import ReferralTarget
from apps.referrals.permissions import RESPOND_TO_REFERRALS
from apps.referrals.placing_forms import DeclineForm, OfferForm
from apps.referrals.services import offers as offer_services

from .la import attach_error

# Once the provider has offered, the status follows the offer: shortlisted, proposed, accepted
# (the place is booked), not chosen or withdrawn.
OFFER_OUTCOMES = {
    OfferStatus.MADE: "Offer made",
    OfferStatus.SHORTLISTED: "Offer shortlisted",
    OfferStatus.PROPOSED: "Offer proposed for scrutiny",
    OfferStatus.ACCEPTED: "Offer accepted: place booked",
    OfferStatus.NOT_CHOSEN: "Offer not chosen: closed",
    OfferStatus.WITHDRAWN: "Offer withdrawn",
}


def answer_status(target: Any) -> str:
    offer_status = getattr(target, "offer_status", None)
    if target.status == TargetStatus.OFFERED and offer_status in OFFER_OUTCOMES:
        return OFFER_OUTCOMES[offer_status]
    return str(target.get_status_display())


def _days_since(when: Any) -> int:
    return (timezone.localdate() - timezone.localtime(when).date()).days


class ProviderTargetListView(ScopedListView):
    """Referrals sent to you: status, urgency, latest start date, age, days since sent."""

    rule = RESPOND_TO_REFERRALS
    model = ReferralTarget
    filterset_class = TargetFilter
    template_name = "referrals/provider_target_list.html"
    export_filename = "referrals-sent-to-you"
    export_columns = [
        ("Referral", "referral_id"),
        ("Status", lambda t: answer_status(t)),
        ("Urgency", "referral__get_urgency_display"),
        ("Latest start date", lambda t: t.referral.latest_start_date or ""),
        ("Age", lambda t: age_in_years(t.child_born)),
        ("Days since sent", lambda t: _days_since(t.sent_at)),
        ("Household", "household__reference"),
        ("Placing LA", "referral__la__name"),
        ("Provider", "provider__organisation__name"),
    ]

    def get_queryset(self) -> QuerySet[ReferralTarget]:
        # Only the date of birth is read, to show an age; the child row itself is not loaded.
        return (
            selectors.provider_targets(self.request.user)  # type: ignore[arg-type]
            .select_related(None)
            .select_related(
                "referral__la", "household__provider__organisation", "provider__organisation"
            )
            .annotate(
                child_born=F("referral__child__date_of_birth"), offer_status=F("offer__status")
            )
            .order_by("-sent_at", "-pk")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        for target in ctx["object_list"]:
            target.status_label = answer_status(target)
            target.age = age_in_years(target.child_born)
            target.days_waiting = _days_since(target.sent_at)
        return ctx


class ProviderTargetMixin(RuleRequiredMixin):
    """One of the user's own provider's targets (404 for anyone else's)."""

    rule = RESPOND_TO_REFERRALS
    request: HttpRequest
    kwargs: dict[str, Any]

    def get_target(self) -> ReferralTarget:
        qs = selectors.provider_targets(self.request.user).select_related(  # type: ignore[arg-type]
            "referral__rcc", "referral__child", "offer__household", "offer__vacancy"
        )
        return get_object_or_404(qs, pk=self.kwargs["pk"])

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and self.rule.allows(request.user):
            self.target = self.get_target()
        return super().dispatch(request, *args, **kwargs)  # type: ignore[return-value]


class ProviderTargetDetailView(ProviderTargetMixin, TemplateView):
    """The minimised referral. Every read is logged (ReferralAccessLog)."""

    template_name = "referrals/provider_target_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        seen = offer_services.target_view(target=self.target, by=self.request.user)
        ctx.update(
            target=self.target,
            referral=seen["referral"],
            local_identifier=seen["local_identifier"],
            offer=getattr(self.target, "offer", None),
            offer_places=list(self.target.offer.places.select_related("vacancy"))
            if hasattr(self.target, "offer")
            else [],
            can_answer=self.target.status == "sent"
            and seen["referral"]["status"] in offer_services.ANSWERABLE,
        )
        return ctx


class _AnswerView(ProviderTargetMixin, FormView):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            offer_services.check_answerable(self.target)
        except DomainError as err:
            messages.error(request, err.message)
            return redirect("referrals:provider_target", self.target.pk)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        referral = self.target.referral
        ctx.update(
            target=self.target,
            urgency=referral.get_urgency_display(),
            latest_start_date=referral.latest_start_date,
            age=age_in_years(referral.child.date_of_birth),
        )
        return ctx


class ProviderOfferView(_AnswerView):
    template_name = "referrals/provider_offer_form.html"
    form_class = OfferForm

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["target"] = self.target
        kwargs["scheduled_fee"] = offer_services.scheduled_fee(
            target=self.target, household=self.target.household, on=timezone.localdate()
        )
        return kwargs

    def form_valid(self, form: OfferForm) -> HttpResponse:
        household = form.chosen_household()
        if household is None:
            form.add_error(
                "vacancy",
                "Choose a place for at least one child, or decline the referral if you cannot "
                "offer one.",
            )
            return self.form_invalid(form)
        try:
            offer = offer_services.offer_make(
                target=self.target,
                by=self.request.user,
                household=household,
                places=form.places(),
                weekly_fee=form.cleaned_data["weekly_fee"],
                available_from=form.cleaned_data["available_from"],
                support_package=form.support_package(),
                fee_above_schedule_reason=form.cleaned_data["fee_above_schedule_reason"],
                notes=form.cleaned_data["notes"],
            )
        except DomainError as err:
            if err.field == "household":
                err.field = "vacancy"
            attach_error(form, err)
            return self.form_invalid(form)
        group = len(form.group)
        covered = offer.places.count()
        messages.success(
            self.request,
            f"Your offer of household {household.reference} has been sent to the social "
            "worker and the hub"
            + (
                f" (a place for {covered} of the {group} children)."
                if group > 1 and covered < group
                else (f" (a place for each of the {group} children)." if group > 1 else ".")
            ),
        )
        return redirect("referrals:provider_target", self.target.pk)


class ProviderDeclineView(_AnswerView):
    template_name = "referrals/provider_decline_form.html"
    form_class = DeclineForm

    def form_valid(self, form: DeclineForm) -> HttpResponse:
        try:
            offer_services.target_decline(
                target=self.target, by=self.request.user, **form.cleaned_data
            )
        except DomainError as err:
            attach_error(form, err)
            return self.form_invalid(form)
        messages.success(
            self.request, "You have declined this referral. The hub has been told why."
        )
        return redirect("referrals:provider_targets")
