from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.organisations.models import Organisation

from ..choices import ReportKind
from ..models import Bulletin, ReportRun, ReportSnapshot


class ReportRunSerializer(serializers.ModelSerializer):
    scope = serializers.CharField(source="scope_label", read_only=True)
    snapshot = serializers.SerializerMethodField()

    class Meta:
        model = ReportRun
        fields = [
            "id",
            "kind",
            "rcc",
            "scope",
            "period_start",
            "period_end",
            "status",
            "progress",
            "step",
            "error",
            "enqueue_error",
            "attempts",
            "created_at",
            "started_at",
            "finished_at",
            "snapshot",
        ]
        read_only_fields = fields

    def get_snapshot(self, run: ReportRun) -> int | None:
        snapshot = getattr(run, "snapshot", None)
        return snapshot.pk if snapshot else None


class RunRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    rcc = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.rccs(),
        required=False,
        allow_null=True,
        help_text="The RCC; leave out for a national report.",
    )
    period_start = serializers.DateField(required=False, allow_null=True)
    period_end = serializers.DateField(required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("period_start")) != bool(attrs.get("period_end")):
            raise serializers.ValidationError({"period_end": ["Give both dates, or neither."]})
        return attrs


class ReportSnapshotSerializer(serializers.ModelSerializer):
    scope = serializers.CharField(source="scope_label", read_only=True)

    class Meta:
        model = ReportSnapshot
        fields = [
            "id",
            "kind",
            "rcc",
            "scope",
            "period_start",
            "period_end",
            "is_current",
            "is_empty",
            "built_at",
            "summary",
        ]
        read_only_fields = fields


class ReportSnapshotDetailSerializer(ReportSnapshotSerializer):
    class Meta(ReportSnapshotSerializer.Meta):
        fields = [*ReportSnapshotSerializer.Meta.fields, "tables"]
        read_only_fields = fields


class BulletinSerializer(serializers.ModelSerializer):
    class Meta:
        model = Bulletin
        fields = [
            "id",
            "title",
            "slug",
            "summary",
            "status",
            "snapshot",
            "table_keys",
            "rounding",
            "published_at",
            "published_tables",
            "headline",
        ]
        read_only_fields = fields


class Ssda903AvailableSerializer(serializers.Serializer):
    la = serializers.IntegerField()
    name = serializers.CharField()
    dfe_la_code = serializers.CharField()
    years = serializers.ListField(child=serializers.IntegerField())


class _BlankFieldSerializer(serializers.Serializer):
    field = serializers.CharField()
    why = serializers.CharField()


class _AttentionSerializer(serializers.Serializer):
    child = serializers.CharField()
    episode = serializers.CharField(allow_blank=True)
    what = serializers.CharField()


class Ssda903ReturnSerializer(serializers.Serializer):
    la = serializers.IntegerField()
    name = serializers.CharField()
    year = serializers.IntegerField(
        help_text="The collection year by its first year: 2025 for 2025-26"
    )
    collection_year = serializers.CharField(help_text="Such as 2025-26")
    children = serializers.IntegerField()
    episodes = serializers.IntegerField()
    blank_fields = _BlankFieldSerializer(many=True)
    attention = _AttentionSerializer(many=True)
    files = serializers.DictField(child=serializers.URLField())
