"""Admin of organisations: an administrator keeps their details, such as the Ofsted URN of an
IFA or of an LA fostering service (the DfE return carries it onto each placement)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from .kinds import OrganisationKind
from .models import Organisation
from .services import normalise_ofsted_urn

OFSTED_REGISTERED = (OrganisationKind.IFA, OrganisationKind.LA_SERVICE)


class OrganisationAdminForm(forms.ModelForm):
    website = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = [
            "kind",
            "name",
            "short_name",
            "email",
            "phone",
            "website",
            "is_active",
            "dfe_la_code",
            "gss_code",
            "region",
            "la_type",
            "latitude",
            "longitude",
            "population",
            "combined_authority",
            "ofsted_urn",
            "sector",
            "owning_la",
            "rcc",
        ]
        help_texts = {
            "ofsted_urn": (
                "IFAs and LA fostering services: as on the Ofsted report, such as SC123456."
            )
        }

    def clean_ofsted_urn(self) -> str:
        urn = normalise_ofsted_urn(self.cleaned_data.get("ofsted_urn", ""))
        if urn is None:
            raise forms.ValidationError(
                "Enter the Ofsted URN as on the Ofsted report, such as SC123456 or 1234567."
            )
        return urn

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("ofsted_urn") and cleaned.get("kind") not in OFSTED_REGISTERED:
            self.add_error(
                "ofsted_urn",
                "Only an IFA or an LA fostering service has an Ofsted URN (as a fostering "
                "service).",
            )
        return cleaned


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    form = OrganisationAdminForm
    list_display = ["name", "kind", "dfe_la_code", "ofsted_urn", "owning_la", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name", "dfe_la_code", "ofsted_urn"]
    list_select_related = ["owning_la"]
    raw_id_fields = ["owning_la", "rcc"]
