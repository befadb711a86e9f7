"""API of the provider's side: referrals sent to you (the minimised referral, every read
logged) and the answer: an offer of a named household, or a decline with a reason code.
The same services, filterset and scoping as the web pages."""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api.views import ScopedViewSetMixin
from apps.core.errors import DomainError
from apps.providers.models import Household, Vacancy
from apps.referrals import selectors
from apps.referrals.api.serializers_minimised import MinimisedReferralSerializer
from apps.referrals.choices import AccessChannel, DeclineReason
from apps.referrals.filters import TargetFilter
from apps.referrals.minimise import age_in_years
from apps.referrals.models import Offer, ReferralTarget
from apps.referrals.permissions import RESPOND_TO_REFERRALS
from apps.referrals.services import offers as offer_services

ERROR_RESPONSE = OpenApiResponse(
    OpenApiTypes.OBJECT, description='{"detail": "...", "errors": {"field": ["message"]}}'
)


class TargetSerializer(serializers.ModelSerializer):
    """A referral sent to the provider, as its list shows it: nothing identifies the child."""

    referral = serializers.IntegerField(source="referral_id")
    placing_la = serializers.CharField(source="referral.la.name")
    urgency = serializers.CharField(source="referral.urgency")
    latest_start_date = serializers.DateField(source="referral.latest_start_date")
    age = serializers.SerializerMethodField()
    days_since_sent = serializers.SerializerMethodField()
    household = serializers.CharField(source="household.reference")
    offer_status = serializers.SerializerMethodField(
        help_text="Once offered, the offer's status: made, shortlisted, proposed, accepted (the "
        "place is booked), not_chosen or withdrawn; null before an offer."
    )

    class Meta:
        model = ReferralTarget
        fields = [
            "id",
            "referral",
            "placing_la",
            "status",
            "offer_status",
            "urgency",
            "latest_start_date",
            "age",
            "days_since_sent",
            "household",
            "sent_at",
            "first_viewed_at",
            "responded_at",
            "decline_reason",
            "decline_note",
        ]
        read_only_fields = fields

    def get_age(self, obj: ReferralTarget) -> int:
        born = getattr(obj, "child_born", None) or obj.referral.child.date_of_birth
        return age_in_years(born)

    def get_offer_status(self, obj: ReferralTarget) -> str | None:
        if hasattr(obj, "offer_status"):
            return obj.offer_status  # type: ignore[no-any-return]
        offer = Offer.objects.filter(target=obj).values_list("status", flat=True).first()
        return offer

    def get_days_since_sent(self, obj: ReferralTarget) -> int:
        return (timezone.localdate() - timezone.localtime(obj.sent_at).date()).days


class ProviderOfferSerializer(serializers.ModelSerializer):
    household = serializers.CharField(source="household.reference")
    vacancy = serializers.CharField(source="vacancy.reference")
    places = serializers.SerializerMethodField(
        help_text="The place named for each child: child 0 is the referred child, 1… the "
        "siblings, eldest first (as sibling_ages lists them)."
    )
    full_weekly_cost = serializers.DecimalField(max_digits=9, decimal_places=2, read_only=True)

    class Meta:
        model = Offer
        fields = [
            "id",
            "household",
            "vacancy",
            "places",
            "weekly_fee",
            "scheduled_fee",
            "fee_above_schedule_reason",
            "support_package",
            "support_weekly_cost",
            "full_weekly_cost",
            "available_from",
            "notes",
            "status",
            "made_at",
        ]
        read_only_fields = fields

    def get_places(self, offer: Offer) -> list[dict[str, Any]]:
        order = [c.pk for c in offer.referral.group]
        return [
            {"child": order.index(child.pk), "vacancy": vacancy.reference}
            for child, vacancy in offer_services.offer_places(offer)
            if child.pk in order
        ]


class TargetDetailSerializer(serializers.Serializer):
    target = TargetSerializer()
    referral = MinimisedReferralSerializer()
    local_identifier = serializers.CharField(
        allow_null=True, help_text="Only once the LA has shortlisted your offer."
    )
    offer = ProviderOfferSerializer(allow_null=True)


class SupportLineSerializer(serializers.Serializer):
    kind = serializers.CharField()
    weekly_cost = serializers.CharField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class OfferPlaceInputSerializer(serializers.Serializer):
    child = serializers.IntegerField(
        min_value=0,
        help_text="0: the referred child; 1, 2…: the siblings, eldest first (as sibling_ages).",
    )
    vacancy = serializers.IntegerField(help_text="The place for this child")


