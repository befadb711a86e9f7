from django.db import models
from django.db.models import Q

from .kinds import IfaSector, OrganisationKind, Region
from .querysets import OrganisationQuerySet, RccMembershipQuerySet


class Organisation(models.Model):
    """Every organisation on the platform; kind-specific fields are blank for other kinds."""

    kind = models.CharField(max_length=16, choices=OrganisationKind.choices, db_index=True)
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=60, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(blank=True)
    is_active = models.BooleanField(default=True)

    # Local authority
    dfe_la_code = models.CharField("DfE LA code", max_length=3, blank=True)
    gss_code = models.CharField("ONS GSS code", max_length=9, blank=True)
    region = models.CharField(max_length=40, choices=Region.choices, blank=True)
    la_type = models.CharField("LA type", max_length=3, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    population = models.PositiveIntegerField(null=True, blank=True)
    combined_authority = models.CharField(max_length=20, blank=True)

    # Fostering service registered with Ofsted: an IFA or an LA fostering service
    ofsted_urn = models.CharField("Ofsted URN", max_length=10, blank=True)
    # Independent fostering agency
    sector = models.CharField(max_length=10, choices=IfaSector.choices, blank=True)

    # LA fostering service
    owning_la = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fostering_services",
        limit_choices_to={"kind": OrganisationKind.LOCAL_AUTHORITY},
    )
    # RCC hub
    rcc = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hubs",
        limit_choices_to={"kind": OrganisationKind.RCC},
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["dfe_la_code"],
                condition=~Q(dfe_la_code=""),
                name="organisation_unique_dfe_la_code",
            ),
            models.UniqueConstraint(
                fields=["ofsted_urn"],
                condition=~Q(ofsted_urn=""),
                name="organisation_unique_ofsted_urn",
            ),
            models.UniqueConstraint(fields=["kind", "name"], name="organisation_unique_kind_name"),
            models.CheckConstraint(
                condition=~Q(kind=OrganisationKind.LOCAL_AUTHORITY) | ~Q(dfe_la_code=""),
                name="organisation_la_has_dfe_code",
            ),
            models.CheckConstraint(
                condition=~Q(kind=OrganisationKind.LA_SERVICE) | Q(owning_la__isnull=False),
                name="organisation_la_service_has_owner",
            ),
            models.CheckConstraint(
                condition=~Q(kind=OrganisationKind.HUB) | Q(rcc__isnull=False),
                name="organisation_hub_has_rcc",
            ),
            models.CheckConstraint(
                condition=~Q(kind=OrganisationKind.IFA) | ~Q(sector=""),
                name="organisation_ifa_has_sector",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_provider(self) -> bool:
        return self.kind in (OrganisationKind.IFA, OrganisationKind.LA_SERVICE)


class RccMembership(models.Model):
    """An LA's membership of an RCC, with the dates it runs."""

    rcc = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="la_memberships",
        limit_choices_to={"kind": OrganisationKind.RCC},
    )
    la = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="rcc_memberships",
        limit_choices_to={"kind": OrganisationKind.LOCAL_AUTHORITY},
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    objects = RccMembershipQuerySet.as_manager()

    class Meta:
        ordering = ["rcc__name", "la__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["rcc", "la", "start_date"], name="rccmembership_unique"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="rccmembership_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.la} in {self.rcc}"


class PostcodeDistrict(models.Model):
    """A postcode district (outward code) with an approximate centre, for distances."""

    code = models.CharField(max_length=4, primary_key=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    la = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="postcode_districts",
        limit_choices_to={"kind": OrganisationKind.LOCAL_AUTHORITY},
        help_text="The English LA whose centre is nearest (approximate); blank outside England.",
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Postcode(models.Model):
    """A full postcode with its Ordnance Survey grid point (ONS Postcode Directory): for the
    DfE's straight-line distance between the child's home and the placement. The shipped file
    is a sample of real postcodes (a few per district) for synthetic data; a deployment loads
    the whole directory with the same command."""

    code = models.CharField(max_length=8, primary_key=True, help_text="Such as M14 5AB")
    district = models.ForeignKey(
        PostcodeDistrict, on_delete=models.CASCADE, related_name="postcodes"
    )
    easting = models.PositiveIntegerField()
    northing = models.PositiveIntegerField()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code
