"""Forms for keeping the register current: one household (with carers, skills and vacancies
on the same page), the file upload, a vacancy's status and the one-click confirmation.

Forms only check types; the rules are in `validation` (through the services), whose errors
`HouseholdForms.apply_errors` puts back next to the field the user typed in.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.forms import formset_factory

from apps.core.errors import DomainError
from apps.core.forms import date_field

from .choices import (
    CARE_TYPE_CHOICES,
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
from .importer import MAX_UPLOAD_BYTES, MAX_VACANCIES, TEMPLATE_CARERS
from .models import Household, Provider

BLANK = [("", "Choose one")]


class ProviderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Provider) -> str:  # type: ignore[override]
        return obj.name


def _provider_field(providers: list[Provider]) -> ProviderChoiceField:
    return ProviderChoiceField(
        queryset=Provider.objects.filter(pk__in=[p.pk for p in providers]).select_related(
            "organisation"
        ),
        label="Provider",
        empty_label="Choose a provider",
    )


class HouseholdForm(forms.Form):
    reference = forms.CharField(
        max_length=40,
        help_text="Your own reference for the household. It cannot be changed later.",
    )
    status = forms.ChoiceField(choices=HouseholdStatus.choices, initial=HouseholdStatus.ACTIVE)
    approved_on = date_field(
        "Approved on",
        required=False,
        help_text="The day the household was approved. Leave blank for today.",
    )
    approval_ended_on = date_field(
        "Approval ended on",
        required=False,
        help_text="Only when the carers resigned or were deregistered.",
    )
    approval_end_reason = forms.ChoiceField(
        choices=[("", "—"), *ApprovalEndReason.choices],
        required=False,
        label="Why the approval ended",
    )
    postcode_district = forms.CharField(
        max_length=8,
        label="Postcode district",
        help_text="The first half of the postcode, for example M14.",
    )
    age_min = forms.IntegerField(label="Youngest age approved")
    age_max = forms.IntegerField(label="Oldest age approved")
    places = forms.IntegerField(label="Approved places")
    max_sibling_group = forms.IntegerField(label="Largest sibling group", initial=1)
    care_types = forms.MultipleChoiceField(
        choices=CARE_TYPE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Types of care approved",
    )
    bedrooms = forms.IntegerField(label="Spare bedrooms", initial=1)
    pets = forms.CharField(
        required=False, max_length=200, help_text="Leave blank when there are none."
    )
    adaptations = forms.CharField(
        required=False,
        max_length=300,
        label="Adaptations the home has",
        help_text="Such as wheelchair access or a ground-floor bedroom. Leave blank when none.",
    )
    other_children_ages = forms.CharField(
        required=False,
        label="Ages of other children at home",
        help_text="Separate the ages with semicolons, for example 6;11.",
    )
    preferences = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Carers' stated preferences"
    )

    def __init__(
        self,
        *args: Any,
        domains: list[Any],
        levels: list[Any],
        providers: list[Provider] | None = None,
        editing: bool = False,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        if providers and len(providers) > 1 and not editing:
            self.fields = {"provider": _provider_field(providers), **self.fields}
        if editing:
            self.fields["reference"].disabled = True
            self.fields["reference"].help_text = ""
        self.domain_codes = [d.code for d in domains]
        level_choices = [("", "No particular skill")] + [(str(lv.rank), lv.name) for lv in levels]
        for domain in domains:
            self.fields[f"skill_{domain.code}"] = forms.TypedChoiceField(
                choices=level_choices,
                coerce=int,
                empty_value=None,
                required=False,
                label=domain.name,
            )

    def clean_other_children_ages(self) -> list[int]:
        text = self.cleaned_data.get("other_children_ages", "")
        parts = [p.strip() for p in re.split(r"[;,\s]+", text) if p.strip()]
        if not all(re.fullmatch(r"\d+", p) for p in parts):
            raise forms.ValidationError(
                "Give each age as a whole number, separated by semicolons, for example 6;11."
            )
        return [int(p) for p in parts]

    def skill_fields(self) -> list[forms.BoundField]:
        return [self[f"skill_{code}"] for code in self.domain_codes]


class CarerForm(forms.Form):
    age_band = forms.ChoiceField(
        choices=BLANK + list(AgeBand.choices), required=False, label="Age band"
    )
    sex = forms.ChoiceField(choices=BLANK + list(Sex.choices), required=False)
    ethnicity = forms.ChoiceField(choices=BLANK + list(Ethnicity.choices), required=False)
    religion = forms.ChoiceField(
        choices=list(Religion.choices), required=False, initial=Religion.NOT_STATED
    )
    languages = forms.MultipleChoiceField(
        choices=list(LANGUAGES.items()), widget=forms.CheckboxSelectMultiple, required=False
    )

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(
            data.get(f) for f in ("age_band", "sex", "ethnicity", "languages")
        ) and data.get("religion") in ("", None, Religion.NOT_STATED)


class VacancyForm(forms.Form):
    reference = forms.CharField(
        max_length=40, required=False, help_text="Your reference for this place."
    )
    available_from = date_field("Free from", required=False)
    status = forms.ChoiceField(
        choices=VacancyStatus.choices, initial=VacancyStatus.OPEN, required=False
    )
    hold_reason = forms.CharField(max_length=200, required=False, label="Reason it is on hold")

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not (data.get("reference") or data.get("available_from") or data.get("hold_reason"))


CarerFormSet = formset_factory(
    CarerForm, extra=0, max_num=TEMPLATE_CARERS, absolute_max=TEMPLATE_CARERS
)
VacancyFormSet = formset_factory(
    VacancyForm, extra=2, can_delete=True, max_num=MAX_VACANCIES, absolute_max=MAX_VACANCIES
)


class HouseholdForms:
    """The household form with its carers and vacancies, as one page."""

    def __init__(
        self,
        data: Any = None,
        *,
        household: Household | None,
        domains: list[Any],
        levels: list[Any],
        providers: list[Provider] | None = None,
    ):
        editing = household is not None
        initial, carers, vacancies = _initial(household) if household else ({}, [], [])
        carers += [{}] * (TEMPLATE_CARERS - len(carers))
        self.household = HouseholdForm(
            data,
            initial=initial,
            domains=domains,
            levels=levels,
            providers=providers,
            editing=editing,
        )
        self.carers = CarerFormSet(data, initial=carers, prefix="carer")
        self.vacancies = VacancyFormSet(data, initial=vacancies, prefix="vacancy")
        self._paths: dict[str, tuple[forms.Form, str]] = {}
        self.reference = household.reference if household else None

    def is_valid(self) -> bool:
        return all([self.household.is_valid(), self.carers.is_valid(), self.vacancies.is_valid()])

    @property
    def provider(self) -> Provider | None:
        return self.household.cleaned_data.get("provider")

    def to_data(self) -> dict[str, Any]:
        """The household as the services take it; remembers which form each path came from."""
        h = self.household.cleaned_data
        data: dict[str, Any] = {
            k: h.get(k)
            for k in (
                "reference",
                "status",
                "approved_on",
                "approval_ended_on",
                "approval_end_reason",
                "postcode_district",
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
            )
        }
        if self.reference is not None:
            data["reference"] = self.reference
        for key in data:
            self._paths[key] = (self.household, key)
        data["carers"] = []
        for form in self.carers.forms:
            if form.is_blank():
                continue
            i = len(data["carers"])
            for f in CarerForm.base_fields:
                self._paths[f"carers.{i}.{f}"] = (form, f)
            data["carers"].append(
                {k: v for k, v in form.cleaned_data.items() if v not in ("", None)}
            )
        data["skills"] = []
        for code in self.household.domain_codes:
            level = h.get(f"skill_{code}")
            if level is None:
                continue
            i = len(data["skills"])
            self._paths[f"skills.{i}.domain"] = (self.household, f"skill_{code}")
            self._paths[f"skills.{i}.level"] = (self.household, f"skill_{code}")
            data["skills"].append({"domain": code, "level": level})
        data["vacancies"] = []
        for vform in self.vacancies.forms:
            if vform.cleaned_data.get("DELETE") or vform.is_blank():
                continue
            i = len(data["vacancies"])
            for f in VacancyForm.base_fields:
                self._paths[f"vacancies.{i}.{f}"] = (vform, f)
            values = {
                k: v for k, v in vform.cleaned_data.items() if k != "DELETE" and v not in ("", None)
            }
            data["vacancies"].append(values)
        self._paths["carers"] = (self.carers.forms[0], "age_band")
        return data

    def apply_errors(self, error: DomainError) -> None:
        """Show each of the service's errors next to the field it is about."""
        errors = error.errors or {error.field or "__all__": [error.message]}
        for path, messages in errors.items():
            form, field = self._paths.get(path, (self.household, None))
            for message in messages:
                if field is None or field not in form.fields:
                    self.household.add_error(None, message)
                else:
                    form.add_error(field, message)

    @property
    def error_list(self) -> list[tuple[str, str]]:
        """(field id, message) for the error summary, in page order."""
        out = []
        for form in [self.household, *self.carers.forms, *self.vacancies.forms]:
            for message in form.non_field_errors():
                out.append(("", str(message)))
            for bound in form:
                for message in bound.errors:
                    suffix = (
                        "_0"
                        if bound.widget_type in ("checkboxselectmultiple", "radioselect")
                        else ""
                    )
                    out.append((bound.auto_id + suffix, str(message)))
        return out


