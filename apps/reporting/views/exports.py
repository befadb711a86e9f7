"""Exports: any table of a snapshot as CSV or XLSX (with the dashboard's filters), a printable
PDF of a snapshot, and the SSDA903-shaped episodes of an RCC's placements for the DfE."""

from __future__ import annotations

import tablib
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.text import slugify
from django.views import View

from apps.contracts.dates import financial_year_of
from apps.core.exports import CONTENT_TYPES, attachment, dataset_export
from apps.core.views import RuleRequiredMixin

from ..models import ReportSnapshot
from ..pdf import snapshot_pdf
from ..permissions import DFE_EXPORT, VIEW_REPORTS
from ..selectors import filter_rows, visible_rccs
from ..ssda903.analysis import rcc_analysis_csv


class TableExportView(RuleRequiredMixin, View):
    rule = VIEW_REPORTS

    def get(self, request: HttpRequest, pk: int, key: str) -> HttpResponse:
        snapshot = get_object_or_404(ReportSnapshot.objects.visible_to(request.user), pk=pk)
        table = snapshot.tables.get(key)
        if table is None:
            raise Http404("No such table in this report.")
        fmt = request.GET.get("export", "csv")
        if fmt not in CONTENT_TYPES:
            return HttpResponse("Export format must be csv or xlsx.", status=400)
        table = filter_rows(
            table,
            {
                "region": request.GET.getlist("region"),
                "need": request.GET.getlist("need"),
                "scope": [*request.GET.getlist("trend"), "England"]
                if request.GET.get("trend")
                else [],
            },
        )
        data = tablib.Dataset(
            headers=[c["label"] for c in table["columns"]], title=table["title"][:31]
        )
        for row in table["rows"]:
            data.append(["" if v is None else v for v in row])
        name = f"{slugify(snapshot.scope_label)}-{key}-{snapshot.period_end:%Y%m%d}.{fmt}"
        return attachment(dataset_export(data, fmt), CONTENT_TYPES[fmt], name)


class SnapshotPdfView(RuleRequiredMixin, View):
    rule = VIEW_REPORTS

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        snapshot = get_object_or_404(
            ReportSnapshot.objects.visible_to(request.user).select_related("rcc"), pk=pk
        )
        name = f"{slugify(snapshot.scope_label)}-{snapshot.kind}-{snapshot.period_end:%Y%m%d}.pdf"
        return attachment(snapshot_pdf(snapshot), "application/pdf", name)


class DfeExportView(RuleRequiredMixin, View):
    """The RCC-wide analysis file of a collection year (?year=2025 for 2025-26): the episodes of
    the RCC's children under a keyed pseudonym, postcodes cut to districts. Each LA's own return
    (its identifiers, full postcodes) is `Ssda903ReturnView`."""

    rule = DFE_EXPORT

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        rcc = get_object_or_404(visible_rccs(request.user), pk=pk)
        today = timezone.localdate()
        try:
            year = int(request.GET.get("year") or financial_year_of(today))
        except ValueError:
            return HttpResponse("year must be the year a financial year starts (2025).", status=400)
        if not 2000 <= year <= financial_year_of(today):
            return HttpResponse("year must be a financial year that has started.", status=400)
        name = f"ssda903-analysis-{slugify(rcc.name)}-{year}-{(year + 1) % 100:02d}.csv"
        return attachment(
            rcc_analysis_csv(rcc=rcc, year=year, today=today), CONTENT_TYPES["csv"], name
        )
