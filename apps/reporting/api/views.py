"""The API of reporting: the same rules (403), scoping (404), filtersets and services as the
pages. Starting a run answers 201 with the new run, or 200 with the one already running."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api.views import ScopedReadOnlyViewSet, ScopedViewSetMixin

from ..filters import BulletinFilter, ReportRunFilter, ReportSnapshotFilter
from ..models import Bulletin, ReportRun, ReportSnapshot
from ..permissions import MANAGE_BULLETINS, RUN_REPORTS, VIEW_REPORTS
from ..selectors import runs_for_list
from ..services import report_run_request
from .serializers import (
    BulletinSerializer,
    ReportRunSerializer,
    ReportSnapshotDetailSerializer,
    ReportSnapshotSerializer,
    RunRequestSerializer,
)


class ReportRunViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    model = ReportRun
    rule = VIEW_REPORTS
    rules = {"create": RUN_REPORTS}
    serializer_class = ReportRunSerializer
    filterset_class = ReportRunFilter

    def get_queryset(self) -> Any:
        return runs_for_list(super().get_queryset()).order_by("-created_at", "-pk")

    @extend_schema(
        request=RunRequestSerializer, responses={201: ReportRunSerializer, 200: ReportRunSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = RunRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        run, created = report_run_request(
            kind=data["kind"],
            rcc=data.get("rcc"),
            period_start=data.get("period_start"),
            period_end=data.get("period_end"),
            by=request.user,
        )
        run.refresh_from_db()
        return Response(
            ReportRunSerializer(run).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ReportSnapshotViewSet(ScopedReadOnlyViewSet):
    model = ReportSnapshot
    rule = VIEW_REPORTS
    filterset_class = ReportSnapshotFilter
    select_related = ("rcc",)

    def get_serializer_class(self) -> Any:
        return (
            ReportSnapshotDetailSerializer
            if self.action == "retrieve"
            else ReportSnapshotSerializer
        )

    def get_queryset(self) -> Any:
        qs = super().get_queryset().order_by("-period_end", "-built_at", "-pk")
        return qs if self.action == "retrieve" else qs.defer("tables")


class BulletinViewSet(ScopedReadOnlyViewSet):
    model = Bulletin
    rule = MANAGE_BULLETINS
    serializer_class = BulletinSerializer
    filterset_class = BulletinFilter

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("-updated_at", "-pk")
