"""The stability early-warning list over the API, with the page's scope, filters and sort."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api.pagination import StandardPagination
from apps.core.api.views import RulePermission
from apps.referrals.choices import AccessChannel
from apps.referrals.services.events import record_list_access

from ..early_warning import (
    AGE_BANDS,
    REASONS,
    SORTS,
    EarlyWarningFilterForm,
    early_warnings,
    readable_children,
)
from ..permissions import VIEW_EARLY_WARNING
from ..views.early_warning import ACTION


class EarlyWarningAPIView(generics.GenericAPIView):  # type: ignore[type-arg]
    """Children of the caller's LA in care today with two or more moves in the last 12 months
    or concerns raised at a review of their current placement, highest risk first, each with
    the reasons. Every child in the page returned is logged as a read of their record."""

    permission_classes = (RulePermission,)
    rule = VIEW_EARLY_WARNING
    pagination_class = StandardPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Part of the child's local identifier"),
            OpenApiParameter("la", int, description="One of the caller's local authorities"),
            OpenApiParameter("reason", str, enum=[key for key, _ in REASONS]),
            OpenApiParameter("min_moves", int, description="At least this many moves"),
            OpenApiParameter("age", str, enum=[key for key, *_ in AGE_BANDS]),
            OpenApiParameter("sort", str, enum=[k for key in SORTS for k in (key, f"-{key}")]),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        children, las = readable_children(request.user)
        form = EarlyWarningFilterForm(request.query_params, las=las)
        if not form.is_valid():
            errors = form.errors.get_json_data()
            raise ValidationError({k: [e["message"] for e in v] for k, v in errors.items()})
        rows = form.apply(early_warnings(children, today=timezone.localdate()))
        page = self.paginate_queryset(rows) or []  # type: ignore[arg-type]
        record_list_access(
            user=request.user,
            children=[(w.child_id, w.la_id) for w in page],
            action=ACTION,
            channel=AccessChannel.API,
            roles=VIEW_EARLY_WARNING.roles,
        )
        return self.get_paginated_response([w.as_dict() for w in page])
