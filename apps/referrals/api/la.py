"""API of the LA side: children, needs assessments (versions), referrals and co-design reviews.

The same services as the web pages; the same filtersets; the same scoping (visible_to). The
case-system id is returned only to the child's own LA.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.http import Http404, QueryDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.models import User
from apps.core.api.views import ScopedViewSetMixin
from apps.core.errors import DomainError
from apps.referrals import selectors
from apps.referrals.choices import AccessChannel
from apps.referrals.completeness import referral_completeness
from apps.referrals.filters import ChildFilter, ReferralFilter, ReviewFilter
from apps.referrals.format import EDITABLE_FIELDS
from apps.referrals.minimise import age_in_years
from apps.referrals.models import Child, NeedsAssessment, Referral, ReferralReview
from apps.referrals.permissions import (
    EDIT_CHILDREN,
    EDIT_REFERRALS,
    REVIEW_REFERRAL,
    VIEW_CHILDREN,
    VIEW_REFERRAL,
)
from apps.referrals.services import children as child_services
from apps.referrals.services import events
from apps.referrals.services import referrals as referral_services

ERROR_RESPONSE = OpenApiResponse(
    OpenApiTypes.OBJECT, description='{"detail": "...", "errors": {"field": ["message"]}}'
)
LIST_FIELDS = ("languages", "siblings", "communication_needs", "support_needed", "places_to_avoid")


def _user(request: Request) -> User:
    """The signed-in user (RulePermission has turned anonymous callers away)."""
    return cast(User, request.user)


def payload(request: Request) -> dict[str, Any]:
    """The request body as a plain dict (JSON as sent; a form body with its lists kept)."""
    data = request.data
    if isinstance(data, QueryDict):
        return {k: data.getlist(k) if k in LIST_FIELDS else data.get(k) for k in data}
    if not isinstance(data, dict):
        raise DomainError("Send a JSON object.")
    return dict(data)


# --- Serializers -------------------------------------------------------------------------------


def _latest_needs(child: Child) -> tuple[int | None, dt.date | None]:
    """The child's latest needs version and its date: from the list's annotation
    (`selectors.children_with_summary`) or, for a child read on its own, from the database."""
    if not hasattr(child, "latest_version"):
        latest = child.assessments.order_by("-version").values("version", "assessed_on").first()
        child.latest_version = latest["version"] if latest else None  # type: ignore[attr-defined]
        child.latest_assessed_on = latest["assessed_on"] if latest else None  # type: ignore[attr-defined]
    return child.latest_version, child.latest_assessed_on  # type: ignore[attr-defined]


class ChildSerializer(serializers.ModelSerializer):
    """A child as the LA sees it. `case_system_id` is left out for anyone outside the child's LA."""

    la_name = serializers.CharField(source="la.name", read_only=True)
    age = serializers.SerializerMethodField()
    home_postcode_district = serializers.CharField(
        source="home_postcode_district_id", allow_null=True, required=False
    )
    latest_needs_version = serializers.SerializerMethodField()
    latest_needs_assessed_on = serializers.SerializerMethodField()

    class Meta:
        model = Child
        fields = [
            "id",
            "la",
            "la_name",
            "local_identifier",
            "case_system_id",
            "date_of_birth",
            "age",
            "sex",
            "ethnicity",
            "religion",
            "languages",
            "legal_status",
            "home_postcode",
            "home_postcode_district",
            "latest_needs_version",
            "latest_needs_assessed_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "la", "created_at", "updated_at"]
        validators: list[Any] = []  # the service checks uniqueness and says so clearly

    def get_age(self, child: Child) -> int:
        return age_in_years(child.date_of_birth)

    def get_latest_needs_version(self, child: Child) -> int | None:
        return _latest_needs(child)[0]

    def get_latest_needs_assessed_on(self, child: Child) -> dt.date | None:
        return _latest_needs(child)[1]

    def to_representation(self, instance: Child) -> dict[str, Any]:
        data = super().to_representation(instance)
        user = self.context["request"].user
        if not selectors.is_in_childs_la(user, instance):
            data.pop("case_system_id", None)
        if not selectors.sees_childs_full_postcode(user, instance):
            data.pop("home_postcode", None)
        return data


class ChildDetailSerializer(ChildSerializer):
    """One child: with its legal status history (SSDA903 LS from each date)."""

    legal_status_history = serializers.SerializerMethodField()

    class Meta(ChildSerializer.Meta):
        fields = [*ChildSerializer.Meta.fields, "legal_status_history"]

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "legal_status": {"type": "string"},
                    "start_date": {"type": "string", "format": "date"},
                    "source": {"type": "string"},
                },
            },
        }
    )
    def get_legal_status_history(self, child: Child) -> list[dict[str, Any]]:
        """Newest first."""
        return [
            {"legal_status": ls.legal_status, "start_date": ls.start_date, "source": ls.source}
            for ls in selectors.legal_status_history(child=child)
        ]


