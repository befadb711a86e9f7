"""Choosing (the child's LA): the options side by side, the social worker's notes on each
(shortlist, equally meets the needs, the child's view) and the proposal. The hub and the
scrutineer read the same page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from apps.core.errors import DomainError
from apps.core.views import RuleRequiredMixin
from apps.referrals.choices import ChoiceReason
from apps.referrals.models import Offer, Referral
from apps.referrals.options import LIVE_OFFER_STATUSES, referral_options
from apps.referrals.permissions import CHOOSE_OPTION, VIEW_OPTIONS
from apps.referrals.placing_forms import OptionForm, ProposeForm
from apps.referrals.services import choosing

from .la import attach_error


def can_choose(user: Any, referral: Referral) -> bool:
    if not CHOOSE_OPTION.allows(user) or referral.status not in choosing.CHOOSING:
        return False
    try:
        choosing.check_chooser(referral, user)
    except DomainError:
        return False
    return True


def _option_form(offer: Offer, data: Any = None) -> OptionForm:
    return OptionForm(
        data,
        prefix=f"offer-{offer.pk}",
        initial={
            "shortlisted": offer.shortlisted_at is not None,
            "equally_meets_needs": offer.equally_meets_needs,
            "childs_view": offer.childs_view,
        },
    )


def options_context(
    request: HttpRequest,
    referral: Referral,
    *,
    bound: OptionForm | None = None,
    bound_offer: int | None = None,
    propose_form: ProposeForm | None = None,
) -> dict[str, Any]:
    options = referral_options(referral)
    chooser = can_choose(request.user, referral)
    live = [o for o in options if o.is_live]
    rows = [
        (o, bound if bound is not None and o.offer.pk == bound_offer else _option_form(o.offer))
        for o in options
    ]
    if propose_form is None and live:
        propose_form = ProposeForm(
            offers=Offer.objects.filter(pk__in=[o.offer.pk for o in live]).select_related(
                "household__provider__organisation"
            ),
            initial={"offer": live[0].offer.pk},
        )
    factors: list[str] = []
    for o in options:
        for row in o.breakdown:
            if row["factor"] not in factors:
                factors.append(row["factor"])
    factor_rows = [
        (
            factor,
            [next((r for r in o.breakdown if r["factor"] == factor), None) for o in options],
        )
        for factor in factors
    ]
    return {
        "referral": referral,
        "options": options,
        "rows": rows,
        "live_count": len(live),
        "views_required": len(live) > 1,
        "factor_rows": factor_rows,
        "can_choose": chooser,
        "propose_form": propose_form if chooser else None,
        "tie_break_value": ChoiceReason.IN_HOUSE_TIE_BREAK,
    }


class ReferralForChoosingMixin(RuleRequiredMixin):
    """A referral the user may see (404 otherwise) and whose options their role may read."""

    rule = VIEW_OPTIONS
    request: HttpRequest

    def get_referral(self, pk: int) -> Referral:
        qs = Referral.objects.visible_to(self.request.user).select_related(  # type: ignore[arg-type]
            "child",
            "la",
            "rcc",
            "family_postcode_district",
            "school_postcode_district",
            "proposed_offer",
        )
        return get_object_or_404(qs, pk=pk)


class OptionsView(ReferralForChoosingMixin, View):
    template_name = "referrals/choose_options.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        referral = self.get_referral(pk)
        return render(request, self.template_name, options_context(request, referral))


class OptionUpdateView(ReferralForChoosingMixin, View):
    """Save the social worker's notes on one option: shortlist, equal mark, the child's view."""

    rule = CHOOSE_OPTION

    def post(self, request: HttpRequest, pk: int, offer_pk: int) -> HttpResponse:
        referral = self.get_referral(pk)
        offer = get_object_or_404(referral.offers.all(), pk=offer_pk)
        form = _option_form(offer, request.POST)
        if form.is_valid():
            try:
                data = form.cleaned_data
                choosing.offer_shortlist(
                    offer=offer, by=request.user, shortlisted=data["shortlisted"]
                )
                choosing.offer_mark_equal(
                    offer=offer, by=request.user, equally_meets_needs=data["equally_meets_needs"]
                )
                if data["childs_view"].strip() or offer.childs_view:
                    choosing.offer_record_childs_view(
                        offer=offer, by=request.user, childs_view=data["childs_view"]
                    )
            except DomainError as err:
                attach_error(form, err)
            else:
                messages.success(
                    request, f"Saved your notes on household {offer.household.display_name}."
                )
                return redirect(
                    reverse("referrals:options", args=[referral.pk]) + f"#offer-{offer.pk}"
                )
        ctx = options_context(request, referral, bound=form, bound_offer=offer.pk)
        ctx["error_form"] = form
        return render(request, OptionsView.template_name, ctx)


class ProposeView(ReferralForChoosingMixin, View):
    """Propose one option for scrutiny, with the reason."""

    rule = CHOOSE_OPTION

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        referral = self.get_referral(pk)
        offers = referral.offers.filter(status__in=LIVE_OFFER_STATUSES).select_related(
            "household__provider__organisation"
        )
        form = ProposeForm(request.POST, offers=offers)
        if form.is_valid():
            try:
                choosing.referral_propose(
                    referral=referral,
                    offer=form.cleaned_data["offer"],
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    notes=form.cleaned_data["notes"],
                )
            except DomainError as err:
                if err.field == "childs_view":
                    err.field = None
                attach_error(form, err)
            else:
                messages.success(
                    request, "The match is proposed. An independent scrutineer will review it."
                )
                return redirect("referrals:referral_detail", referral.pk)
        ctx = options_context(request, referral, propose_form=form)
        ctx["error_form"] = form
        return render(request, OptionsView.template_name, ctx)
