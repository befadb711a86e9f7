"""API of choosing, scrutiny and placements: the options side by side, the social worker's
notes on each offer and the proposal; the scrutineer's queue and decision; agreeing,
reading and ending placements. The same services, filtersets and scoping as the web pages."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.views import RulePermission, ScopedViewSetMixin
from apps.core.errors import DomainError
from apps.core.exports import attachment
from apps.core.permissions import Rule
from apps.referrals import selectors
from apps.referrals.choices import (
    AccessChannel,
    ChoiceReason,
    LeftCare,
    PlacementStatus,
    PlacementType,
    ReasonEnded,
    ScrutinyDecision,
)
from apps.referrals.filters import PlacementFilter, ScrutinyQueueFilter
from apps.referrals.ipa_pdf import ipa_download
from apps.referrals.models import Offer, Placement, Referral
from apps.referrals.options import Option, referral_options
from apps.referrals.permissions import (
    AGREE_PLACEMENT,
    CHOOSE_OPTION,
    END_PLACEMENT,
    SCRUTINISE,
    VIEW_OPTIONS,
    VIEW_PLACEMENTS,
)
from apps.referrals.querysets import sees_full_postcodes
from apps.referrals.services import choosing
from apps.referrals.services import placements as placement_services
from apps.referrals.services.scrutiny import scrutiny_decide

ERROR_RESPONSE = OpenApiResponse(
    OpenApiTypes.OBJECT, description='{"detail": "...", "errors": {"field": ["message"]}}'
)


def _visible_referral(request: Request, pk: Any) -> Referral:
    qs = Referral.objects.visible_to(request.user).select_related(  # type: ignore[arg-type]
        "la", "rcc", "child", "family_postcode_district", "school_postcode_district"
    )
    return get_object_or_404(qs, pk=pk)


# --- Choosing ----------------------------------------------------------------------------------


class OfferSerializer(serializers.ModelSerializer):
    household = serializers.CharField(source="household.reference")
    provider = serializers.CharField(source="household.provider.name")
    full_weekly_cost = serializers.DecimalField(max_digits=9, decimal_places=2, read_only=True)

    class Meta:
        model = Offer
        fields = [
            "id",
            "referral",
            "target",
            "household",
            "provider",
            "vacancy",
            "weekly_fee",
            "scheduled_fee",
            "fee_above_schedule_reason",
            "support_package",
            "support_weekly_cost",
            "full_weekly_cost",
            "available_from",
            "notes",
            "status",
            "shortlisted_at",
            "equally_meets_needs",
            "childs_view",
            "made_at",
        ]
        read_only_fields = fields


def option_data(option: Option) -> dict[str, Any]:
    stability = option.stability
    return {
        **OfferSerializer(option.offer).data,
        "provider_type": option.kind,
        "children": option.children,
        "places_every_child": option.places_every_child,
        "placement_provider": option.provider_code,
        "score": option.score,
        "score_breakdown": option.breakdown,
        "miles_to_family": option.miles_to_family,
        "miles_to_school": option.miles_to_school,
        "stability": {
            "ended": stability.ended,
            "unplanned": stability.unplanned,
            "unplanned_share": stability.unplanned_share,
        },
        "ofsted_grade": option.offer.household.provider.ofsted_grade,
    }


class ChoiceAPIView(APIView):
    """The options side by side for a referral (the child's social worker, the hub, scrutiny)."""

    permission_classes = [RulePermission]
    rule: Rule = VIEW_OPTIONS

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, pk: int) -> Response:
        referral = _visible_referral(request, pk)
        options = referral_options(referral)
        live = [o for o in options if o.is_live]
        return Response(
            {
                "referral": referral.pk,
                "status": referral.status,
                "childs_views_required": len(live) > 1,
                "proposed_offer": referral.proposed_offer_id,
                "choice_reason": referral.choice_reason,
                "options": [option_data(o) for o in options],
            }
        )


class ProposeSerializer(serializers.Serializer):
    offer = serializers.IntegerField()
    reason = serializers.ChoiceField(choices=ChoiceReason.choices)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class ProposeAPIView(APIView):
    """Propose one offer for scrutiny with the reason (IN_HOUSE_TIE_BREAK only breaks a tie)."""

    permission_classes = [RulePermission]
    rule: Rule = CHOOSE_OPTION

    @extend_schema(
        request=ProposeSerializer, responses={200: OpenApiTypes.OBJECT, 400: ERROR_RESPONSE}
    )
    def post(self, request: Request, pk: int) -> Response:
        referral = _visible_referral(request, pk)
        data = ProposeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        offer = referral.offers.filter(pk=data.validated_data["offer"]).first()
        if offer is None:
            raise DomainError("That offer was not made for this referral.", field="offer")
        referral = choosing.referral_propose(
            referral=referral,
            offer=offer,
            by=request.user,
            reason=data.validated_data["reason"],
            notes=data.validated_data["notes"],
        )
        return Response(
            {
                "referral": referral.pk,
                "status": referral.status,
                "proposed_offer": referral.proposed_offer_id,
                "choice_reason": referral.choice_reason,
            }
        )


