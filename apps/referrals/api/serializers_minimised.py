"""The provider's minimised referral over the API (see apps/referrals/minimise.py)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.referrals.minimise import minimised_referral


class MinimisedReferralSerializer(serializers.Serializer):
    """Read-only: a referral without the child's identity. The fields are declared for the
    OpenAPI schema; the values come from `minimised_referral`, the one place that decides."""

    referral_id = serializers.IntegerField(read_only=True)
    status = serializers.CharField(read_only=True)
    placing_la = serializers.CharField(read_only=True)
    rcc = serializers.CharField(read_only=True)
    urgency = serializers.CharField(read_only=True)
    latest_start_date = serializers.DateField(read_only=True, allow_null=True)
    sent_at = serializers.DateTimeField(read_only=True, allow_null=True)
    age_years = serializers.IntegerField(read_only=True)
    sex = serializers.CharField(read_only=True)
    ethnicity = serializers.CharField(read_only=True)
    religion = serializers.CharField(read_only=True)
    languages = serializers.ListField(child=serializers.CharField(), read_only=True)
    legal_status = serializers.CharField(read_only=True)
    home_district = serializers.CharField(read_only=True, allow_null=True)
    sibling_group_size = serializers.IntegerField(read_only=True)
    sibling_ages = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    needs = serializers.ListField(child=serializers.DictField(), read_only=True)
    needs_assessed_on = serializers.DateField(read_only=True, allow_null=True)
    locations = serializers.DictField(read_only=True)
    provision = serializers.DictField(read_only=True)
    recommendations = serializers.DictField(read_only=True)
    risks_to_child = serializers.ListField(child=serializers.DictField(), read_only=True)
    risks_to_others = serializers.ListField(child=serializers.DictField(), read_only=True)
    support_needed = serializers.ListField(child=serializers.DictField(), read_only=True)
    childs_views = serializers.CharField(read_only=True)
    about_the_child = serializers.CharField(read_only=True)
    care_history = serializers.DictField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="Counts only: placements so far and moves in the last 12 months.",
    )

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return minimised_referral(instance)
