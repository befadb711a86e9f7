"""Changes to commissioning records are recorded by django-auditlog (who and when)."""

from auditlog.registry import auditlog

from .models import (
    AccountManager,
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

for model in (
    TermsVersion,
    Framework,
    Lot,
    Enrolment,
    PriceSchedule,
    SupportPrice,
    SoftBlock,
    AccountManager,
    Dispute,
    DisputeStep,
    PartnershipMeeting,
    MeetingAction,
    PlacementBudget,
    InHouseCost,
    SpecialistService,
):
    auditlog.register(model)
