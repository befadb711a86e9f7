"""Code lists of the register. SSDA903/DfE codes are used where they exist."""

from enum import IntFlag

from django.db import models


class OfstedGrade(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"


OFSTED_GRADE_RANK = {
    OfstedGrade.OUTSTANDING: 1,
    OfstedGrade.GOOD: 2,
    OfstedGrade.REQUIRES_IMPROVEMENT: 3,
    OfstedGrade.INADEQUATE: 4,
}


class HouseholdStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ON_HOLD = "on_hold", "On hold"
    RESIGNED = "resigned", "Resigned"
    DEREGISTERED = "deregistered", "Deregistered"


ENDED_HOUSEHOLD_STATUSES = (HouseholdStatus.RESIGNED, HouseholdStatus.DEREGISTERED)


class ApprovalEndReason(models.TextChoices):
    """Why a household's approval ended: the change_reason codes of the national return."""

    RETIRE = "RETIRE", "Retirement"
    HEALTH = "HEALTH", "The carers' health"
    FAMILY = "FAMILY", "Family circumstances"
    MOVEPROV = "MOVEPROV", "Moved to another fostering provider"
    PERMANENCE = "PERMANENCE", "Adopted, or took an SGO or CAO for, the child placed"
    ALLEG = "ALLEG", "Following an allegation"
    STAND = "STAND", "Standards of care concerns"
    UNSUIT = "UNSUIT", "No longer suitable after a review of approval"
    INACTIVE = "INACTIVE", "No child placed for two years"
    OTHER = "OTHER", "Other"


# The reasons that go with each way an approval ends (the carers resigned, or the provider
# deregistered them), as the national return's change_reason list has them.
END_REASONS_FOR_STATUS: dict[str, tuple[str, ...]] = {
    HouseholdStatus.RESIGNED: ("RETIRE", "HEALTH", "FAMILY", "MOVEPROV", "PERMANENCE", "OTHER"),
    HouseholdStatus.DEREGISTERED: ("ALLEG", "STAND", "UNSUIT", "INACTIVE", "OTHER"),
}


class VacancyStatus(models.TextChoices):
    OPEN = "open", "Open"
    ON_HOLD = "on_hold", "On hold"
    BOOKED = "booked", "Booked"
    FILLED = "filled", "Filled"


class CareType(IntFlag):
    """Types of care a household is approved for, stored as one bit mask."""

    SHORT_TERM = 1
    LONG_TERM = 2
    SHORT_BREAKS = 4
    EMERGENCY = 8
    PARENT_AND_CHILD = 16
    REMAND = 32
    STAYING_PUT = 64
    DISABILITY = 128
    THERAPEUTIC = 256
    UASC = 512


CARE_TYPE_CODES: dict[str, CareType] = {
    "short_term": CareType.SHORT_TERM,
    "long_term": CareType.LONG_TERM,
    "short_breaks": CareType.SHORT_BREAKS,
    "emergency": CareType.EMERGENCY,
    "parent_and_child": CareType.PARENT_AND_CHILD,
    "remand": CareType.REMAND,
    "staying_put": CareType.STAYING_PUT,
    "disability": CareType.DISABILITY,
    "therapeutic": CareType.THERAPEUTIC,
    "uasc": CareType.UASC,
}
CARE_TYPE_LABELS: dict[str, str] = {
    "short_term": "Short-term",
    "long_term": "Long-term",
    "short_breaks": "Short breaks",
    "emergency": "Emergency",
    "parent_and_child": "Parent and child",
    "remand": "Remand",
    "staying_put": "Staying put",
    "disability": "Disability",
    "therapeutic": "Enhanced / therapeutic",
    "uasc": "Unaccompanied asylum-seeking children",
}
CARE_TYPE_CHOICES = [(code, CARE_TYPE_LABELS[code]) for code in CARE_TYPE_CODES]


def care_types_to_mask(codes: list[str] | tuple[str, ...]) -> int:
    mask = 0
    for code in codes:
        mask |= CARE_TYPE_CODES[code]
    return mask


def care_types_from_mask(mask: int) -> list[str]:
    return [code for code, flag in CARE_TYPE_CODES.items() if mask & flag]


class AgeBand(models.TextChoices):
    A18_24 = "18-24", "18 to 24"
    A25_34 = "25-34", "25 to 34"
    A35_44 = "35-44", "35 to 44"
    A45_54 = "45-54", "45 to 54"
    A55_64 = "55-64", "55 to 64"
    A65 = "65+", "65 and over"


class Sex(models.TextChoices):
    MALE = "M", "Male"
    FEMALE = "F", "Female"
    UNKNOWN = "U", "Not stated"


class Ethnicity(models.TextChoices):
    """DfE ethnicity codes (the ONS 2021 categories as used in SSDA903)."""

    WBRI = "WBRI", "White – British"
    WIRI = "WIRI", "White – Irish"
    WIRT = "WIRT", "White – Traveller of Irish heritage"
    WROM = "WROM", "White – Gypsy/Roma"
    WOTH = "WOTH", "White – any other White background"
    MWBC = "MWBC", "Mixed – White and Black Caribbean"
    MWBA = "MWBA", "Mixed – White and Black African"
    MWAS = "MWAS", "Mixed – White and Asian"
    MOTH = "MOTH", "Mixed – any other mixed background"
    AIND = "AIND", "Asian or Asian British – Indian"
    APKN = "APKN", "Asian or Asian British – Pakistani"
    ABAN = "ABAN", "Asian or Asian British – Bangladeshi"
    CHNE = "CHNE", "Asian or Asian British – Chinese"
    AOTH = "AOTH", "Asian or Asian British – any other Asian background"
    BCRB = "BCRB", "Black or Black British – Caribbean"
    BAFR = "BAFR", "Black or Black British – African"
    BOTH = "BOTH", "Black or Black British – any other Black background"
    OOTH = "OOTH", "Any other ethnic group"
    REFU = "REFU", "Refused"
    NOBT = "NOBT", "Information not yet obtained"


class Religion(models.TextChoices):
    NONE = "none", "No religion"
    CHRISTIAN = "christian", "Christian"
    MUSLIM = "muslim", "Muslim"
    HINDU = "hindu", "Hindu"
    SIKH = "sikh", "Sikh"
    JEWISH = "jewish", "Jewish"
    BUDDHIST = "buddhist", "Buddhist"
    OTHER = "other", "Other religion"
    NOT_STATED = "not_stated", "Not stated"


# Languages as ISO 639-1 codes; the list covers England's most spoken languages.
LANGUAGES = {
    "en": "English",
    "pl": "Polish",
    "ro": "Romanian",
    "pa": "Punjabi",
    "ur": "Urdu",
    "pt": "Portuguese",
    "es": "Spanish",
    "ar": "Arabic",
    "bn": "Bengali",
    "gu": "Gujarati",
    "it": "Italian",
    "fr": "French",
    "so": "Somali",
    "ku": "Kurdish",
    "fa": "Persian",
    "ps": "Pashto",
    "ti": "Tigrinya",
    "tr": "Turkish",
    "zh": "Chinese",
    "cy": "Welsh",
    "bsl": "British Sign Language",
    "makaton": "Makaton",
}
