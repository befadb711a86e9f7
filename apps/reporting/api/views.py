"""The API of reporting: the same rules (403), scoping (404), filtersets and services as the
pages. Starting a run answers 201 with the new run, or 200 with the one already running."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.views import RulePermission, ScopedReadOnlyViewSet, ScopedViewSetMixin
from apps.core.exports import attachment
from apps.referrals.choices import AccessChannel
from apps.referrals.models import Child

from ..filters import BulletinFilter, ReportRunFilter, ReportSnapshotFilter
from ..models import Bulletin, ReportRun, ReportSnapshot
from ..permissions import MANAGE_BULLETINS, RUN_REPORTS, SSDA903_RETURN, VIEW_REPORTS
from ..selectors import runs_for_list, ssda903_las
from ..services import SSDA903_PARTS, report_run_request, ssda903_download
from ..ssda903.files import FIELDS_THE_LA_HOLDS, collection_years, return_build
from .serializers import (
    BulletinSerializer,
    ReportRunSerializer,
    ReportSnapshotDetailSerializer,
    ReportSnapshotSerializer,
    RunRequestSerializer,
    Ssda903AvailableSerializer,
    Ssda903ReturnSerializer,
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


class Ssda903ListAPIView(APIView):
    """The LAs whose SSDA903 return you may download, and the collection years that have started."""

    permission_classes = [RulePermission]
    rule = SSDA903_RETURN

    @extend_schema(responses={200: Ssda903AvailableSerializer(many=True)})
    def get(self, request: Request) -> Response:
        years = collection_years(timezone.localdate())
        rows = [
            {"la": la.pk, "name": la.name, "dfe_la_code": la.dfe_la_code, "years": years}
            for la in ssda903_las(request.user)
        ]
        return Response(Ssda903AvailableSerializer(rows, many=True).data)


class Ssda903ReturnAPIView(APIView):
    """One LA's return for a collection year (2025 for 2025-26): counts, the fields left blank
    for the LA, what needs attention, and the addresses of the files. Another LA's is a 404."""

    permission_classes = [RulePermission]
    rule = SSDA903_RETURN

    @extend_schema(operation_id="reports_ssda903_return", responses={200: Ssda903ReturnSerializer})
    def get(self, request: Request, la: int, year: int) -> Response:
        organisation = get_object_or_404(ssda903_las(request.user), pk=la)
        today = timezone.localdate()
        if year not in collection_years(today):
            raise Http404("No such collection year: it has not started.")
        built = return_build(
            la=organisation,
            year=year,
            children=Child.objects.visible_to(request.user),  # type: ignore[arg-type]
            today=today,
        )
        files = {
            part: request.build_absolute_uri(
                reverse("api:ssda903-file", args=[organisation.pk, year, part])
            )
            for part in SSDA903_PARTS
        }
        data = {
            "la": organisation.pk,
            "name": organisation.name,
            "year": year,
            "collection_year": built.label,
            "children": len(built.header),
            "episodes": len(built.episodes),
            "blank_fields": [{"field": f, "why": why} for f, why in FIELDS_THE_LA_HOLDS],
            "attention": [a.__dict__ for a in built.attention],
            "files": files,
        }
        return Response(Ssda903ReturnSerializer(data).data)


class Ssda903FileAPIView(APIView):
    """A file of the return: `header` or `episodes` (CSV) or `zip` (both). Each download is
    recorded against every child in it (the files hold full postcodes)."""

    permission_classes = [RulePermission]
    rule = SSDA903_RETURN

    @extend_schema(
        operation_id="reports_ssda903_file",
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, "application/zip"): OpenApiTypes.BINARY,
        },
    )
    def get(self, request: Request, la: int, year: int, part: str) -> HttpResponse:
        organisation = get_object_or_404(ssda903_las(request.user), pk=la)
        if part not in SSDA903_PARTS or year not in collection_years(timezone.localdate()):
            raise Http404("No such file.")
        content, content_type, name = ssda903_download(
            la=organisation, year=year, part=part, by=request.user, channel=AccessChannel.API
        )
        return attachment(content, content_type, name)
