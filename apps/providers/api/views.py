"""The register API: read households (scoped), upsert one by the provider's reference, upload
a whole file, confirm everything. Every write calls the same service as the web pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.views import RulePermission, ScopedViewSetMixin
from apps.providers.models import Household, Provider, RegisterUpload
from apps.providers.permissions import MANAGE_REGISTER, VIEW_REGISTER, provider_for, user_of
from apps.providers.register_filters import HouseholdFilter, RegisterUploadFilter
from apps.providers.register_selectors import household_exists, household_with_rows, upload_list
from apps.providers.services import household_upsert, register_confirm_all, register_upload_process

from .serializers import (
    ConfirmationSerializer,
    ConfirmInSerializer,
    HouseholdSerializer,
    HouseholdUpsertSerializer,
    RegisterUploadSerializer,
    UploadInSerializer,
    flatten_errors,
)

PROVIDER_PARAM = OpenApiParameter(
    "provider",
    OpenApiTypes.INT,
    OpenApiParameter.QUERY,
    required=False,
    description="The provider (organisation id): needed when you work for several providers, "
    "or to pick one when several providers use the same reference.",
)
ERROR_RESPONSE = OpenApiResponse(
    OpenApiTypes.OBJECT, description='{"detail": "...", "errors": {"field.path": ["message"]}}'
)


def _provider(user: Any, value: Any) -> Provider:
    try:
        return provider_for(user, value)
    except ValueError as err:
        raise exceptions.ValidationError({"provider": [str(err)]}) from err


@extend_schema_view(
    list=extend_schema(
        summary="Households you may see (your own, or all for hub, RCC and NCC staff)"
    ),
    retrieve=extend_schema(
        summary="One household by its provider's reference", parameters=[PROVIDER_PARAM]
    ),
)
class HouseholdViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    model = Household
    rule = VIEW_REGISTER
    rules = {"update": MANAGE_REGISTER}
    serializer_class = HouseholdSerializer
    filterset_class = HouseholdFilter
    lookup_field = "reference"
    lookup_value_regex = r"[^/]+"
    http_method_names = ["get", "put", "head", "options"]

    def get_queryset(self) -> Any:
        return household_with_rows(super().get_queryset()).order_by("reference", "pk")

    def get_object(self) -> Household:
        qs = self.get_queryset().filter(reference=self.kwargs["reference"])
        provider = self.request.query_params.get("provider")
        if provider:
            if not str(provider).isdigit():
                raise exceptions.ValidationError({"provider": ["provider must be a provider id."]})
            qs = qs.filter(provider_id=int(provider))
        found = list(qs[:2])
        if not found:
            raise exceptions.NotFound("No household with this reference that you may see.")
        if len(found) > 1:
            raise exceptions.ValidationError(
                {"provider": ["Several providers use this reference: add ?provider=<id>."]}
            )
        return found[0]

    @extend_schema(
        summary="Create or update one household by your reference "
        "(carers, skills and vacancies replaced as given)",
        request=HouseholdUpsertSerializer,
        parameters=[PROVIDER_PARAM],
        responses={200: HouseholdSerializer, 201: HouseholdSerializer, 400: ERROR_RESPONSE},
    )
    def update(self, request: Request, reference: str) -> Response:
        provider = _provider(user_of(request), request.query_params.get("provider"))
        serializer = HouseholdUpsertSerializer(data=request.data)
        if not serializer.is_valid():
            raise exceptions.ValidationError(flatten_errors(serializer.errors))
        existed = household_exists(provider_id=provider.pk, reference=reference)
        data = {**serializer.validated_data, "reference": reference}
        household, _changed = household_upsert(provider=provider, by=user_of(request), data=data)
        household = household_with_rows(Household.objects.filter(pk=household.pk)).get()
        return Response(
            HouseholdSerializer(household, context=self.get_serializer_context()).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


@extend_schema_view(
    list=extend_schema(
        summary="Register files uploaded (your provider's, or all for hub, RCC and NCC staff)"
    ),
    retrieve=extend_schema(summary="One upload with its outcome and every problem found"),
)
class RegisterUploadViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    model = RegisterUpload
    rule = VIEW_REGISTER
    rules = {"create": MANAGE_REGISTER}
    serializer_class = RegisterUploadSerializer
    filterset_class = RegisterUploadFilter
    parser_classes = [MultiPartParser, FormParser]
    throttle_scopes = {"create": "uploads"}

    def get_queryset(self) -> Any:
        return upload_list(super().get_queryset()).defer(None).order_by("-created_at", "-pk")

    @extend_schema(
        summary="Upload the whole register as one file: checked first, written in one transaction",
        request={"multipart/form-data": UploadInSerializer},
        responses={201: RegisterUploadSerializer, 400: ERROR_RESPONSE},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = UploadInSerializer(data=request.data)
        if not form.is_valid():
            raise exceptions.ValidationError(flatten_errors(form.errors))
        provider = _provider(user_of(request), form.validated_data.get("provider"))
        upload = register_upload_process(
            provider=provider,
            by=user_of(request),
            uploaded_file=form.validated_data["file"],
        )
        body = RegisterUploadSerializer(upload, context=self.get_serializer_context()).data
        if upload.outcome == RegisterUpload.Outcome.ACCEPTED:
            return Response(body, status=status.HTTP_201_CREATED)
        messages = [
            (f"row {e['row']}, {e['column']}: " if e["row"] else "") + e["message"]
            for e in upload.errors
        ]
        return Response(
            {
                "detail": f"The file was not accepted ({upload.summary.get('error_count', 0)} "
                "problems); nothing was changed.",
                "errors": {"file": messages},
                "upload": body,
            },
            status=status.HTTP_400_BAD_REQUEST,
        )


class RegisterConfirmView(APIView):
    """Confirm every active household and its open or on-hold vacancies as current."""

    permission_classes = [RulePermission]
    rule = MANAGE_REGISTER

    @extend_schema(
        summary="Confirm everything on your register is current (one call)",
        request=ConfirmInSerializer,
        responses={200: ConfirmationSerializer, 400: ERROR_RESPONSE},
    )
    def post(self, request: Request) -> Response:
        form = ConfirmInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            provider = _provider(user_of(request), form.validated_data.get("provider"))
        except PermissionDenied as err:
            raise exceptions.PermissionDenied(str(err)) from err
        done = register_confirm_all(provider=provider, by=user_of(request))
        return Response(ConfirmationSerializer(done).data)