class ChildWriteSerializer(serializers.Serializer):
    la = serializers.IntegerField(
        required=False, help_text="Your LA's organisation id: needed only if you work for several."
    )
    local_identifier = serializers.CharField(max_length=40)
    case_system_id = serializers.CharField(max_length=40, required=False, allow_blank=True)
    date_of_birth = serializers.DateField()
    sex = serializers.CharField(max_length=1)
    ethnicity = serializers.CharField(max_length=4)
    religion = serializers.CharField(max_length=12, required=False)
    languages = serializers.ListField(child=serializers.CharField(), required=False)
    legal_status = serializers.CharField(max_length=2)
    legal_status_from = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=(
            "The date the legal status started (default today): recorded in the child's legal "
            "status history when the status is set or changed."
        ),
    )
    home_postcode = serializers.CharField(
        max_length=10,
        required=False,
        allow_blank=True,
        help_text="Full postcode; the district is taken from it. Only the LA and the hub see it.",
    )
    home_postcode_district = serializers.CharField(
        max_length=8, required=False, allow_blank=True, allow_null=True
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        from apps.providers.choices import Ethnicity, Religion, Sex
        from apps.referrals.choices import LegalStatus

        for name, choices in (
            ("sex", Sex),
            ("ethnicity", Ethnicity),
            ("religion", Religion),
            ("legal_status", LegalStatus),
        ):
            if name in attrs and attrs[name] not in choices.values:
                raise serializers.ValidationError(
                    {name: [f"Use one of: {', '.join(choices.values)}."]}
                )
        return attrs


class NeedsItemSerializer(serializers.Serializer):
    domain = serializers.CharField(source="domain.code")
    domain_name = serializers.CharField(source="domain.name")
    level = serializers.CharField(source="level.code")
    level_name = serializers.CharField(source="level.name")
    level_rank = serializers.IntegerField(source="level.rank")
    notes = serializers.CharField()


class NeedsAssessmentSerializer(serializers.ModelSerializer):
    items = NeedsItemSerializer(many=True, read_only=True)
    assessed_by = serializers.SerializerMethodField()

    class Meta:
        model = NeedsAssessment
        fields = ["id", "version", "assessed_on", "assessed_by", "summary", "created_at", "items"]

    def get_assessed_by(self, a: NeedsAssessment) -> str:
        return a.assessed_by.get_full_name() or a.assessed_by.email


NEEDS_ITEM_SCHEMA = {
    "type": "object",
    "properties": {
        "domain": {"type": "string"},
        "level": {"type": "string"},
        "notes": {"type": "string"},
    },
    "required": ["domain", "level"],
}


@extend_schema_field(
    {
        "oneOf": [
            {"type": "array", "items": NEEDS_ITEM_SCHEMA},
            {"type": "object", "additionalProperties": {"type": "string"}},
        ]
    }
)
class NeedsItemsField(serializers.JSONField):
    """A level per area of need: [{domain, level, notes}, …] or {domain: level, …}."""

    default_error_messages = {
        "shape": (
            'Give the needs as a list of {{"domain": …, "level": …, "notes": …}} '
            'or as {{"domain": "level", …}}.'
        ),
    }

    def to_internal_value(self, data: Any) -> Any:
        value = super().to_internal_value(data)
        if isinstance(value, dict):
            if not all(isinstance(level, str) for level in value.values()):
                self.fail("shape")
        elif isinstance(value, list):
            for item in value:
                if not isinstance(item, dict) or not all(
                    isinstance(item.get(key, ""), str) for key in ("domain", "level", "notes")
                ):
                    self.fail("shape")
        else:
            self.fail("shape")
        return value


class NeedsChangeSerializer(serializers.Serializer):
    domain = serializers.CharField()
    before = serializers.CharField(allow_null=True, help_text="The level before; null if new.")
    after = serializers.CharField(allow_null=True, help_text="The level now; null if dropped.")
    direction = serializers.ChoiceField(choices=["new", "up", "down", "removed"])


class NeedsAssessmentVersionSerializer(NeedsAssessmentSerializer):
    """A version of the child's needs with what changed since the version before it."""

    changes = NeedsChangeSerializer(many=True, read_only=True)

    class Meta(NeedsAssessmentSerializer.Meta):
        fields = [*NeedsAssessmentSerializer.Meta.fields, "changes"]


class NeedsAssessmentWriteSerializer(serializers.Serializer):
    assessed_on = serializers.DateField(required=False)
    summary = serializers.CharField(required=False, allow_blank=True)
    items = NeedsItemsField(
        help_text='[{"domain": "behaviour", "level": "high", "notes": ""}] or {"behaviour": "high"}'
    )


class CompletenessSerializer(serializers.Serializer):
    percent = serializers.IntegerField()
    threshold = serializers.IntegerField()
    can_send = serializers.BooleanField()
    reason = serializers.CharField()
    missing = serializers.ListField(child=serializers.DictField())


class ReferralListSerializer(serializers.ModelSerializer):
    child = serializers.CharField(source="child.local_identifier", read_only=True)
    child_id = serializers.IntegerField(read_only=True)
    la_name = serializers.CharField(source="la.name", read_only=True)
    rcc_name = serializers.CharField(source="rcc.name", read_only=True)
    completeness = serializers.SerializerMethodField()
    pending_reviews = serializers.IntegerField(read_only=True, default=None)

    class Meta:
        model = Referral
        fields = [
            "id",
            "child_id",
            "child",
            "la",
            "la_name",
            "rcc",
            "rcc_name",
            "status",
            "urgency",
            "latest_start_date",
            "created_at",
            "sent_at",
            "completeness",
            "pending_reviews",
        ]

    @extend_schema_field(CompletenessSerializer)
    def get_completeness(self, referral: Referral) -> dict[str, Any]:
        return referral_completeness(referral).as_dict()


class ReviewSerializer(serializers.ModelSerializer):
    reviewer = serializers.EmailField(source="reviewer.email", read_only=True)
    requested_by = serializers.EmailField(source="requested_by.email", read_only=True)

    class Meta:
        model = ReferralReview
        fields = [
            "id",
            "referral",
            "contributor_role",
            "reviewer",
            "requested_by",
            "requested_at",
            "status",
            "comments",
            "responded_at",
        ]
        read_only_fields = fields


class ReferralDetailSerializer(serializers.ModelSerializer):
    """The whole referral for the LA, the hub and reviewers; the case id only for the LA."""

    child = serializers.SerializerMethodField()
    needs = serializers.SerializerMethodField()
    siblings = serializers.SerializerMethodField()
    family_postcode_district = serializers.CharField(
        source="family_postcode_district_id", allow_null=True
    )
    school_postcode_district = serializers.CharField(
        source="school_postcode_district_id", allow_null=True
    )
    completeness = serializers.SerializerMethodField()
    reviews = ReviewSerializer(many=True, read_only=True)
    timeline = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            "id",
            "status",
            "la",
            "rcc",
            "child",
            "needs",
            "urgency",
            "latest_start_date",
            "siblings",
            "moving_from_placement",
            "preferred_area",
            "family_postcode_district",
            "stay_close_to_family",
            "school_postcode_district",
            "keep_school",
            "places_to_reach",
            "places_to_avoid",
            "communication_needs",
            "adaptations",
            "cultural_religious_needs",
            "live_alongside",
            "pets_ok",
            "suitability_foster",
            "suitability_residential",
            "suitability_supported",
            "min_adults",
            "siblings_may_share_bedroom",
            "risk_self_harm",
            "risk_sexual_exploitation",
            "risk_criminal_exploitation",
            "risk_substances",
            "risk_eating_disorder",
            "risk_missing",
            "risk_other",
            "risk_other_detail",
            "harm_physical",
            "harm_sexual",
            "harm_fire_setting",
            "harm_animals",
            "harm_criminal_exploitation",
            "harm_other",
            "harm_other_detail",
            "support_needed",
            "childs_views",
            "about_the_child",
            "carer_review_skipped_reason",
            "looking_in_house_first",
            "created_at",
            "updated_at",
            "sent_at",
            "completed_at",
            "withdrawn_reason",
            "completeness",
            "reviews",
            "timeline",
        ]
        read_only_fields = fields

    def get_child(self, referral: Referral) -> dict[str, Any]:
        return ChildSerializer(referral.child, context=self.context).data  # type: ignore[return-value]

    def get_needs(self, referral: Referral) -> dict[str, Any] | None:
        if not referral.needs_assessment_id:
            return None
        return NeedsAssessmentSerializer(referral.needs_assessment).data  # type: ignore[return-value]

    def get_siblings(self, referral: Referral) -> list[dict[str, Any]]:
        return [
            {
                "id": s.pk,
                "local_identifier": s.local_identifier,
                "age": age_in_years(s.date_of_birth),
            }
            for s in referral.siblings.all()
        ]

    @extend_schema_field(CompletenessSerializer)
    def get_completeness(self, referral: Referral) -> dict[str, Any]:
        return referral_completeness(referral).as_dict()

    def get_timeline(self, referral: Referral) -> list[dict[str, Any]]:
        return [
            {
                "at": e["at"].isoformat(),
                "verb": e["verb"],
                "label": e["label"],
                "text": e["text"],
                "actor": (e["actor"].get_full_name() or e["actor"].email) if e["actor"] else None,
            }
            for e in selectors.timeline(referral)
        ]


