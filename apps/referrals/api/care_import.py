"""API: import the LA's SSDA903 Header and Episodes (multipart), and read the imports made.

The same service as the import page (`import_ssda903`), the same scoping (an LA's imports are
seen by its own staff only; others' are a 404) and the same upload throttle."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api.views import ScopedViewSetMixin
from apps.core.errors import DomainError
from apps.referrals.filters import CareImportFilter
from apps.referrals.models import CareHistoryImport
from apps.referrals.permissions import EDIT_CHILDREN, VIEW_CHILDREN
from apps.referrals.services import children as child_services
from apps.referrals.services.care_import import import_ssda903

from .la import _user


class CareImportErrorSerializer(serializers.Serializer):
    file = serializers.CharField(help_text="Header or Episodes")
    row = serializers.IntegerField(allow_null=True, help_text="The file's row; null: whole file")
    column = serializers.CharField()
    value = serializers.CharField()
    message = serializers.CharField()


class CareImportSerializer(serializers.ModelSerializer):
    la_name = serializers.CharField(source="la.name", read_only=True)
    uploaded_by = serializers.EmailField(source="uploaded_by.email", read_only=True)

    class Meta:
        model = CareHistoryImport
        fields = [
            "id", "la", "la_name", "uploaded_by", "uploaded_at", "header_name", "episodes_name",
            "status", "header_rows", "episode_rows", "children_created", "children_updated",
            "children_unchanged", "episodes_created", "episodes_updated", "episodes_unchanged",
            "episodes_platform", "episodes_replaced", "legal_statuses_created", "error_count",
            "errors",
        ]  # fmt: skip
        read_only_fields = fields

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        # Declared here: a class attribute named `errors` would hide Serializer.errors.
        fields["errors"] = CareImportErrorSerializer(many=True, read_only=True)
        return fields


class CareImportInSerializer(serializers.Serializer):
    header = serializers.FileField(help_text="The SSDA903 Header file (.csv or .xlsx)")
    episodes = serializers.FileField(help_text="The SSDA903 Episodes file (.csv or .xlsx)")
    la = serializers.IntegerField(
        required=False, help_text="Your LA's organisation id: needed only if you work for several."
    )


class CareImportRejectedSerializer(serializers.Serializer):
    """The 400 body (for the schema): every problem as a line, and the import recorded (absent
    when the request itself is wrong: a file missing, an LA that is not yours)."""

    detail = serializers.CharField()
    care_import = CareImportSerializer(required=False)

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["errors"] = serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            help_text='{"files": ["Episodes, row 3, PLACE: …", …]}',
        )
        return fields


@extend_schema_view(
    list=extend_schema(summary="SSDA903 imports of your LA"),
    retrieve=extend_schema(summary="One SSDA903 import with its counts and every problem found"),
)
class CareImportViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    model = CareHistoryImport
    rule = VIEW_CHILDREN
    rules = {"create": EDIT_CHILDREN}
    select_related = ("la", "uploaded_by")
    serializer_class = CareImportSerializer
    filterset_class = CareImportFilter
    parser_classes = [MultiPartParser, FormParser]
    throttle_scopes = {"create": "uploads"}

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("-uploaded_at", "-pk")

    @extend_schema(
        summary="Import your LA's SSDA903 Header and Episodes: checked first, written in one "
        "transaction",
        request={"multipart/form-data": CareImportInSerializer},
        responses={201: CareImportSerializer, 400: CareImportRejectedSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = CareImportInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        las = child_services.social_worker_las(_user(request))
        la_id = form.validated_data.get("la")
        if la_id is not None:
            las = [la for la in las if la.pk == la_id]
        if len(las) != 1:
            raise DomainError(
                "Say which of your local authorities the files are from (la)."
                if len(las) > 1
                else "You are not a social worker in that local authority.",
                field="la",
            )
        record = import_ssda903(
            by=_user(request),
            la=las[0],
            header_upload=form.validated_data["header"],
            episodes_upload=form.validated_data["episodes"],
        )
        body = CareImportSerializer(record, context=self.get_serializer_context()).data
        if record.status == CareHistoryImport.Status.ACCEPTED:
            return Response(body, status=status.HTTP_201_CREATED)
        problems = [
            f"{e['file']}"
            + (f", row {e['row']}" if e["row"] else "")
            + (f", {e['column']}" if e["column"] else "")
            + f": {e['message']}"
            for e in record.errors
        ]
        return Response(
            {
                "detail": f"The files were not imported ({record.error_count} problems); "
                "nothing was changed.",
                "errors": {"files": problems},
                "care_import": body,
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
