"""API of the hub's side: the work queue, the ranked options for one referral (every factor's
contribution), sending to chosen households only, looking in-house first, batch matching,
and the RCC's matching weights. Same rules (403) and scoping (404) as the web pages."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api.pagination import StandardPagination
from apps.core.api.views import ScopedViewSetMixin
from apps.organisations.models import Organisation
from apps.referrals import selectors
from apps.referrals.batch import batch_match
from apps.referrals.filters import HubQueueFilter
from apps.referrals.hub_forms import OptionsFilterForm
from apps.referrals.matching import PROFILE_SELECT, ProviderType, rank_referral
from apps.referrals.matching.specialist import specialist_services_for_profile
from apps.referrals.models import MatchingWeights, Referral, ReferralTarget
from apps.referrals.permissions import EDIT_MATCHING_WEIGHTS, HUB_SEARCH
from apps.referrals.services import distribution
from apps.referrals.services.matching_weights import (
    WEIGHT_FIELDS,
    matching_weights_update,
    weight_shares,
)
from apps.referrals.tasks import BATCH_CACHE_SECONDS, batch_cache_key


class HubReferralMixin(ScopedViewSetMixin):
    model = Referral
    rule = HUB_SEARCH

    def get_queryset(self) -> QuerySet[Referral]:
        qs = selectors.hub_referrals(super().get_queryset(), self.request.user)
        return qs.select_related(*self.select_related)


class HubRccMixin(ScopedViewSetMixin):
    """RCCs the caller works for; any other is a 404."""

    def get_queryset(self) -> QuerySet[Organisation]:
        return selectors.hub_rccs(self.request.user)


# --- The work queue ----------------------------------------------------------------------------


class HubQueueReferralSerializer(serializers.ModelSerializer):
    child = serializers.CharField(source="child.local_identifier")
    child_date_of_birth = serializers.DateField(source="child.date_of_birth")
    la = serializers.CharField(source="la.name")
    targets_sent = serializers.IntegerField()
    offers_received = serializers.IntegerField()

    class Meta:
        model = Referral
        fields = [
            "id",
            "child",
            "child_date_of_birth",
            "la",
            "status",
            "urgency",
            "latest_start_date",
            "sent_at",
            "looking_in_house_first",
            "targets_sent",
            "offers_received",
        ]


class HubQueueAPIView(HubReferralMixin, generics.ListAPIView):
    """Referrals waiting with the caller's hub (sent or returned), with providers asked and
    offers received. Filters and `sort` as on the web page."""

    serializer_class = HubQueueReferralSerializer
    filterset_class = HubQueueFilter

    def get_queryset(self) -> QuerySet[Referral]:
        return selectors.hub_queue(super().get_queryset()).order_by(
            "urgency", "latest_start_date", "sent_at", "pk"
        )


# --- Options for one referral ------------------------------------------------------------------


class OptionsPagination(StandardPagination):
    page_size = 25  # as on the hub's search page


class ReferralOptionsAPIView(HubReferralMixin, generics.GenericAPIView):
    """The homes that can take the child, best first, each with every factor's contribution
    (weight, share, raw value, points, explanation; the points add up to the score), and the
    homes excluded by the hard constraints counted by reason."""

    queryset = Referral.objects.none()
    select_related = PROFILE_SELECT
    pagination_class = OptionsPagination
    throttle_scope = "search"

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "provider_type",
                str,
                many=True,
                enum=list(ProviderType.ALL),
                description="Kinds of provider to show (default: all three; never in-house only)",
            ),
            OpenApiParameter("max_distance", int, description="Miles from the family"),
            OpenApiParameter("sort", str, enum=["score", "distance"]),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        referral = self.get_object()
        form = OptionsFilterForm(request.query_params)
        if not form.is_valid():
            errors = form.errors.get_json_data()
            raise ValidationError({k: [e["message"] for e in v] for k, v in errors.items()})
        ranking = rank_referral(referral)
        shown = ranking.filtered(**form.values())
        page = self.paginate_queryset(shown)
        response = self.get_paginated_response([o.as_dict() for o in page or []])
        profile = ranking.profile
        response.data = {
            "referral": referral.pk,
            "search": {
                "from_postcode_district": profile.centre_label,
                "radius_miles": ranking.radius,
                "places_needed": profile.group_size,
                "free_by": profile.start_by.isoformat(),
                "looking_in_house_first": referral.looking_in_house_first,
            },
            "child_care_history": _care_history(referral),
            "homes_considered": ranking.considered,
            "homes_excluded": ranking.excluded_homes,
            "exclusions": ranking.exclusion_summary,
            "warnings": profile.warnings,
            "stated_needs": _stated_needs(profile),
            "specialist_services": [s.as_dict() for s in specialist_services_for_profile(profile)],
            "options_total": len(ranking.options),
            **response.data,
        }
        return response


def _stated_needs(profile: Any) -> dict[str, Any]:
    """What the referral states beyond the assessment, as the search reads it."""
    return {
        "min_adults": profile.min_adults or None,
        "bedrooms_needed": profile.bedrooms_needed or None,
        "communication": sorted(profile.communication),
        "support": list(profile.support),
        "adaptations": profile.adaptations,
        "places_to_reach": [
            {
                "district": p.district,
                "what": p.what,
                "frequency": p.frequency,
                "located": bool(p.point),
            }
            for p in profile.reach
        ],
        "unsuitable_for_foster": profile.unsuitable_for_foster,
    }


def _care_history(referral: Referral) -> dict[str, Any]:
    """The child's stability so far for the hub choosing a home: the figures and the five most
    recent placements."""
    from apps.referrals.history import care_timeline, moves_summary

    rows = care_timeline(referral.child)
    return {
        "summary": moves_summary(referral.child, rows).as_dict(),
        "recent": [row.as_dict() for row in rows[:5]],
    }


# --- Sending to chosen households --------------------------------------------------------------


class HubTargetSerializer(serializers.ModelSerializer):
    household_reference = serializers.CharField(source="household.reference", read_only=True)
    provider_name = serializers.CharField(source="provider.organisation.name", read_only=True)

    class Meta:
        model = ReferralTarget
        fields = [
            "id",
            "household",
            "household_reference",
            "provider",
            "provider_name",
            "score",
            "score_breakdown",
            "distance_miles",
            "status",
            "decline_reason",
            "sent_at",
        ]
        read_only_fields = fields


class HubTargetsSendSerializer(serializers.Serializer):
    households = serializers.ListField(
        child=serializers.IntegerField(),
        allow_empty=True,
        help_text="Ids of the households chosen; the referral goes to their providers only.",
    )


class ReferralTargetsAPIView(HubReferralMixin, generics.GenericAPIView):
    """GET: the households the referral was sent for. POST: send it to the providers of the
    households named (each must still be a candidate; there is no "send to all")."""

    queryset = Referral.objects.none()
    serializer_class = HubTargetsSendSerializer

    @extend_schema(responses=HubTargetSerializer(many=True))
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        referral = self.get_object()
        targets = selectors.hub_targets(referral)
        page = self.paginate_queryset(targets)
        return self.get_paginated_response(HubTargetSerializer(page, many=True).data)

    @extend_schema(
        request=HubTargetsSendSerializer, responses={201: HubTargetSerializer(many=True)}
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        referral = self.get_object()
        body = HubTargetsSendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        created = distribution.targets_send(
            referral=referral, households=body.validated_data["households"], by=request.user
        )
        targets = ReferralTarget.objects.filter(pk__in=[t.pk for t in created]).select_related(
            "household", "provider__organisation"
        )
        data = HubTargetSerializer(targets, many=True).data
        return Response(data, status=status.HTTP_201_CREATED)


class HubInHouseFirstSerializer(serializers.Serializer):
    looking = serializers.BooleanField()


class ReferralInHouseFirstAPIView(HubReferralMixin, generics.GenericAPIView):
    """POST {"looking": true|false}: record whether the hub is looking in-house first. It never
    stops the referral being sent to other LAs' services and IFAs."""

    queryset = Referral.objects.none()
    serializer_class = HubInHouseFirstSerializer

    @extend_schema(request=HubInHouseFirstSerializer, responses=HubInHouseFirstSerializer)
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        referral = self.get_object()
        body = HubInHouseFirstSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        referral = distribution.referral_looking_in_house_first_set(
            referral=referral, by=request.user, looking=body.validated_data["looking"]
        )
        return Response({"looking": referral.looking_in_house_first})


