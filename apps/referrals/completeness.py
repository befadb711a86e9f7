"""How complete a referral is, and whether it may be sent to the hub.

The score is a weighted list of items (DOMAIN.md §3: "a completeness score that blocks sending
what is not fit to send"). Each item says what it checks, which section of the referral form
holds it (so the missing list links straight there) and its weight. The percentage is the
weight of the items filled in over the total weight.

Configuration, in settings (see docs/adr/0040-referrals-needs-completeness-codesign.md):

- ``REFERRAL_COMPLETENESS_WEIGHTS``: ``{item key: weight}`` overriding the default weights
  below; a weight of 0 drops an item. Unknown keys are an error at start-up of the check.
- ``REFERRAL_COMPLETENESS_THRESHOLD``: the percentage a referral must reach before it can be
  sent (default 80).
- ``REFERRAL_COMPLETENESS_THRESHOLD_BY_RCC``: ``{RCC short name or name: percentage}`` for an
  RCC that agrees a different threshold with its LAs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from .choices import RISK_TO_CHILD_FIELDS, RISK_TO_OTHERS_FIELDS, PetsOk
from .format import SECTIONS

if TYPE_CHECKING:
    from .models import Referral

DEFAULT_THRESHOLD = 80

# Not a section of the form: the needs assessment is recorded on the child's record.
NEEDS = "needs"


def _all_answered(names: tuple[tuple[str, str], ...]) -> Callable[[Referral], bool]:
    return lambda r: all(getattr(r, name) for name, _ in names)


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    section: str
    weight: int
    check: Callable[[Referral], bool] = field(compare=False, repr=False)


DEFAULT_ITEMS: tuple[Item, ...] = (
    Item("needs_assessment", "A needs assessment of the child", NEEDS, 12,
         lambda r: r.needs_assessment_id is not None),
    Item("latest_start_date", "The latest start date", "timescale", 10,
         lambda r: r.latest_start_date is not None),
    Item("family_postcode_district", "The family's postcode district", "locations", 8,
         lambda r: r.family_postcode_district_id is not None),
    Item("school_postcode_district", "The school's postcode district", "locations", 5,
         lambda r: r.school_postcode_district_id is not None),
    Item("preferred_area", "The preferred area", "locations", 3,
         lambda r: bool(r.preferred_area.strip())),
    Item("cultural_religious_needs", "Cultural and religious needs (or 'none')", "provision", 5,
         lambda r: bool(r.cultural_religious_needs.strip())),
    Item("live_alongside", "Who the child can live alongside", "recommendations", 8,
         lambda r: bool(r.live_alongside)),
    Item("pets_ok", "Whether pets are fine", "recommendations", 3,
         lambda r: r.pets_ok != PetsOk.UNKNOWN),
    Item("suitability_foster", "Suitability of foster care", "recommendations", 3,
         lambda r: bool(r.suitability_foster)),
    Item("min_adults", "The minimum adult to child ratio", "recommendations", 3,
         lambda r: r.min_adults is not None),
    Item("risks_to_child", "Every risk to the child answered", "risks-to-child", 12,
         _all_answered(RISK_TO_CHILD_FIELDS)),
    Item("risks_to_others", "Every risk to others answered", "risks-to-others", 12,
         _all_answered(RISK_TO_OTHERS_FIELDS)),
    Item("childs_views", "The child's views", "views", 8,
         lambda r: bool(r.childs_views.strip())),
    Item("about_the_child", "About the child", "about", 8,
         lambda r: bool(r.about_the_child.strip())),
)  # fmt: skip


def items() -> list[Item]:
    """The items in force: the defaults with the weights from settings applied."""
    overrides: dict[str, int] = getattr(settings, "REFERRAL_COMPLETENESS_WEIGHTS", {}) or {}
    known = {item.key for item in DEFAULT_ITEMS}
    unknown = set(overrides) - known
    if unknown:
        raise ImproperlyConfigured(
            f"REFERRAL_COMPLETENESS_WEIGHTS names unknown items: {', '.join(sorted(unknown))}"
        )
    out = []
    for item in DEFAULT_ITEMS:
        weight = int(overrides.get(item.key, item.weight))
        if weight > 0:
            out.append(Item(item.key, item.label, item.section, weight, item.check))
    return out


def threshold_for(referral: Referral) -> int:
    by_rcc: dict[str, int] = getattr(settings, "REFERRAL_COMPLETENESS_THRESHOLD_BY_RCC", {}) or {}
    rcc = referral.rcc
    for key in (rcc.short_name, rcc.name):
        if key and key in by_rcc:
            return int(by_rcc[key])
    return int(getattr(settings, "REFERRAL_COMPLETENESS_THRESHOLD", DEFAULT_THRESHOLD))


def section_url(referral: Referral, section: str) -> str:
    if section == NEEDS:
        return reverse("referrals:needs_assessment_create", args=[referral.child_id])
    return reverse("referrals:referral_edit", args=[referral.pk, section])


@dataclass(frozen=True)
class Missing:
    key: str
    label: str
    section: str
    section_title: str
    weight: int
    url: str


@dataclass(frozen=True)
class Completeness:
    percent: int
    threshold: int
    missing: list[Missing]

    @property
    def can_send(self) -> bool:
        return self.percent >= self.threshold

    @property
    def reason(self) -> str:
        """Why the referral cannot be sent ("" when it can)."""
        if self.can_send:
            return ""
        labels = ", ".join(m.label.lower() for m in self.missing)
        return (
            f"The referral is {self.percent}% complete; it must be at least {self.threshold}% "
            f"complete to send. Missing: {labels}."
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "percent": self.percent,
            "threshold": self.threshold,
            "can_send": self.can_send,
            "reason": self.reason,
            "missing": [
                {"key": m.key, "label": m.label, "section": m.section, "url": m.url}
                for m in self.missing
            ],
        }


def referral_completeness(referral: Referral) -> Completeness:
    in_force = items()
    total = sum(item.weight for item in in_force) or 1
    done = 0
    missing = []
    for item in in_force:
        if item.check(referral):
            done += item.weight
        else:
            missing.append(
                Missing(
                    key=item.key,
                    label=item.label,
                    section=item.section,
                    section_title=SECTIONS.get(item.section, "Needs assessment"),
                    weight=item.weight,
                    url=section_url(referral, item.section),
                )
            )
    # Round down so that 79.6% is not shown as 80% and then refused.
    return Completeness(
        percent=done * 100 // total, threshold=threshold_for(referral), missing=missing
    )
