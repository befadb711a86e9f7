"""Placements: agreeing one (the hub, after scrutiny or for an emergency before it), the list
for the LA, the RCC and its hub and the provider, the placement with its IPA, and ending it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from apps.core.errors import DomainError
from apps.core.exports import attachment
from apps.core.views import RuleRequiredMixin, ScopedDetailView, ScopedListView
from apps.referrals import selectors
from apps.referrals.choices import EPISODE_CONTINUES, AccessChannel
from apps.referrals.filters import PlacementFilter
from apps.referrals.ipa_pdf import ipa_download
from apps.referrals.models import Offer, Placement, Referral
from apps.referrals.options import placement_provider_code
from apps.referrals.permissions import AGREE_PLACEMENT, END_PLACEMENT, VIEW_PLACEMENTS
from apps.referrals.placing_forms import PlacementAgreeForm, PlacementEndForm
from apps.referrals.querysets import sees_full_postcodes
from apps.referrals.services import placements as placement_services

from .la import attach_error


def _date(value: Any) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _ipa(placement: Placement, name: str) -> Any:
    """A field of the placement's IPA; blank for a placement recorded without one."""
    agreement = getattr(placement, "agreement", None)
    return getattr(agreement, name, "") if agreement is not None else ""


def _reason_episode_ceased(placement: Placement) -> str:
    """SSDA903 REC: X1 where the child's next placement starts the day this one ended; the
    E-code where the child left care; blank while it runs or when neither is recorded."""
    if placement.end_date is None:
        return ""
    if getattr(placement, "continues_same_day", False):  # placements_for_list annotates it
        return EPISODE_CONTINUES
    return placement.left_care_reason


class PlacementAgreeView(RuleRequiredMixin, View):
    """Book the proposed offer's place and write the IPA."""

    rule = AGREE_PLACEMENT
    template_name = "referrals/placement_agree.html"

    def _referral(self, request: HttpRequest, pk: int) -> Referral:
        qs = Referral.objects.visible_to(request.user).select_related(  # type: ignore[arg-type]
            "child", "la", "rcc"
        )
        return get_object_or_404(qs, pk=pk)

    def _render(
        self, request: HttpRequest, referral: Referral, form: PlacementAgreeForm
    ) -> HttpResponse:
        offer = None
        if referral.proposed_offer_id:
            offer = Offer.objects.select_related(
                "household__provider__organisation", "vacancy"
            ).get(pk=referral.proposed_offer_id)
        from apps.referrals.services.offers import offer_places

        ctx = {
            "referral": referral,
            "offer": offer,
            "group": referral.group,
            "offer_places": offer_places(offer) if offer else [],
            "placed_ids": {c.pk for c, _ in offer_places(offer)} if offer else set(),
            "form": form,
            "emergency_first": referral.status == "proposed" and referral.urgency == "emergency",
            "can_agree": referral.status == "approved"
            or (referral.status == "proposed" and referral.urgency == "emergency"),
            "provider_code": placement_provider_code(
                child_la_id=referral.la_id, organisation=offer.household.provider.organisation
            )
            if offer
            else "",
        }
        return render(request, self.template_name, ctx)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        referral = self._referral(request, pk)
        placed = referral.placement
        if placed is not None:
            return redirect("referrals:placement_detail", placed.pk)
        start = timezone.localdate()
        if referral.proposed_offer_id:
            start = max(start, Offer.objects.get(pk=referral.proposed_offer_id).available_from)
        form = PlacementAgreeForm(initial={"start_date": start}, referral=referral)
        return self._render(request, referral, form)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        referral = self._referral(request, pk)
        form = PlacementAgreeForm(request.POST, referral=referral)
        if form.is_valid():
            try:
                placement = placement_services.placement_agree(
                    referral=referral, by=request.user, **form.cleaned_data
                )
            except DomainError as err:
                attach_error(form, err)
            else:
                booked = referral.placements.count()
                messages.success(
                    request,
                    (
                        "Placement agreed: the place is booked and the IPA written "
                        f"({placement.household.display_name})."
                    )
                    if booked == 1
                    else (
                        f"Placements agreed for all {booked} children: each place is booked and "
                        "each child has an IPA."
                    ),
                )
                if not placement.placement_postcode:
                    messages.warning(request, placement_services.NO_PLACEMENT_POSTCODE)
                return redirect("referrals:placement_detail", placement.pk)
        return self._render(request, referral, form)


