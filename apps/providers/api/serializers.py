"""The register in JSON. Input serializers only check shapes and types; the rules are in
`validation` (through `services.household_upsert`), so the API, the web forms and the
upload share them."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.providers.choices import (
    CARE_TYPE_CODES,
    LANGUAGES,
    AgeBand,
    ApprovalEndReason,
    Ethnicity,
    HouseholdStatus,
    Religion,
    Sex,
    VacancyStatus,
    care_types_from_mask,
)
from apps.providers.models import Carer, Household, HouseholdSkill, RegisterUpload, Vacancy

# --- Output ------------------------------------------------------------------------------


class CarerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Carer
        fields = ["age_band", "sex", "ethnicity", "religion", "languages"]


class SkillSerializer(serializers.ModelSerializer):
    domain = serializers.CharField(source="domain.code", read_only=True)
    level = serializers.IntegerField(source="level.rank", read_only=True)

    class Meta:
        model = HouseholdSkill
        fields = ["domain", "level"]


class VacancySerializer(serializers.ModelSerializer):
    is_stale = serializers.BooleanField(read_only=True)

    class Meta:
        model = Vacancy
        fields = [
            "reference",
            "available_from",
            "status",
            "hold_reason",
            "last_confirmed_at",
            "is_stale",
        ]


class HouseholdSerializer(serializers.ModelSerializer):
    provider = serializers.IntegerField(source="provider_id", read_only=True)
    postcode_district = serializers.CharField(source="postcode_district_id", read_only=True)
    la = serializers.IntegerField(source="la_id", read_only=True, allow_null=True)
    care_types = serializers.SerializerMethodField()
    is_stale = serializers.BooleanField(read_only=True)
    carers = CarerSerializer(many=True, read_only=True)
    skills = SkillSerializer(many=True, read_only=True)
    vacancies = VacancySerializer(many=True, read_only=True)

    class Meta:
        model = Household
        fields = [
            "provider",
            "reference",
            "status",
            "postcode_district",
            "latitude",
            "longitude",
            "la",
            "age_min",
            "age_max",
            "places",
            "max_sibling_group",
            "care_types",
            "bedrooms",
            "pets",
            "adaptations",
            "other_children_ages",
            "preferences",
            "approved_on",
            "approval_ended_on",
            "approval_end_reason",
            "carers",
            "skills",
            "vacancies",
            "last_confirmed_at",
            "is_stale",
            "updated_at",
        ]
        read_only_fields = fields

    def get_care_types(self, obj: Household) -> list[str]:
        return care_types_from_mask(obj.care_types)


# --- Input (PUT) -------------------------------------------------------------------------


class CarerInSerializer(serializers.Serializer):
    age_band = serializers.ChoiceField(choices=AgeBand.choices)
    sex = serializers.ChoiceField(choices=Sex.choices)
    ethnicity = serializers.ChoiceField(choices=Ethnicity.choices)
    religion = serializers.ChoiceField(choices=Religion.choices, required=False)
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=list(LANGUAGES.items())), required=False
    )


class SkillInSerializer(serializers.Serializer):
    domain = serializers.CharField(help_text="A need domain code from the needs taxonomy")
    level = serializers.IntegerField(help_text="A level rank from the needs taxonomy")


class VacancyInSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=40)
    available_from = serializers.DateField()
    status = serializers.ChoiceField(choices=VacancyStatus.choices, required=False)
    hold_reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class HouseholdUpsertSerializer(serializers.Serializer):
    """The whole household: carers, skills and vacancies given replace those stored."""

    status = serializers.ChoiceField(choices=HouseholdStatus.choices, required=False)
    postcode_district = serializers.CharField(max_length=8)
    age_min = serializers.IntegerField()
    age_max = serializers.IntegerField()
    places = serializers.IntegerField()
    max_sibling_group = serializers.IntegerField(required=False)
    care_types = serializers.ListField(child=serializers.ChoiceField(choices=list(CARE_TYPE_CODES)))
    bedrooms = serializers.IntegerField(required=False)
    pets = serializers.CharField(required=False, allow_blank=True, max_length=200)
    adaptations = serializers.CharField(required=False, allow_blank=True, max_length=300)
    other_children_ages = serializers.ListField(child=serializers.IntegerField(), required=False)
    preferences = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    approved_on = serializers.DateField(
        required=False,
        help_text="The day the household was approved; omitted keeps the stored date.",
    )
    approval_ended_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="The day the carers resigned or were deregistered; required with those statuses.",
    )
    approval_end_reason = serializers.ChoiceField(
        choices=ApprovalEndReason.choices, required=False, allow_blank=True
    )
    carers = CarerInSerializer(many=True)
    skills = SkillInSerializer(many=True, required=False)
    vacancies = VacancyInSerializer(many=True, required=False)


# --- Uploads and confirmation -----------------------------------------------------------


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField()
    cell = serializers.CharField()
    value = serializers.CharField()
    message = serializers.CharField()
    hint = serializers.CharField()


class RegisterUploadSerializer(serializers.ModelSerializer):
    provider = serializers.IntegerField(source="provider_id", read_only=True)
    uploaded_by = serializers.EmailField(source="uploaded_by.email", read_only=True)
    original_url = serializers.SerializerMethodField()

    class Meta:
        model = RegisterUpload
        fields = [
            "id",
            "provider",
            "uploaded_by",
            "original_name",
            "sha256",
            "size",
            "outcome",
            "summary",
            "errors",
            "created_at",
            "original_url",
        ]
        read_only_fields = fields

    def get_fields(self) -> dict[str, serializers.Field]:
        # Declared here: a class attribute named `errors` would hide Serializer.errors.
        fields = super().get_fields()
        fields["errors"] = RowErrorSerializer(many=True, read_only=True)
        return fields

    def get_original_url(self, obj: RegisterUpload) -> str | None:
        if not obj.original:
            return None
        from django.urls import reverse

        request = self.context.get("request")
        url = reverse("providers:upload_original", args=[obj.pk])
        return request.build_absolute_uri(url) if request else url


class UploadInSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="The register file (.csv or .xlsx) made from the template"
    )
    provider = serializers.IntegerField(
        required=False, help_text="Needed when you work for several providers"
    )


class ConfirmInSerializer(serializers.Serializer):
    provider = serializers.IntegerField(
        required=False, help_text="Needed when you work for several providers"
    )


class ConfirmationSerializer(serializers.Serializer):
    provider = serializers.IntegerField(source="provider_id")
    households = serializers.IntegerField()
    vacancies = serializers.IntegerField()
    confirmed_at = serializers.DateTimeField(source="created_at")


def flatten_errors(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as flat paths, the same as the services' (``carers.0.sex``)."""
    out: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            out.update(flatten_errors(value, f"{prefix}{key}."))
    elif isinstance(errors, list) and errors and all(isinstance(e, str) for e in errors):
        out[prefix.rstrip(".") or "non_field_errors"] = [str(e) for e in errors]
    elif isinstance(errors, list):
        for i, value in enumerate(errors):
            if value:
                out.update(flatten_errors(value, f"{prefix}{i}."))
    elif errors:
        out[prefix.rstrip(".") or "non_field_errors"] = [str(errors)]
    return out
