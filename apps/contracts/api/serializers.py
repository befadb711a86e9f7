"""Serializers for commissioning: read shapes (model serializers) and input shapes (plain
serializers whose validated data goes to one service)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.models import User
from apps.needs.models import NeedDomain, NeedLevel
from apps.organisations.models import Organisation
from apps.providers.models import Provider
from apps.referrals.choices import SupportKind

from ..choices import (
    FEE_BANDS,
    ArrangementKind,
    DisputeStatus,
    DisputeStepKind,
    EnrolmentStatus,
    LotService,
)
from ..models import (
    AccountManager,
    ContractAlert,
    Dispute,
    DisputeStep,
    Enrolment,
    Framework,
    InHouseCost,
    Lot,
    MeetingAction,
    PartnershipMeeting,
    PlacementBudget,
    PriceSchedule,
    SoftBlock,
    SpecialistService,
    SupportPrice,
    TermsVersion,
)

FEE_FIELDS = [f"fee_{suffix}" for suffix, *_ in FEE_BANDS]


class ScopedPK(serializers.PrimaryKeyRelatedField):
    """A related object the caller may see (`visible_to`); anything else is "does not exist"."""

    def __init__(self, model: Any, **kwargs: Any) -> None:
        self.model = model
        kwargs.setdefault("queryset", model._default_manager.none())
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        manager = self.model._default_manager
        request = self.context.get("request")
        if hasattr(manager, "visible_to") and request is not None:
            return manager.visible_to(request.user)
        return manager.all()


def _person(user: User) -> dict[str, Any]:
    return {"id": user.pk, "name": user.get_full_name() or user.email, "email": user.email}


PERSON_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "email": {"type": "string"},
    },
}
UTILISATION_SCHEMA = {
    "type": "object",
    "properties": {
        "days_used": {"type": "integer"},
        "days_reserved": {"type": "integer"},
        "percent": {"type": "string", "nullable": True, "description": "e.g. 87.5"},
        "below_threshold": {"type": "boolean"},
    },
}
FIGURES_SCHEMA = {
    "type": "object",
    "properties": {
        "actual": {"type": "string"},
        "committed": {"type": "string"},
        "forecast": {"type": "string"},
        "remaining": {"type": "string"},
        "placements": {"type": "integer"},
        "by_route": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}


@extend_schema_field(PERSON_SCHEMA)
class PersonField(serializers.Field):
    def to_representation(self, value: User) -> dict[str, Any]:
        return _person(value)


# --- Read shapes ----------------------------------------------------------------------------


class TermsVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = TermsVersion
        fields = [
            "id",
            "title",
            "version",
            "effective_from",
            "text",
            "document",
            "change_summary",
            "created_at",
        ]
        read_only_fields = fields


class LotSerializer(serializers.ModelSerializer):
    service_type_label = serializers.CharField(source="get_service_type_display", read_only=True)

    class Meta:
        model = Lot
        fields = [
            "id",
            "framework",
            "number",
            "name",
            "service_type",
            "service_type_label",
            "age_min",
            "age_max",
            "description",
        ]
        read_only_fields = fields


class FrameworkSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    terms_version_number = serializers.IntegerField(source="terms_version.version", read_only=True)
    lead_manager = PersonField(read_only=True)
    deputy_manager = PersonField(read_only=True)
    consultation_opens_on = serializers.DateField(read_only=True)
    decision_date = serializers.DateField(read_only=True)
    lots = LotSerializer(many=True, read_only=True)

    class Meta:
        model = Framework
        fields = [
            "id",
            "owner",
            "owner_name",
            "kind",
            "reference",
            "title",
            "specification_summary",
            "terms_version",
            "terms_version_number",
            "start_date",
            "end_date",
            "extension_options",
            "extension_months",
            "extension_decision_date",
            "decision_date",
            "consultation_months",
            "consultation_opens_on",
            "application_opens",
            "application_closes",
            "lead_manager",
            "deputy_manager",
            "lots",
        ]
        read_only_fields = fields


class EnrolmentSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.organisation.name", read_only=True)
    provider_kind = serializers.CharField(source="provider.organisation.kind", read_only=True)
    framework = serializers.IntegerField(source="lot.framework_id", read_only=True)

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "lot",
            "framework",
            "provider",
            "provider_name",
            "provider_kind",
            "status",
            "applied_on",
            "accepted_on",
            "suspended_on",
            "left_on",
            "notes",
        ]
        read_only_fields = fields


class SupportPriceSerializer(serializers.ModelSerializer):
    class Meta:
        model = SupportPrice
        fields = ["kind", "weekly_cost", "description"]
        read_only_fields = fields


class PriceScheduleSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.organisation.name", read_only=True)
    provider_kind = serializers.CharField(source="provider.organisation.kind", read_only=True)
    framework = serializers.IntegerField(source="lot.framework_id", read_only=True)
    framework_reference = serializers.CharField(source="lot.framework.reference", read_only=True)
    owner_name = serializers.CharField(source="lot.framework.owner.name", read_only=True)
    lot_service_type = serializers.CharField(source="lot.service_type", read_only=True)
    specification_summary = serializers.CharField(
        source="lot.framework.specification_summary", read_only=True
    )
    terms_version = serializers.IntegerField(
        source="lot.framework.terms_version.version", read_only=True
    )
    support_prices = SupportPriceSerializer(many=True, read_only=True)

    class Meta:
        model = PriceSchedule
        fields = [
            "id",
            "provider",
            "provider_name",
            "provider_kind",
            "lot",
            "lot_service_type",
            "framework",
            "framework_reference",
            "owner_name",
            "valid_from",
            "valid_to",
            *FEE_FIELDS,
            "support_prices",
            "specification_summary",
            "terms_version",
            "notes",
        ]
        read_only_fields = fields


@extend_schema_field(UTILISATION_SCHEMA)
class UtilisationField(serializers.Field):
    def to_representation(self, value: Any) -> dict[str, Any]:
        return {
            "days_used": value.days_used,
            "days_reserved": value.days_reserved,
            "percent": None if value.percent is None else str(value.percent),
            "below_threshold": value.below_threshold,
        }


class SoftBlockSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.organisation.name", read_only=True)
    terms_version_number = serializers.IntegerField(source="terms_version.version", read_only=True)
    utilisation = UtilisationField(read_only=True)

    class Meta:
        model = SoftBlock
        fields = [
            "id",
            "rcc",
            "provider",
            "provider_name",
            "lot",
            "reference",
            "places",
            "weekly_fee",
            "start_date",
            "end_date",
            "terms_version",
            "terms_version_number",
            "utilisation_threshold",
            "consultation_months",
            "utilisation",
            "notes",
        ]
        read_only_fields = fields


class AccountManagerSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.organisation.name", read_only=True)
    manager = PersonField(read_only=True)

    class Meta:
        model = AccountManager
        fields = ["id", "provider", "provider_name", "manager", "rccs", "since", "notes"]
        read_only_fields = fields


class DisputeStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = DisputeStep
        fields = ["id", "kind", "on", "notes"]
        read_only_fields = fields


class DisputeSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.organisation.name", read_only=True)
    steps = DisputeStepSerializer(many=True, read_only=True)

    class Meta:
        model = Dispute
        fields = [
            "id",
            "rcc",
            "provider",
            "provider_name",
            "framework",
            "soft_block",
            "title",
            "issue",
            "other_parties",
            "status",
            "raised_on",
            "outcome",
            "closed_on",
            "steps",
        ]
        read_only_fields = fields


class MeetingActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeetingAction
        fields = ["id", "description", "owner", "due_on", "done_on"]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.organisation.name", read_only=True)
    actions = MeetingActionSerializer(many=True, read_only=True)

    class Meta:
        model = PartnershipMeeting
        fields = [
            "id",
            "rcc",
            "provider",
            "provider_name",
            "framework",
            "held_on",
            "attendees",
            "notes",
            "actions",
        ]
        read_only_fields = fields


class AlertSerializer(serializers.ModelSerializer):
    # Low-utilisation alerts: the block's figures today (selectors.alerts_with_figures).
    message = serializers.SerializerMethodField()

    class Meta:
        model = ContractAlert
        fields = [
            "id",
            "owner",
            "kind",
            "framework",
            "soft_block",
            "event_date",
            "message",
            "raised_at",
            "dismissed_at",
        ]
        read_only_fields = fields

    def get_message(self, obj: ContractAlert) -> str:
        return str(getattr(obj, "text", obj.message))


@extend_schema_field(FIGURES_SCHEMA)
class BudgetFiguresField(serializers.Field):
    def to_representation(self, value: Any) -> dict[str, Any]:
        # Sums of money as strings, as DRF renders every decimal (and as the schema says).
        return {
            "actual": f"{value.actual:.2f}",
            "committed": f"{value.committed:.2f}",
            "forecast": f"{value.forecast:.2f}",
            "remaining": f"{value.remaining:.2f}",
            "placements": value.placements,
            "by_route": {route: f"{amount:.2f}" for route, amount in value.by_route.items()},
        }


class BudgetSerializer(serializers.ModelSerializer):
    la_name = serializers.CharField(source="la.name", read_only=True)
    year_label = serializers.CharField(read_only=True)
    figures = BudgetFiguresField(read_only=True)

    class Meta:
        model = PlacementBudget
        fields = [
            "id",
            "rcc",
            "la",
            "la_name",
            "financial_year",
            "year_label",
            "amount",
            "figures",
            "notes",
        ]
        read_only_fields = fields


class InHouseCostSerializer(serializers.ModelSerializer):
    service_name = serializers.CharField(source="service.organisation.name", read_only=True)
    full_weekly_cost = serializers.DecimalField(max_digits=9, decimal_places=2, read_only=True)

    class Meta:
        model = InHouseCost
        fields = [
            "id",
            "service",
            "service_name",
            "financial_year",
            "allowance",
            "carer_fees",
            "support",
            "overheads",
            "full_weekly_cost",
            "notes",
        ]
        read_only_fields = fields


class SpecialistNeedSerializer(serializers.Serializer):
    domain = serializers.CharField(source="domain.code", read_only=True)
    min_level = serializers.CharField(source="min_level.code", read_only=True)


class SpecialistServiceSerializer(serializers.ModelSerializer):
    needs = SpecialistNeedSerializer(many=True, read_only=True)

    class Meta:
        model = SpecialistService
        fields = [
            "id",
            "name",
            "provider",
            "framework",
            "summary",
            "how_to_access",
            "contact_email",
            "contact_phone",
            "places",
            "is_active",
            "needs",
        ]
        read_only_fields = fields


# --- Input shapes ---------------------------------------------------------------------------


class TermsVersionInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    effective_from = serializers.DateField()
    change_summary = serializers.CharField(required=False, allow_blank=True, default="")
    text = serializers.CharField(required=False, allow_blank=True, default="")


class LotInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    service_type = serializers.ChoiceField(choices=LotService.choices, default=LotService.STANDARD)
    age_min = serializers.IntegerField(min_value=0, max_value=25, default=0)
    age_max = serializers.IntegerField(min_value=0, max_value=25, default=17)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class FrameworkInput(serializers.Serializer):
    owner = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.filter(kind__in=["rcc", "ncc"])
    )
    kind = serializers.ChoiceField(choices=ArrangementKind.choices)
    reference = serializers.CharField(max_length=40)
    title = serializers.CharField(max_length=200)
    specification_summary = serializers.CharField()
    terms_version = serializers.PrimaryKeyRelatedField(queryset=TermsVersion.objects.all())
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    lead_manager = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    deputy_manager = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True, default=None
    )
    extension_options = serializers.IntegerField(required=False, default=0)
    extension_months = serializers.IntegerField(required=False, default=12)
    extension_decision_date = serializers.DateField(required=False, allow_null=True, default=None)
    consultation_months = serializers.IntegerField(required=False, default=6)
    application_opens = serializers.DateField(required=False, allow_null=True, default=None)
    application_closes = serializers.DateField(required=False, allow_null=True, default=None)
    lots = LotInput(many=True, required=False, default=list)


class ExtendInput(serializers.Serializer):
    decision_date = serializers.DateField(required=False, allow_null=True, default=None)


class EnrolInput(serializers.Serializer):
    provider = serializers.PrimaryKeyRelatedField(queryset=Provider.objects.all())
    accept = serializers.BooleanField(required=False, default=False)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class EnrolmentStatusInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=EnrolmentStatus.choices)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class PriceScheduleInput(serializers.Serializer):
    """Weekly fees by age band (`fee_0_4` … `fee_18_plus`, blank for bands the lot does not
    cover) and support packages priced up front (`support_<kind>`)."""

    provider = serializers.PrimaryKeyRelatedField(queryset=Provider.objects.all())
    lot = ScopedPK(Lot)
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(required=False, allow_null=True, default=None)
    notes = serializers.CharField(required=False, allow_blank=True, default="")

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        for name in FEE_FIELDS:
            fields[name] = serializers.CharField(
                required=False, allow_blank=True, allow_null=True, default=None
            )
        for kind in SupportKind.values:
            fields[f"support_{kind}"] = serializers.CharField(
                required=False, allow_blank=True, allow_null=True, default=None
            )
        return fields

    def to_service(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        data["fees"] = {name: data.pop(name) for name in FEE_FIELDS}
        support = {kind: data.pop(f"support_{kind}") for kind in SupportKind.values}
        data["support"] = {
            kind: value for kind, value in support.items() if value not in (None, "")
        }
        return data


class PriceScheduleEndInput(serializers.Serializer):
    valid_to = serializers.DateField()


class SoftBlockInput(serializers.Serializer):
    rcc = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.filter(kind="rcc"))
    provider = serializers.PrimaryKeyRelatedField(queryset=Provider.objects.all())
    lot = ScopedPK(Lot, required=False, allow_null=True, default=None)
    reference = serializers.CharField(max_length=40)
    places = serializers.IntegerField()
    weekly_fee = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    terms_version = serializers.PrimaryKeyRelatedField(queryset=TermsVersion.objects.all())
    utilisation_threshold = serializers.IntegerField(required=False, default=80)
    consultation_months = serializers.IntegerField(required=False, default=3)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class AccountManagerInput(serializers.Serializer):
    provider = serializers.PrimaryKeyRelatedField(queryset=Provider.objects.all())
    manager = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    rccs = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.filter(kind="rcc"), many=True
    )
    since = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class DisputeInput(serializers.Serializer):
    rcc = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.filter(kind__in=["rcc", "ncc"])
    )
    provider = serializers.PrimaryKeyRelatedField(queryset=Provider.objects.all())
    framework = ScopedPK(Framework, required=False, allow_null=True, default=None)
    soft_block = ScopedPK(SoftBlock, required=False, allow_null=True, default=None)
    title = serializers.CharField(max_length=200)
    issue = serializers.CharField()
    other_parties = serializers.CharField(required=False, allow_blank=True, default="")
    raised_on = serializers.DateField()


class DisputeStepInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DisputeStepKind.choices)
    on = serializers.DateField()
    notes = serializers.CharField()


class DisputeCloseInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=[DisputeStatus.RESOLVED, DisputeStatus.WITHDRAWN])
    outcome = serializers.CharField()
    closed_on = serializers.DateField()


class MeetingActionInput(serializers.Serializer):
    description = serializers.CharField(max_length=300)
    owner = serializers.CharField(max_length=120)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)


class MeetingInput(serializers.Serializer):
    rcc = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.filter(kind__in=["rcc", "ncc"])
    )
    provider = serializers.PrimaryKeyRelatedField(queryset=Provider.objects.all())
    framework = ScopedPK(Framework, required=False, allow_null=True, default=None)
    held_on = serializers.DateField()
    attendees = serializers.CharField(required=False, allow_blank=True, default="")
    notes = serializers.CharField()
    actions = MeetingActionInput(many=True, required=False, default=list)


class ActionDoneInput(serializers.Serializer):
    action = serializers.IntegerField()


class BudgetInput(serializers.Serializer):
    la = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.filter(kind="la"))
    financial_year = serializers.IntegerField()
    amount = serializers.CharField()
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class InHouseCostInput(serializers.Serializer):
    service = serializers.PrimaryKeyRelatedField(queryset=Provider.objects.all())
    financial_year = serializers.IntegerField()
    allowance = serializers.CharField()
    carer_fees = serializers.CharField()
    support = serializers.CharField()
    overheads = serializers.CharField()
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class SpecialistServiceInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    summary = serializers.CharField()
    how_to_access = serializers.CharField()
    provider = serializers.PrimaryKeyRelatedField(
        queryset=Provider.objects.all(), required=False, allow_null=True, default=None
    )
    framework = ScopedPK(Framework, required=False, allow_null=True, default=None)
    contact_email = serializers.EmailField(required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(required=False, allow_blank=True, default="")
    places = serializers.IntegerField(required=False, allow_null=True, default=None)
    is_active = serializers.BooleanField(required=False, default=True)
    needs = serializers.ListField(
        child=serializers.CharField(),
        help_text='Need domain and lowest level served, like ["disability:high"]',
    )

    def validate_needs(self, value: list[str]) -> list[tuple[NeedDomain, NeedLevel]]:
        domains = {d.code: d for d in NeedDomain.objects.all()}
        levels = {lv.code: lv for lv in NeedLevel.objects.all()}
        out = []
        for item in value:
            code, _, level = item.partition(":")
            if code not in domains or level not in levels:
                raise serializers.ValidationError(
                    f"{item!r}: give a need domain code and a level code, like disability:high."
                )
            out.append((domains[code], levels[level]))
        return out


class ScheduledFeeQuery(serializers.Serializer):
    provider = serializers.PrimaryKeyRelatedField(queryset=Provider.objects.all())
    age = serializers.IntegerField(min_value=0, max_value=25)
    on = serializers.DateField()
    care_types = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Comma-separated CareType codes"
    )
    rcc = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.filter(kind="rcc"),
        required=False,
        allow_null=True,
        default=None,
    )
