"""The national referral format's sections: which fields each holds (DOMAIN.md "Referral
content", the RCC data standard's groups). The web form edits one section at a time; the API
accepts any of these fields; the completeness score links each missing item to its section."""

from __future__ import annotations

from .choices import RISK_TO_CHILD_FIELDS, RISK_TO_OTHERS_FIELDS

SECTIONS: dict[str, str] = {
    "timescale": "Timescale and siblings",
    "locations": "Locations",
    "provision": "Provision",
    "recommendations": "Recommendations",
    "risks-to-child": "Risks to the child",
    "risks-to-others": "Risks to others or property",
    "support": "Support",
    "views": "The child's views",
    "about": "About the child",
}

SECTION_FIELDS: dict[str, tuple[str, ...]] = {
    "timescale": ("urgency", "latest_start_date", "siblings", "moving_from_placement"),
    "locations": (
        "preferred_area",
        "family_postcode_district",
        "stay_close_to_family",
        "school_postcode_district",
        "keep_school",
        "places_to_reach",
        "places_to_avoid",
    ),
    "provision": ("communication_needs", "adaptations", "cultural_religious_needs"),
    "recommendations": (
        "live_alongside",
        "pets_ok",
        "suitability_foster",
        "suitability_residential",
        "suitability_supported",
        "min_adults",
        "siblings_may_share_bedroom",
    ),
    "risks-to-child": (*(name for name, _ in RISK_TO_CHILD_FIELDS), "risk_other_detail"),
    "risks-to-others": (*(name for name, _ in RISK_TO_OTHERS_FIELDS), "harm_other_detail"),
    "support": ("support_needed",),
    "views": ("childs_views",),
    "about": ("about_the_child",),
}

EDITABLE_FIELDS: frozenset[str] = frozenset(f for fields in SECTION_FIELDS.values() for f in fields)

# Free text that providers read (minimised): the social worker is warned not to identify the child.
SHARED_TEXT_WARNING = (
    "Providers read this before they know who the child is: do not include names, addresses, "
    "schools or anything else that could identify the child."
)
