"""The public site: published bulletins and headline national statistics, for anyone, no
sign-in. Only the figures frozen at publication (disclosure control applied) are shown."""

from __future__ import annotations

from typing import Any

import tablib
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views import View
from django.views.generic import TemplateView

from apps.core.exports import CONTENT_TYPES, attachment, dataset_export

from ..selectors import published_bulletins


class PublicIndexView(TemplateView):
    template_name = "public/index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        bulletins = list(published_bulletins().select_related("snapshot")[:50])
        ctx["bulletins"] = bulletins
        ctx["latest"] = bulletins[0] if bulletins else None
        return ctx


class PublicBulletinView(TemplateView):
    template_name = "public/bulletin.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["bulletin"] = get_object_or_404(
            published_bulletins().select_related("snapshot"), slug=kwargs["slug"]
        )
        return ctx


class PublicTableView(View):
    """One published table as CSV, exactly as published ("c" where suppressed)."""

    def get(self, request: HttpRequest, slug: str, key: str) -> HttpResponse:
        bulletin = get_object_or_404(published_bulletins(), slug=slug)
        table = next((t for t in bulletin.published_tables if t["key"] == key), None)
        if table is None:
            raise Http404("No such table in this bulletin.")
        data = tablib.Dataset(headers=table["columns"])
        for row in [*table["rows"], table["totals"]]:
            data.append(row)
        return attachment(dataset_export(data, "csv"), CONTENT_TYPES["csv"], f"{slug}-{key}.csv")