def _initial(
    household: Household,
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    initial: dict[str, Any] = {
        "reference": household.reference,
        "status": household.status,
        "approved_on": household.approved_on,
        "approval_ended_on": household.approval_ended_on,
        "approval_end_reason": household.approval_end_reason,
        "postcode_district": household.postcode_district_id,
        "age_min": household.age_min,
        "age_max": household.age_max,
        "places": household.places,
        "max_sibling_group": household.max_sibling_group,
        "care_types": care_types_from_mask(household.care_types),
        "bedrooms": household.bedrooms,
        "pets": household.pets,
        "adaptations": household.adaptations,
        "other_children_ages": ";".join(str(a) for a in household.other_children_ages),
        "preferences": household.preferences,
    }
    for skill in household.skills.all():
        initial[f"skill_{skill.domain.code}"] = str(skill.level.rank)
    carers = [
        {
            "age_band": c.age_band,
            "sex": c.sex,
            "ethnicity": c.ethnicity,
            "religion": c.religion,
            "languages": c.languages,
        }
        for c in household.carers.all()
    ]
    vacancies = [
        {
            "reference": v.reference,
            "available_from": v.available_from,
            "status": v.status,
            "hold_reason": v.hold_reason,
        }
        for v in household.vacancies.all()
    ]
    return initial, carers, vacancies


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Register file",
        help_text="The template filled in, as .csv or .xlsx, "
        f"up to {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args: Any, providers: list[Provider], **kwargs: Any):
        super().__init__(*args, **kwargs)
        if len(providers) > 1:
            self.fields = {"provider": _provider_field(providers), **self.fields}


class ConfirmForm(forms.Form):
    def __init__(self, *args: Any, providers: list[Provider], **kwargs: Any):
        super().__init__(*args, **kwargs)
        if len(providers) > 1:
            self.fields["provider"] = _provider_field(providers)


class VacancyStatusForm(forms.Form):
    status = forms.ChoiceField(choices=VacancyStatus.choices, widget=forms.RadioSelect)
    hold_reason = forms.CharField(
        max_length=200,
        required=False,
        label="Reason it is on hold",
        help_text="Needed when the place is on hold.",
    )
