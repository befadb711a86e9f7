from rest_framework import serializers

from apps.organisations.models import Organisation


class OrganisationSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "kind",
            "kind_label",
            "name",
            "short_name",
            "dfe_la_code",
            "gss_code",
            "region",
            "la_type",
            "latitude",
            "longitude",
            "ofsted_urn",
            "sector",
            "owning_la",
            "rcc",
            "is_active",
        ]
        read_only_fields = fields
