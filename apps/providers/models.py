"""The national register: providers, fostering households, carers, skills and vacancies."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.organisations.kinds import OrganisationKind
from apps.organisations.models import Organisation, PostcodeDistrict

from .choices import (
    ENDED_HOUSEHOLD_STATUSES,
    AgeBand,
    ApprovalEndReason,
    Ethnicity,
    HouseholdStatus,
    OfstedGrade,
    Religion,
    Sex,
    VacancyStatus,
    care_types_from_mask,
)
from .querysets import (
    HouseholdQuerySet,
    ProviderQuerySet,
    RegisterUploadQuerySet,
    VacancyQuerySet,
    stale_before,
)


def household_label(provider_name: str, reference: str) -> str:
    """A household as named to anyone: references are unique only within their provider."""
    return f"{provider_name} — {reference}"


class Provider(models.Model):
    """A fostering service, IFA or LA, on equal terms. One-to-one with its Organisation."""

    organisation = models.OneToOneField(
        Organisation,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="provider",
        limit_choices_to={"kind__in": [OrganisationKind.IFA, OrganisationKind.LA_SERVICE]},
    )
    ofsted_grade = models.CharField(max_length=24, choices=OfstedGrade.choices, blank=True)
    inspection_date = models.DateField(null=True, blank=True)
    areas_served = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="providers_serving",
        limit_choices_to={"kind": OrganisationKind.LOCAL_AUTHORITY},
    )
    contact_name = models.CharField(max_length=120, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)

    objects = ProviderQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name"]

    def __str__(self) -> str:
        return self.organisation.name

    @property
    def name(self) -> str:
        return self.organisation.name

    @property
    def is_in_house(self) -> bool:
        return self.organisation.kind == OrganisationKind.LA_SERVICE


class Household(models.Model):
    """An approved fostering household. `reference` is the provider's own key for it, unique
    within the provider only: name a household to anyone else by `display_name` (provider and
    reference together).

    `approved_on` and `approval_ended_on` are the register's history: the household was approved
    (counts as a household of the provider) from `approved_on` up to the day before
    `approval_ended_on`. The national return's households at the start and end of a quarter and
    its approvals, resignations and deregistrations are read from them.
    """

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="households")
    reference = models.CharField(max_length=40)
    status = models.CharField(
        max_length=16, choices=HouseholdStatus.choices, default=HouseholdStatus.ACTIVE
    )
    postcode_district = models.ForeignKey(PostcodeDistrict, on_delete=models.PROTECT)
    latitude = models.FloatField(help_text="Centre of the postcode district (coarse by design).")
    longitude = models.FloatField()
    la = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="households_living_in",
        verbose_name="LA the household lives in",
    )
    age_min = models.PositiveSmallIntegerField("youngest age approved")
    age_max = models.PositiveSmallIntegerField("oldest age approved")
    places = models.PositiveSmallIntegerField("approved places")
    max_sibling_group = models.PositiveSmallIntegerField("largest sibling group", default=1)
    care_types = models.PositiveIntegerField(default=0, help_text="Bit mask of CareType")
    bedrooms = models.PositiveSmallIntegerField("spare bedrooms", default=1)
    pets = models.CharField(max_length=200, blank=True, help_text="Blank when there are none.")
    adaptations = models.CharField(
        "adaptations the home has",
        max_length=300,
        blank=True,
        help_text="Such as wheelchair access or a ground-floor bedroom; blank when none.",
    )
    other_children_ages = models.JSONField(default=list, blank=True)
    preferences = models.TextField("carers' stated preferences", blank=True)
    approved_on = models.DateField("approved on", default=timezone.localdate)
    approval_ended_on = models.DateField(
        "approval ended on",
        null=True,
        blank=True,
        help_text="The day the carers resigned or were deregistered; blank while approved.",
    )
    approval_end_reason = models.CharField(
        "why the approval ended", max_length=12, choices=ApprovalEndReason.choices, blank=True
    )
    last_confirmed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        ordering = ["provider_id", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "reference"], name="household_unique_reference"
            ),
            models.CheckConstraint(
                condition=Q(age_min__lte=models.F("age_max")), name="household_age_range"
            ),
            models.CheckConstraint(condition=Q(age_max__lte=25), name="household_age_max_25"),
            models.CheckConstraint(condition=Q(places__gte=1), name="household_places_positive"),
            models.CheckConstraint(
                condition=Q(max_sibling_group__gte=1)
                & Q(max_sibling_group__lte=models.F("places")),
                name="household_sibling_group_within_places",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status__in=ENDED_HOUSEHOLD_STATUSES)
                    & Q(approval_ended_on__isnull=False)
                    & ~Q(approval_end_reason="")
                )
                | (
                    ~Q(status__in=ENDED_HOUSEHOLD_STATUSES)
                    & Q(approval_ended_on__isnull=True)
                    & Q(approval_end_reason="")
                ),
                name="household_ended_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(approval_ended_on__isnull=True)
                | Q(approval_ended_on__gte=models.F("approved_on")),
                name="household_approval_ends_after_it_began",
            ),
        ]
        indexes = [
            models.Index(fields=["latitude", "longitude"], name="household_point"),
            models.Index(fields=["status", "provider"], name="household_status_provider"),
            models.Index(fields=["la"], name="household_la"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """How the household is named anywhere but its own provider's register: references are
        only unique within a provider."""
        return household_label(self.provider.name, self.reference)

    @property
    def care_type_codes(self) -> list[str]:
        return care_types_from_mask(self.care_types)

    @property
    def is_stale(self) -> bool:
        return self.last_confirmed_at < stale_before()


class Carer(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="carers")
    age_band = models.CharField(max_length=5, choices=AgeBand.choices)
    sex = models.CharField(max_length=1, choices=Sex.choices)
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices)
    religion = models.CharField(
        max_length=12, choices=Religion.choices, default=Religion.NOT_STATED
    )
    languages = models.JSONField(default=list, blank=True, help_text="ISO 639-1 codes")

    class Meta:
        ordering = ["household_id", "id"]

    def __str__(self) -> str:
        return f"Carer {self.pk} of {self.household.display_name}"


class HouseholdSkill(models.Model):
    """The highest level of a need domain the household is trained and supported to meet."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="skills")
    domain = models.ForeignKey("needs.NeedDomain", on_delete=models.PROTECT)
    level = models.ForeignKey("needs.NeedLevel", on_delete=models.PROTECT)

    class Meta:
        ordering = ["household_id", "domain__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "domain"], name="householdskill_unique_domain"
            )
        ]

    def __str__(self) -> str:
        return f"{self.domain}: {self.level}"


