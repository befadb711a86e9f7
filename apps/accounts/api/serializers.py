from typing import Any

from rest_framework import serializers

from apps.accounts.models import Membership, Notification, User


class MembershipSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    organisation_kind = serializers.CharField(source="organisation.kind", read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "organisation_kind",
            "role",
            "role_label",
        ]


class CurrentUserSerializer(serializers.ModelSerializer):
    memberships = MembershipSerializer(many=True, read_only=True)
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "job_title", "roles", "memberships"]

    def get_roles(self, obj: User) -> list[str]:
        return sorted(obj.role_set)


class NotificationSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "kind_label", "text", "link", "created_at", "read_at", "read"]
        read_only_fields = fields

    def get_read(self, obj: Any) -> bool:
        return obj.read_at is not None
