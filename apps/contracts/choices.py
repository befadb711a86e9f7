"""Code lists of commissioning (DOMAIN.md §6-§8)."""

from __future__ import annotations

from django.db import models


class ArrangementKind(models.TextChoices):
    FRAMEWORK = "framework", "Framework"
    DPS = "dps", "Dynamic purchasing system (DPS)"


class LotService(models.TextChoices):
    """The need or service type a lot buys (DOMAIN.md glossary: lots)."""

    STANDARD = "standard", "Standard foster care"
    ENHANCED = "enhanced", "Enhanced / therapeutic"
    PARENT_AND_CHILD = "parent_and_child", "Parent and child"
    SIBLING_GROUPS = "sibling_groups", "Sibling groups"
    DISABILITY = "disability", "Disability"
    UASC = "uasc", "Unaccompanied asylum-seeking children"
    STAYING_PUT = "staying_put", "Staying put"
    SPECIALIST = "specialist", "National specialist service"


# The CareType code a household needs for each lot's service type (blank: any household).
LOT_CARE_TYPE: dict[str, str] = {
    LotService.ENHANCED: "therapeutic",
    LotService.PARENT_AND_CHILD: "parent_and_child",
    LotService.DISABILITY: "disability",
    LotService.UASC: "uasc",
    LotService.STAYING_PUT: "staying_put",
}


class EnrolmentStatus(models.TextChoices):
    APPLIED = "applied", "Applied"
    ACCEPTED = "accepted", "Accepted"
    SUSPENDED = "suspended", "Suspended"
    LEFT = "left", "Left"


# Which status changes an enrolment may make (from → allowed to).
ENROLMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    EnrolmentStatus.APPLIED: frozenset({EnrolmentStatus.ACCEPTED, EnrolmentStatus.LEFT}),
    EnrolmentStatus.ACCEPTED: frozenset({EnrolmentStatus.SUSPENDED, EnrolmentStatus.LEFT}),
    EnrolmentStatus.SUSPENDED: frozenset({EnrolmentStatus.ACCEPTED, EnrolmentStatus.LEFT}),
    EnrolmentStatus.LEFT: frozenset(),
}


# The weekly fee bands of a price schedule: (field suffix, youngest age, oldest age, label).
FEE_BANDS: tuple[tuple[str, int, int, str], ...] = (
    ("0_4", 0, 4, "0 to 4"),
    ("5_10", 5, 10, "5 to 10"),
    ("11_15", 11, 15, "11 to 15"),
    ("16_17", 16, 17, "16 to 17"),
    ("18_plus", 18, 25, "18 and over (staying put)"),
)


def fee_field_for_age(age: int) -> str | None:
    for suffix, youngest, oldest, _label in FEE_BANDS:
        if youngest <= age <= oldest:
            return f"fee_{suffix}"
    return None


class DisputeStatus(models.TextChoices):
    OPEN = "open", "Open"
    MEDIATION = "mediation", "In mediation"
    RESOLVED = "resolved", "Resolved"
    WITHDRAWN = "withdrawn", "Withdrawn"


class DisputeStepKind(models.TextChoices):
    """The national terms' dispute resolution ladder."""

    CONTRACT_MANAGERS = "contract_managers", "Contract managers' meeting"
    SENIOR_OFFICERS = "senior_officers", "Referred to senior officers"
    MEDIATION = "mediation", "Independent mediation"
    ADJUDICATION = "adjudication", "Adjudication / expert determination"
    NOTE = "note", "Note"


class AlertKind(models.TextChoices):
    CONSULTATION_OPENS = "consultation_opens", "Consultation window opens"
    EXTENSION_DECISION = "extension_decision", "Extension decision due"
    CONTRACT_ENDS = "contract_ends", "Contract ends"
    LOW_UTILISATION = "low_utilisation", "Soft block under-used"