class OfferInputSerializer(serializers.Serializer):
    household = serializers.IntegerField()
    vacancy = serializers.IntegerField(
        required=False, help_text="The referred child's place (a single child)."
    )
    places = OfferPlaceInputSerializer(
        many=True,
        required=False,
        help_text="A sibling group: a place for each child this household can take. Children "
        "left out are not in this offer (the siblings would be placed apart).",
    )
    weekly_fee = serializers.CharField(help_text="Pounds, e.g. 845.00")
    available_from = serializers.DateField()
    support_package = SupportLineSerializer(many=True, required=False, default=list)
    fee_above_schedule_reason = serializers.CharField(required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class DeclineInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=DeclineReason.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


def _by_pk(model: Any, pk: int, field: str, label: str) -> Any:
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise DomainError(f"There is no {label} {pk}.", field=field)
    return found


class ProviderTargetViewSet(ScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Referrals sent to your provider. Reading one (GET …/{id}/) returns the minimised
    referral and is logged; the child's local identifier appears only after shortlisting."""

    model = ReferralTarget
    rule = RESPOND_TO_REFERRALS
    serializer_class = TargetSerializer
    filterset_class = TargetFilter

    def get_queryset(self) -> QuerySet[ReferralTarget]:
        return (
            selectors.provider_targets(self.request.user)
            .select_related(None)
            .select_related("referral__la", "household")
            .annotate(
                child_born=F("referral__child__date_of_birth"), offer_status=F("offer__status")
            )
            .order_by("-sent_at", "-pk")
        )

    def _target(self, pk: Any) -> ReferralTarget:
        qs = selectors.provider_targets(self.request.user).select_related(
            "referral__rcc", "referral__child"
        )
        return get_object_or_404(qs, pk=pk)

    def _detail(self, target: ReferralTarget) -> dict[str, Any]:
        seen = offer_services.target_view(
            target=target, by=self.request.user, channel=AccessChannel.API
        )
        offer = Offer.objects.filter(target=target).select_related("household", "vacancy").first()
        return {
            "target": TargetSerializer(target).data,
            "referral": seen["referral"],
            "local_identifier": seen["local_identifier"],
            "offer": ProviderOfferSerializer(offer).data if offer else None,
        }

    @extend_schema(responses=TargetDetailSerializer)
    def retrieve(self, request: Request, pk: Any = None) -> Response:
        return Response(self._detail(self._target(pk)))

    @extend_schema(
        request=OfferInputSerializer, responses={201: TargetDetailSerializer, 400: ERROR_RESPONSE}
    )
    @action(detail=True, methods=["post"])
    def offer(self, request: Request, pk: Any = None) -> Response:
        """Offer a named household of yours with an open place."""
        target = self._target(pk)
        data = OfferInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        household = _by_pk(Household, values.pop("household"), "household", "household")
        vacancy_pk = values.pop("vacancy", None)
        vacancy = None if vacancy_pk is None else _by_pk(Vacancy, vacancy_pk, "vacancy", "place")
        rows = values.pop("places", None)
        places = None
        if rows is not None:
            group = target.referral.group
            places = {}
            for row in rows:
                name = offer_services.place_field(row["child"])
                if row["child"] >= len(group):
                    raise DomainError(
                        f"There is no child {row['child']} in this referral: the children are "
                        f"0 to {len(group) - 1}.",
                        field="places",
                    )
                if group[row["child"]].pk in places:
                    raise DomainError(f"Child {row['child']} is given twice.", field=name)
                places[group[row["child"]].pk] = _by_pk(Vacancy, row["vacancy"], name, "place")
        elif vacancy is None:
            raise DomainError("Give the place you offer (vacancy), or places.", field="vacancy")
        offer_services.offer_make(
            target=target,
            by=request.user,
            household=household,
            vacancy=vacancy,
            places=places,
            **values,
        )
        target.refresh_from_db()
        return Response(self._detail(target), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=DeclineInputSerializer, responses={200: TargetSerializer, 400: ERROR_RESPONSE}
    )
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: Any = None) -> Response:
        """Decline with a reason code (a note is required for OTHER)."""
        target = self._target(pk)
        data = DeclineInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        target = offer_services.target_decline(
            target=target, by=request.user, **data.validated_data
        )
        return Response(TargetSerializer(target).data)
