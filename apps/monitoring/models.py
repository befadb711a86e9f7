"""Monitoring: the national quarterly return and its cycle, placement feedback, and the provider
scorecard's precomputed figures (DOMAIN.md §9). Models hold fields and constraints only."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.organisations.models import Organisation

from .choices import (
    FEEDBACK_SCALE,
    Channel,
    FeedbackRole,
    QueryStatus,
    ReminderKind,
    ReturnStatus,
    SubmissionOutcome,
)
from .quarters import Quarter
from .querysets import (
    FeedbackQuerySet,
    MeetingLinkQuerySet,
    ReturnQueryQuerySet,
    ReturnQuerySet,
    ScorecardQuerySet,
    SubmissionQuerySet,
    VersionQuerySet,
)

USER = settings.AUTH_USER_MODEL


class MonitoringReturn(models.Model):
    """One provider's return for one quarter: due, submitted (in versions), queried, accepted."""

    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, related_name="monitoring_returns"
    )
    quarter_start = models.DateField(help_text="First day of the quarter (financial year)")
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=ReturnStatus.choices, default=ReturnStatus.DUE)
    current_version = models.ForeignKey(
        "ReturnVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    last_submitted_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_for = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The RCC (or the NCC) whose commissioner accepted it",
    )
    overdue_since = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReturnQuerySet.as_manager()

    class Meta:
        ordering = ["-quarter_start", "provider_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "quarter_start"], name="return_one_per_quarter"
            ),
            models.CheckConstraint(
                condition=~Q(status=ReturnStatus.ACCEPTED)
                | (Q(accepted_at__isnull=False) & Q(current_version__isnull=False)),
                name="return_accepted_has_version",
            ),
            models.CheckConstraint(
                condition=Q(status=ReturnStatus.DUE) | Q(first_submitted_at__isnull=False),
                name="return_submitted_has_date",
            ),
        ]
        indexes = [models.Index(fields=["quarter_start", "status"], name="return_quarter_status")]

    def __str__(self) -> str:
        return f"{self.provider}, {self.quarter}"

    @property
    def quarter(self) -> Quarter:
        return Quarter.of(self.quarter_start)

    @property
    def is_overdue(self) -> bool:
        return self.overdue_since is not None and self.status == ReturnStatus.DUE


class ReturnVersion(models.Model):
    """An accepted set of rows: the first submission, or a resubmission that changed something."""

    monitoring_return = models.ForeignKey(
        MonitoringReturn, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    format_version = models.CharField(max_length=20)
    content_hash = models.CharField(max_length=64)
    figures = models.JSONField(default=dict)
    carer_changes = models.JSONField(default=list, blank=True)
    placement_count = models.PositiveIntegerField(default=0)
    diff = models.JSONField(default=dict, blank=True, help_text="Changes from the version before")
    submitted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)

    objects = VersionQuerySet.as_manager()

    class Meta:
        ordering = ["monitoring_return_id", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["monitoring_return", "number"], name="version_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"Version {self.number} of {self.monitoring_return_id}"


class ReturnPlacement(models.Model):
    """One placement-level row of a version (pseudonymous: no name, no case number)."""

    version = models.ForeignKey(ReturnVersion, on_delete=models.CASCADE, related_name="placements")
    row = models.PositiveIntegerField(help_text="Row of the file or form it came from")
    child_ref = models.CharField(max_length=20)
    placement = models.ForeignKey(
        "referrals.Placement", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    la = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    rcc = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The RCC the placing LA belonged to in the quarter",
    )
    placement_type = models.CharField(max_length=2)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    reason_ended = models.CharField(max_length=6, blank=True)
    household_ref = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["version_id", "row"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="returnplacement_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["version", "rcc"], name="returnplacement_version_rcc")]

    def __str__(self) -> str:
        return f"{self.child_ref} from {self.start_date} (row {self.row})"


class ReturnSubmission(models.Model):
    """Every attempt to submit, by any channel, with the original kept: accepted or not."""

    monitoring_return = models.ForeignKey(
        MonitoringReturn, on_delete=models.CASCADE, related_name="submissions"
    )
    channel = models.CharField(max_length=4, choices=Channel.choices)
    format_version = models.CharField(max_length=20, blank=True)
    original = models.FileField(upload_to="monitoring-returns/%Y/%m/", blank=True)
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=10, choices=SubmissionOutcome.choices)
    rows = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    version = models.ForeignKey(
        ReturnVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    submitted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome=SubmissionOutcome.REJECTED) | Q(error_count__gt=0),
                name="submission_rejected_has_errors",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_outcome_display()})"


class ReturnQuery(models.Model):
    """A commissioner's question about one figure or row; a thread with the provider."""

    monitoring_return = models.ForeignKey(
        MonitoringReturn, on_delete=models.CASCADE, related_name="queries"
    )
    version = models.ForeignKey(
        ReturnVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="queries"
    )
    subject = models.CharField(max_length=120, help_text="The figure or row queried")
    status = models.CharField(max_length=10, choices=QueryStatus.choices, default=QueryStatus.OPEN)
    raised_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    raised_for = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ReturnQueryQuerySet.as_manager()

    class Meta:
        ordering = ["monitoring_return_id", "raised_at"]
        verbose_name_plural = "return queries"

    def __str__(self) -> str:
        return f"Query on {self.subject}"


