"""API of the child's care history (LA side): the timeline with its figures; recording an
earlier placement by hand, changing or deleting one so recorded (imported ones are read-only).
The child's LA reads and writes; anyone else's child is a 404."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.views import RulePermission
from apps.core.permissions import Rule
from apps.referrals.choices import LegalStatus, PlacementProvider
from apps.referrals.history import PLACEMENT_TYPES, care_timeline, moves_summary
from apps.referrals.models import CareEpisode, Child
from apps.referrals.permissions import EDIT_CHILDREN, VIEW_CHILDREN
from apps.referrals.services import care_history as services

ERROR_RESPONSE = OpenApiResponse(
    OpenApiTypes.OBJECT, description='{"detail": "...", "errors": {"field": ["message"]}}'
)


class CareEpisodeWriteSerializer(serializers.Serializer):
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)
    placement_type = serializers.ChoiceField(choices=list(PLACEMENT_TYPES.items()))
    placement_provider = serializers.ChoiceField(choices=PlacementProvider.choices)
    legal_status = serializers.ChoiceField(choices=LegalStatus.choices)
    reason_ended = serializers.CharField(
        required=False, allow_blank=True, help_text="SSDA903 reason the placement ended"
    )
    left_care_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="SSDA903 E-code if the child left care at the end; blank if they moved on",
    )


class _ChildScoped(APIView):
    permission_classes = [RulePermission]
    rule: Rule = VIEW_CHILDREN
    rules: dict[str, Rule] = {}

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        self.action = request.method.lower() if request.method else None
        super().initial(request, *args, **kwargs)

    def child(self, request: Request, pk: int) -> Child:
        return get_object_or_404(Child.objects.visible_to(request.user), pk=pk)  # type: ignore[arg-type]


def history_data(child: Child) -> dict[str, Any]:
    rows = care_timeline(child)
    return {
        "summary": moves_summary(child, rows).as_dict(),
        "rows": [row.as_dict() for row in rows],
    }


class ChildCareHistoryAPIView(_ChildScoped):
    """The child's care history, newest first: earlier episodes (imported or recorded) and the
    platform's placements, with the number of placements, moves in the last 12 months and the
    current placement's length."""

    rules = {"post": EDIT_CHILDREN}

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, pk: int) -> Response:
        return Response(history_data(self.child(request, pk)))

    @extend_schema(
        request=CareEpisodeWriteSerializer,
        responses={201: OpenApiTypes.OBJECT, 400: ERROR_RESPONSE},
        summary="Record one of the child's earlier placements by hand",
    )
    def post(self, request: Request, pk: int) -> Response:
        child = self.child(request, pk)
        data = CareEpisodeWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        episode = services.care_episode_record(
            by=request.user,  # type: ignore[arg-type]
            child=child,
            **data.validated_data,
        )
        return Response({"id": episode.pk, **history_data(child)}, status=status.HTTP_201_CREATED)


class CareEpisodeAPIView(_ChildScoped):
    """Change or delete an earlier placement recorded by hand (imported ones are read-only)."""

    rule = EDIT_CHILDREN

    def episode(self, request: Request, pk: int, episode_pk: int) -> CareEpisode:
        child = self.child(request, pk)
        return get_object_or_404(
            CareEpisode.objects.select_related("child"), pk=episode_pk, child=child
        )

    @extend_schema(
        request=CareEpisodeWriteSerializer,
        responses={200: OpenApiTypes.OBJECT, 400: ERROR_RESPONSE},
    )
    def patch(self, request: Request, pk: int, episode_pk: int) -> Response:
        episode = self.episode(request, pk, episode_pk)
        data = CareEpisodeWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.care_episode_update(
            by=request.user,  # type: ignore[arg-type]
            episode=episode,
            **data.validated_data,
        )
        return Response(history_data(episode.child))

    @extend_schema(responses={204: None, 400: ERROR_RESPONSE})
    def delete(self, request: Request, pk: int, episode_pk: int) -> Response:
        episode = self.episode(request, pk, episode_pk)
        services.care_episode_delete(by=request.user, episode=episode)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)