class ReferralWriteSerializer(serializers.ModelSerializer):
    """For the schema: the fields a draft referral accepts (every one optional)."""

    child = serializers.IntegerField(required=False, help_text="On create only: the child's id.")
    family_postcode_district = serializers.CharField(required=False, allow_null=True)
    school_postcode_district = serializers.CharField(required=False, allow_null=True)
    siblings = serializers.ListField(child=serializers.IntegerField(), required=False)

    class Meta:
        model = Referral
        fields = ["child", *sorted(EDITABLE_FIELDS)]
        extra_kwargs = {name: {"required": False} for name in EDITABLE_FIELDS}


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class InviteSerializer(serializers.Serializer):
    email = serializers.EmailField()
    contributor_role = serializers.CharField(
        help_text="current_carer, current_provider, iro or other"
    )
    message = serializers.CharField(required=False, allow_blank=True)


class RespondSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="agreed, changes or declined")
    comments = serializers.CharField(required=False, allow_blank=True)


# --- Viewsets ----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Children of your LA"),
    retrieve=extend_schema(summary="One child", responses=ChildDetailSerializer),
    create=extend_schema(
        summary="Add a child",
        request=ChildWriteSerializer,
        responses={201: ChildDetailSerializer, 400: ERROR_RESPONSE},
    ),
    partial_update=extend_schema(
        summary="Change a child",
        request=ChildWriteSerializer,
        responses={200: ChildDetailSerializer, 400: ERROR_RESPONSE},
    ),
)
class ChildViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    model = Child
    rule = VIEW_CHILDREN
    rules = {
        "create": EDIT_CHILDREN,
        "partial_update": EDIT_CHILDREN,
        "record_assessment": EDIT_CHILDREN,
    }
    serializer_class = ChildSerializer
    filterset_class = ChildFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        return selectors.with_referral_scope(
            selectors.children_with_summary(super().get_queryset())
        ).order_by("local_identifier", "pk")

    def _detail(self, child: Child, code: int = status.HTTP_200_OK) -> Response:
        return Response(
            ChildDetailSerializer(child, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request: Request) -> Response:
        data = payload(request)
        la_id = data.pop("la", None)
        write = ChildWriteSerializer(data=data)
        write.is_valid(raise_exception=True)
        las = child_services.social_worker_las(_user(request))
        if la_id is not None:
            las = [la for la in las if str(la.pk) == str(la_id)]
        if len(las) != 1:
            raise DomainError(
                "Say which of your local authorities the child belongs to (la)."
                if len(las) > 1
                else "You are not a social worker in that local authority.",
                field="la",
            )
        values = {k: v for k, v in write.validated_data.items() if k != "la"}
        child = child_services.child_create(by=_user(request), la=las[0], **values)
        return self._detail(self.get_queryset().get(pk=child.pk), status.HTTP_201_CREATED)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        child = self.get_object()
        events.record_access(
            child=child,
            user=_user(request),
            action="view_child",
            channel=AccessChannel.API,
            roles=VIEW_CHILDREN.roles,
        )
        return self._detail(child)

    def partial_update(self, request: Request, pk: Any = None) -> Response:
        child = self.get_object()
        write = ChildWriteSerializer(data=payload(request), partial=True)
        write.is_valid(raise_exception=True)
        values = {k: v for k, v in write.validated_data.items() if k != "la"}
        child_services.child_update(by=_user(request), child=child, **values)
        return self._detail(self.get_queryset().get(pk=child.pk))

    @extend_schema(
        summary="Every version of the child's needs, newest first",
        responses=NeedsAssessmentVersionSerializer(many=True),
    )
    @action(detail=True, methods=["get"], url_path="assessments", pagination_class=None)
    def assessments(self, request: Request, pk: Any = None) -> Response:
        child = self.get_object()
        events.record_access(
            child=child,
            user=_user(request),
            action="view_child_needs",
            channel=AccessChannel.API,
            roles=VIEW_CHILDREN.roles,
        )
        history = selectors.child_needs_history(child=child)
        out = []
        for entry in history:
            data = dict(NeedsAssessmentSerializer(entry["assessment"]).data)
            data["changes"] = [
                {
                    "domain": c["domain"].code,
                    "before": c["before"].code if c["before"] else None,
                    "after": c["after"].code if c["after"] else None,
                    "direction": c["direction"],
                }
                for c in entry["changes"]
            ]
            out.append(data)
        return Response(out)

    @extend_schema(
        summary="Record a new version of the child's needs",
        request=NeedsAssessmentWriteSerializer,
        responses={201: NeedsAssessmentSerializer, 400: ERROR_RESPONSE},
    )
    @assessments.mapping.post
    def record_assessment(self, request: Request, pk: Any = None) -> Response:
        child = self.get_object()
        write = NeedsAssessmentWriteSerializer(data=payload(request))
        write.is_valid(raise_exception=True)
        assessment = child_services.needs_assessment_record(
            by=_user(request), child=child, **write.validated_data
        )
        return Response(NeedsAssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="Referrals you may see (your LA's, or your RCC's for hub staff)"),
    retrieve=extend_schema(summary="One referral with its completeness, reviews and timeline"),
    create=extend_schema(
        summary="Start a draft referral for a child (uses the latest needs assessment)",
        request=ReferralWriteSerializer,
        responses={201: ReferralDetailSerializer, 400: ERROR_RESPONSE},
    ),
    partial_update=extend_schema(
        summary="Change fields of a draft referral",
        request=ReferralWriteSerializer,
        responses={200: ReferralDetailSerializer, 400: ERROR_RESPONSE},
    ),
)
class ReferralViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    model = Referral
    rule = VIEW_REFERRAL
    rules = {
        "create": EDIT_REFERRALS,
        "partial_update": EDIT_REFERRALS,
        "send": EDIT_REFERRALS,
        "withdraw": EDIT_REFERRALS,
        "invite_reviewer": EDIT_REFERRALS,
        "skip_carer_review": EDIT_REFERRALS,
        "review_respond": REVIEW_REFERRAL,
    }
    filterset_class = ReferralFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        if self.action == "list":
            return selectors.referrals_for_list(qs).order_by("-created_at", "-pk")
        return qs.select_related(
            "child", "child__la", "la", "rcc", "needs_assessment", "needs_assessment__assessed_by"
        )

    def get_serializer_class(self) -> Any:
        return ReferralListSerializer if self.action == "list" else ReferralDetailSerializer

    def _detail(self, referral: Referral, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=referral.pk)
        return Response(
            ReferralDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request: Request) -> Response:
        data = payload(request)
        child_id = data.pop("child", None)
        try:
            child = Child.objects.visible_to(request.user).get(pk=int(child_id))  # type: ignore[arg-type]
        except (TypeError, ValueError, Child.DoesNotExist):
            raise DomainError(
                "No child with that id in your local authority.", field="child"
            ) from None
        referral = referral_services.referral_create(by=_user(request), child=child, **data)
        return self._detail(referral, status.HTTP_201_CREATED)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        referral = self.get_object()
        events.record_access(
            referral=referral,
            user=_user(request),
            action="view_referral",
            channel=AccessChannel.API,
            roles=VIEW_REFERRAL.roles,
        )
        return Response(self.get_serializer(referral).data)

    def partial_update(self, request: Request, pk: Any = None) -> Response:
        referral = self.get_object()
        referral_services.referral_update(
            by=_user(request), referral=referral, section="api", **payload(request)
        )
        return self._detail(referral)

    @extend_schema(
        summary="Send the referral to the hub",
        request=None,
        responses={200: ReferralDetailSerializer, 400: ERROR_RESPONSE},
    )
    @action(detail=True, methods=["post"])
    def send(self, request: Request, pk: Any = None) -> Response:
        referral = referral_services.referral_send(by=_user(request), referral=self.get_object())
        return self._detail(referral)

    @extend_schema(
        summary="Withdraw the referral, with the reason",
        request=ReasonSerializer,
        responses={200: ReferralDetailSerializer, 400: ERROR_RESPONSE},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: Any = None) -> Response:
        referral = referral_services.referral_withdraw(
            by=_user(request),
            referral=self.get_object(),
            reason=str(payload(request).get("reason") or ""),
        )
        return self._detail(referral)

    @extend_schema(
        summary="Ask a platform user to review the draft",
        request=InviteSerializer,
        responses={201: ReviewSerializer, 400: ERROR_RESPONSE},
    )
    @action(detail=True, methods=["post"], url_path="invite-reviewer")
    def invite_reviewer(self, request: Request, pk: Any = None) -> Response:
        data = payload(request)
        review = referral_services.referral_review_invite(
            by=_user(request),
            referral=self.get_object(),
            email=str(data.get("email") or ""),
            contributor_role=str(data.get("contributor_role") or ""),
            message=str(data.get("message") or ""),
        )
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Answer the review asked of you on this referral",
        request=RespondSerializer,
        responses={200: ReviewSerializer, 400: ERROR_RESPONSE},
    )
    @action(detail=True, methods=["post"], url_path="review-respond")
    def review_respond(self, request: Request, pk: Any = None) -> Response:
        referral = self.get_object()
        review = ReferralReview.objects.filter(referral=referral, reviewer=_user(request)).first()
        if review is None:
            raise Http404
        data = payload(request)
        review = referral_services.referral_review_respond(
            by=_user(request),
            review=review,
            status=str(data.get("status") or ""),
            comments=str(data.get("comments") or ""),
        )
        return Response(ReviewSerializer(review).data)

    @extend_schema(
        summary="Send without the current carer's review: record why",
        request=ReasonSerializer,
        responses={200: ReferralDetailSerializer, 400: ERROR_RESPONSE},
    )
    @action(detail=True, methods=["post"], url_path="skip-carer-review")
    def skip_carer_review(self, request: Request, pk: Any = None) -> Response:
        referral = referral_services.referral_carer_review_skip(
            by=_user(request),
            referral=self.get_object(),
            reason=str(payload(request).get("reason") or ""),
        )
        return self._detail(referral)