class ShortlistSerializer(serializers.Serializer):
    shortlisted = serializers.BooleanField(default=True)


class EqualSerializer(serializers.Serializer):
    equally_meets_needs = serializers.BooleanField()


class ChildsViewSerializer(serializers.Serializer):
    childs_view = serializers.CharField(allow_blank=True)


class OfferViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Offers on referrals the caller may see (not providers: they use provider/targets). The
    child's social worker shortlists, marks equal options and records the child's views."""

    model = Offer
    rule = VIEW_OPTIONS
    rules = {
        "shortlist": CHOOSE_OPTION,
        "equally_meets_needs": CHOOSE_OPTION,
        "childs_view": CHOOSE_OPTION,
    }
    serializer_class = OfferSerializer
    select_related = ("household__provider__organisation",)

    def get_queryset(self) -> Any:
        qs = super().get_queryset().order_by("referral_id", "made_at")
        referral = self.request.query_params.get("referral")
        if referral and referral.isdigit():
            qs = qs.filter(referral_id=int(referral))
        return qs

    def _changed(self, offer: Offer) -> Response:
        offer.refresh_from_db()
        return Response(OfferSerializer(offer).data)

    @extend_schema(
        request=ShortlistSerializer, responses={200: OfferSerializer, 400: ERROR_RESPONSE}
    )
    @action(detail=True, methods=["post"])
    def shortlist(self, request: Request, pk: Any = None) -> Response:
        """Shortlist (or with shortlisted=false, un-shortlist) an offer."""
        offer = self.get_object()
        data = ShortlistSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        choosing.offer_shortlist(offer=offer, by=request.user, **data.validated_data)
        return self._changed(offer)

    @extend_schema(request=EqualSerializer, responses={200: OfferSerializer, 400: ERROR_RESPONSE})
    @action(detail=True, methods=["post"], url_path="equally-meets-needs")
    def equally_meets_needs(self, request: Request, pk: Any = None) -> Response:
        """Mark whether this option meets the child's needs as well as the best."""
        offer = self.get_object()
        data = EqualSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        choosing.offer_mark_equal(offer=offer, by=request.user, **data.validated_data)
        return self._changed(offer)

    @extend_schema(
        request=ChildsViewSerializer, responses={200: OfferSerializer, 400: ERROR_RESPONSE}
    )
    @action(detail=True, methods=["post"], url_path="childs-view")
    def childs_view(self, request: Request, pk: Any = None) -> Response:
        """Record the child's view of this option."""
        offer = self.get_object()
        data = ChildsViewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        choosing.offer_record_childs_view(offer=offer, by=request.user, **data.validated_data)
        return self._changed(offer)


# --- Scrutiny ----------------------------------------------------------------------------------


class ScrutinyQueueSerializer(serializers.ModelSerializer):
    child = serializers.CharField(source="child.local_identifier")
    la = serializers.CharField(source="la.name")
    proposed_household = serializers.CharField(
        source="proposed_offer.household.reference", default=None
    )
    proposed_provider = serializers.CharField(
        source="proposed_offer.household.provider.name", default=None
    )
    emergency_outstanding = serializers.BooleanField()
    scrutiny_due = serializers.DateTimeField(allow_null=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "child",
            "la",
            "status",
            "urgency",
            "proposed_offer",
            "proposed_household",
            "proposed_provider",
            "proposed_at",
            "choice_reason",
            "emergency_outstanding",
            "scrutiny_due",
        ]
        read_only_fields = fields


class ScrutinyQueueAPIView(ScopedViewSetMixin, generics.ListAPIView):
    """Matches waiting for scrutiny in the caller's RCC; emergencies placed first come first."""

    model = Referral
    rule = SCRUTINISE
    serializer_class = ScrutinyQueueSerializer
    filterset_class = ScrutinyQueueFilter

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema has no caller
            return Referral.objects.none()
        return selectors.scrutiny_queue(self.request.user)


class ScrutinyDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ScrutinyDecision.choices)
    reasons = serializers.CharField(allow_blank=True)


