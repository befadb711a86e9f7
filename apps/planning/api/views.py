"""The planning measures over the API: one section of the current planning snapshot of an RCC
or England, the same tables the pages show (read from one stored snapshot)."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.views import RulePermission
from apps.reporting.models import ReportSnapshot
from apps.reporting.selectors import visible_rccs

from ..build import SECTIONS
from ..permissions import VIEW_NATIONAL_PLANNING, VIEW_PLANNING
from ..selectors import planning_snapshot, section_tables

SECTION_NAMES = dict(SECTIONS)

SectionSerializer = inline_serializer(
    "PlanningSection",
    {
        "scope": serializers.CharField(help_text="The RCC's name, or England"),
        "section": serializers.ChoiceField(choices=list(SECTION_NAMES)),
        "snapshot": serializers.IntegerField(help_text="The planning snapshot read"),
        "built_at": serializers.DateTimeField(),
        "period_start": serializers.DateField(help_text="Start of the reference window"),
        "period_end": serializers.DateField(),
        "summary": serializers.DictField(help_text="Headline figures of the whole build"),
        "tables": serializers.ListField(
            child=serializers.DictField(),
            help_text="Each table: key, title, section, note, columns [{key, label, type}], rows",
        ),
    },
)


def _payload(snapshot: ReportSnapshot | None, scope: str, section: str) -> dict[str, Any]:
    if section not in SECTION_NAMES:
        raise NotFound(f"No such planning section: choose one of {', '.join(SECTION_NAMES)}.")
    if snapshot is None:
        raise NotFound(f"Planning has not been built for {scope} yet.")
    return {
        "scope": scope,
        "section": section,
        "snapshot": snapshot.pk,
        "built_at": snapshot.built_at,
        "period_start": snapshot.period_start,
        "period_end": snapshot.period_end,
        "summary": snapshot.summary,
        "tables": section_tables(snapshot, SECTION_NAMES[section]),
    }


class RccPlanningAPIView(APIView):
    """A section (forecast, sufficiency, sourcing, stability) of an RCC's current planning
    snapshot. Another RCC's is a 404."""

    permission_classes = [RulePermission]
    rule = VIEW_PLANNING

    @extend_schema(operation_id="planning_rcc_section", responses={200: SectionSerializer})
    def get(self, request: Request, pk: int, section: str) -> Response:
        rcc = get_object_or_404(visible_rccs(request.user), pk=pk)
        snapshot = planning_snapshot(ReportSnapshot.objects.visible_to(request.user), rcc_id=rcc.pk)
        return Response(_payload(snapshot, rcc.name, section))


class NationalPlanningAPIView(APIView):
    """A section of England's current planning snapshot (NCC analysts)."""

    permission_classes = [RulePermission]
    rule = VIEW_NATIONAL_PLANNING

    @extend_schema(operation_id="planning_national_section", responses={200: SectionSerializer})
    def get(self, request: Request, section: str) -> Response:
        snapshot = planning_snapshot(ReportSnapshot.objects.visible_to(request.user), rcc_id=None)
        return Response(_payload(snapshot, "England", section))
