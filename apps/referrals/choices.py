"""Code lists of the referral journey. SSDA903 codes are used where they exist (2025-26 lists)."""

from django.db import models


class LegalStatus(models.TextChoices):
    """SSDA903 legal status (LS)."""

    C1 = "C1", "C1 – Interim care order"
    C2 = "C2", "C2 – Full care order"
    D1 = "D1", "D1 – Freeing order granted"
    E1 = "E1", "E1 – Placement order granted"
    J1 = "J1", "J1 – Remanded to LA accommodation or youth detention"
    J2 = "J2", "J2 – Placed in LA accommodation under PACE"
    J3 = "J3", "J3 – Sentenced to CRO with residence requirement"
    L1 = "L1", "L1 – Police protection"
    L2 = "L2", "L2 – Emergency protection order"
    L3 = "L3", "L3 – Child assessment order"
    V2 = "V2", "V2 – Single period of accommodation under section 20"
    V3 = "V3", "V3 – Accommodated under an agreed series of short-term breaks"
    V4 = "V4", "V4 – Accommodated under an agreed series of short-term breaks (other)"


class Urgency(models.TextChoices):
    PLANNED = "planned", "Planned"
    EMERGENCY = "emergency", "Emergency"


class RiskLevel(models.TextChoices):
    NONE_KNOWN = "none", "No known risk"
    LOW = "low", "Low"
    HIGH = "high", "High"


class LiveAlongside(models.TextChoices):
    SOLO = "solo", "Solo: no other children in the home"
    WITH_OTHERS = "with_others", "With other children"
    ONLY_OLDER = "only_older", "Only with older children"
    ONLY_YOUNGER = "only_younger", "Only with younger children"


class Suitability(models.TextChoices):
    PREFERRED = "preferred", "Preferred"
    SUITABLE = "suitable", "Suitable"
    UNSUITABLE = "unsuitable", "Unsuitable"


class PetsOk(models.TextChoices):
    YES = "yes", "Pets are fine"
    NO = "no", "No pets"
    UNKNOWN = "unknown", "Not known"


