"""Who viewed and changed a child's record: every change is logged by django-auditlog;
reads by providers are logged in ReferralAccessLog by the services."""

from auditlog.registry import auditlog

from .models import (
    Child,
    MatchingWeights,
    NeedsAssessment,
    Offer,
    Placement,
    PlacementAgreement,
    Referral,
    ReferralReview,
    ReferralTarget,
    Scrutiny,
)

for model in (
    Child,
    MatchingWeights,
    NeedsAssessment,
    Referral,
    ReferralReview,
    ReferralTarget,
    Offer,
    Scrutiny,
    Placement,
    PlacementAgreement,
):
    auditlog.register(model)
