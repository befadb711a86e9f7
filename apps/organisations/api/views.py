from apps.core.api.views import ScopedReadOnlyViewSet
from apps.organisations.filters import OrganisationFilter
from apps.organisations.models import Organisation
from apps.organisations.permissions import VIEW_ORGANISATIONS

from .serializers import OrganisationSerializer


class OrganisationViewSet(ScopedReadOnlyViewSet):
    """Organisations the caller may see: their own, their RCC's, or all for NCC staff."""

    model = Organisation
    rule = VIEW_ORGANISATIONS
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
