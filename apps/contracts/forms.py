"""Forms parse input only; every rule is checked by the service the view calls."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.core.forms import date_field
from apps.needs.models import NeedDomain, NeedLevel
from apps.organisations.kinds import OrganisationKind
from apps.organisations.models import Organisation, RccMembership
from apps.providers.models import Provider
from apps.referrals.choices import SupportKind

from .choices import (
    FEE_BANDS,
    ArrangementKind,
    DisputeStatus,
    DisputeStepKind,
    EnrolmentStatus,
    LotService,
)
from .models import Framework, Lot, SoftBlock, TermsVersion
from .services._common import managed_owner_ids

LOTS_ON_CREATE = 4
ACTIONS_ON_MEETING = 3


def money_field(label: str, *, required: bool = False, help_text: str = "") -> forms.DecimalField:
    # No min_value: the service explains a negative amount in the domain's words.
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=12,
        decimal_places=2,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
    )


def managed_owners(
    user: User, *, kinds: tuple[str, ...] = (OrganisationKind.RCC, OrganisationKind.NCC)
) -> QuerySet[Organisation]:
    ids = managed_owner_ids(user)
    qs = Organisation.objects.filter(kind__in=kinds).order_by("name")
    return qs if ids is None else qs.filter(pk__in=ids)


def _owner_field(form: forms.Form, name: str, queryset: QuerySet[Organisation], label: str) -> None:
    form.fields[name] = forms.ModelChoiceField(queryset=queryset, label=label)
    if queryset.count() == 1:
        form.fields[name].initial = queryset.first()
        form.fields[name].widget = forms.HiddenInput()


def _providers() -> QuerySet[Provider]:
    return Provider.objects.select_related("organisation").order_by("organisation__name")


class LotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Lot) -> str:
        return f"{obj.framework.reference} - Lot {obj.number}: {obj.name}"


class ProviderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Provider) -> str:
        kind = "LA service" if obj.organisation.kind == OrganisationKind.LA_SERVICE else "IFA"
        return f"{obj.organisation.name} ({kind})"


class TermsVersionForm(forms.Form):
    title = forms.CharField(
        max_length=200, initial="National terms and conditions for fostering placements"
    )
    effective_from = date_field("Takes effect on")
    change_summary = forms.CharField(
        label="What changed", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    text = forms.CharField(
        label="Text of the terms", widget=forms.Textarea(attrs={"rows": 10}), required=False
    )
    document = forms.FileField(label="Or attach the document (PDF)", required=False)


class FrameworkForm(forms.Form):
    kind = forms.ChoiceField(
        choices=ArrangementKind.choices, widget=forms.RadioSelect, initial=ArrangementKind.FRAMEWORK
    )
    reference = forms.CharField(max_length=40, help_text="Your reference, like GM-FC-2026")
    title = forms.CharField(max_length=200)
    specification_summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Shown beside every fee on this framework",
    )
    terms_version = forms.ModelChoiceField(
        queryset=TermsVersion.objects.all(), label="National terms version"
    )
    start_date = date_field("Term starts")
    end_date = date_field("Term ends")
    extension_options = forms.IntegerField(
        min_value=0, max_value=5, initial=2, label="Extension options"
    )
    extension_months = forms.IntegerField(
        min_value=1, max_value=60, initial=12, label="Months per extension"
    )
    extension_decision_date = date_field("Extension decision date", required=False)
    consultation_months = forms.IntegerField(
        min_value=1,
        max_value=36,
        initial=6,
        label="Consultation window (months before the decision)",
    )
    application_opens = date_field("Applications open", required=False, help_text="Frameworks only")
    application_closes = date_field(
        "Applications close", required=False, help_text="Frameworks only"
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owners = managed_owners(user)
        _owner_field(self, "owner", owners, "Owner")
        people = (
            User.objects.filter(
                memberships__organisation__in=owners,
                memberships__role__in=[Role.COMMISSIONER, Role.NCC_ANALYST],
            )
            .distinct()
            .order_by("last_name", "first_name")
        )
        self.fields["lead_manager"] = forms.ModelChoiceField(
            queryset=people, label="Lead contract manager"
        )
        self.fields["deputy_manager"] = forms.ModelChoiceField(
            queryset=people, label="Deputy contract manager", required=False
        )
        current = TermsVersion.objects.current()
        if current:
            self.fields["terms_version"].initial = current.pk
        for i in range(1, LOTS_ON_CREATE + 1):
            self.fields[f"lot_{i}_name"] = forms.CharField(
                label=f"Lot {i} name", required=False, max_length=120
            )
            self.fields[f"lot_{i}_service_type"] = forms.ChoiceField(
                label=f"Lot {i} service type",
                choices=LotService.choices,
                initial=LotService.STANDARD,
            )
            self.fields[f"lot_{i}_age_min"] = forms.IntegerField(
                label=f"Lot {i} youngest age", initial=0, min_value=0, max_value=25
            )
            self.fields[f"lot_{i}_age_max"] = forms.IntegerField(
                label=f"Lot {i} oldest age", initial=17, min_value=0, max_value=25
            )

    def lot_rows(self) -> list[list[Any]]:
        return [
            [self[f"lot_{i}_{part}"] for part in ("name", "service_type", "age_min", "age_max")]
            for i in range(1, LOTS_ON_CREATE + 1)
        ]

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        lots = []
        for i in range(1, LOTS_ON_CREATE + 1):
            name = data.pop(f"lot_{i}_name")
            row = {
                "name": name,
                "service_type": data.pop(f"lot_{i}_service_type"),
                "age_min": data.pop(f"lot_{i}_age_min"),
                "age_max": data.pop(f"lot_{i}_age_max"),
            }
            if name:
                lots.append(row)
        data["lots"] = lots
        return data


class LotForm(forms.Form):
    name = forms.CharField(max_length=120)
    service_type = forms.ChoiceField(choices=LotService.choices)
    age_min = forms.IntegerField(label="Youngest age", min_value=0, max_value=25, initial=0)
    age_max = forms.IntegerField(label="Oldest age", min_value=0, max_value=25, initial=17)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class FrameworkExtendForm(forms.Form):
    decision_date = date_field("Next extension decision date", required=False)


class AdoptTermsForm(forms.Form):
    terms_version = forms.ModelChoiceField(
        queryset=TermsVersion.objects.all(), label="Move to national terms version"
    )


class EnrolForm(forms.Form):
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(
        self, *args: Any, providers: QuerySet[Provider], can_accept: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"] = ProviderChoiceField(queryset=providers, label="Provider")
        if providers.count() == 1:
            self.fields["provider"].initial = providers.first()
            self.fields["provider"].widget = forms.HiddenInput()
        if can_accept:
            self.fields["accept"] = forms.BooleanField(
                required=False,
                label="Accept now",
                help_text="The provider has met the lot's conditions",
            )
        self.order_fields(["provider", "accept", "notes"])


class EnrolmentStatusForm(forms.Form):
    status = forms.ChoiceField(choices=EnrolmentStatus.choices, label="New status")
    notes = forms.CharField(required=False, label="Reason")


class PriceScheduleForm(forms.Form):
    valid_from = date_field("Applies from")
    valid_to = date_field("Applies until", required=False, help_text="Leave blank for open-ended")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lots = (
            Lot.objects.filter(framework__in=Framework.objects.managed_by(user))
            .select_related("framework")
            .order_by("framework__reference", "number")
        )
        self.fields["lot"] = LotChoiceField(queryset=lots, label="Lot")
        self.fields["provider"] = ProviderChoiceField(queryset=_providers(), label="Provider")
        for suffix, _lo, _hi, label in FEE_BANDS:
            self.fields[f"fee_{suffix}"] = money_field(f"Age {label}")
        for kind, label in SupportKind.choices:
            self.fields[f"support_{kind}"] = money_field(label)
        self.order_fields(["lot", "provider", "valid_from", "valid_to"])

    def fee_fields(self) -> list[Any]:
        return [self[f"fee_{suffix}"] for suffix, *_ in FEE_BANDS]

    def support_fields(self) -> list[Any]:
        return [self[f"support_{kind}"] for kind in SupportKind.values]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "lot": data["lot"],
            "provider": data["provider"],
            "valid_from": data["valid_from"],
            "valid_to": data["valid_to"],
            "notes": data["notes"],
            "fees": {f"fee_{suffix}": data[f"fee_{suffix}"] for suffix, *_ in FEE_BANDS},
            "support": {
                kind: data[f"support_{kind}"]
                for kind in SupportKind.values
                if data[f"support_{kind}"] is not None
            },
        }


class PriceScheduleEndForm(forms.Form):
    valid_to = date_field("Last day this schedule applies")


class SoftBlockForm(forms.Form):
    reference = forms.CharField(max_length=40)
    places = forms.IntegerField(label="Places reserved", min_value=0)
    weekly_fee = money_field("Agreed weekly fee per place", required=True)
    start_date = date_field("Starts")
    end_date = date_field("Ends")
    terms_version = forms.ModelChoiceField(
        queryset=TermsVersion.objects.all(), label="National terms version"
    )
    utilisation_threshold = forms.IntegerField(
        label="Alert when utilisation falls below (%)", min_value=0, max_value=100, initial=80
    )
    consultation_months = forms.IntegerField(
        label="Consultation window (months before the end)", min_value=1, max_value=24, initial=3
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _owner_field(self, "rcc", managed_owners(user, kinds=(OrganisationKind.RCC,)), "RCC")
        self.fields["provider"] = ProviderChoiceField(queryset=_providers(), label="Provider")
        lots = Lot.objects.filter(framework__in=Framework.objects.managed_by(user)).select_related(
            "framework"
        )
        self.fields["lot"] = LotChoiceField(queryset=lots, label="Lot (optional)", required=False)
        current = TermsVersion.objects.current()
        if current:
            self.fields["terms_version"].initial = current.pk
        self.order_fields(["rcc", "provider", "lot", "reference", "places", "weekly_fee"])


class DisputeForm(forms.Form):
    title = forms.CharField(max_length=200)
    issue = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), label="The issue")
    other_parties = forms.CharField(max_length=300, required=False, label="Other parties (if any)")
    raised_on = date_field("Raised on")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owners = managed_owners(user)
        _owner_field(self, "rcc", owners, "RCC")
        self.fields["provider"] = ProviderChoiceField(queryset=_providers(), label="Provider")
        self.fields["framework"] = forms.ModelChoiceField(
            queryset=Framework.objects.filter(owner__in=owners),
            required=False,
            label="Framework or DPS (optional)",
        )
        self.fields["soft_block"] = forms.ModelChoiceField(
            queryset=SoftBlock.objects.filter(rcc__in=owners).select_related(
                "provider__organisation"
            ),
            required=False,
            label="Soft block (optional)",
        )
        self.order_fields(["rcc", "provider", "framework", "soft_block", "title", "issue"])


class DisputeStepForm(forms.Form):
    kind = forms.ChoiceField(choices=DisputeStepKind.choices, label="Step")
    on = date_field("Date")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="What happened")


class DisputeCloseForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(DisputeStatus.RESOLVED, "Resolved"), (DisputeStatus.WITHDRAWN, "Withdrawn")],
        widget=forms.RadioSelect,
        label="Outcome",
    )
    outcome = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="What was agreed")
    closed_on = date_field("Closed on")


class MeetingForm(forms.Form):
    held_on = date_field("Held on")
    attendees = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owners = managed_owners(user)
        _owner_field(self, "rcc", owners, "RCC")
        self.fields["provider"] = ProviderChoiceField(queryset=_providers(), label="Provider")
        self.fields["framework"] = forms.ModelChoiceField(
            queryset=Framework.objects.filter(owner__in=owners),
            required=False,
            label="Framework or DPS (optional)",
        )
        for i in range(1, ACTIONS_ON_MEETING + 1):
            self.fields[f"action_{i}_description"] = forms.CharField(
                label=f"Action {i}", required=False, max_length=300
            )
            self.fields[f"action_{i}_owner"] = forms.CharField(
                label=f"Action {i}: who", required=False, max_length=120
            )
            self.fields[f"action_{i}_due_on"] = date_field(f"Action {i}: due", required=False)
        self.order_fields(["rcc", "provider", "framework", "held_on", "attendees", "notes"])

    def action_rows(self) -> list[list[Any]]:
        return [
            [self[f"action_{i}_{p}"] for p in ("description", "owner", "due_on")]
            for i in range(1, ACTIONS_ON_MEETING + 1)
        ]

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        actions = []
        for i in range(1, ACTIONS_ON_MEETING + 1):
            actions.append(
                {p: data.pop(f"action_{i}_{p}") for p in ("description", "owner", "due_on")}
            )
        data["actions"] = actions
        return data


class AccountManagerForm(forms.Form):
    since = date_field("Since")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"] = ProviderChoiceField(queryset=_providers(), label="Provider")
        self.fields["manager"] = forms.ModelChoiceField(
            queryset=User.objects.filter(
                memberships__role__in=[Role.COMMISSIONER, Role.NCC_ANALYST]
            )
            .distinct()
            .order_by("last_name"),
            label="Account manager",
        )
        self.fields["rccs"] = forms.ModelMultipleChoiceField(
            queryset=Organisation.objects.rccs().order_by("name"),
            widget=forms.CheckboxSelectMultiple,
            label="RCCs covered",
        )
        self.order_fields(["provider", "manager", "rccs", "since", "notes"])


class BudgetForm(forms.Form):
    financial_year = forms.IntegerField(
        label="Financial year", help_text="The year it starts: 2025 for 2025-26"
    )
    amount = money_field("Placement budget (£)", required=True)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = managed_owner_ids(user)
        las = Organisation.objects.local_authorities().order_by("name")
        if ids is not None:
            las = las.filter(
                pk__in=RccMembership.objects.current().filter(rcc_id__in=ids).values("la_id")
            )
        self.fields["la"] = forms.ModelChoiceField(queryset=las, label="Local authority")
        self.order_fields(["la", "financial_year", "amount", "notes"])


class InHouseCostForm(forms.Form):
    financial_year = forms.IntegerField(
        label="Financial year", help_text="The year it starts: 2025 for 2025-26"
    )
    allowance = money_field("Carer allowance a week (£)", required=True)
    carer_fees = money_field("Fees to carers a week (£)", required=True)
    support = money_field(
        "Support a week (£)",
        required=True,
        help_text="Supervising social work, training, therapy, respite",
    )
    overheads = money_field(
        "Overheads a week (£)",
        required=True,
        help_text="Recruitment, assessment, management, premises",
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        services = _providers().filter(organisation__kind=OrganisationKind.LA_SERVICE)
        ids = managed_owner_ids(user)
        if ids is not None:
            member_las = RccMembership.objects.current().filter(rcc_id__in=ids).values("la_id")
            own = user.memberships.filter(role=Role.PROVIDER_DATA).values("organisation_id")
            services = services.filter(organisation__owning_la__in=member_las) | services.filter(
                pk__in=own
            )
        self.fields["service"] = ProviderChoiceField(
            queryset=services.distinct(), label="LA fostering service"
        )
        self.order_fields(["service", "financial_year"])


class SpecialistServiceForm(forms.Form):
    name = forms.CharField(max_length=200)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    how_to_access = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), label="How hubs access it"
    )
    contact_email = forms.EmailField(required=False)
    contact_phone = forms.CharField(max_length=40, required=False)
    places = forms.IntegerField(min_value=0, required=False, label="Places commissioned")
    is_active = forms.BooleanField(required=False, initial=True, label="Open to referrals")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"] = ProviderChoiceField(
            queryset=_providers(), required=False, label="Provider (optional)"
        )
        self.fields["framework"] = forms.ModelChoiceField(
            queryset=Framework.objects.managed_by(user).filter(owner__kind=OrganisationKind.NCC),
            required=False,
            label="National framework (optional)",
        )
        levels = [("", "Not served")] + [
            (str(level.pk), f"From {level.name}") for level in NeedLevel.objects.filter(rank__gt=0)
        ]
        self.domains = list(NeedDomain.objects.active())
        for domain in self.domains:
            self.fields[f"need_{domain.code}"] = forms.ChoiceField(
                choices=levels, required=False, label=domain.name
            )

    def need_fields(self) -> list[Any]:
        return [self[f"need_{d.code}"] for d in self.domains]

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        levels = {str(level.pk): level for level in NeedLevel.objects.all()}
        needs = []
        for domain in self.domains:
            value = data.pop(f"need_{domain.code}")
            if value:
                needs.append((domain, levels[value]))
        data["needs"] = needs
        return data
