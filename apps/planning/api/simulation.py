"""The API of planning's simulated years: the same rule (403), scoping (404), filterset and
service as the pages. Starting a run answers 201 with the new run, or 200 with the one already
running for the same policy, seed and scope."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api.views import ScopedViewSetMixin

from ..filters import SimulationRunFilter
from ..models import SimulationRun
from ..permissions import VIEW_PLANNING
from ..selectors import simulation_runs_for_list
from ..services import simulation_run_request
from .serializers import (
    SimulationRequestSerializer,
    SimulationRunDetailSerializer,
    SimulationRunSerializer,
)


class SimulationRunViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    model = SimulationRun
    rule = VIEW_PLANNING
    filterset_class = SimulationRunFilter

    def get_serializer_class(self) -> Any:
        return (
            SimulationRunDetailSerializer if self.action == "retrieve" else SimulationRunSerializer
        )

    def get_queryset(self) -> Any:
        qs = super().get_queryset().select_related("rcc")
        if self.action != "retrieve":
            qs = simulation_runs_for_list(qs)
        return qs.order_by("-created_at", "-pk")

    @extend_schema(
        request=SimulationRequestSerializer,
        responses={201: SimulationRunSerializer, 200: SimulationRunSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = SimulationRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        run, created = simulation_run_request(
            policy=data["policy"], seed=data["seed"], rcc=data.get("rcc"), by=request.user
        )
        run.refresh_from_db()
        return Response(
            SimulationRunSerializer(run).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