class ScrutinyDecideAPIView(APIView):
    """Approve or return the proposed match, with reasons (or scrutinise an emergency placed
    before scrutiny). Refused with a clear message for anyone in the placing team."""

    permission_classes = [RulePermission]
    rule: Rule = SCRUTINISE

    @extend_schema(
        request=ScrutinyDecisionSerializer,
        responses={201: OpenApiTypes.OBJECT, 400: ERROR_RESPONSE},
    )
    def post(self, request: Request, pk: int) -> Response:
        referral = _visible_referral(request, pk)
        data = ScrutinyDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        scrutiny = scrutiny_decide(referral=referral, by=request.user, **data.validated_data)
        referral.refresh_from_db()
        return Response(
            {
                "id": scrutiny.pk,
                "referral": referral.pk,
                "offer": scrutiny.offer_id,
                "decision": scrutiny.decision,
                "reasons": scrutiny.reasons,
                "after_placement": scrutiny.after_placement,
                "decided_at": scrutiny.decided_at,
                "referral_status": referral.status,
            },
            status=status.HTTP_201_CREATED,
        )


# --- Placements --------------------------------------------------------------------------------


class AgreementSerializer(serializers.Serializer):
    agreed_weekly_fee = serializers.DecimalField(max_digits=8, decimal_places=2)
    support_package = serializers.JSONField()
    support_weekly_cost = serializers.DecimalField(max_digits=8, decimal_places=2)
    agreed_weekly_cost = serializers.DecimalField(max_digits=9, decimal_places=2)
    actual_weekly_cost = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    provider_urn = serializers.CharField()
    siblings_split = serializers.BooleanField()


class SiblingSplitSerializer(serializers.Serializer):
    reason = serializers.CharField(source="siblings_split_reason")
    agreed_by = serializers.CharField(source="siblings_split_by.get_full_name", default="")
    agreed_at = serializers.DateTimeField(source="siblings_split_at", allow_null=True)


class PlacementSerializer(serializers.ModelSerializer):
    child = serializers.CharField(source="child.local_identifier")
    la = serializers.CharField(source="la.name")
    provider = serializers.CharField(source="provider.name")
    household = serializers.CharField(source="household.reference")
    scrutiny_outstanding = serializers.BooleanField(default=False)
    status = serializers.ChoiceField(choices=PlacementStatus.choices, read_only=True)
    agreement = AgreementSerializer()
    group = serializers.SerializerMethodField(
        help_text="The placements of every child booked with this one (a sibling group)."
    )
    siblings_split = serializers.SerializerMethodField(
        help_text="Siblings placed apart: why, who agreed it and when; null otherwise."
    )
    home_postcode = serializers.CharField(
        read_only=True,
        help_text="The child's home postcode at the start; only for the child's LA and the hub.",
    )
    placement_postcode = serializers.CharField(
        read_only=True, help_text="The carers' full postcode; only for the child's LA and the hub."
    )

    class Meta:
        model = Placement
        fields = [
            "id",
            "referral",
            "child",
            "la",
            "provider",
            "household",
            "vacancy",
            "placement_type",
            "placement_provider",
            "start_date",
            "end_date",
            "reason_ended",
            "left_care_reason",
            "status",
            "provider_urn",
            "home_postcode",
            "placement_postcode",
            "distance_from_home_miles",
            "emergency_scrutiny_due",
            "scrutiny_outstanding",
            "agreement",
            "group",
            "siblings_split",
            "created_at",
        ]
        read_only_fields = fields

    def get_group(self, instance: Placement) -> list[dict[str, Any]]:
        """The placements booked with this one (the viewset prefetches those the caller may
        see); a lone child's is just this one."""
        return [
            {"id": p.pk, "child": p.child.local_identifier, "household": p.household.reference}
            for p in instance.referral.placements.all()
        ]

    def get_siblings_split(self, instance: Placement) -> dict[str, Any] | None:
        referral = instance.referral
        if not referral.siblings_split_reason:
            return None
        return dict(SiblingSplitSerializer(referral).data)

    def to_representation(self, instance: Placement) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not sees_full_postcodes(
            request.user, la_id=instance.la_id, rcc_ids={instance.rcc_id}
        ):
            data.pop("home_postcode", None)
            data.pop("placement_postcode", None)
        return data


class PlacementAgreeSerializer(serializers.Serializer):
    referral = serializers.IntegerField()
    start_date = serializers.DateField(required=False, allow_null=True, default=None)
    placement_type = serializers.ChoiceField(
        choices=[(c, PlacementType(c).label) for c in ("U4", "U5", "U6")], default="U6"
    )
    siblings_split = serializers.BooleanField(default=False)
    provider_urn = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=10,
        help_text="The provider's Ofsted URN; blank: the provider's own.",
    )
    placement_postcode = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=10,
        help_text="The carers' full postcode, in the household's postcode district.",
    )
    also_offers = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text="A sibling group placed apart: the other offers (ids) that place the children "
        "the proposed offer does not.",
    )
    split_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Why the siblings are placed apart, and that it has been agreed.",
    )
    other_placement_postcodes = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        default=dict,
        help_text="The carers' full postcode of each of also_offers' households, by offer id.",
    )


