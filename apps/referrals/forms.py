"""Forms of the LA side: the child, a needs assessment, the referral's sections and co-design.

Forms only parse input; the services check the rules and raise DomainError, which the views
attach to the field named so the user keeps what they typed.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.forms.utils import ErrorDict

from apps.core.forms import date_field
from apps.needs.models import NeedDomain, NeedLevel
from apps.providers.choices import LANGUAGES, Ethnicity, Religion, Sex

from .choices import (
    RISK_TO_CHILD_FIELDS,
    RISK_TO_OTHERS_FIELDS,
    Communication,
    ContributorRole,
    Frequency,
    LegalStatus,
    LiveAlongside,
    PetsOk,
    ReviewStatus,
    RiskLevel,
    Suitability,
    SupportKind,
    Urgency,
)
from .format import SECTION_FIELDS, SHARED_TEXT_WARNING
from .models import Child, Referral


class ChildForm(forms.Form):
    local_identifier = forms.CharField(
        max_length=40,
        help_text=(
            "Your LA's reference for the child, such as MCR-C-0042: at most 10 characters, as "
            "the DfE return (SSDA903 CHILD) allows. Never the child's name."
        ),
    )
    case_system_id = forms.CharField(
        label="Case-system id",
        max_length=40,
        required=False,
        help_text="Kept on the LA's side: the hub and providers never see it.",
    )
    date_of_birth = date_field("Date of birth")
    sex = forms.ChoiceField(choices=Sex.choices, widget=forms.RadioSelect)
    ethnicity = forms.ChoiceField(choices=[("", "Choose one"), *Ethnicity.choices])
    religion = forms.ChoiceField(choices=Religion.choices, initial=Religion.NOT_STATED)
    languages = forms.MultipleChoiceField(
        choices=sorted(LANGUAGES.items(), key=lambda kv: str(kv[1])),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The languages the child speaks.",
    )
    legal_status = forms.ChoiceField(
        label="Legal status", choices=[("", "Choose one"), *LegalStatus.choices]
    )
    legal_status_from = date_field(
        "Legal status from",
        required=False,
        help_text=(
            "The date this legal status started. Leave blank for today. Not before the date of "
            "birth or in the future."
        ),
    )
    home_postcode = forms.CharField(
        label="Home postcode",
        max_length=10,
        required=False,
        help_text=(
            "The full postcode of the child's home, such as M14 5AB, for the DfE return and "
            "distances. Only your LA and the placing hub see it; providers see the district."
        ),
    )
    home_postcode_district = forms.CharField(
        label="Home postcode district (if the full postcode is not known)",
        max_length=8,
        required=False,
        help_text=(
            "The first part of the postcode only, such as M14. Taken from the full postcode "
            "when you give one."
        ),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (cleaned.get("home_postcode") or "").strip():
            # The district is the full postcode's: the service derives it.
            cleaned["home_postcode_district"] = ""
        return cleaned

    @classmethod
    def initial_for(cls, child: Child) -> dict[str, Any]:
        return {
            "local_identifier": child.local_identifier,
            "case_system_id": child.case_system_id,
            "date_of_birth": child.date_of_birth,
            "sex": child.sex,
            "ethnicity": child.ethnicity,
            "religion": child.religion,
            "languages": child.languages,
            "legal_status": child.legal_status,
            "home_postcode": child.home_postcode,
            "home_postcode_district": child.home_postcode_district_id or "",
        }


class NeedsAssessmentForm(forms.Form):
    """One level per active domain of the shared taxonomy (blank: not assessed this time)."""

    assessed_on = date_field("Date of the assessment")
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, previous: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.domains = list(NeedDomain.objects.active())
        levels = [(lv.code, lv.name) for lv in NeedLevel.objects.order_by("rank")]
        before = {}
        if previous is not None:
            before = {i.domain_id: i for i in previous.items.all()}
        for domain in self.domains:
            prior = before.get(domain.pk)
            self.fields[f"level_{domain.code}"] = forms.ChoiceField(
                label="Level",
                choices=[("", "Not assessed"), *levels],
                required=False,
                help_text=domain.description,
                initial=prior.level.code if prior else "",
            )
            self.fields[f"notes_{domain.code}"] = forms.CharField(
                label="Notes (optional)",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=prior.notes if prior else "",
            )

    def domain_rows(self) -> list[tuple[Any, Any, Any]]:
        return [(d, self[f"level_{d.code}"], self[f"notes_{d.code}"]) for d in self.domains]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(f"level_{d.code}") for d in self.domains):
            raise forms.ValidationError("Choose a level for at least one area of need.")
        return data

    def items(self) -> list[dict[str, str]]:
        return [
            {
                "domain": d.code,
                "level": self.cleaned_data[f"level_{d.code}"],
                "notes": self.cleaned_data.get(f"notes_{d.code}", ""),
            }
            for d in self.domains
            if self.cleaned_data.get(f"level_{d.code}")
        ]


# --- The referral, one section at a time -------------------------------------------------------


def _radio(
    choices: Any, label: str, *, blank: str | None = None, **kwargs: Any
) -> forms.ChoiceField:
    options = list(choices)
    if blank:
        options = [*options, ("", blank)]
    return forms.ChoiceField(
        label=label, choices=options, widget=forms.RadioSelect, required=False, **kwargs
    )


def _places_to_text(places: list[dict[str, str]]) -> str:
    return "\n".join(
        f"{p.get('district', '')}, {p.get('what', '')}, {p.get('frequency', '')}" for p in places
    )


class ReferralSectionForm(forms.Form):
    """Base: the fields of one section, filled from the referral; `values()` for the service."""

    section = ""

    def __init__(self, *args: Any, referral: Referral, **kwargs: Any) -> None:
        kwargs["initial"] = {**self.initial_for(referral), **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.referral = referral

    def initial_for(self, referral: Referral) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in SECTION_FIELDS[self.section]:
            value = getattr(referral, name)
            if name == "siblings":
                value = list(referral.siblings.values_list("pk", flat=True)) if referral.pk else []
            elif name.endswith("_postcode_district"):
                value = getattr(referral, f"{name}_id") or ""
            elif name == "places_to_reach":
                value = _places_to_text(value or [])
            elif name == "places_to_avoid":
                value = ", ".join(value or [])
            out[name] = value
        return out

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in SECTION_FIELDS[self.section]}


class TimescaleForm(ReferralSectionForm):
    section = "timescale"
    urgency = forms.ChoiceField(
        label="Is this placement planned or an emergency?",
        choices=Urgency.choices,
        widget=forms.RadioSelect,
    )
    latest_start_date = date_field(
        "Latest start date",
        required=False,
        help_text="The last date by which the child must be able to move in.",
    )
    siblings = forms.ModelMultipleChoiceField(
        label="Siblings to place with the child",
        queryset=Child.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Brothers and sisters in your LA's care who should live with this child. Find "
        "each one below, tick them, then save.",
        error_messages={
            "invalid_choice": "That child is not one of your LA's children: search again.",
            "invalid_pk_value": "That child is not one of your LA's children: search again.",
        },
    )
    sibling_search = forms.CharField(
        label="Find a brother or sister",
        required=False,
        max_length=40,
        help_text="Type at least 2 characters of the child's local identifier, or their "
        "case-system id, then choose Search.",
    )
    moving_from_placement = forms.BooleanField(
        label="The child is moving from a placement",
        required=False,
        help_text="If so, the current carer must review the referral before it is sent.",
    )

    SEARCH_LIMIT = 20

    def __init__(
        self, *args: Any, referral: Referral, searching: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, referral=referral, **kwargs)
        self.searching = searching
        field = self.fields["siblings"]
        candidates = Child.objects.filter(la_id=referral.la_id).exclude(pk=referral.child_id)
        field.queryset = candidates  # type: ignore[attr-defined]
        # Never every child of the LA: the ones ticked, and those the search finds.
        if self.is_bound:
            raw = self.data.getlist("siblings") if hasattr(self.data, "getlist") else []
            chosen = {int(v) for v in raw if str(v).isdigit()}
            term = str(self.data.get("sibling_search", "")).strip()
        else:
            chosen = set(self.initial.get("siblings") or [])
            term = ""
        shown = list(candidates.filter(pk__in=chosen).order_by("local_identifier"))
        self.search_term = term
        self.search_message = ""
        if searching:
            if len(term) < 2:
                self.search_message = "Type at least 2 characters to search."
            else:
                found = list(
                    candidates.filter(
                        Q(local_identifier__icontains=term) | Q(case_system_id__iexact=term)
                    )
                    .exclude(pk__in=chosen)
                    .order_by("local_identifier")[: self.SEARCH_LIMIT + 1]
                )
                if not found:
                    self.search_message = f"No other child of your LA matches “{term}”."
                elif len(found) > self.SEARCH_LIMIT:
                    found = found[: self.SEARCH_LIMIT]
                    self.search_message = (
                        f"The first {self.SEARCH_LIMIT} children matching “{term}”: type more "
                        "to narrow the search."
                    )
                else:
                    self.search_message = (
                        f"{len(found)} child{'ren' if len(found) != 1 else ''} matching “{term}”: "
                        "tick the brothers and sisters, then save."
                    )
                shown += found
        field.widget.choices = [  # type: ignore[attr-defined]
            (c.pk, f"{c.local_identifier} (born {c.date_of_birth:%Y})") for c in shown
        ]

    def full_clean(self) -> None:
        if self.searching:  # only finding siblings: nothing is checked or saved yet
            self._errors = ErrorDict()
            self.cleaned_data = {}
            return
        super().full_clean()

    def values(self) -> dict[str, Any]:
        out = super().values()
        out["siblings"] = list(out["siblings"] or [])
        return out


class LocationsForm(ReferralSectionForm):
    section = "locations"
    preferred_area = forms.CharField(
        label="Preferred area", max_length=200, required=False, help_text=SHARED_TEXT_WARNING
    )
    family_postcode_district = forms.CharField(
        label="Family's postcode district",
        max_length=8,
        required=False,
        help_text="The first part of the postcode only, such as M14.",
    )
    stay_close_to_family = forms.BooleanField(
        label="The child should stay close to family", required=False
    )
    school_postcode_district = forms.CharField(
        label="School's postcode district",
        max_length=8,
        required=False,
        help_text="The first part of the postcode only, such as M20.",
    )
    keep_school = forms.BooleanField(label="The child should keep their school", required=False)
    places_to_reach = forms.CharField(
        label="Other places the child must reach",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "One a line: postcode district, what it is, how often ("
            + ", ".join(Frequency.values)
            + "). For example: M14, contact centre, weekly"
        ),
    )
    places_to_avoid = forms.CharField(
        label="Places to avoid",
        required=False,
        help_text="Postcode districts separated by commas, such as M8, M9.",
    )

    def clean_places_to_reach(self) -> list[dict[str, str]]:
        out = []
        for n, line in enumerate(self.cleaned_data["places_to_reach"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(",")]
            if len(parts) < 3:
                raise forms.ValidationError(
                    f"Line {n}: give the postcode district, what it is and how often, "
                    "separated by commas."
                )
            out.append(
                {
                    "district": parts[0],
                    "what": ", ".join(parts[1:-1]),
                    "frequency": parts[-1].lower(),
                }
            )
        return out


class ProvisionForm(ReferralSectionForm):
    section = "provision"
    communication_needs = forms.MultipleChoiceField(
        label="Communication and language",
        choices=Communication.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    adaptations = forms.CharField(
        label="Adaptations to the home",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=SHARED_TEXT_WARNING,
    )
    cultural_religious_needs = forms.CharField(
        label="Cultural and religious needs",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Write 'none identified' if there are none. " + SHARED_TEXT_WARNING,
    )


class RecommendationsForm(ReferralSectionForm):
    section = "recommendations"
    live_alongside = _radio(LiveAlongside.choices, "Who the child can live alongside")
    pets_ok = forms.ChoiceField(label="Pets", choices=PetsOk.choices, widget=forms.RadioSelect)
    suitability_foster = _radio(Suitability.choices, "Foster care")
    suitability_residential = _radio(Suitability.choices, "Residential care")
    suitability_supported = _radio(Suitability.choices, "Supported accommodation")
    min_adults = forms.IntegerField(
        label="Minimum adults per child",
        required=False,
        min_value=1,
        max_value=4,
        help_text="For example 2 if the child needs two adults at home.",
    )
    siblings_may_share_bedroom = forms.BooleanField(
        label="Siblings placed together may share a bedroom",
        required=False,
        help_text="Leave unticked if each child of the sibling group needs a bedroom of their own.",
    )


def _risk_form(
    section: str, fields: tuple[tuple[str, str], ...], detail: str
) -> type[ReferralSectionForm]:
    attrs: dict[str, Any] = {"section": section}
    for name, label in fields:
        attrs[name] = _radio(RiskLevel.choices, label)
    attrs[detail] = forms.CharField(
        label="Describe the other risk",
        max_length=200,
        required=False,
        help_text=SHARED_TEXT_WARNING,
    )
    return type(f"{section.title().replace('-', '')}Form", (ReferralSectionForm,), attrs)


RisksToChildForm = _risk_form("risks-to-child", RISK_TO_CHILD_FIELDS, "risk_other_detail")
RisksToOthersForm = _risk_form("risks-to-others", RISK_TO_OTHERS_FIELDS, "harm_other_detail")


class SupportForm(ReferralSectionForm):
    section = "support"
    support_needed = forms.MultipleChoiceField(
        label="Additional support the home will need",
        choices=SupportKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class ViewsForm(ReferralSectionForm):
    section = "views"
    childs_views = forms.CharField(
        label="The child's views",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="In the child's own words where you can: what matters to them about a new home. "
        + SHARED_TEXT_WARNING,
    )


class AboutForm(ReferralSectionForm):
    section = "about"
    about_the_child = forms.CharField(
        label="About the child",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Strengths, interests, routines and what helps them settle. "
        + SHARED_TEXT_WARNING,
    )


SECTION_FORMS: dict[str, type[ReferralSectionForm]] = {
    form.section: form
    for form in (
        TimescaleForm,
        LocationsForm,
        ProvisionForm,
        RecommendationsForm,
        RisksToChildForm,
        RisksToOthersForm,
        SupportForm,
        ViewsForm,
        AboutForm,
    )
}


# --- Co-design, sending and withdrawing --------------------------------------------------------


class ReviewInviteForm(forms.Form):
    email = forms.EmailField(
        label="Their email address",
        help_text="They must already use this service. The current carer is represented by their "
        "provider's referrals officer.",
    )
    contributor_role = forms.ChoiceField(
        label="Who are they to the child?",
        choices=ContributorRole.choices,
        widget=forms.RadioSelect,
    )
    message = forms.CharField(
        label="Message (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReviewRespondForm(forms.Form):
    status = forms.ChoiceField(
        label="Do you agree with the referral?",
        choices=[
            (ReviewStatus.AGREED, "I agree with the referral as it stands"),
            (ReviewStatus.CHANGES, "I suggest changes"),
            (ReviewStatus.DECLINED, "I cannot review it"),
        ],
        widget=forms.RadioSelect,
    )
    comments = forms.CharField(
        label="Comments",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Needed if you suggest changes: say what should change and why.",
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(
        self, *args: Any, label: str = "Reason", help_text: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].help_text = help_text


class CohortForm(forms.Form):
    on = date_field("Needs as on", required=False)


class CareEpisodeForm(forms.Form):
    """One of the child's earlier placements, recorded by hand (SSDA903 codes)."""

    start_date = date_field("Started")
    end_date = date_field("Ended", required=False, help_text="Leave blank if it has not.")
    placement_type = forms.ChoiceField(label="Placement type (SSDA903 PLACE)", choices=[])
    placement_provider = forms.ChoiceField(
        label="Placement provider (SSDA903)", choices=[("", "Choose one")]
    )
    legal_status = forms.ChoiceField(
        label="Legal status then", choices=[("", "Choose one"), *LegalStatus.choices]
    )
    reason_ended = forms.ChoiceField(
        label="Reason the placement ended (SSDA903)", required=False, choices=[]
    )
    left_care_reason = forms.ChoiceField(
        label="If the child left care then, the reason (SSDA903 E-code)",
        required=False,
        choices=[],
        help_text="Leave blank if the child moved straight to another placement.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .choices import LeftCare, PlacementProvider, ReasonEnded
        from .history import PLACEMENT_TYPES

        super().__init__(*args, **kwargs)
        self.fields["placement_type"].choices = [  # type: ignore[attr-defined]
            ("", "Choose one"),
            *PLACEMENT_TYPES.items(),
        ]
        self.fields["placement_provider"].choices = [  # type: ignore[attr-defined]
            ("", "Choose one"),
            *PlacementProvider.choices,
        ]
        self.fields["reason_ended"].choices = [  # type: ignore[attr-defined]
            ("", "Not ended"),
            *ReasonEnded.choices,
        ]
        self.fields["left_care_reason"].choices = [  # type: ignore[attr-defined]
            ("", "The child did not leave care"),
            *LeftCare.choices,
        ]

    @classmethod
    def initial_for(cls, episode: Any) -> dict[str, Any]:
        from .choices import LeftCare

        return {
            "start_date": episode.start_date,
            "end_date": episode.end_date,
            "placement_type": episode.placement_type,
            "placement_provider": episode.placement_provider,
            "legal_status": episode.legal_status,
            "reason_ended": episode.reason_place_change,
            "left_care_reason": episode.reason_ended
            if episode.reason_ended in LeftCare.values
            else "",
        }
