"""One filterset per list, shared by the web page and the API."""

import django_filters
from django.db.models import Q

from .kinds import OrganisationKind, Region
from .models import Organisation


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name, code or URN")
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices, label="Kind")
    region = django_filters.ChoiceFilter(choices=Region.choices, label="Region")
    rcc = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.rccs(),
        method="in_rcc",
        label="RCC",
    )
    sort = django_filters.OrderingFilter(
        fields=(("name", "name"), ("kind", "kind"), ("region", "region"), ("dfe_la_code", "code")),
        field_labels={
            "name": "Name",
            "kind": "Kind",
            "region": "Region",
            "dfe_la_code": "DfE code",
        },
        label="Sort by",
    )

    class Meta:
        model = Organisation
        fields = ["kind", "region"]

    def search(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(
            Q(name__icontains=value)
            | Q(dfe_la_code=value)
            | Q(gss_code__iexact=value)
            | Q(ofsted_urn=value)
        )

    def in_rcc(self, queryset, name, value):  # type: ignore[no-untyped-def]
        from django.utils import timezone

        today = timezone.localdate()
        las = (
            value.la_memberships.filter(start_date__lte=today)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
            .values("la_id")
        )
        return queryset.filter(
            Q(pk=value.pk) | Q(rcc=value) | Q(pk__in=las) | Q(owning_la_id__in=las)
        )
