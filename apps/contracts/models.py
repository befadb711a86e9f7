"""Commissioning: national terms, frameworks and DPS with lots, enrolments, price schedules,
soft blocks, contract management, planning alerts, budgets, in-house costs and national
specialist services (DOMAIN.md §6-§8). Models hold fields and constraints only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from apps.organisations.kinds import OrganisationKind
from apps.organisations.models import Organisation
from apps.referrals.choices import SupportKind

from .choices import (
    FEE_BANDS,
    AlertKind,
    ArrangementKind,
    DisputeStatus,
    DisputeStepKind,
    EnrolmentStatus,
    LotService,
    fee_field_for_age,
)
from .dates import add_months, financial_year_bounds, financial_year_label
from .querysets import (
    AccountManagerQuerySet,
    AlertQuerySet,
    BudgetQuerySet,
    DisputeQuerySet,
    EnrolmentQuerySet,
    FrameworkQuerySet,
    InHouseCostQuerySet,
    LotQuerySet,
    MeetingQuerySet,
    PriceScheduleQuerySet,
    SoftBlockQuerySet,
    SpecialistServiceQuerySet,
    TermsVersionQuerySet,
)

USER = settings.AUTH_USER_MODEL
OWNER_KINDS = {"kind__in": [OrganisationKind.RCC, OrganisationKind.NCC]}


class TermsVersion(models.Model):
    """One version of the national terms and conditions, kept by the NCC."""

    title = models.CharField(max_length=200)
    version = models.PositiveSmallIntegerField(unique=True)
    effective_from = models.DateField()
    text = models.TextField(blank=True)
    document = models.FileField(upload_to="national-terms/", blank=True)
    change_summary = models.TextField(blank=True)
    published_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TermsVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(text="") | ~Q(document=""), name="terms_has_text_or_document"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class Framework(models.Model):
    """A framework or DPS owned by an RCC (or the NCC for national specialist services)."""

    owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="frameworks",
        limit_choices_to=OWNER_KINDS,
    )
    kind = models.CharField(max_length=10, choices=ArrangementKind.choices)
    reference = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    specification_summary = models.TextField()
    terms_version = models.ForeignKey(
        TermsVersion, on_delete=models.PROTECT, related_name="frameworks"
    )
    start_date = models.DateField()
    end_date = models.DateField("end of the current term")
    extension_options = models.PositiveSmallIntegerField("extension options left", default=0)
    extension_months = models.PositiveSmallIntegerField("months per extension", default=12)
    extension_decision_date = models.DateField(null=True, blank=True)
    consultation_months = models.PositiveSmallIntegerField(
        "consultation window (months before the decision)", default=6
    )
    application_opens = models.DateField(null=True, blank=True)
    application_closes = models.DateField(null=True, blank=True)
    lead_manager = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="frameworks_led")
    deputy_manager = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="frameworks_deputised"
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FrameworkQuerySet.as_manager()

    class Meta:
        ordering = ["end_date", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "reference"], name="framework_unique_reference"
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="framework_end_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(lead_manager=F("deputy_manager")), name="framework_deputy_not_lead"
            ),
            models.CheckConstraint(
                condition=Q(application_opens__isnull=True)
                | Q(application_closes__isnull=True)
                | Q(application_closes__gte=F("application_opens")),
                name="framework_window_order",
            ),
        ]
        indexes = [models.Index(fields=["owner", "end_date"], name="framework_owner_end")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_dps(self) -> bool:
        return self.kind == ArrangementKind.DPS

    @property
    def decision_date(self) -> dt.date:
        """The date by which to decide on extension or termination."""
        return self.extension_decision_date or self.end_date

    @property
    def consultation_opens_on(self) -> dt.date:
        return add_months(self.decision_date, -self.consultation_months)

    @property
    def latest_possible_end(self) -> dt.date:
        return add_months(self.end_date, self.extension_options * self.extension_months)

    def is_live(self, on: dt.date) -> bool:
        return self.start_date <= on <= self.end_date


class Lot(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=120)
    service_type = models.CharField(max_length=20, choices=LotService.choices)
    age_min = models.PositiveSmallIntegerField("youngest age", default=0)
    age_max = models.PositiveSmallIntegerField("oldest age", default=17)
    description = models.TextField(blank=True)

    objects = LotQuerySet.as_manager()

    class Meta:
        ordering = ["framework_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="lot_unique_number"),
            models.CheckConstraint(condition=Q(age_min__lte=F("age_max")), name="lot_age_range"),
            models.CheckConstraint(condition=Q(age_max__lte=25), name="lot_age_max_25"),
        ]

    def __str__(self) -> str:
        return f"Lot {self.number}: {self.name}"


class Enrolment(models.Model):
    """A provider (IFA or LA service alike) on a lot."""

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="enrolments")
    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, related_name="enrolments"
    )
    status = models.CharField(
        max_length=10, choices=EnrolmentStatus.choices, default=EnrolmentStatus.APPLIED
    )
    applied_on = models.DateField()
    accepted_on = models.DateField(null=True, blank=True)
    suspended_on = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["lot_id", "provider__organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["lot", "provider"], name="enrolment_unique_provider"),
            models.CheckConstraint(
                condition=~Q(status=EnrolmentStatus.ACCEPTED) | Q(accepted_on__isnull=False),
                name="enrolment_accepted_has_date",
            ),
        ]
        indexes = [models.Index(fields=["provider", "status"], name="enrolment_provider_status")]

    def __str__(self) -> str:
        return f"{self.provider} on {self.lot}"


class PriceSchedule(models.Model):
    """The weekly fee per age band for one provider on one lot for one period, plus support prices.

    Periods of one provider and lot never overlap (a service check, and an exclusion
    constraint on PostgreSQL).
    `valid_to` blank means open-ended.
    """

    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, related_name="price_schedules"
    )
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="price_schedules")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    fee_0_4 = models.DecimalField(
        "weekly fee, age 0 to 4", null=True, blank=True, max_digits=8, decimal_places=2
    )
    fee_5_10 = models.DecimalField(
        "weekly fee, age 5 to 10", null=True, blank=True, max_digits=8, decimal_places=2
    )
    fee_11_15 = models.DecimalField(
        "weekly fee, age 11 to 15", null=True, blank=True, max_digits=8, decimal_places=2
    )
    fee_16_17 = models.DecimalField(
        "weekly fee, age 16 to 17", null=True, blank=True, max_digits=8, decimal_places=2
    )
    fee_18_plus = models.DecimalField(
        "weekly fee, age 18 and over", null=True, blank=True, max_digits=8, decimal_places=2
    )
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PriceScheduleQuerySet.as_manager()

    class Meta:
        ordering = ["lot_id", "provider_id", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="priceschedule_period_order",
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"fee_{suffix}__isnull": True}) | Q(**{f"fee_{suffix}__gte": 0}),
                    name=f"priceschedule_fee_{suffix}_not_negative",
                )
                for suffix, *_ in FEE_BANDS
            ],
        ]
        indexes = [
            models.Index(fields=["provider", "lot", "valid_from"], name="priceschedule_lookup")
        ]

    def __str__(self) -> str:
        return f"{self.provider} - {self.lot} from {self.valid_from}"

    def fee_for_age(self, age: int) -> Decimal | None:
        field = fee_field_for_age(age)
        return getattr(self, field) if field else None

    @property
    def fees(self) -> list[tuple[str, Decimal | None]]:
        return [(label, getattr(self, f"fee_{suffix}")) for suffix, _lo, _hi, label in FEE_BANDS]


class SupportPrice(models.Model):
    """A support package priced up front on a schedule."""

    schedule = models.ForeignKey(
        PriceSchedule, on_delete=models.CASCADE, related_name="support_prices"
    )
    kind = models.CharField(max_length=12, choices=SupportKind.choices)
    weekly_cost = models.DecimalField(max_digits=8, decimal_places=2)
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["schedule_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "kind"], name="supportprice_unique_kind"),
            models.CheckConstraint(
                condition=Q(weekly_cost__gte=0), name="supportprice_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: £{self.weekly_cost} a week"


class SoftBlock(models.Model):
    """Places reserved with a provider at an agreed weekly fee, paid whether used or not."""

    rcc = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="soft_blocks",
        limit_choices_to=OWNER_KINDS,
    )
    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, related_name="soft_blocks"
    )
    lot = models.ForeignKey(
        Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="soft_blocks"
    )
    reference = models.CharField(max_length=40)
    places = models.PositiveSmallIntegerField("places reserved")
    weekly_fee = models.DecimalField("agreed weekly fee per place", max_digits=8, decimal_places=2)
    start_date = models.DateField()
    end_date = models.DateField()
    terms_version = models.ForeignKey(
        TermsVersion, on_delete=models.PROTECT, related_name="soft_blocks"
    )
    utilisation_threshold = models.PositiveSmallIntegerField(
        "alert when utilisation falls below (%)", default=80
    )
    consultation_months = models.PositiveSmallIntegerField(
        "consultation window (months before the end)", default=3
    )
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SoftBlockQuerySet.as_manager()

    class Meta:
        ordering = ["end_date", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["rcc", "reference"], name="softblock_unique_reference"),
            models.CheckConstraint(condition=Q(places__gte=1), name="softblock_places_positive"),
            models.CheckConstraint(
                condition=Q(weekly_fee__gte=0), name="softblock_fee_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="softblock_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(utilisation_threshold__lte=100), name="softblock_threshold_percent"
            ),
        ]
        indexes = [models.Index(fields=["provider", "start_date"], name="softblock_provider_start")]

    def __str__(self) -> str:
        return f"{self.reference}: {self.places} places with {self.provider}"

    @property
    def decision_date(self) -> dt.date:
        return self.end_date

    @property
    def consultation_opens_on(self) -> dt.date:
        return add_months(self.end_date, -self.consultation_months)


class AccountManager(models.Model):
    """A large provider's national account manager, one contact across consortia."""

    provider = models.OneToOneField(
        "providers.Provider", on_delete=models.CASCADE, related_name="account_manager"
    )
    manager = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="accounts_managed")
    rccs = models.ManyToManyField(
        Organisation, related_name="+", limit_choices_to={"kind": OrganisationKind.RCC}
    )
    since = models.DateField()
    notes = models.TextField(blank=True)

    objects = AccountManagerQuerySet.as_manager()

    class Meta:
        ordering = ["provider__organisation__name"]

    def __str__(self) -> str:
        return f"{self.manager} for {self.provider}"