class PlacementEndSerializer(serializers.Serializer):
    end_date = serializers.DateField()
    reason_ended = serializers.ChoiceField(choices=ReasonEnded.choices)
    left_care = serializers.BooleanField(
        help_text=(
            "Did the child stop being looked after as the placement ended? If not, the next "
            "placement should start the same day."
        )
    )
    left_care_reason = serializers.ChoiceField(
        choices=LeftCare.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="SSDA903 reason the child left care (E-code); required when left_care is true.",
    )


class PdfRenderer(BaseRenderer):
    """Lets a client ask for `Accept: application/pdf`: the view returns the PDF itself; an
    error (404, 403) is still the usual JSON body."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> bytes:
        if isinstance(data, bytes):
            return data
        response = (renderer_context or {}).get("response")
        if response is not None:  # an error body: JSON, and said to be JSON
            response["Content-Type"] = "application/json"
        return JSONRenderer().render(data)


class PlacementViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Placements of the caller's LA, RCC or provider. POST agrees one for an approved referral
    (or an emergency before scrutiny): it books the place and writes the IPA."""

    model = Placement
    rule = VIEW_PLACEMENTS
    rules = {"create": AGREE_PLACEMENT, "end": END_PLACEMENT}
    serializer_class = PlacementSerializer
    filterset_class = PlacementFilter

    def get_queryset(self) -> Any:
        # A sibling group's placements, as far as the caller may see them: two queries in all.
        group = Prefetch(
            "referral__placements",
            queryset=Placement.objects.visible_to(self.request.user)  # type: ignore[arg-type]
            .select_related("child", "household")
            .order_by("pk"),
        )
        return (
            selectors.placements_for_list(super().get_queryset())
            .select_related("referral__siblings_split_by")
            .prefetch_related(group)
            .order_by("-start_date", "-pk")
        )

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        placement = self.get_object()
        placement_services.placement_view(
            placement=placement, by=request.user, channel=AccessChannel.API
        )
        return Response(PlacementSerializer(placement, context={"request": request}).data)

    @extend_schema(
        request=PlacementAgreeSerializer, responses={201: PlacementSerializer, 400: ERROR_RESPONSE}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = PlacementAgreeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        referral = _visible_referral(request, values.pop("referral"))
        wanted = values.pop("also_offers")
        also = list(Offer.objects.filter(referral=referral, pk__in=wanted))
        unknown = sorted(set(wanted) - {o.pk for o in also})
        if unknown:
            raise DomainError(
                f"Offer {unknown[0]} was not made for this referral.", field="also_offers"
            )
        postcodes = {}
        for key, value in values.pop("other_placement_postcodes").items():
            if not str(key).isdigit() or int(key) not in set(wanted):
                raise DomainError(
                    f"{key} is not one of also_offers: give each of their carers' postcodes "
                    "by offer id.",
                    field="other_placement_postcodes",
                )
            postcodes[int(key)] = value
        placement = placement_services.placement_agree(
            referral=referral,
            by=request.user,
            also_offers=also,
            other_placement_postcodes=postcodes,
            **values,
        )
        placement = self.get_queryset().get(pk=placement.pk)
        body = dict(PlacementSerializer(placement, context={"request": request}).data)
        body["warnings"] = (
            [] if placement.placement_postcode else [placement_services.NO_PLACEMENT_POSTCODE]
        )
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The IPA as a PDF"
            )
        }
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PdfRenderer])
    def agreement(self, request: Request, pk: Any = None) -> HttpResponse:
        """The individual placement agreement (IPA) as a PDF; the read is logged."""
        placement = self.get_object()
        content, name = ipa_download(placement, reader=request.user, channel=AccessChannel.API)
        return attachment(content, "application/pdf", name)

    @extend_schema(
        request=PlacementEndSerializer, responses={200: PlacementSerializer, 400: ERROR_RESPONSE}
    )
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: Any = None) -> Response:
        """End the placement with its SSDA903 reason code."""
        placement = self.get_object()
        data = PlacementEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        placement_services.placement_end(
            placement=placement, by=request.user, **data.validated_data
        )
        placement = self.get_queryset().get(pk=placement.pk)
        return Response(PlacementSerializer(placement, context={"request": request}).data)
