"""An LA's SSDA903 return: pick the LA and collection year, read the notes, download the Header
and Episodes files (each, or both in one zip). Another LA's files are a 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from apps.contracts.dates import financial_year_label
from apps.core.exports import attachment
from apps.core.views import RuleRequiredMixin
from apps.organisations.kinds import OrganisationKind
from apps.referrals.models import Child

from ..permissions import SSDA903_RETURN
from ..selectors import ssda903_las
from ..services import SSDA903_PARTS, ssda903_download
from ..ssda903.files import FIELDS_THE_LA_HOLDS, collection_years, return_build


def _year(value: str | None) -> int | None:
    years = collection_years(timezone.localdate())
    try:
        year = int(value or years[0])
    except ValueError:
        return None
    return year if year in years else None


class Ssda903View(RuleRequiredMixin, TemplateView):
    rule = SSDA903_RETURN
    template_name = "reporting/ssda903.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        las = list(ssda903_las(user))
        today = timezone.localdate()
        ctx.update(
            las=las,
            years=[(y, financial_year_label(y)) for y in collection_years(today)],
            la_held=FIELDS_THE_LA_HOLDS,
            hub=any(
                m.organisation.kind == OrganisationKind.HUB
                for m in user.membership_list  # type: ignore[union-attr]
            ),
        )
        la_value, year_value = self.request.GET.get("la"), self.request.GET.get("year")
        errors = {}
        la = next((x for x in las if str(x.pk) == la_value), None)
        if la_value and la is None:
            raise Http404("No such local authority among yours.")
        if la is None and len(las) == 1:
            la = las[0]
        year = _year(year_value)
        if year is None:
            errors["year"] = "Choose a collection year that has started."
        if la is not None and year is not None:
            ctx["built"] = return_build(
                la=la,
                year=year,
                children=Child.objects.visible_to(user),  # type: ignore[arg-type]
                today=today,
            )
        ctx.update(la=la, year=year, errors=errors)
        return ctx


class Ssda903DownloadView(RuleRequiredMixin, View):
    rule = SSDA903_RETURN

    def get(self, request: HttpRequest, la: int, year: int, part: str) -> HttpResponse:
        organisation = get_object_or_404(ssda903_las(request.user), pk=la)
        if part not in SSDA903_PARTS or _year(str(year)) is None:
            raise Http404("No such file.")
        content, content_type, name = ssda903_download(
            la=organisation, year=year, part=part, by=request.user
        )
        return attachment(content, content_type, name)