# --- Batch matching ----------------------------------------------------------------------------


class BatchMatchingAPIView(HubRccMixin, generics.GenericAPIView):
    """The assignment of the RCC's waiting children to places that maximises the total match
    score, with each child's own best option, the gain or loss, and who took it.
    `?refresh=1` works it out again instead of returning the last result (up to 30 minutes)."""

    rule = HUB_SEARCH
    queryset = Organisation.objects.none()

    @extend_schema(parameters=[OpenApiParameter("refresh", bool)], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rcc = self.get_object()
        key = batch_cache_key(rcc.pk)
        result = None if request.query_params.get("refresh") else cache.get(key)
        if result is None:
            result = batch_match(rcc.pk).as_dict()
            cache.set(key, result, BATCH_CACHE_SECONDS)
        return Response(result)


# --- Matching weights --------------------------------------------------------------------------


class RccMatchingWeightsSerializer(serializers.ModelSerializer):
    shares = serializers.SerializerMethodField()

    class Meta:
        model = MatchingWeights
        fields = [*WEIGHT_FIELDS, "search_radius_miles", "updated_at", "shares"]
        read_only_fields = ["updated_at", "shares"]

    def get_shares(self, obj: MatchingWeights) -> list[dict[str, Any]]:
        return weight_shares(obj)


class MatchingWeightsAPIView(HubRccMixin, generics.GenericAPIView):
    """GET the RCC's weights (and each factor's share of the score); PUT or PATCH them."""

    rule = EDIT_MATCHING_WEIGHTS
    queryset = Organisation.objects.none()
    serializer_class = RccMatchingWeightsSerializer

    def _weights(self) -> tuple[Organisation, MatchingWeights]:
        rcc = self.get_object()
        weights, _ = MatchingWeights.objects.get_or_create(rcc=rcc)
        return rcc, weights

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _, weights = self._weights()
        return Response(RccMatchingWeightsSerializer(weights).data)

    def put(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._update(request, partial=False)

    def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._update(request, partial=True)

    def _update(self, request: Request, *, partial: bool) -> Response:
        rcc, weights = self._weights()
        body = RccMatchingWeightsSerializer(weights, data=request.data, partial=partial)
        body.is_valid(raise_exception=True)
        weights = matching_weights_update(rcc=rcc, by=request.user, **body.validated_data)
        return Response(RccMatchingWeightsSerializer(weights).data)
