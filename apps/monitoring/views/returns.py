"""The return's pages: the list, one return with its versions, queries and submissions, the
three ways in (web form, upload; the API is in api/), the pre-filled download, the review."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View

from apps.core.errors import DomainError
from apps.core.exports import attachment_disposition, safe_filename
from apps.core.throttling import ThrottledViewMixin
from apps.core.views import RuleRequiredMixin, ScopedDetailView, ScopedListView

from .. import format as fmt_module
from ..choices import Channel, ReturnStatus, SubmissionOutcome
from ..filters import ReturnFilter
from ..forms import QueryForm, ReplyForm, UploadForm, WebReturnForm
from ..models import MonitoringReturn, ReturnQuery, ReturnSubmission
from ..permissions import (
    REPLY_TO_QUERY,
    REVIEW_RETURN,
    SUBMIT_RETURN,
    VIEW_RETURNS,
    VIEW_SUBMISSIONS,
    accepting_organisation,
    can_submit,
    require_submit,
    reviewing_organisation,
)
from ..querysets import child_rows_for
from ..selectors import (
    own_placement_records,
    prefill_records,
    return_detail,
    return_list,
    return_owner_id,
    version_summary,
    versions_shown,
)
from ..services import (
    return_accept,
    return_query_raise,
    return_query_reply,
    return_submit_file,
    return_submit_records,
)
from ..templatetags.monitoring_codes import code_options


def _visible_return(request: HttpRequest, pk: int) -> MonitoringReturn:
    qs = MonitoringReturn.objects.visible_to(request.user).select_related(  # type: ignore[arg-type]
        "provider__organisation", "current_version"
    )
    return get_object_or_404(qs, pk=pk)


class ReturnListView(ScopedListView):
    rule = VIEW_RETURNS
    model = MonitoringReturn
    filterset_class = ReturnFilter
    template_name = "monitoring/return_list.html"
    export_filename = "monitoring-returns"
    export_columns = [
        ("Provider", "provider__organisation__name"),
        ("Provider number", "provider_id"),
        ("Quarter", lambda r: r.quarter.short),
        ("Due", lambda r: r.due_on.isoformat()),
        ("Status", "get_status_display"),
        ("Overdue since", lambda r: r.overdue_since.isoformat() if r.overdue_since else ""),
        ("Version", lambda r: r.current_version.number if r.current_version else ""),
        (
            "First submitted",
            lambda r: r.first_submitted_at.date().isoformat() if r.first_submitted_at else "",
        ),
        ("Accepted", lambda r: r.accepted_at.date().isoformat() if r.accepted_at else ""),
        ("Open queries", "open_queries"),
    ]

    def get_queryset(self) -> Any:
        return return_list(super().get_queryset()).order_by(
            "-quarter_start", "provider__organisation__name", "pk"
        )


class ReturnDetailView(ScopedDetailView):
    rule = VIEW_RETURNS
    model = MonitoringReturn
    template_name = "monitoring/return_detail.html"
    context_object_name = "ret"

    def get_queryset(self) -> Any:
        return return_detail(super().get_queryset(), self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ret: MonitoringReturn = self.object
        user = self.request.user
        fmt = fmt_module.format_for(ret.quarter)
        version = ret.current_version
        reviewer = reviewing_organisation(user, ret) if REVIEW_RETURN.allows(user) else None
        reviewable = ret.status in (ReturnStatus.SUBMITTED, ReturnStatus.QUERIED)
        rows_for = child_rows_for(user, ret.provider_id)
        owner_id = return_owner_id(ret) if reviewer is not None and reviewable else None
        figures = []
        if version:
            figures = [
                {
                    "spec": f,
                    "value": version.figures.get(f.item),
                    "display": _figure_display(fmt, f, version.figures.get(f.item)),
                }
                for f in fmt.figures
                if f.kind not in ("version", "provider", "quarter")
            ]
        ctx.update(
            fmt=fmt,
            version=version,
            figures=figures,
            placements=version_summary(version) if version else None,
            can_submit=can_submit(user, ret.provider_id) and ret.status != ReturnStatus.ACCEPTED,
            is_provider_staff=can_submit(user, ret.provider_id),
            can_review=reviewer is not None and reviewable,
            can_accept=reviewer is not None
            and reviewable
            and accepting_organisation(user, owner_id) is not None,
            can_reply=reviewer is not None or can_submit(user, ret.provider_id),
            upload_form=UploadForm(),
            query_form=QueryForm(fmt=fmt),
            reply_form=ReplyForm(),
            versions=versions_shown(list(ret.versions.all()), rows_for),
            own_rows_only=rows_for is not None,
            can_see_submissions=VIEW_SUBMISSIONS.allows(user),
            submissions=list(ret.submissions.all()[:20]),
        )
        return ctx


def _figure_display(fmt: fmt_module.ReturnFormat, spec: fmt_module.FigureDef, value: Any) -> str:
    if value in (None, ""):
        return "—"
    if spec.code_list:
        return fmt.code_label(spec.code_list, str(value))
    if spec.kind == "date":
        try:
            return dt.date.fromisoformat(str(value)).strftime("%-d %B %Y")
        except ValueError:
            return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


class ReturnUploadView(RuleRequiredMixin, ThrottledViewMixin, View):
    """A CSV or XLSX file, checked whole; always recorded with its original."""

    rule = SUBMIT_RETURN
    throttle_scope = "uploads"
    throttle_methods = ("POST",)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return HttpResponseRedirect(reverse("monitoring:return_detail", args=[pk]) + "#submit")

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        ret = _visible_return(request, pk)
        require_submit(request.user, ret)
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
            return HttpResponseRedirect(reverse("monitoring:return_detail", args=[pk]) + "#submit")
        submission = return_submit_file(
            monitoring_return=ret,
            by=request.user,  # type: ignore[arg-type]
            uploaded_file=form.cleaned_data["file"],
        )
        _message(request, submission)
        return HttpResponseRedirect(reverse("monitoring:submission_detail", args=[submission.pk]))


def _message(request: HttpRequest, submission: ReturnSubmission) -> None:
    if submission.version is None:
        return
    if submission.outcome == SubmissionOutcome.ACCEPTED:
        messages.success(
            request,
            f"Return submitted: version {submission.version.number} is with the RCC for review.",
        )
    elif submission.outcome == SubmissionOutcome.UNCHANGED:
        messages.info(
            request, f"Identical to version {submission.version.number}: no new version was made."
        )


class ReturnFormView(RuleRequiredMixin, View):
    """The web form: the pre-filled rows to confirm or correct, through the one validator."""

    rule = SUBMIT_RETURN
    template_name = "monitoring/return_form.html"

    def _setup(
        self, request: HttpRequest, pk: int
    ) -> tuple[MonitoringReturn, fmt_module.ReturnFormat]:
        ret = _visible_return(request, pk)
        require_submit(request.user, ret)
        return ret, fmt_module.format_for(ret.quarter)

    def _render(
        self, request: HttpRequest, ret: MonitoringReturn, form: WebReturnForm, **extra: Any
    ) -> HttpResponse:
        ctx = {
            "ret": ret,
            "form": form,
            "fmt": form.fmt,
            "codes": {  # each code with its label
                name: code_options(form.fmt, name)
                for name in ("change", "change_reason", "placement_type", "reason_ended")
            },
            "accepted": ret.status == ReturnStatus.ACCEPTED,
            **extra,
        }
        return render(request, self.template_name, ctx)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        ret, fmt = self._setup(request, pk)
        return self._render(request, ret, WebReturnForm(fmt, records=prefill_records(ret)))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        ret, fmt = self._setup(request, pk)
        form = WebReturnForm(fmt, data=request.POST)
        if form.too_large:
            messages.error(
                request,
                "This return has too many placements for the web form: upload a file or use the "
                "API.",
            )
            return HttpResponseRedirect(reverse("monitoring:return_detail", args=[pk]) + "#submit")
        records, labels = form.records()
        submission = return_submit_records(
            monitoring_return=ret,
            by=request.user,  # type: ignore[arg-type]
            records=records,
            channel=Channel.WEB,
            labels=labels,
        )
        if submission.outcome == SubmissionOutcome.REJECTED:
            form.apply_errors(submission.errors)
            form.add_blank_rows()
            return self._render(request, ret, form, submission=submission)
        _message(request, submission)
        return HttpResponseRedirect(reverse("monitoring:return_detail", args=[pk]))


class ReturnPrefilledView(RuleRequiredMixin, View):
    """The return as the platform fills it in (or the current version), as CSV or XLSX."""

    rule = VIEW_RETURNS

    def get(self, request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
        if fmt not in ("csv", "xlsx"):
            raise Http404("No such format.")
        ret = _visible_return(request, pk)
        spec = fmt_module.format_for(ret.quarter)
        records = own_placement_records(
            prefill_records(ret), ret, child_rows_for(request.user, ret.provider_id)
        )
        if fmt == "xlsx":
            content = fmt_module.records_xlsx(spec, records)
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            content = fmt_module.records_csv(spec, records)
            content_type = "text/csv; charset=utf-8"
        response = HttpResponse(content, content_type=content_type)
        which = f"v{ret.current_version.number}" if ret.current_version else "prefilled"
        name = f"return-{ret.provider_id}-{ret.quarter.code}-{which}.{fmt}"
        response["Content-Disposition"] = attachment_disposition(name)
        return response


class SubmissionDetailView(ScopedDetailView):
    rule = VIEW_SUBMISSIONS
    model = ReturnSubmission
    select_related = ("monitoring_return__provider__organisation", "submitted_by", "version")
    template_name = "monitoring/submission_detail.html"
    context_object_name = "submission"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        sub = self.object
        ret = sub.monitoring_return
        ctx.update(
            ret=ret,
            can_submit=can_submit(self.request.user, ret.provider_id)
            and ret.status != ReturnStatus.ACCEPTED,
        )
        return ctx


class SubmissionOriginalView(ScopedDetailView):
    """The file exactly as sent (or the web form's or API's JSON), to those who may see it: it
    holds every child's rows, so the provider's staff and the NCC, never an RCC."""

    rule = VIEW_SUBMISSIONS
    model = ReturnSubmission

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        sub = self.get_object()
        if not sub.original:
            raise Http404(
                "The original of this submission was not kept (it was over the size limit)."
            )
        try:
            handle = sub.original.open("rb")
        except FileNotFoundError as err:
            raise Http404("The original file is missing.") from err
        return FileResponse(handle, as_attachment=True, filename=safe_filename(sub.original_name))  # type: ignore[return-value]


class ReturnQueryView(RuleRequiredMixin, View):
    rule = REVIEW_RETURN
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        ret = _visible_return(request, pk)
        form = QueryForm(request.POST, fmt=fmt_module.format_for(ret.quarter))
        if form.is_valid():
            try:
                return_query_raise(monitoring_return=ret, by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
            except DomainError as err:
                messages.error(request, err.message)
            else:
                messages.success(
                    request,
                    "Query sent to the provider. The return is shown as queried until they "
                    "resubmit or you accept it.",
                )
        else:
            messages.error(request, "Choose what you are asking about and write your question.")
        return HttpResponseRedirect(reverse("monitoring:return_detail", args=[pk]) + "#queries")


class QueryReplyView(RuleRequiredMixin, View):
    rule = REPLY_TO_QUERY
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        visible = MonitoringReturn.objects.visible_to(request.user).values("pk")  # type: ignore[arg-type]
        query = get_object_or_404(
            ReturnQuery.objects.visible_to(request.user).filter(monitoring_return__in=visible),  # type: ignore[arg-type]
            pk=pk,
        )
        form = ReplyForm(request.POST)
        if form.is_valid():
            try:
                return_query_reply(query=query, by=request.user, body=form.cleaned_data["body"])  # type: ignore[arg-type]
            except DomainError as err:
                messages.error(request, err.message)
            else:
                messages.success(request, "Reply sent.")
        else:
            messages.error(request, "Write your reply.")
        return HttpResponseRedirect(
            reverse("monitoring:return_detail", args=[query.monitoring_return_id])
            + f"#query-{query.pk}"
        )


class ReturnAcceptView(RuleRequiredMixin, View):
    rule = REVIEW_RETURN
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        ret = _visible_return(request, pk)
        try:
            return_accept(monitoring_return=ret, by=request.user)  # type: ignore[arg-type]
        except DomainError as err:
            messages.error(request, err.message)
        else:
            messages.success(request, f"{ret.provider} {ret.quarter.short} return accepted.")
        return HttpResponseRedirect(reverse("monitoring:return_detail", args=[pk]))
