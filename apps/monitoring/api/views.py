"""The API of monitoring: the same rules (403), scoping (404), filtersets and services as the
pages."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.views import RulePermission, ScopedReadOnlyViewSet, ScopedViewSetMixin
from apps.core.permissions import SIGNED_IN

from .. import format as fmt_module
from ..choices import Channel, SubmissionOutcome
from ..filters import FeedbackFilter, ReturnFilter, ScorecardFilter, SubmissionFilter
from ..models import (
    MonitoringReturn,
    PlacementFeedback,
    ReturnQuery,
    ReturnSubmission,
    ScorecardSnapshot,
)
from ..permissions import (
    GIVE_FEEDBACK,
    REPLY_TO_QUERY,
    REVIEW_RETURN,
    SUBMIT_RETURN,
    VIEW_RETURNS,
    VIEW_SCORECARDS,
    VIEW_SUBMISSIONS,
    require_submit,
)
from ..querysets import child_rows_for
from ..selectors import (
    feedback_list,
    own_placement_records,
    prefill_records,
    return_detail,
    return_list,
    scorecard_list,
    versions_shown,
)
from ..services import (
    placement_feedback_give,
    return_accept,
    return_query_raise,
    return_query_reply,
    return_submit_file,
    return_submit_records,
)
from .serializers import (
    FeedbackSerializer,
    QueryRaiseSerializer,
    QuerySerializer,
    ReplySerializer,
    ReturnDetailSerializer,
    ReturnSerializer,
    ScorecardSerializer,
    SubmissionSerializer,
    SubmitSerializer,
)


class MonitoringReturnViewSet(ScopedReadOnlyViewSet):
    """Quarterly returns: provider staff see their own, RCC commissioners those of providers
    linked to their RCC, NCC staff all. Submit by `records` (JSON) or `file` (multipart)."""

    model = MonitoringReturn
    rule = VIEW_RETURNS
    rules = {
        "submit": SUBMIT_RETURN,
        "query": REVIEW_RETURN,
        "accept": REVIEW_RETURN,
        "reply": REPLY_TO_QUERY,
    }
    filterset_class = ReturnFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    throttle_scopes = {"submit": "uploads"}

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        if self.action == "retrieve":
            return return_detail(qs, self.request.user)
        return return_list(qs).order_by("-quarter_start", "provider__organisation__name", "pk")

    def get_serializer_class(self) -> Any:
        return ReturnDetailSerializer if self.action == "retrieve" else ReturnSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ret = self.get_object()
        # An RCC reads its own children's rows only: other RCCs' rows are left out of the diffs.
        versions_shown(list(ret.versions.all()), child_rows_for(request.user, ret.provider_id))
        return Response(self.get_serializer(ret).data)

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def prefill(self, request: Request, pk: str | None = None) -> Response:
        """The return's rows as the platform fills them in (or the current version's)."""
        ret = self.get_object()
        fmt = fmt_module.format_for(ret.quarter)
        records = own_placement_records(
            prefill_records(ret), ret, child_rows_for(request.user, ret.provider_id)
        )
        return Response(
            {"format_version": fmt.version, "quarter": ret.quarter.code, "records": records}
        )

    @extend_schema(
        request=SubmitSerializer,
        responses={201: SubmissionSerializer, 200: SubmissionSerializer, 400: SubmissionSerializer},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        """Check the rows with the one validator; a new version only if every row passes and
        something changed. 400 lists every problem with its row and field."""
        ret = self.get_object()
        require_submit(request.user, ret)
        body = SubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if body.validated_data.get("file"):
            submission = return_submit_file(
                monitoring_return=ret,
                by=request.user,  # type: ignore[arg-type]
                uploaded_file=body.validated_data["file"],
                channel=Channel.API,
            )
        else:
            submission = return_submit_records(
                monitoring_return=ret,
                by=request.user,  # type: ignore[arg-type]
                records=body.validated_data["records"],
                channel=Channel.API,
            )
        data = SubmissionSerializer(submission).data
        if submission.outcome == SubmissionOutcome.REJECTED:
            errors: dict[str, list[str]] = {}
            for e in submission.errors:
                key = f"row {e['row']}.{e['column']}" if e["row"] else (e["column"] or "return")
                errors.setdefault(key, []).append(
                    e["message"] + (f" {e['hint']}" if e["hint"] else "")
                )
            return Response(
                {
                    "detail": f"{submission.error_count} problem(s): nothing was accepted.",
                    "errors": errors,
                    "submission": data,
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        code = (
            status.HTTP_201_CREATED
            if submission.outcome == SubmissionOutcome.ACCEPTED
            else status.HTTP_200_OK
        )
        return Response(data, status=code)

    @extend_schema(request=QueryRaiseSerializer, responses={201: QuerySerializer})
    @action(detail=True, methods=["post"])
    def query(self, request: Request, pk: str | None = None) -> Response:
        ret = self.get_object()
        body = QueryRaiseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        query = return_query_raise(monitoring_return=ret, by=request.user, **body.validated_data)  # type: ignore[arg-type]
        return Response(QuerySerializer(query).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ReturnSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        ret = return_accept(monitoring_return=self.get_object(), by=request.user)  # type: ignore[arg-type]
        return Response(ReturnSerializer(ret).data)

    @extend_schema(request=ReplySerializer, responses={201: QuerySerializer})
    @action(
        detail=True, methods=["post"], url_path=r"queries/(?P<query_id>\d+)/reply", url_name="reply"
    )
    def reply(
        self, request: Request, pk: str | None = None, query_id: str | None = None
    ) -> Response:
        ret = self.get_object()
        query = get_object_or_404(
            ReturnQuery.objects.visible_to(request.user).filter(monitoring_return=ret),  # type: ignore[arg-type]
            pk=query_id,
        )
        body = ReplySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return_query_reply(query=query, by=request.user, body=body.validated_data["body"])  # type: ignore[arg-type]
        query.refresh_from_db()
        return Response(QuerySerializer(query).data, status=status.HTTP_201_CREATED)


class SubmissionViewSet(ScopedReadOnlyViewSet):
    """Every attempt to submit a return, with every problem found (originals are kept): for the
    provider's staff and the NCC (they hold every child's rows)."""

    model = ReturnSubmission
    rule = VIEW_SUBMISSIONS
    serializer_class = SubmissionSerializer
    filterset_class = SubmissionFilter
    select_related = ("version",)

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("-created_at", "-pk")


class ScorecardViewSet(ScopedReadOnlyViewSet):
    """Scorecard figures per provider, quarter and scope (`rcc` null: England)."""

    model = ScorecardSnapshot
    rule = VIEW_SCORECARDS
    serializer_class = ScorecardSerializer
    filterset_class = ScorecardFilter

    def get_queryset(self) -> Any:
        return scorecard_list(super().get_queryset()).order_by(
            "-quarter_start", "provider__organisation__name", "rcc_id", "pk"
        )


class FeedbackViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Placement feedback: social workers and IROs give it and read their own."""

    model = PlacementFeedback
    rule = GIVE_FEEDBACK
    serializer_class = FeedbackSerializer
    filterset_class = FeedbackFilter

    def get_queryset(self) -> Any:
        return feedback_list(super().get_queryset()).order_by("-review_date", "-pk")

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        serializer.instance = placement_feedback_give(by=self.request.user, **data)


class FormatView(APIView):
    """The current national return format: columns, figures and code lists (one definition)."""

    permission_classes = [RulePermission]
    rule = SIGNED_IN

    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        fmt = fmt_module.FORMATS.get(request.query_params.get("version", ""), fmt_module.CURRENT)
        return Response(
            {
                "version": fmt.version,
                "title": fmt.title,
                "columns": [c.__dict__ for c in fmt.columns],
                "figures": [f.__dict__ for f in fmt.figures],
                "code_lists": {
                    name: [{"code": c, "label": lbl} for c, lbl in codes]
                    for name, codes in fmt.code_lists.items()
                },
                "reasons_for_change": dict(fmt.reasons_for_change),
                "versions": list(fmt_module.FORMATS),
            }
        )