class Vacancy(models.Model):
    """One place in a household, free now or from a date."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="vacancies")
    reference = models.CharField(max_length=40, help_text="The provider's key for this place")
    available_from = models.DateField()
    status = models.CharField(
        max_length=10, choices=VacancyStatus.choices, default=VacancyStatus.OPEN
    )
    hold_reason = models.CharField(max_length=200, blank=True)
    last_confirmed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VacancyQuerySet.as_manager()

    class Meta:
        ordering = ["available_from", "id"]
        verbose_name_plural = "vacancies"
        constraints = [
            models.UniqueConstraint(
                fields=["household", "reference"], name="vacancy_unique_reference"
            ),
            models.CheckConstraint(
                condition=~Q(status=VacancyStatus.ON_HOLD) | ~Q(hold_reason=""),
                name="vacancy_hold_has_reason",
            ),
        ]
        indexes = [
            models.Index(
                fields=["household", "available_from"],
                condition=Q(status="open"),
                name="vacancy_open_by_household",
            ),
            models.Index(fields=["status", "last_confirmed_at"], name="vacancy_status_confirmed"),
        ]

    def __str__(self) -> str:
        return f"{self.household.display_name}/{self.reference}"

    @property
    def is_stale(self) -> bool:
        return self.last_confirmed_at < stale_before()


class RegisterUpload(models.Model):
    """A file of households and vacancies a provider uploaded; the original is always kept."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="uploads")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    original = models.FileField(upload_to="register-uploads/%Y/%m/")
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    summary = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RegisterUploadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_outcome_display()})"


class RegisterConfirmation(models.Model):
    """A provider confirmed in one click that every household and vacancy is current."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="confirmations")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    households = models.PositiveIntegerField()
    vacancies = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return (
            f"{self.provider} confirmed by {self.confirmed_by} at {self.created_at:%Y-%m-%d %H:%M}"
        )


class StaleRegisterNotice(models.Model):
    """A provider was emailed the list of its stale records; at most once a day."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="stale_notices")
    sent_on = models.DateField()
    households = models.PositiveIntegerField()
    vacancies = models.PositiveIntegerField()
    recipients = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_on"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "sent_on"], name="stalenotice_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.provider}: stale notice on {self.sent_on}"