class ReturnQueryMessage(models.Model):
    query = models.ForeignKey(ReturnQuery, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    from_provider = models.BooleanField()
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["query_id", "created_at", "id"]

    def __str__(self) -> str:
        return f"Message on query {self.query_id}"


class ReturnReminder(models.Model):
    """A reminder or overdue notice sent about a return: at most one of each kind."""

    monitoring_return = models.ForeignKey(
        MonitoringReturn, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    sent_on = models.DateField()
    recipients = models.JSONField(default=list)

    class Meta:
        ordering = ["monitoring_return_id", "sent_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["monitoring_return", "kind"], name="reminder_once_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} reminder on {self.sent_on}"


class PlacementFeedback(models.Model):
    """A social worker's or IRO's feedback on a placement at a review. Providers see only
    anonymised summaries, never a row or who wrote it."""

    placement = models.ForeignKey(
        "referrals.Placement", on_delete=models.PROTECT, related_name="feedback"
    )
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="placement_feedback")
    author_role = models.CharField(max_length=14, choices=FeedbackRole.choices)
    review_date = models.DateField()
    childs_progress = models.PositiveSmallIntegerField(choices=FEEDBACK_SCALE)
    carer_support = models.PositiveSmallIntegerField(choices=FEEDBACK_SCALE)
    communication = models.PositiveSmallIntegerField(choices=FEEDBACK_SCALE)
    concerns = models.BooleanField(default=False)
    concerns_detail = models.TextField(blank=True)
    comments = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-review_date", "-id"]
        verbose_name_plural = "placement feedback"
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "author", "review_date"], name="feedback_once_per_review"
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{name}__gte": 1}) & Q(**{f"{name}__lte": 5}),
                    name=f"feedback_{name}_1_to_5",
                )
                for name in ("childs_progress", "carer_support", "communication")
            ],
            models.CheckConstraint(
                condition=Q(concerns=False) | ~Q(concerns_detail=""),
                name="feedback_concerns_explained",
            ),
        ]
        indexes = [models.Index(fields=["review_date"], name="feedback_review_date")]

    def __str__(self) -> str:
        return f"Feedback on placement {self.placement_id} at the review of {self.review_date}"


class ScorecardSnapshot(models.Model):
    """A provider's figures for one quarter, nationally (rcc blank) or for one RCC's placements.

    Computed by `services.scorecards.scorecard_refresh` (a Celery task), never per request."""

    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.CASCADE, related_name="scorecard_snapshots"
    )
    quarter_start = models.DateField()
    rcc = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Stability: from the return's placement rows (or the platform's placements without one)
    placements = models.PositiveIntegerField(default=0)
    placement_days = models.PositiveIntegerField(default=0)
    placements_started = models.PositiveIntegerField(default=0)
    placements_ended = models.PositiveIntegerField(default=0)
    unplanned_endings = models.PositiveIntegerField(default=0)
    unplanned_by_reason = models.JSONField(default=dict, blank=True)
    stability_rate = models.DecimalField(
        "unplanned endings per 100 placement-years",
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
    )
    stability_source = models.CharField(max_length=8, blank=True)
    # Referrals and offers
    referrals_received = models.PositiveIntegerField(default=0)
    referrals_answered = models.PositiveIntegerField(default=0)
    response_hours_median = models.DecimalField(
        max_digits=7, decimal_places=1, null=True, blank=True
    )
    offers_made = models.PositiveIntegerField(default=0)
    offers_accepted = models.PositiveIntegerField(default=0)
    # Feedback (anonymised; suppressed when fewer than 5 when shown)
    feedback_count = models.PositiveIntegerField(default=0)
    feedback_progress = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    feedback_support = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    feedback_communication = models.DecimalField(
        max_digits=3, decimal_places=2, null=True, blank=True
    )
    feedback_concerns = models.PositiveIntegerField(default=0)
    # Quality and cost
    ofsted_grade = models.CharField(max_length=24, blank=True)
    ofsted_date = models.DateField(null=True, blank=True)
    fee_vs_median_pct = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    fee_lots = models.PositiveIntegerField(default=0)
    # The return
    return_status = models.CharField(max_length=10, blank=True)
    return_days_late = models.IntegerField(null=True, blank=True)
    computed_at = models.DateTimeField()

    objects = ScorecardQuerySet.as_manager()

    class Meta:
        ordering = ["provider_id", "quarter_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "quarter_start"],
                condition=Q(rcc__isnull=True),
                name="scorecard_one_national",
            ),
            models.UniqueConstraint(
                fields=["provider", "quarter_start", "rcc"],
                condition=Q(rcc__isnull=False),
                name="scorecard_one_per_rcc",
            ),
        ]
        indexes = [
            models.Index(fields=["rcc", "quarter_start"], name="scorecard_rcc_quarter"),
            models.Index(fields=["quarter_start", "provider"], name="scorecard_quarter_provider"),
        ]

    def __str__(self) -> str:
        return f"Scorecard of provider {self.provider_id}, {self.quarter}"

    @property
    def quarter(self) -> Quarter:
        return Quarter.of(self.quarter_start)


class MeetingScorecardLink(models.Model):
    """A partnership meeting (apps.contracts) discussed the provider's scorecard for a quarter."""

    meeting = models.ForeignKey(
        "contracts.PartnershipMeeting", on_delete=models.CASCADE, related_name="scorecard_links"
    )
    provider = models.ForeignKey("providers.Provider", on_delete=models.CASCADE, related_name="+")
    quarter_start = models.DateField()
    linked_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MeetingLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-quarter_start", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "quarter_start"], name="meetinglink_unique")
        ]

    def __str__(self) -> str:
        return f"Meeting {self.meeting_id} discussed the {self.quarter} scorecard"

    @property
    def quarter(self) -> Quarter:
        return Quarter.of(self.quarter_start)
