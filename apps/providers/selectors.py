"""Reads of the register: the vacancy search.

The search returns one row per household (not per vacancy): the household's open places that
match, the earliest date one is free, and the straight-line distance from the child's postcode
district, as the DfE measures distance (great-circle miles between postcode points).

Performance (docs/adr/0010-vacancy-search.md): a radius first becomes a bounding box on
(latitude, longitude), which the `household_point` index answers; only the households in the box
get the exact distance, computed in SQL with Django's math functions (so SQLite works too), and
only those are checked for open vacancies, through the partial index `vacancy_open_by_household`.
No GROUP BY and no join: the page's figures are correlated subqueries evaluated for its rows.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Count, Exists, F, FloatField, OuterRef, Q, Subquery, Value
from django.db.models.functions import ASin, Cos, Power, Radians, Sin, Sqrt

from apps.core.errors import DomainError
from apps.organisations.geo import EARTH_RADIUS_MILES, bounding_box
from apps.organisations.kinds import OrganisationKind
from apps.organisations.models import Organisation, PostcodeDistrict, RccMembership

from .choices import OFSTED_GRADE_RANK, HouseholdStatus, VacancyStatus, care_types_to_mask
from .models import Household, HouseholdSkill, Provider, Vacancy
from .querysets import stale_before

if TYPE_CHECKING:
    from apps.accounts.models import User


class ProviderType(models.TextChoices):
    """How a provider stands to the child: in-house is the child's own LA's fostering service
    (SSDA903 PR1), as everywhere in the product; any other LA's service is "other LA" (PR2).
    Searches always include other LAs or IFAs: "placing in-house first" is not allowed
    (docs/adr/0011-never-in-house-only.md)."""

    IN_HOUSE = "in_house", "In-house (the child's own LA's fostering service)"
    OTHER_LA = "other_la", "Other LAs' fostering services"
    IFA = "ifa", "Independent fostering agencies"


ALL_PROVIDER_TYPES = frozenset(ProviderType.values)
IN_HOUSE_ONLY_MESSAGE = (
    "Search other LAs' services or IFAs too: options are sought from every kind of provider at "
    "once, and in-house may only break a tie between equally good matches."
)
UNGRADED_RANK = 5


@dataclass(frozen=True)
class VacancySearch:
    """What the hub is looking for. Empty values mean "any"."""

    origin: PostcodeDistrict | None = None
    radius_miles: float | None = None
    rcc: Organisation | None = None
    la: Organisation | None = None
    child_la: Organisation | None = None  # the child's LA: its own service is in-house
    available_by: dt.date | None = None
    child_age: int | None = None
    sibling_group: int | None = None
    care_types: tuple[str, ...] = ()
    needs: tuple[tuple[str, int], ...] = ()  # (need domain code, lowest level rank to meet)
    provider_types: frozenset[str] = ALL_PROVIDER_TYPES
    min_ofsted: str = ""
    include_stale: bool = False
    sort: tuple[str, ...] = field(default=())  # ORM order_by terms on the result's names


def in_house_service_ids(child_la: Organisation | None) -> list[int]:
    """The in-house services for a child of `child_la`: that LA's own fostering service(s).

    Empty when the search names no child's LA: every LA service is then another LA's."""
    if child_la is None:
        return []
    return list(
        Organisation.objects.filter(
            kind=OrganisationKind.LA_SERVICE, owning_la_id=child_la.pk
        ).values_list("pk", flat=True)
    )


def great_circle_miles(origin: tuple[float, float]) -> Any:
    """SQL for the haversine distance in miles from `origin` to each household's point."""
    lat0, lng0 = math.radians(origin[0]), math.radians(origin[1])
    lat, lng = Radians(F("latitude")), Radians(F("longitude"))
    half_dlat = Sin((lat - Value(lat0)) / Value(2.0))
    half_dlng = Sin((lng - Value(lng0)) / Value(2.0))
    h = Power(half_dlat, Value(2)) + Value(math.cos(lat0)) * Cos(lat) * Power(half_dlng, Value(2))
    return models.ExpressionWrapper(
        Value(2 * EARTH_RADIUS_MILES) * ASin(Sqrt(h)), output_field=FloatField()
    )


def _provider_type_q(types: frozenset[str], in_house: list[int]) -> Q | None:
    """The providers of the chosen types, or None when all three are chosen (no filter).

    Written as `provider_id IN (...)`, not as joins, so the search touches no provider row."""
    if types >= ALL_PROVIDER_TYPES:
        return None
    ifas = Organisation.objects.filter(kind=OrganisationKind.IFA).values("pk")
    la_services = Organisation.objects.filter(kind=OrganisationKind.LA_SERVICE).values("pk")
    parts = {
        ProviderType.IFA: Q(provider_id__in=ifas),
        ProviderType.IN_HOUSE: Q(provider_id__in=in_house),
        ProviderType.OTHER_LA: Q(provider_id__in=la_services) & ~Q(provider_id__in=in_house),
    }
    q = Q(pk__in=[])
    for kind in sorted(types):
        q |= parts[ProviderType(kind)]
    return q


