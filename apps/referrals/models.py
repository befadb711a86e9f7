"""The journey from a child who needs a foster home to an agreed placement.

Child and needs (LA side) → Referral (one national format, co-designed, completeness-scored)
→ ReferralTarget (sent to the providers of chosen households only) → Offer (a named household,
fee and support) → proposal and the child's views → Scrutiny → Placement and IPA.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.accounts.roles import Role
from apps.organisations.models import Organisation, PostcodeDistrict
from apps.providers.choices import Ethnicity, Religion, Sex

from .choices import (
    AccessChannel,
    CareHistorySource,
    ChoiceReason,
    ContributorRole,
    DeclineReason,
    LeftCare,
    LegalStatus,
    LiveAlongside,
    NewEpisodeReason,
    OfferStatus,
    PetsOk,
    PlacementProvider,
    PlacementStatus,
    PlacementType,
    ReasonEnded,
    ReferralStatus,
    ReviewStatus,
    RiskLevel,
    ScrutinyDecision,
    Suitability,
    TargetStatus,
    Urgency,
)
from .querysets import (
    CareHistoryImportQuerySet,
    ChildQuerySet,
    OfferQuerySet,
    PlacementQuerySet,
    ReferralQuerySet,
    ReferralReviewQuerySet,
    ReferralTargetQuerySet,
)

USER = settings.AUTH_USER_MODEL


class Child(models.Model):
    """Only what the search needs: no name. The case-system id never leaves the LA's side."""

    la = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="children")
    local_identifier = models.CharField(max_length=40)
    case_system_id = models.CharField("case-system id", max_length=40, blank=True)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices)
    religion = models.CharField(
        max_length=12, choices=Religion.choices, default=Religion.NOT_STATED
    )
    languages = models.JSONField(default=list, blank=True, help_text="ISO 639-1 codes")
    legal_status = models.CharField(max_length=2, choices=LegalStatus.choices)
    home_postcode_district = models.ForeignKey(
        PostcodeDistrict, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    home_postcode = models.CharField(
        "home postcode",
        max_length=8,
        blank=True,
        help_text=(
            "Full postcode of the child's home (SSDA903 HOME_POST). Restricted: only the child's "
            "LA and the placing hub see it; everyone else sees the district."
        ),
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["la_id", "local_identifier"]
        verbose_name_plural = "children"
        constraints = [
            models.UniqueConstraint(fields=["la", "local_identifier"], name="child_unique_local_id")
        ]

    def __str__(self) -> str:
        return self.local_identifier


class LegalStatusChange(models.Model):
    """The child's legal status from a date (SSDA903 LS): the history each episode's LS is read
    from. `Child.legal_status` is the latest of these."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="legal_statuses")
    legal_status = models.CharField(max_length=2, choices=LegalStatus.choices)
    start_date = models.DateField("from")
    source = models.CharField(
        max_length=10, choices=CareHistorySource.choices, default=CareHistorySource.RECORDED
    )
    recorded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["child_id", "start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "start_date"], name="legal_status_one_per_child_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.legal_status} from {self.start_date}"


class CareHistoryImport(models.Model):
    """One upload of an LA's SSDA903 Header and Episodes files; the originals are kept.

    Accepted: every row passed and was written in one transaction. Rejected: nothing written,
    `errors` names the file, row and column of each problem (the first ones, `error_count` in
    all)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Imported"
        REJECTED = "rejected", "Rejected"

    la = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="care_imports")
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    header_file = models.FileField(upload_to="ssda903/%Y/%m/", blank=True)
    episodes_file = models.FileField(upload_to="ssda903/%Y/%m/", blank=True)
    header_name = models.CharField(max_length=255, blank=True)
    episodes_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    header_rows = models.PositiveIntegerField(default=0)
    episode_rows = models.PositiveIntegerField(default=0)
    children_created = models.PositiveIntegerField(default=0)
    children_updated = models.PositiveIntegerField(default=0)
    children_unchanged = models.PositiveIntegerField(default=0)
    episodes_created = models.PositiveIntegerField(default=0)
    episodes_updated = models.PositiveIntegerField(default=0)
    episodes_unchanged = models.PositiveIntegerField(default=0)
    episodes_platform = models.PositiveIntegerField(
        default=0, help_text="Episodes that are the platform's own placements: not imported"
    )
    episodes_replaced = models.PositiveIntegerField(
        default=0,
        help_text="Earlier imported episodes of the same children and dates that the file no "
        "longer holds (a corrected start date): removed",
    )
    legal_statuses_created = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)

    objects = CareHistoryImportQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"SSDA903 import {self.pk} ({self.la_id})"