class Frequency(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    OCCASIONALLY = "occasionally", "Occasionally"


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "With the hub: searching"
    PROPOSED = "proposed", "Match proposed"
    RETURNED = "returned", "Returned by scrutiny"
    APPROVED = "approved", "Match approved"
    PLACED = "placed", "Placed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ReviewStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    AGREED = "agreed", "Agreed"
    CHANGES = "changes", "Changes suggested"
    DECLINED = "declined", "Declined to review"


class ContributorRole(models.TextChoices):
    CURRENT_CARER = "current_carer", "Current carer"
    CURRENT_PROVIDER = "current_provider", "Current provider"
    IRO = "iro", "Independent reviewing officer"
    OTHER = "other", "Other professional who knows the child"


class TargetStatus(models.TextChoices):
    SENT = "sent", "Awaiting response"
    OFFERED = "offered", "Offer made"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn by the hub"


class DeclineReason(models.TextChoices):
    NO_VACANCY = "NOVAC", "No vacancy any more"
    NEEDS_NOT_MET = "NEEDS", "Cannot meet the child's needs"
    MATCHING = "MATCH", "Not a good match with children in the home"
    LOCATION = "LOCAT", "Location not suitable"
    CARER_DECLINED = "CARER", "Carer declined"
    TIMESCALE = "TIME", "Cannot start by the date needed"
    OTHER = "OTHER", "Other (see note)"


class OfferStatus(models.TextChoices):
    MADE = "made", "Made"
    SHORTLISTED = "shortlisted", "Shortlisted"
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    NOT_CHOSEN = "not_chosen", "Not chosen"
    WITHDRAWN = "withdrawn", "Withdrawn by provider"


class ChoiceReason(models.TextChoices):
    BEST_MEETS_NEEDS = "best_meets_needs", "Best meets the child's needs"
    CHILDS_VIEWS = "childs_views", "The child's views, among options that meet the needs"
    IN_HOUSE_TIE_BREAK = (
        "in_house_tie_break",
        "In-house preference between equally suitable options",
    )


class ScrutinyDecision(models.TextChoices):
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned"


class PlacementType(models.TextChoices):
    """SSDA903 placement types for foster care."""

    U1 = "U1", "U1 – Foster placement with relative or friend – long term"
    U2 = "U2", "U2 – Foster placement with relative or friend – FFA/concurrent"
    U3 = "U3", "U3 – Foster placement with relative or friend – other"
    U4 = "U4", "U4 – Placement with other foster carer – long term"
    U5 = "U5", "U5 – Placement with other foster carer – FFA/concurrent"
    U6 = "U6", "U6 – Placement with other foster carer – other"


class PlacementProvider(models.TextChoices):
    """SSDA903 placement provider codes."""

    PR0 = "PR0", "PR0 – Parent"
    PR1 = "PR1", "PR1 – Own LA"
    PR2 = "PR2", "PR2 – Other LA"
    PR3 = "PR3", "PR3 – Other public"
    PR4 = "PR4", "PR4 – Private"
    PR5 = "PR5", "PR5 – Voluntary"


class ReasonEnded(models.TextChoices):
    """SSDA903 reason placement ended (REC / REASON_PLACE_CHANGE)."""

    CARPL = "CARPL", "CARPL – Carer ended the placement"
    CLOSE = "CLOSE", "CLOSE – Provider closed"
    ALLEG = "ALLEG", "ALLEG – Allegation"
    STAND = "STAND", "STAND – Standards of care concern"
    APPRR = "APPRR", "APPRR – Carer's approval removed"
    CREQB = "CREQB", "CREQB – Child's request: behaviour"
    CREQO = "CREQO", "CREQO – Child's request: other"
    CHILD = "CHILD", "CHILD – Child's needs changed"
    LAREQ = "LAREQ", "LAREQ – LA's request"
    PLACE = "PLACE", "PLACE – Planned change"
    CUSTOD = "CUSTOD", "CUSTOD – Custody"
    OTHER = "OTHER", "OTHER – Other"


class LeftCare(models.TextChoices):
    """SSDA903 reason an episode ceased (REC) when the child stops being looked after."""

    E11 = "E11", "E11 – Adopted: application for an adoption order unopposed"
    E12 = "E12", "E12 – Adopted: consent dispensed with by the court"
    E13 = (
        "E13",
        (
            "E13 – Left care to live with parent(s), relative(s) or other person(s) "
            "with no parental responsibility"
        ),
    )
    E14 = "E14", "E14 – Accommodation on remand ended"
    E15 = "E15", "E15 – Age assessment determined the child is 18 or over"
    E16 = "E16", "E16 – Child moved abroad"
    E17 = "E17", "E17 – Aged 18 or over and remained with current carers (staying put)"
    E2 = "E2", "E2 – Died"
    E3 = "E3", "E3 – Care taken over by another local authority in the UK"
    E41 = "E41", "E41 – Residence order or child arrangements order granted"
    E45 = "E45", "E45 – Special guardianship order: former foster carers, relatives or friends"
    E46 = "E46", "E46 – Special guardianship order: former foster carers, not relatives"
    E47 = "E47", "E47 – Special guardianship order: carers who are relatives or friends"
    E48 = "E48", "E48 – Special guardianship order: other carers"
    E4A = "E4A", "E4A – Returned home to parent(s) as part of the care plan"
    E4B = "E4B", "E4B – Returned home to parent(s), not as part of the care plan"
    E5 = "E5", "E5 – Moved to independent living with formal advice and support"
    E6 = "E6", "E6 – Moved to independent living without formal advice and support"
    E7 = "E7", "E7 – Transferred to residential care funded by adult social care"
    E8 = "E8", "E8 – Stopped being looked after for any other reason"
    E9 = "E9", "E9 – Sentenced to custody"


#: REC for an episode that ends because another begins the same day (a change of placement or
#: of legal status): the child is still looked after.
EPISODE_CONTINUES = "X1"


class NewEpisodeReason(models.TextChoices):
    """SSDA903 reason for new episode (RNE)."""

    S = "S", "S – Started to be looked after"
    L = "L", "L – Change of legal status only"
    P = "P", "P – Change of placement, same carer(s)"
    B = "B", "B – Change of legal status and of placement, same carer(s)"
    T = "T", "T – Change of placement and carer(s)"
    U = "U", "U – Change of legal status and of placement and carer(s)"


class CareHistorySource(models.TextChoices):
    IMPORTED = "imported", "Imported from the LA's SSDA903"
    RECORDED = "recorded", "Recorded by the LA"
    PLATFORM = "platform", "Booked on the platform"


UNPLANNED_ENDINGS = frozenset({"CARPL", "ALLEG", "STAND", "APPRR", "CREQB", "CREQO"})


class SupportKind(models.TextChoices):
    SUPERVISION = "supervision", "Extra supervision"
    THERAPY = "therapy", "Therapy"
    RESPITE = "respite", "Respite worker"
    EDUCATION = "education", "Education support"
    TRANSPORT = "transport", "Transport to school"


class Communication(models.TextChoices):
    ESOL = "esol", "English for speakers of other languages"
    BSL = "bsl", "British Sign Language"
    MAKATON = "makaton", "Makaton"


RISK_TO_CHILD_FIELDS = (
    ("risk_self_harm", "Self-harm"),
    ("risk_sexual_exploitation", "Sexual exploitation"),
    ("risk_criminal_exploitation", "Criminal exploitation"),
    ("risk_substances", "Drugs and alcohol"),
    ("risk_eating_disorder", "Eating disorder"),
    ("risk_missing", "Going missing"),
    ("risk_other", "Other risk to the child"),
)
RISK_TO_OTHERS_FIELDS = (
    ("harm_physical", "Physical harm"),
    ("harm_sexual", "Sexual harm"),
    ("harm_fire_setting", "Fire-setting"),
    ("harm_animals", "Harm to animals"),
    ("harm_criminal_exploitation", "Criminal exploitation of others"),
    ("harm_other", "Other risk to others or property"),
)


class AccessChannel(models.TextChoices):
    """How a child's record was read: the web pages, the API or a download."""

    WEB = "web", "Web page"
    API = "api", "API"
    EXPORT = "export", "Download"


class PlacementStatus(models.TextChoices):
    """Where a placement stands today: a booked start in the future is not yet current."""

    STARTING = "starting", "Starting later"
    CURRENT = "current", "Current"
    ENDED = "ended", "Ended"
