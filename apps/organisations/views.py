from typing import Any

from apps.core.views import ScopedDetailView, ScopedListView

from .filters import OrganisationFilter
from .models import Organisation
from .permissions import VIEW_ORGANISATIONS
from .selectors import organisation_detail


class OrganisationListView(ScopedListView):
    rule = VIEW_ORGANISATIONS
    model = Organisation
    filterset_class = OrganisationFilter
    select_related = ("owning_la", "rcc")
    template_name = "organisations/organisation_list.html"
    export_filename = "organisations"
    export_columns = [
        ("Name", "name"),
        ("Kind", "get_kind_display"),
        ("DfE LA code", "dfe_la_code"),
        ("GSS code", "gss_code"),
        ("Region", "region"),
        ("Ofsted URN", "ofsted_urn"),
        ("Sector", "get_sector_display"),
        ("Owning LA", "owning_la__name"),
        ("RCC", "rcc__name"),
    ]


class OrganisationDetailView(ScopedDetailView):
    rule = VIEW_ORGANISATIONS
    model = Organisation
    select_related = ("owning_la", "rcc")
    template_name = "organisations/organisation_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(organisation_detail(organisation=self.object, user=self.request.user))
        return ctx