class CareEpisode(models.Model):
    """An episode of the child's care that is not a platform placement: imported from the LA's
    SSDA903 files or recorded by its social worker. With the platform's placements it makes the
    child's care history (previous placements and moves, RNE, stability)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="care_history")
    start_date = models.DateField("started (DECOM)")
    end_date = models.DateField("ended (DEC)", null=True, blank=True)
    new_episode_reason = models.CharField(
        "reason for new episode (RNE)", max_length=1, choices=NewEpisodeReason.choices
    )
    legal_status = models.CharField("legal status (LS)", max_length=2, choices=LegalStatus.choices)
    category_of_need = models.CharField("category of need (CIN)", max_length=2, blank=True)
    placement_type = models.CharField("placement type (PLACE)", max_length=3)
    placement_provider = models.CharField("placement provider", max_length=3, blank=True)
    reason_ended = models.CharField("reason episode ceased (REC)", max_length=3, blank=True)
    reason_place_change = models.CharField("reason for placement change", max_length=6, blank=True)
    home_postcode = models.CharField(max_length=8, blank=True)
    placement_postcode = models.CharField(max_length=8, blank=True)
    urn = models.CharField("Ofsted URN", max_length=10, blank=True)
    source = models.CharField(
        max_length=10, choices=CareHistorySource.choices, default=CareHistorySource.RECORDED
    )
    imported_from = models.ForeignKey(
        CareHistoryImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="episodes"
    )
    recorded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["child_id", "start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "start_date"], name="care_episode_one_per_child_day"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="care_episode_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.placement_type} from {self.start_date}"


class NeedsAssessment(models.Model):
    """One dated version of a child's needs against the shared taxonomy; never edited in place."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="assessments")
    version = models.PositiveIntegerField()
    assessed_on = models.DateField()
    assessed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    summary = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["child_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["child", "version"], name="assessment_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.child} needs v{self.version} ({self.assessed_on})"


class NeedsAssessmentItem(models.Model):
    assessment = models.ForeignKey(NeedsAssessment, on_delete=models.CASCADE, related_name="items")
    domain = models.ForeignKey("needs.NeedDomain", on_delete=models.PROTECT)
    level = models.ForeignKey("needs.NeedLevel", on_delete=models.PROTECT)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["assessment_id", "domain__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "domain"], name="assessment_item_unique_domain"
            )
        ]

    def __str__(self) -> str:
        return f"Assessment {self.assessment_id}: domain {self.domain_id} at level {self.level_id}"