def vacancy_search(
    *, user: User, criteria: VacancySearch, queryset: models.QuerySet[Household] | None = None
) -> models.QuerySet[Any]:
    """Active households with open vacancies that match, one row each, nearest first.

    Each row carries `distance` (miles, None without an origin), `open_places`,
    `earliest_available`, `oldest_confirmation`, `stale` and `provider_type`; its provider,
    provider organisation and LA are prefetched. `queryset` must already be scoped
    (`Household.objects.visible_to(user)`); it is by default.

    No GROUP BY and no join: the household's open vacancies are an EXISTS on the partial index
    `vacancy_open_by_household`, and the figures shown are correlated subqueries on it, which
    PostgreSQL evaluates for the rows it returns.
    """
    if not (criteria.provider_types - {ProviderType.IN_HOUSE}):
        raise DomainError(IN_HOUSE_ONLY_MESSAGE, field="provider_types")
    qs = Household.objects.visible_to(user) if queryset is None else queryset
    qs = qs.filter(status=HouseholdStatus.ACTIVE)

    # Where: a radius (bounding box on the point index, then the exact distance), an RCC, an LA.
    distance: Any = Value(None, output_field=FloatField())
    if criteria.origin is not None:
        origin = (criteria.origin.latitude, criteria.origin.longitude)
        distance = great_circle_miles(origin)
        if criteria.radius_miles:
            min_lat, max_lat, min_lng, max_lng = bounding_box(origin, criteria.radius_miles)
            qs = qs.filter(
                latitude__gte=min_lat,
                latitude__lte=max_lat,
                longitude__gte=min_lng,
                longitude__lte=max_lng,
            )
            qs = qs.alias(distance_filter=distance).filter(
                distance_filter__lte=criteria.radius_miles
            )
    if criteria.rcc is not None:
        qs = qs.filter(
            la_id__in=RccMembership.objects.current().filter(rcc=criteria.rcc).values("la_id")
        )
    if criteria.la is not None:
        qs = qs.filter(la=criteria.la)

    # What the household is approved for and can meet.
    if criteria.child_age is not None:
        qs = qs.filter(age_min__lte=criteria.child_age, age_max__gte=criteria.child_age)
    siblings = criteria.sibling_group or 1
    if siblings > 1:
        qs = qs.filter(max_sibling_group__gte=siblings)
    if criteria.care_types:
        # All the bits of `mask`: `care_types & mask = mask`, written `>= mask` (the same, as
        # `care_types & mask` never exceeds `mask`) because PostgreSQL guesses 0.5% of rows for
        # an equality on an expression, and a third for an inequality, which is nearer the truth
        # and keeps it from choosing nested loops that read every provider per household.
        mask = care_types_to_mask(criteria.care_types)
        qs = qs.alias(care_match=F("care_types").bitand(mask)).filter(care_match__gte=mask)
    for domain, rank in criteria.needs:
        qs = qs.filter(
            Exists(
                HouseholdSkill.objects.filter(
                    household=OuterRef("pk"), domain__code=domain, level__rank__gte=rank
                )
            )
        )

    # Who provides it.
    in_house = in_house_service_ids(criteria.child_la)
    provider_q = _provider_type_q(criteria.provider_types, in_house)
    if provider_q is not None:
        qs = qs.filter(provider_q)
    if criteria.min_ofsted:
        best = OFSTED_GRADE_RANK[criteria.min_ofsted]  # type: ignore[index]
        grades = [g for g, r in OFSTED_GRADE_RANK.items() if r <= best]
        qs = qs.filter(
            provider_id__in=Provider.objects.filter(ofsted_grade__in=grades).values("pk")
        )

    # Its open vacancies that match.
    open_vacancies = Vacancy.objects.filter(household=OuterRef("pk"), status=VacancyStatus.OPEN)
    if criteria.available_by is not None:
        open_vacancies = open_vacancies.filter(available_from__lte=criteria.available_by)
    cutoff = stale_before()
    if not criteria.include_stale:
        open_vacancies = open_vacancies.filter(last_confirmed_at__gte=cutoff)
    open_places = Subquery(
        open_vacancies.order_by().values("household").annotate(n=Count("pk")).values("n"),
        output_field=models.IntegerField(),
    )
    if siblings > 1:
        qs = qs.alias(matching_places=open_places).filter(matching_places__gte=siblings)
    else:
        qs = qs.filter(Exists(open_vacancies))

    qs = qs.annotate(
        distance=distance,
        open_places=open_places,
        earliest_available=Subquery(
            open_vacancies.order_by("available_from").values("available_from")[:1]
        ),
        oldest_confirmation=Subquery(
            open_vacancies.order_by("last_confirmed_at").values("last_confirmed_at")[:1]
        ),
        stale=models.Case(
            models.When(oldest_confirmation__lt=cutoff, then=Value(True)),
            default=Value(False),
            output_field=models.BooleanField(),
        ),
        provider_type=models.Case(
            models.When(
                provider_id__in=Organisation.objects.filter(kind=OrganisationKind.IFA).values("pk"),
                then=Value(ProviderType.IFA.value),
            ),
            models.When(provider_id__in=in_house, then=Value(ProviderType.IN_HOUSE.value)),
            default=Value(ProviderType.OTHER_LA.value),
            output_field=models.CharField(),
        ),
    ).prefetch_related("provider__organisation", "la")
    sort = criteria.sort or (
        ("distance",) if criteria.origin is not None else ("earliest_available",)
    )
    if any(term.lstrip("-") == "ofsted_rank" for term in sort):
        qs = qs.alias(
            ofsted_rank=models.Case(
                *[
                    models.When(
                        provider_id__in=Provider.objects.filter(ofsted_grade=grade).values("pk"),
                        then=Value(rank),
                    )
                    for grade, rank in OFSTED_GRADE_RANK.items()
                ],
                default=Value(UNGRADED_RANK),
                output_field=models.IntegerField(),
            )
        )
    return qs.order_by(*sort, "distance", "pk")


def postcode_district_find(code: str) -> PostcodeDistrict | None:
    """A postcode district by its outward code; a full postcode is cut to its district."""
    cleaned = " ".join(code.upper().split())
    if " " in cleaned:
        cleaned = cleaned.split(" ")[0]
    elif len(cleaned) > 4:
        cleaned = cleaned[:-3]
    return PostcodeDistrict.objects.filter(code=cleaned).first()