class Dispute(models.Model):
    rcc = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="contract_disputes",
        limit_choices_to=OWNER_KINDS,
    )
    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, related_name="disputes"
    )
    framework = models.ForeignKey(
        Framework, null=True, blank=True, on_delete=models.PROTECT, related_name="disputes"
    )
    soft_block = models.ForeignKey(
        SoftBlock, null=True, blank=True, on_delete=models.PROTECT, related_name="disputes"
    )
    title = models.CharField(max_length=200)
    issue = models.TextField()
    other_parties = models.CharField(
        max_length=300, blank=True, help_text="Anyone else party to it"
    )
    status = models.CharField(
        max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    raised_on = models.DateField()
    raised_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    outcome = models.TextField(blank=True)
    closed_on = models.DateField(null=True, blank=True)

    objects = DisputeQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[DisputeStatus.OPEN, DisputeStatus.MEDIATION])
                | (~Q(outcome="") & Q(closed_on__isnull=False)),
                name="dispute_closed_has_outcome",
            )
        ]

    def __str__(self) -> str:
        return self.title


class DisputeStep(models.Model):
    """One step of mediation on the dispute's timeline."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(max_length=20, choices=DisputeStepKind.choices)
    on = models.DateField()
    notes = models.TextField()
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["dispute_id", "on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.on}"


class PartnershipMeeting(models.Model):
    """A contract management meeting with a provider; notes and actions."""

    rcc = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="partnership_meetings",
        limit_choices_to=OWNER_KINDS,
    )
    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, related_name="partnership_meetings"
    )
    framework = models.ForeignKey(
        Framework, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    held_on = models.DateField()
    attendees = models.TextField(blank=True)
    notes = models.TextField()
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"Meeting with {self.provider} on {self.held_on}"


class MeetingAction(models.Model):
    meeting = models.ForeignKey(
        PartnershipMeeting, on_delete=models.CASCADE, related_name="actions"
    )
    description = models.CharField(max_length=300)
    owner = models.CharField("who", max_length=120)
    due_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["meeting_id", "due_on", "id"]

    def __str__(self) -> str:
        return self.description


class ContractAlert(models.Model):
    """A planning alert: one per event (`key` is unique), raised by the beat task."""

    owner = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="contract_alerts"
    )
    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    key = models.CharField(max_length=120, unique=True)
    framework = models.ForeignKey(
        Framework, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    soft_block = models.ForeignKey(
        SoftBlock, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    event_date = models.DateField()
    message = models.CharField(max_length=300)
    raised_at = models.DateTimeField(auto_now_add=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["event_date", "id"]
        indexes = [models.Index(fields=["owner", "dismissed_at"], name="alert_owner_open")]

    def __str__(self) -> str:
        return self.message


class PlacementBudget(models.Model):
    """An LA's placement budget for a financial year (April-March), pooled at its RCC."""

    rcc = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="pooled_budgets",
        limit_choices_to={"kind": OrganisationKind.RCC},
    )
    la = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="placement_budgets",
        limit_choices_to={"kind": OrganisationKind.LOCAL_AUTHORITY},
    )
    financial_year = models.PositiveSmallIntegerField(
        help_text="The year the financial year starts (2025 = 2025-26)"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    notes = models.TextField(blank=True)
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = BudgetQuerySet.as_manager()

    class Meta:
        ordering = ["-financial_year", "la__name"]
        constraints = [
            models.UniqueConstraint(fields=["la", "financial_year"], name="budget_unique_la_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.la} {self.year_label}"

    @property
    def year_label(self) -> str:
        return financial_year_label(self.financial_year)

    @property
    def year_start(self) -> dt.date:
        return financial_year_bounds(self.financial_year)[0]

    @property
    def year_end(self) -> dt.date:
        return financial_year_bounds(self.financial_year)[1]


class InHouseCost(models.Model):
    """An LA fostering service's full weekly cost of a placement, comparable with IFA fees."""

    service = models.ForeignKey(
        "providers.Provider",
        on_delete=models.CASCADE,
        related_name="in_house_costs",
        limit_choices_to={"organisation__kind": OrganisationKind.LA_SERVICE},
    )
    financial_year = models.PositiveSmallIntegerField()
    allowance = models.DecimalField("carer allowance a week", max_digits=8, decimal_places=2)
    carer_fees = models.DecimalField("fees to carers a week", max_digits=8, decimal_places=2)
    support = models.DecimalField(
        "support (social work, training, therapy) a week", max_digits=8, decimal_places=2
    )
    overheads = models.DecimalField("overheads a week", max_digits=8, decimal_places=2)
    notes = models.TextField(blank=True)
    entered_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = InHouseCostQuerySet.as_manager()

    class Meta:
        ordering = ["-financial_year", "service__organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "financial_year"], name="inhousecost_unique_year"
            ),
            models.CheckConstraint(
                condition=Q(allowance__gte=0)
                & Q(carer_fees__gte=0)
                & Q(support__gte=0)
                & Q(overheads__gte=0),
                name="inhousecost_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.financial_year}: £{self.full_weekly_cost} a week"

    @property
    def full_weekly_cost(self) -> Decimal:
        return self.allowance + self.carer_fees + self.support + self.overheads


class SpecialistService(models.Model):
    """A service for rare needs commissioned nationally by the NCC; every hub can use it."""

    name = models.CharField(max_length=200, unique=True)
    provider = models.ForeignKey(
        "providers.Provider",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="specialist_services",
    )
    framework = models.ForeignKey(
        Framework,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="specialist_services",
    )
    summary = models.TextField()
    how_to_access = models.TextField()
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    places = models.PositiveSmallIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = SpecialistServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SpecialistServiceNeed(models.Model):
    """A need domain the service meets, from `min_level` upwards."""

    service = models.ForeignKey(SpecialistService, on_delete=models.CASCADE, related_name="needs")
    domain = models.ForeignKey("needs.NeedDomain", on_delete=models.PROTECT, related_name="+")
    min_level = models.ForeignKey("needs.NeedLevel", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["service_id", "domain__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "domain"], name="specialistneed_unique_domain"
            )
        ]

    def __str__(self) -> str:
        return f"{self.domain} from {self.min_level}"
