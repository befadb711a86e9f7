"""API shapes of monitoring. Feedback reaches providers only as suppressed, anonymised totals."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.referrals.models import Placement

from ..choices import SUPPRESS_BELOW
from ..models import (
    MonitoringReturn,
    PlacementFeedback,
    ReturnQuery,
    ReturnQueryMessage,
    ReturnSubmission,
    ReturnVersion,
    ScorecardSnapshot,
)
from ..selectors import ScorecardRow


class ReturnSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.organisation.name", read_only=True)
    quarter = serializers.SerializerMethodField()
    quarter_label = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    version = serializers.IntegerField(
        source="current_version.number", read_only=True, allow_null=True, default=None
    )
    accepted_for = serializers.CharField(
        source="accepted_for.name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = MonitoringReturn
        fields = [
            "id",
            "provider",
            "provider_name",
            "quarter",
            "quarter_label",
            "due_on",
            "status",
            "status_label",
            "is_overdue",
            "overdue_since",
            "version",
            "first_submitted_at",
            "last_submitted_at",
            "accepted_at",
            "accepted_for",
        ]
        read_only_fields = fields

    def get_quarter(self, obj: MonitoringReturn) -> str:
        return obj.quarter.code

    def get_quarter_label(self, obj: MonitoringReturn) -> str:
        return obj.quarter.label


class VersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReturnVersion
        fields = [
            "number",
            "format_version",
            "submitted_at",
            "figures",
            "carer_changes",
            "placement_count",
            "diff",
        ]
        read_only_fields = fields


class QueryMessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReturnQueryMessage
        fields = ["from_provider", "body", "created_at"]
        read_only_fields = fields


class QuerySerializer(serializers.ModelSerializer):
    raised_for = serializers.CharField(source="raised_for.name", read_only=True)
    version = serializers.IntegerField(
        source="version.number", read_only=True, allow_null=True, default=None
    )
    messages = QueryMessageSerializer(many=True, read_only=True)

    class Meta:
        model = ReturnQuery
        fields = [
            "id",
            "subject",
            "status",
            "raised_for",
            "raised_at",
            "version",
            "closed_at",
            "messages",
        ]
        read_only_fields = fields


class ReturnDetailSerializer(ReturnSerializer):
    versions = VersionSerializer(many=True, read_only=True)
    queries = QuerySerializer(many=True, read_only=True)

    class Meta(ReturnSerializer.Meta):
        fields = [*ReturnSerializer.Meta.fields, "versions", "queries"]
        read_only_fields = fields


class SubmissionSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(
        source="version.number", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = ReturnSubmission
        fields = [
            "id",
            "monitoring_return",
            "channel",
            "format_version",
            "original_name",
            "size",
            "outcome",
            "rows",
            "error_count",
            "errors",
            "version",
            "created_at",
        ]
        read_only_fields = fields


class SubmitSerializer(serializers.Serializer):
    """Either `records` (the rows, as a file holds them) or `file` (CSV or XLSX, multipart)."""

    records = serializers.ListField(child=serializers.DictField(), required=False)
    file = serializers.FileField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("records")) == bool(attrs.get("file")):
            raise serializers.ValidationError(
                "Send either records (JSON) or a file (multipart), not both or neither."
            )
        return attrs


class QueryRaiseSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=120)
    body = serializers.CharField(max_length=4000)


class ReplySerializer(serializers.Serializer):
    body = serializers.CharField(max_length=4000)


class ScorecardSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.organisation.name", read_only=True)
    quarter = serializers.SerializerMethodField()
    rcc_name = serializers.CharField(
        source="rcc.name", read_only=True, allow_null=True, default=None
    )
    offer_rate = serializers.SerializerMethodField()
    acceptance_rate = serializers.SerializerMethodField()
    feedback = serializers.SerializerMethodField()

    class Meta:
        model = ScorecardSnapshot
        fields = [
            "provider",
            "provider_name",
            "quarter",
            "rcc",
            "rcc_name",
            "placements",
            "placement_days",
            "placements_started",
            "placements_ended",
            "unplanned_endings",
            "unplanned_by_reason",
            "stability_rate",
            "stability_source",
            "referrals_received",
            "referrals_answered",
            "response_hours_median",
            "offers_made",
            "offers_accepted",
            "offer_rate",
            "acceptance_rate",
            "feedback",
            "ofsted_grade",
            "ofsted_date",
            "fee_vs_median_pct",
            "fee_lots",
            "return_status",
            "return_days_late",
            "computed_at",
        ]
        read_only_fields = fields

    def get_quarter(self, obj: ScorecardSnapshot) -> str:
        return obj.quarter.code

    def get_offer_rate(self, obj: ScorecardSnapshot) -> str | None:
        rate = ScorecardRow(obj).offer_rate
        return None if rate is None else str(rate)

    def get_acceptance_rate(self, obj: ScorecardSnapshot) -> str | None:
        rate = ScorecardRow(obj).acceptance_rate
        return None if rate is None else str(rate)

    def get_feedback(self, obj: ScorecardSnapshot) -> dict[str, Any]:
        """Anonymised: nothing but 'suppressed' for 1 to 4 reviews."""
        n = obj.feedback_count
        if 0 < n < SUPPRESS_BELOW:
            return {"reviews": None, "suppressed": True}
        concerns: int | str = obj.feedback_concerns
        if 0 < obj.feedback_concerns < SUPPRESS_BELOW:
            concerns = "c"
        return {
            "reviews": n,
            "suppressed": False,
            "childs_progress": obj.feedback_progress,
            "carer_support": obj.feedback_support,
            "communication": obj.feedback_communication,
            "reviews_with_concerns": concerns,
        }


class FeedbackSerializer(serializers.ModelSerializer):
    placement = serializers.PrimaryKeyRelatedField(queryset=Placement.objects.none())

    class Meta:
        model = PlacementFeedback
        fields = [
            "id",
            "placement",
            "author_role",
            "review_date",
            "childs_progress",
            "carer_support",
            "communication",
            "concerns",
            "concerns_detail",
            "comments",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from ..selectors import feedback_placements

        request = self.context.get("request")
        if request is not None:
            self.fields["placement"].queryset = feedback_placements(request.user)  # type: ignore[attr-defined]
