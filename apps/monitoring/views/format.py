"""The return's format, published: the page, the templates and the data dictionary."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.views import View
from django.views.generic import TemplateView

from apps.core.exports import attachment_disposition
from apps.core.permissions import SIGNED_IN
from apps.core.views import RuleRequiredMixin

from .. import format as fmt_module
from ..models import MonitoringReturn
from ..permissions import SUBMIT_RETURN

DOWNLOADS = {
    "template.csv": (
        "text/csv; charset=utf-8",
        lambda f: fmt_module.records_csv(f, fmt_module.blank_records(f)),
    ),
    "template.xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        lambda f: fmt_module.records_xlsx(f, fmt_module.blank_records(f)),
    ),
    "example.csv": (
        "text/csv; charset=utf-8",
        lambda f: fmt_module.records_csv(f, fmt_module.example_records(f)),
    ),
    "data-dictionary.csv": ("text/csv; charset=utf-8", fmt_module.dictionary_csv),
}


class FormatView(RuleRequiredMixin, TemplateView):
    rule = SIGNED_IN
    template_name = "monitoring/format.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        version = self.request.GET.get("version") or fmt_module.CURRENT.version
        fmt = fmt_module.FORMATS.get(version, fmt_module.CURRENT)
        groups: dict[str, list[fmt_module.FigureDef]] = {}
        for f in fmt.figures:
            groups.setdefault(f.group, []).append(f)
        own_returns = None
        if SUBMIT_RETURN.allows(self.request.user):
            own_returns = (
                MonitoringReturn.objects.visible_to(self.request.user)  # type: ignore[arg-type]
                .select_related("provider__organisation")
                .exclude(status="accepted")
                .order_by("-quarter_start")[:4]
            )
        ctx.update(
            fmt=fmt,
            versions=list(fmt_module.FORMATS),
            dictionary=[r for r in fmt_module.dictionary_rows(fmt) if r["section"] == "Column"],
            figure_groups=groups,
            downloads=list(DOWNLOADS),
            own_returns=own_returns,
            max_mb=fmt_module.MAX_UPLOAD_BYTES // (1024 * 1024),
        )
        return ctx


class FormatDownloadView(RuleRequiredMixin, View):
    rule = SIGNED_IN

    def get(self, request: HttpRequest, version: str, name: str) -> HttpResponse:
        fmt = fmt_module.FORMATS.get(version)
        if fmt is None or name not in DOWNLOADS:
            raise Http404("No such template.")
        content_type, make = DOWNLOADS[name]
        response = HttpResponse(make(fmt), content_type=content_type)
        response["Content-Disposition"] = attachment_disposition(f"{fmt.version}-{name}")
        return response
