"""LA side: import the LA's SSDA903 Header and Episodes as its children's care history; the
imports made, their outcome and problems, and the original files (the LA's own staff only)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View

from apps.core.exports import safe_filename
from apps.core.throttling import ThrottledViewMixin
from apps.core.views import (
    RuleRequiredMixin,
    ScopedDetailView,
    ScopedListView,
    ScopedQuerysetMixin,
)
from apps.referrals.care_import_forms import CareImportForm
from apps.referrals.filters import CareImportFilter
from apps.referrals.models import CareHistoryImport
from apps.referrals.permissions import EDIT_CHILDREN, VIEW_CHILDREN
from apps.referrals.services import children as child_services
from apps.referrals.services.care_import import MAX_UPLOAD_BYTES, import_ssda903

from .la import me


def counts_text(record: CareHistoryImport) -> str:
    return (
        f"children: {record.children_created} added, {record.children_updated} updated, "
        f"{record.children_unchanged} unchanged; episodes: {record.episodes_created} added, "
        f"{record.episodes_updated} updated, {record.episodes_unchanged} unchanged"
    )


class CareImportView(RuleRequiredMixin, ThrottledViewMixin, View):
    """Upload the Header and Episodes. Imported: on to the import's page. Rejected: this page
    again with every problem, the LA chosen kept (a browser cannot keep the files chosen)."""

    rule = EDIT_CHILDREN
    throttle_scope = "uploads"
    throttle_methods = ("POST",)
    template_name = "referrals/care_import_form.html"

    def _las(self, request: HttpRequest) -> list[Any]:
        las = child_services.social_worker_las(me(request))
        if not las:
            raise PermissionDenied("You are not a social worker in a local authority.")
        return las

    def _render(
        self, request: HttpRequest, form: CareImportForm, result: CareHistoryImport | None = None
    ) -> HttpResponse:
        recent = CareHistoryImport.objects.visible_to(me(request)).select_related(
            "la", "uploaded_by"
        )[:5]
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "result": result,
                "recent": recent,
                "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
            },
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, CareImportForm(las=self._las(request)))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CareImportForm(request.POST, request.FILES, las=self._las(request))
        if not form.is_valid():
            return self._render(request, form)
        record = import_ssda903(
            by=me(request),
            la=form.chosen_la(),
            header_upload=form.cleaned_data["header"],
            episodes_upload=form.cleaned_data["episodes"],
        )
        if record.status == CareHistoryImport.Status.ACCEPTED:
            messages.success(request, f"SSDA903 files imported: {counts_text(record)}.")
            return HttpResponseRedirect(reverse("referrals:care_import_detail", args=[record.pk]))
        form = CareImportForm(initial={"la": request.POST.get("la", "")}, las=self._las(request))
        return self._render(request, form, result=record)


class CareImportListView(ScopedListView):
    rule = VIEW_CHILDREN
    model = CareHistoryImport
    select_related = ("la", "uploaded_by")
    filterset_class = CareImportFilter
    template_name = "referrals/care_import_list.html"
    export_filename = "ssda903-imports"
    export_columns = [
        ("Uploaded", lambda r: r.uploaded_at.isoformat(timespec="seconds")),
        ("LA", "la__name"),
        ("Header file", "header_name"),
        ("Episodes file", "episodes_name"),
        ("Uploaded by", "uploaded_by__email"),
        ("Outcome", "get_status_display"),
        ("Children added", "children_created"),
        ("Children updated", "children_updated"),
        ("Episodes added", "episodes_created"),
        ("Episodes updated", "episodes_updated"),
        ("Episodes unchanged", "episodes_unchanged"),
        ("Problems", "error_count"),
    ]

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("-uploaded_at", "-pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["can_import"] = EDIT_CHILDREN.allows(self.request.user)
        return ctx


class CareImportDetailView(ScopedDetailView):
    rule = VIEW_CHILDREN
    model = CareHistoryImport
    select_related = ("la", "uploaded_by")
    template_name = "referrals/care_import_detail.html"
    context_object_name = "record"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["more_errors"] = max(0, self.object.error_count - len(self.object.errors))
        ctx["can_import"] = EDIT_CHILDREN.allows(self.request.user)
        return ctx


class CareImportOriginalView(RuleRequiredMixin, ScopedQuerysetMixin, View):
    """A file exactly as uploaded, to the LA's own staff (404 otherwise)."""

    rule = VIEW_CHILDREN
    model = CareHistoryImport

    def get(self, request: HttpRequest, pk: int, which: str) -> HttpResponseBase:
        record = get_object_or_404(self.get_queryset(), pk=pk)
        if which not in ("header", "episodes"):
            raise Http404("No such file.")
        stored = getattr(record, f"{which}_file")
        if not stored:
            raise Http404("This file was not kept (it was over the size limit).")
        try:
            handle = stored.open("rb")
        except FileNotFoundError as err:
            raise Http404("The original file is missing.") from err
        name = getattr(record, f"{which}_name") or f"{which}.csv"
        return FileResponse(handle, as_attachment=True, filename=safe_filename(name))
