from __future__ import annotations

from rest_framework import serializers

from apps.organisations.models import Organisation

from ..choices import SimulationPolicy
from ..models import SimulationRun
from ..services import MAX_SEED


class SimulationRunSerializer(serializers.ModelSerializer):
    scope = serializers.CharField(source="scope_label", read_only=True)

    class Meta:
        model = SimulationRun
        fields = [
            "id",
            "policy",
            "seed",
            "rcc",
            "scope",
            "status",
            "progress",
            "step",
            "error",
            "enqueue_error",
            "attempts",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class SimulationRunDetailSerializer(SimulationRunSerializer):
    """A run with what it read (`inputs`) and its measures per policy (`results`)."""

    class Meta(SimulationRunSerializer.Meta):
        fields = [*SimulationRunSerializer.Meta.fields, "inputs", "results"]
        read_only_fields = fields


class SimulationRequestSerializer(serializers.Serializer):
    policy = serializers.ChoiceField(choices=SimulationPolicy.choices)
    seed = serializers.IntegerField(min_value=0, max_value=MAX_SEED)
    rcc = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.rccs(),
        required=False,
        allow_null=True,
        help_text="The RCC whose children to simulate; leave out for England.",
    )