class Referral(models.Model):
    """The national referral format.

    RCC data standard v3 as a start; see DOMAIN.md "Referral content".
    """

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="referrals")
    la = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="referrals")
    rcc = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="rcc_referrals",
        help_text="The RCC whose hub searches",
    )
    status = models.CharField(
        max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT
    )
    needs_assessment = models.ForeignKey(
        NeedsAssessment, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    # Timescale and siblings
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.PLANNED)
    latest_start_date = models.DateField(null=True, blank=True)
    siblings = models.ManyToManyField(Child, blank=True, related_name="sibling_referrals")
    # Locations
    preferred_area = models.CharField(max_length=200, blank=True)
    family_postcode_district = models.ForeignKey(
        PostcodeDistrict, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    stay_close_to_family = models.BooleanField(default=False)
    school_postcode_district = models.ForeignKey(
        PostcodeDistrict, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    keep_school = models.BooleanField(default=False)
    places_to_reach = models.JSONField(
        default=list,
        blank=True,
        help_text='[{"district": "M14", "what": "contact centre", "frequency": "weekly"}]',
    )
    places_to_avoid = models.JSONField(
        default=list, blank=True, help_text="Postcode districts to avoid"
    )
    # Provision requirements
    communication_needs = models.JSONField(
        default=list, blank=True, help_text="Communication codes"
    )
    adaptations = models.TextField("adaptations to the home", blank=True)
    cultural_religious_needs = models.TextField(blank=True)
    # Recommendations
    live_alongside = models.CharField(max_length=14, choices=LiveAlongside.choices, blank=True)
    pets_ok = models.CharField(max_length=8, choices=PetsOk.choices, default=PetsOk.UNKNOWN)
    suitability_foster = models.CharField(max_length=10, choices=Suitability.choices, blank=True)
    suitability_residential = models.CharField(
        max_length=10, choices=Suitability.choices, blank=True
    )
    suitability_supported = models.CharField(max_length=10, choices=Suitability.choices, blank=True)
    min_adults = models.PositiveSmallIntegerField(
        "minimum adults to children ratio (adults per child)", null=True, blank=True
    )
    siblings_may_share_bedroom = models.BooleanField(
        "siblings may share a bedroom",
        default=False,
        help_text="Matching asks a spare bedroom per child of a sibling group unless this is set "
        "(then one for every two).",
    )
    # Risks to the child
    risk_self_harm = models.CharField(max_length=4, choices=RiskLevel.choices, blank=True)
    risk_sexual_exploitation = models.CharField(max_length=4, choices=RiskLevel.choices, blank=True)
    risk_criminal_exploitation = models.CharField(
        max_length=4, choices=RiskLevel.choices, blank=True
    )
    risk_substances = models.CharField(max_length=4, choices=RiskLevel.choices, blank=True)
    risk_eating_disorder = models.CharField(max_length=4, choices=RiskLevel.choices, blank=True)
    risk_missing = models.CharField(max_length=4, choices=RiskLevel.choices, blank=True)
    risk_other = models.CharField(max_length=4, choices=RiskLevel.choices, blank=True)
    risk_other_detail = models.CharField(max_length=200, blank=True)
    # Risks to others or property
    harm_physical = models.CharField(max_length=4, choices=RiskLevel.choices, blank=True)
    harm_sexual = models.CharField(max_length=4, choices=RiskLevel.choices, blank=True)
    harm_fire_setting = models.CharField(max_length=4, choices=RiskLevel.choices, blank=True)
    harm_animals = models.CharField(max_length=4, choices=RiskLevel.choices, blank=True)
    harm_criminal_exploitation = models.CharField(
        max_length=4, choices=RiskLevel.choices, blank=True
    )
    harm_other = models.CharField(max_length=4, choices=RiskLevel.choices, blank=True)
    harm_other_detail = models.CharField(max_length=200, blank=True)
    # Additional support needed
    support_needed = models.JSONField(default=list, blank=True, help_text="SupportKind codes")
    # The child's own views and the story in brief (minimised for providers)
    childs_views = models.TextField("the child's views", blank=True)
    about_the_child = models.TextField("about the child (no identifying details)", blank=True)
    # Co-design
    moving_from_placement = models.BooleanField(default=False)
    carer_review_skipped_reason = models.TextField(blank=True)
    # Sourcing
    looking_in_house_first = models.BooleanField(
        default=False, help_text="Recorded; never stops external options being sought in parallel."
    )
    # Who completed it
    completed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)
    # Choosing: the proposed option and why (the tie-break record lives here)
    proposed_offer = models.ForeignKey(
        "Offer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(null=True, blank=True)
    choice_reason = models.CharField(max_length=20, choices=ChoiceReason.choices, blank=True)
    choice_notes = models.TextField(blank=True)
    # Sibling groups placed apart: why, who agreed it and when (the social worker on proposing,
    # or the hub on booking places in more than one household).
    siblings_split_reason = models.TextField("why the siblings are placed apart", blank=True)
    siblings_split_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    siblings_split_at = models.DateTimeField(null=True, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["rcc", "status"], name="referral_rcc_status"),
            models.Index(fields=["la", "status"], name="referral_la_status"),
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk} for {self.child}"

    @property
    def group(self) -> list[Child]:
        """The children this referral places: the child, then the siblings, eldest first."""
        siblings = sorted(self.siblings.all(), key=lambda c: (c.date_of_birth, c.pk))
        return [self.child, *siblings]

    @property
    def placement(self) -> Placement | None:
        """The referred child's own placement (each child of a group has one)."""
        for placement in self.placements.all():
            if placement.child_id == self.child_id:
                return placement
        return None


class ReferralReview(models.Model):
    """Co-design: someone who knows the child is asked to review the referral before it is sent."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="reviews")
    contributor_role = models.CharField(max_length=20, choices=ContributorRole.choices)
    reviewer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="referral_reviews")
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.REQUESTED
    )
    comments = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    objects = ReferralReviewQuerySet.as_manager()

    class Meta:
        ordering = ["referral_id", "requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "reviewer"], name="review_unique_reviewer")
        ]

    def __str__(self) -> str:
        return f"Review of referral {self.referral_id} by {self.get_contributor_role_display()}"


class MatchingWeights(models.Model):
    """Per-RCC weights of the transparent match score (each factor 0–100)."""

    rcc = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="matching_weights"
    )
    needs = models.PositiveSmallIntegerField(default=40)
    distance_family = models.PositiveSmallIntegerField(default=15)
    distance_school = models.PositiveSmallIntegerField(default=10)
    identity = models.PositiveSmallIntegerField("culture, language and religion", default=10)
    stability = models.PositiveSmallIntegerField("provider's stability record", default=10)
    ofsted = models.PositiveSmallIntegerField(default=5)
    preferences = models.PositiveSmallIntegerField("carers' stated preferences", default=10)
    stated_needs = models.PositiveSmallIntegerField(
        "communication, support, adaptations and places to reach", default=10
    )
    search_radius_miles = models.PositiveSmallIntegerField(default=60)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "matching weights"

    def __str__(self) -> str:
        return f"Matching weights for RCC {self.rcc_id}"


class ReferralTarget(models.Model):
    """The referral sent to one provider about one chosen household: never a broadcast."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="targets")
    household = models.ForeignKey("providers.Household", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, related_name="referral_targets"
    )
    score = models.DecimalField(max_digits=5, decimal_places=1)
    score_breakdown = models.JSONField(default=dict)
    distance_miles = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    sent_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=10, choices=TargetStatus.choices, default=TargetStatus.SENT
    )
    first_viewed_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=5, choices=DeclineReason.choices, blank=True)
    decline_note = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ReferralTargetQuerySet.as_manager()

    class Meta:
        ordering = ["referral_id", "-score"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "household"], name="target_unique_household"
            ),
            models.CheckConstraint(
                condition=~Q(status=TargetStatus.DECLINED) | ~Q(decline_reason=""),
                name="target_decline_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["provider", "status"], name="target_provider_status")]

    def __str__(self) -> str:
        return f"Referral {self.referral_id} sent to household {self.household_id}"


class Offer(models.Model):
    """A provider's proposal of a named household for the child, with its full weekly cost."""

    target = models.OneToOneField(ReferralTarget, on_delete=models.CASCADE, related_name="offer")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="offers")
    household = models.ForeignKey(
        "providers.Household", on_delete=models.PROTECT, related_name="offers"
    )
    vacancy = models.ForeignKey(
        "providers.Vacancy", on_delete=models.PROTECT, related_name="offers"
    )
    weekly_fee = models.DecimalField(max_digits=8, decimal_places=2)
    scheduled_fee = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="From the price schedule that applies",
    )
    fee_above_schedule_reason = models.TextField(blank=True)
    support_package = models.JSONField(
        default=list,
        blank=True,
        help_text='[{"kind": "therapy", "weekly_cost": "120.00", "note": ""}]',
    )
    support_weekly_cost = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    available_from = models.DateField()
    notes = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=OfferStatus.choices, default=OfferStatus.MADE)
    equally_meets_needs = models.BooleanField(
        default=False,
        help_text="Marked by the social worker: as able as the best option to meet the needs",
    )
    childs_view = models.TextField("the child's view of this option", blank=True)
    made_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(auto_now_add=True)
    shortlisted_at = models.DateTimeField(null=True, blank=True)

    objects = OfferQuerySet.as_manager()

    class Meta:
        ordering = ["referral_id", "made_at"]
        constraints = [
            models.CheckConstraint(condition=Q(weekly_fee__gte=0), name="offer_fee_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Offer {self.pk} on referral {self.referral_id}"

    @property
    def full_weekly_cost(self):  # type: ignore[no-untyped-def]
        """For each child: a sibling group's offer costs this for every child it places."""
        return self.weekly_fee + self.support_weekly_cost

    @property
    def placement(self) -> Placement | None:
        """The first placement booked on this offer (a group's offer books one per child)."""
        return self.placements.order_by("pk").first()


class OfferPlace(models.Model):
    """The place an offer names for one child: one row per child the offer would place (a
    sibling group's offer names a place for each child it can take; a single child's offer has
    one row, the offer's own vacancy)."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="places")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    vacancy = models.ForeignKey(
        "providers.Vacancy", on_delete=models.PROTECT, related_name="offer_places"
    )

    class Meta:
        ordering = ["offer_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "child"], name="offer_place_one_per_child"),
            models.UniqueConstraint(fields=["offer", "vacancy"], name="offer_place_one_per_place"),
        ]

    def __str__(self) -> str:
        return f"Offer {self.offer_id}: child {self.child_id} in place {self.vacancy_id}"


class Scrutiny(models.Model):
    """An independent scrutineer's decision on a proposed match."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="scrutinies")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="scrutinies")
    scrutineer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=ScrutinyDecision.choices)
    reasons = models.TextField()
    decided_at = models.DateTimeField(auto_now_add=True)
    after_placement = models.BooleanField(
        default=False, help_text="Emergency: scrutinised after the start"
    )

    class Meta:
        ordering = ["referral_id", "decided_at"]
        verbose_name_plural = "scrutinies"

    def __str__(self) -> str:
        return f"Scrutiny of offer {self.offer_id}: {self.get_decision_display()}"


class Placement(models.Model):
    """The child's placement, with SSDA903 codes; booking a vacancy creates it. A sibling
    group's booking creates one per child, each in its own place."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="placements")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="placements")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="placements")
    vacancy = models.ForeignKey(
        "providers.Vacancy", on_delete=models.PROTECT, related_name="placements"
    )
    household = models.ForeignKey(
        "providers.Household", on_delete=models.PROTECT, related_name="placements"
    )
    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, related_name="placements"
    )
    la = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="placements")
    rcc = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="rcc_placements")
    placement_type = models.CharField(max_length=2, choices=PlacementType.choices)
    placement_provider = models.CharField(max_length=3, choices=PlacementProvider.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    reason_ended = models.CharField(max_length=6, choices=ReasonEnded.choices, blank=True)
    left_care_reason = models.CharField(
        "reason the child left care",
        max_length=3,
        choices=LeftCare.choices,
        blank=True,
        help_text="SSDA903 REC when the child stopped being looked after as this placement ended",
    )
    provider_urn = models.CharField(
        "provider's Ofsted URN", max_length=10, blank=True, help_text="As at booking (SSDA903 URN)"
    )
    home_postcode = models.CharField(
        max_length=8, blank=True, help_text="The child's home postcode at the start (HOME_POST)"
    )
    placement_postcode = models.CharField(
        max_length=8, blank=True, help_text="The carers' full postcode (PL_POST). Restricted."
    )
    distance_from_home_miles = models.DecimalField(
        max_digits=6, decimal_places=1, null=True, blank=True
    )
    emergency_scrutiny_due = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Emergency placements: scrutiny due within 72 hours of the start",
    )
    scrutiny_escalated_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the overdue emergency scrutiny was escalated (once per placement)",
    )
    booked_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlacementQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            # One placement per child of the referral (a sibling group: one each).
            models.UniqueConstraint(
                fields=["referral", "child"], name="placement_one_per_referral_child"
            ),
            # Two hubs can never book the same place: one current placement per vacancy.
            models.UniqueConstraint(
                fields=["vacancy"],
                condition=Q(end_date__isnull=True),
                name="placement_one_current_per_vacancy",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="placement_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | ~Q(reason_ended=""),
                name="placement_end_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["provider", "start_date"], name="placement_provider_start"),
            models.Index(fields=["rcc", "start_date"], name="placement_rcc_start"),
        ]

    def __str__(self) -> str:
        return f"Placement {self.pk} (referral {self.referral_id})"

    @property
    def status(self) -> str:
        """Ended once it has an end date; current from its start date; before that, starting
        later (booked ahead: not yet "Current")."""
        if self.end_date is not None:
            return PlacementStatus.ENDED
        if self.start_date > timezone.localdate():
            return PlacementStatus.STARTING
        return PlacementStatus.CURRENT

    @property
    def status_label(self) -> str:
        """The status in words, as every page shows it."""
        if self.status == PlacementStatus.STARTING:
            return f"Starting on {self.start_date.day} {self.start_date:%B %Y}"
        if self.status == PlacementStatus.ENDED:
            return f"Ended {self.end_date.day} {self.end_date:%B %Y}"  # type: ignore[union-attr]
        return str(PlacementStatus.CURRENT.label)


class PlacementAgreement(models.Model):
    """The individual placement agreement (IPA): the per-child contract with the agreed cost."""

    placement = models.OneToOneField(Placement, on_delete=models.CASCADE, related_name="agreement")
    agreed_weekly_fee = models.DecimalField(max_digits=8, decimal_places=2)
    support_package = models.JSONField(default=list, blank=True)
    support_weekly_cost = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    actual_weekly_cost = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="What is paid each week: the agreed cost at booking, then any recorded change",
    )
    provider_urn = models.CharField("provider's Ofsted URN", max_length=10, blank=True)
    siblings_split = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Placement agreement for placement {self.placement_id}"

    @property
    def agreed_weekly_cost(self):  # type: ignore[no-untyped-def]
        return self.agreed_weekly_fee + self.support_weekly_cost

    @property
    def weekly_cost(self):  # type: ignore[no-untyped-def]
        """What is paid each week: the actual cost where recorded (at booking, and after a
        change of fee or support), else the agreed cost."""
        if self.actual_weekly_cost is not None:
            return self.actual_weekly_cost
        return self.agreed_weekly_cost


class ReferralAccessLog(models.Model):
    """Every read of a child's record (the child, or one of the child's referrals) by anyone:
    LA, hub or provider staff. Who read it, through which membership (organisation and role),
    what they read, when and how (web, API or download). Shown to the child's social workers."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="access_log")
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.CASCADE, related_name="access_log"
    )
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation, null=True, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=32, blank=True, help_text="The role they read it in")
    action = models.CharField(max_length=40)
    channel = models.CharField(
        max_length=6, choices=AccessChannel.choices, default=AccessChannel.WEB
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["referral", "at"], name="referral_access_at"),
            models.Index(fields=["child", "-at"], name="child_access_at"),
        ]

    def __str__(self) -> str:
        return f"{self.action} on child {self.child_id} by user {self.user_id}"

    # What was read, in words, for the child's page.
    ACTION_LABELS = {
        "view_child": "The child's record",
        "view_child_needs": "The child's needs over time",
        "view_referral": "A referral",
        "view_placement": "The placement",
        "provider_view": "A referral, as sent to the provider",
        "provider_view_identity": "The child's local identifier, after shortlisting",
        "provider_view_placement": "The placement",
        "view_early_warning": "The stability early-warning list",
    }

    @property
    def action_label(self) -> str:
        return self.ACTION_LABELS.get(self.action, self.action.replace("_", " "))

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role in Role.values else self.role


class ReferralEvent(models.Model):
    """The referral's timeline: every state change, who and when (shown to the LA and hub)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    verb = models.CharField(max_length=40)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["referral_id", "at"]

    def __str__(self) -> str:
        return f"{self.verb} on referral {self.referral_id}"