class ReviewRequestSerializer(ReviewSerializer):
    referral_detail = serializers.SerializerMethodField()

    class Meta(ReviewSerializer.Meta):
        fields = [*ReviewSerializer.Meta.fields, "referral_detail"]
        read_only_fields = fields

    def get_referral_detail(self, review: ReferralReview) -> dict[str, Any]:
        return ReferralDetailSerializer(review.referral, context=self.context).data  # type: ignore[return-value]


@extend_schema_view(
    list=extend_schema(summary="Reviews requested of you"),
    retrieve=extend_schema(summary="One review request with the referral to review"),
)
class ReviewRequestViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    model = ReferralReview
    rule = REVIEW_REFERRAL
    filterset_class = ReviewFilter

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return ReferralReview.objects.none()
        return selectors.reviews_requested_of(self.request.user)

    def get_serializer_class(self) -> Any:
        return ReviewSerializer if self.action == "list" else ReviewRequestSerializer

    @extend_schema(
        summary="Answer: agreed, changes (with comments) or declined",
        request=RespondSerializer,
        responses={200: ReviewSerializer, 400: ERROR_RESPONSE},
    )
    @action(detail=True, methods=["post"])
    def respond(self, request: Request, pk: Any = None) -> Response:
        data = payload(request)
        review = referral_services.referral_review_respond(
            by=_user(request),
            review=self.get_object(),
            status=str(data.get("status") or ""),
            comments=str(data.get("comments") or ""),
        )
        return Response(ReviewSerializer(review).data)