class PlacementListView(ScopedListView):
    rule = VIEW_PLACEMENTS
    model = Placement
    filterset_class = PlacementFilter
    template_name = "referrals/placement_list.html"
    export_filename = "placements"
    # SSDA903 episode columns where they exist; the case-system id never leaves the LA.
    export_columns = [
        ("CHILD", "child__local_identifier"),
        ("LA", "la__name"),
        ("DECOM", lambda p: _date(p.start_date)),
        ("DEC", lambda p: _date(p.end_date)),
        ("REC", lambda p: _reason_episode_ceased(p)),
        ("REASON_PLACE_CHANGE", lambda p: p.reason_ended if p.continues_same_day else ""),
        ("PLACE", "placement_type"),
        ("PLACE_PROVIDER", "placement_provider"),
        ("URN", lambda p: p.provider_urn or _ipa(p, "provider_urn")),
        ("Provider", "provider__organisation__name"),
        ("Household", "household__reference"),
        ("Distance from home (miles)", "distance_from_home_miles"),
        ("Agreed weekly cost", lambda p: _ipa(p, "agreed_weekly_cost")),
        ("Actual weekly cost", lambda p: _ipa(p, "weekly_cost")),
        ("Emergency scrutiny outstanding", lambda p: "yes" if p.scrutiny_outstanding else ""),
        ("Status", "status_label"),
    ]

    def get_queryset(self) -> QuerySet[Placement]:
        return selectors.placements_for_list(super().get_queryset()).order_by("-start_date", "-pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["now"] = timezone.now()
        return ctx


PLACEMENT_RELATED = (
    "child",
    "la",
    "rcc",
    "household__postcode_district",
    "provider__organisation",
    "agreement",
    "offer",
    "referral",
    "booked_by",
)


class PlacementDetailView(ScopedDetailView):
    rule = VIEW_PLACEMENTS
    model = Placement
    select_related = PLACEMENT_RELATED
    template_name = "referrals/placement_detail.html"
    context_object_name = "placement"

    def get_queryset(self) -> QuerySet[Placement]:
        return selectors.placements_for_list(super().get_queryset())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        placement = self.object
        placement_services.placement_view(placement=placement, by=self.request.user)
        ctx.update(
            now=timezone.now(),
            full_postcodes=sees_full_postcodes(
                self.request.user,  # type: ignore[arg-type]
                la_id=placement.la_id,
                rcc_ids={placement.rcc_id},
            ),
            can_end=placement.end_date is None and END_PLACEMENT.allows(self.request.user),
            scrutinies=placement.referral.scrutinies.select_related("scrutineer").order_by(
                "decided_at"
            ),
            # The rest of a sibling group booked with it, as far as the reader may see them.
            group_placements=Placement.objects.visible_to(self.request.user)  # type: ignore[arg-type]
            .filter(referral_id=placement.referral_id)
            .exclude(pk=placement.pk)
            .select_related("child", "household__provider__organisation")
            .order_by("pk"),
        )
        return ctx


class PlacementIpaPdfView(RuleRequiredMixin, View):
    """The placement's IPA as a PDF download (logged as a download of the placement)."""

    rule = VIEW_PLACEMENTS

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        qs = Placement.objects.visible_to(request.user).select_related(  # type: ignore[arg-type]
            *PLACEMENT_RELATED
        )
        placement = get_object_or_404(qs, pk=pk)
        content, name = ipa_download(placement, reader=request.user, channel=AccessChannel.EXPORT)
        return attachment(content, "application/pdf", name)


class PlacementEndView(RuleRequiredMixin, View):
    rule = END_PLACEMENT
    template_name = "referrals/placement_end.html"

    def _placement(self, request: HttpRequest, pk: int) -> Placement:
        qs = Placement.objects.visible_to(request.user).select_related(  # type: ignore[arg-type]
            "child", "household", "provider__organisation"
        )
        return get_object_or_404(qs, pk=pk)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        placement = self._placement(request, pk)
        form = PlacementEndForm(initial={"end_date": timezone.localdate()})
        return render(request, self.template_name, {"placement": placement, "form": form})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        placement = self._placement(request, pk)
        form = PlacementEndForm(request.POST)
        if form.is_valid():
            try:
                placement_services.placement_end(
                    placement=placement, by=request.user, **form.cleaned_data
                )
            except DomainError as err:
                attach_error(form, err)
            else:
                next_step = (
                    "The child left care."
                    if form.cleaned_data["left_care"]
                    else "The child's next placement should start on "
                    f"{form.cleaned_data['end_date']:%-d %B %Y}, the day this one ended."
                )
                messages.success(
                    request,
                    "The placement has ended. The place is on hold until the provider confirms "
                    f"it is free. {next_step}",
                )
                return redirect("referrals:placement_detail", placement.pk)
        return render(request, self.template_name, {"placement": placement, "form": form})
