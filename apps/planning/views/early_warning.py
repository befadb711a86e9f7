"""The stability early-warning list of the children of the reader's LA: filters, sorting,
paging and CSV/XLSX export; every child shown or downloaded is logged as a read of their
record (ReferralAccessLog)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.generic import TemplateView

from apps.core.exports import Column, export_rows
from apps.core.views import RuleRequiredMixin
from apps.referrals.choices import AccessChannel
from apps.referrals.services.events import record_list_access

from ..early_warning import (
    MOVES_LISTED,
    POINTS_CONCERN,
    POINTS_MOVE,
    POINTS_UNPLANNED,
    EarlyWarning,
    EarlyWarningFilterForm,
    early_warnings,
    readable_children,
)
from ..permissions import VIEW_EARLY_WARNING

ACTION = "view_early_warning"
PAGE_SIZE = 25

EXPORT_COLUMNS: list[Column] = [
    ("Local identifier", "local_identifier"),
    ("Local authority", "la_name"),
    ("Age", "age"),
    ("Risk score", "risk"),
    ("Moves in the last 12 months", "moves"),
    ("Placements in the last 12 months", "placements"),
    (
        "Current placement since",
        lambda w: w.placement_since.isoformat() if w.placement_since else "",
    ),
    ("Reviews with concerns", "concerns"),
    ("Latest concern", lambda w: w.latest_concern.isoformat() if w.latest_concern else ""),
    ("Unplanned endings", lambda w: " ".join(w.unplanned)),
    ("Reasons", lambda w: "; ".join(w.reasons)),
]


def _log(request: HttpRequest, rows: list[EarlyWarning], channel: str) -> None:
    record_list_access(
        user=request.user,
        children=[(w.child_id, w.la_id) for w in rows],
        action=ACTION,
        channel=channel,
        roles=VIEW_EARLY_WARNING.roles,
    )


class EarlyWarningView(RuleRequiredMixin, TemplateView):
    """Children in care now with two or more moves in the last 12 months or concerns raised
    about their current placement, highest risk first."""

    rule = VIEW_EARLY_WARNING
    template_name = "planning/early_warning.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        children, las = readable_children(request.user)
        form = EarlyWarningFilterForm(request.GET or None, las=las)
        warnings = early_warnings(children, today=timezone.localdate())
        rows = form.apply(warnings) if form.is_bound and form.is_valid() else warnings
        if form.is_bound and not form.is_valid():
            rows = []
        fmt = request.GET.get("export")
        if fmt:
            if fmt not in ("csv", "xlsx"):
                return HttpResponse("Export format must be csv or xlsx.", status=400)
            _log(request, rows, AccessChannel.EXPORT)
            return export_rows(rows, EXPORT_COLUMNS, fmt, "early-warning")
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        _log(request, list(page.object_list), AccessChannel.WEB)
        params = request.GET.copy()
        params.pop("page", None)
        querystring = params.urlencode()
        params.pop("sort", None)
        context = self.get_context_data(
            filter=SimpleNamespace(form=form),
            form=form,
            page_obj=page,
            object_list=page.object_list,
            listed=len(warnings),
            many_las=len(las) > 1,
            querystring=querystring,
            querystring_without_sort=params.urlencode(),
            current_sort=request.GET.get("sort", ""),
            can_export=True,
            moves_listed=MOVES_LISTED,
            points={
                "move": POINTS_MOVE,
                "concern": POINTS_CONCERN,
                "unplanned": POINTS_UNPLANNED,
            },
        )
        return self.render_to_response(context)
