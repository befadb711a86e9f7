"""Commissioning API: the same rules (403), scoping (404), filtersets and services as the pages."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.views import RulePermission, ScopedViewSetMixin

from .. import selectors, services
from ..filters import (
    AccountManagerFilter,
    AlertFilter,
    BudgetFilter,
    DisputeFilter,
    EnrolmentFilter,
    FeeComparisonFilter,
    FrameworkFilter,
    InHouseCostFilter,
    LotFilter,
    MeetingFilter,
    PriceScheduleFilter,
    SoftBlockFilter,
    SpecialistServiceFilter,
    TermsVersionFilter,
)
from ..models import (
    AccountManager,
    ContractAlert,
    Dispute,
    Enrolment,
    Framework,
    InHouseCost,
    Lot,
    PartnershipMeeting,
    PlacementBudget,
    PriceSchedule,
    SoftBlock,
    SpecialistService,
    TermsVersion,
)
from ..permissions import (
    APPLY_TO_LOT,
    COMPARE_FEES,
    DISMISS_ALERTS,
    MANAGE_ACCOUNT_MANAGERS,
    MANAGE_BUDGETS,
    MANAGE_CONTRACT_MANAGEMENT,
    MANAGE_FRAMEWORKS,
    MANAGE_IN_HOUSE_COSTS,
    MANAGE_PRICES,
    MANAGE_SOFT_BLOCKS,
    MANAGE_SPECIALIST_SERVICES,
    MANAGE_TERMS,
    VIEW_ALERTS,
    VIEW_BUDGETS,
    VIEW_CONTRACT_MANAGEMENT,
    VIEW_FRAMEWORKS,
    VIEW_IN_HOUSE_COSTS,
    VIEW_PRICES,
    VIEW_SOFT_BLOCKS,
    VIEW_SPECIALIST_SERVICES,
    VIEW_TERMS,
)
from ..querysets import contracts_scope
from . import serializers as s


class _Base(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """List and retrieve, scoped. A viewset that creates defines `create` (so that only its
    list answers POST) and calls `_create`: `input_serializer`, then `perform_service`."""

    input_serializer: ClassVar[Any] = None
    prefetch: ClassVar[tuple[Any, ...]] = ()

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        return qs.prefetch_related(*self.prefetch) if self.prefetch else qs

    def _input(self, serializer_class: Any) -> dict[str, Any]:
        data = serializer_class(data=self.request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)

    def _respond(self, obj: Any, status: int = 200) -> Response:
        fresh = self.get_queryset().get(pk=obj.pk)
        return Response(self.get_serializer(self.decorate([fresh])[0]).data, status=status)

    def decorate(self, rows: list[Any]) -> list[Any]:
        return rows

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        if page is not None:
            return self.get_paginated_response(
                self.get_serializer(self.decorate(list(page)), many=True).data
            )
        return Response(self.get_serializer(self.decorate(list(queryset)), many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self.get_serializer(self.decorate([self.get_object()])[0]).data)

    def perform_service(self, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def _create(self) -> Response:
        return self._respond(self.perform_service(self._input(self.input_serializer)), status=201)


def _creatable(input_serializer: Any) -> Any:
    return extend_schema(request=input_serializer)


class TermsVersionViewSet(_Base):
    """National terms and conditions, versioned by the NCC."""

    model = TermsVersion
    rule = VIEW_TERMS
    rules: ClassVar[dict[str, Any]] = {"create": MANAGE_TERMS}
    serializer_class = s.TermsVersionSerializer
    filterset_class = TermsVersionFilter
    input_serializer = s.TermsVersionInput

    @_creatable(s.TermsVersionInput)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._create()

    def perform_service(self, data: dict[str, Any]) -> Any:
        return services.terms_version_publish(by=self.request.user, **data)


class FrameworkViewSet(_Base):
    """Frameworks and DPS with their lots; create one with its lots, add lots, take an extension."""

    model = Framework
    rule = VIEW_FRAMEWORKS
    rules: ClassVar[dict[str, Any]] = {
        "create": MANAGE_FRAMEWORKS,
        "add_lot": MANAGE_FRAMEWORKS,
        "extend": MANAGE_FRAMEWORKS,
    }
    serializer_class = s.FrameworkSerializer
    filterset_class = FrameworkFilter
    select_related = ("owner", "terms_version", "lead_manager", "deputy_manager")
    prefetch = ("lots",)
    input_serializer = s.FrameworkInput

    @_creatable(s.FrameworkInput)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._create()

    def perform_service(self, data: dict[str, Any]) -> Any:
        data["lots"] = [dict(lot) for lot in data.get("lots", [])]
        return services.framework_create(by=self.request.user, **data)

    @extend_schema(request=s.LotInput, responses={201: s.LotSerializer})
    @action(detail=True, methods=["post"], url_path="lots")
    def add_lot(self, request: Request, pk: str | None = None) -> Response:
        lot = services.lot_add(
            by=request.user, framework=self.get_object(), **self._input(s.LotInput)
        )
        return Response(s.LotSerializer(lot).data, status=201)

    @extend_schema(request=s.ExtendInput)
    @action(detail=True, methods=["post"])
    def extend(self, request: Request, pk: str | None = None) -> Response:
        framework = services.framework_extend(
            by=request.user, framework=self.get_object(), **self._input(s.ExtendInput)
        )
        return self._respond(framework)


class LotViewSet(_Base):
    """Lots; a provider applies to one (or a commissioner enrols one) with `enrol`."""

    model = Lot
    rule = VIEW_FRAMEWORKS
    rules: ClassVar[dict[str, Any]] = {"enrol": APPLY_TO_LOT}
    serializer_class = s.LotSerializer
    filterset_class = LotFilter
    select_related = ("framework",)

    @extend_schema(request=s.EnrolInput, responses={201: s.EnrolmentSerializer})
    @action(detail=True, methods=["post"])
    def enrol(self, request: Request, pk: str | None = None) -> Response:
        enrolment = services.enrolment_apply(
            by=request.user, lot=self.get_object(), **self._input(s.EnrolInput)
        )
        return Response(s.EnrolmentSerializer(enrolment).data, status=201)


class EnrolmentViewSet(_Base):
    model = Enrolment
    rule = VIEW_FRAMEWORKS
    rules: ClassVar[dict[str, Any]] = {"set_status": MANAGE_FRAMEWORKS}
    serializer_class = s.EnrolmentSerializer
    filterset_class = EnrolmentFilter
    select_related = ("provider__organisation", "lot")

    @extend_schema(request=s.EnrolmentStatusInput)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request: Request, pk: str | None = None) -> Response:
        enrolment = services.enrolment_set_status(
            by=request.user, enrolment=self.get_object(), **self._input(s.EnrolmentStatusInput)
        )
        return self._respond(enrolment)


class PriceScheduleViewSet(_Base):
    """Price schedules: a provider's staff see only their own; commissioners their RCC's."""

    model = PriceSchedule
    rule = VIEW_PRICES
    rules: ClassVar[dict[str, Any]] = {"create": MANAGE_PRICES, "end": MANAGE_PRICES}
    serializer_class = s.PriceScheduleSerializer
    filterset_class = PriceScheduleFilter
    select_related = (
        "provider__organisation",
        "lot__framework__owner",
        "lot__framework__terms_version",
    )
    prefetch = ("support_prices",)

    @_creatable(s.PriceScheduleInput)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = s.PriceScheduleInput(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        schedule = services.price_schedule_create(by=request.user, **data.to_service())
        return self._respond(schedule, status=201)

    @extend_schema(request=s.PriceScheduleEndInput)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        schedule = services.price_schedule_end(
            by=request.user, schedule=self.get_object(), **self._input(s.PriceScheduleEndInput)
        )
        return self._respond(schedule)


class FeeComparisonViewSet(ScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Fees applying today across all providers and RCCs (commissioners and the NCC), filtered
    by lot type, band, provider kind and owner; each row carries its specification and terms."""

    model = PriceSchedule
    rule = COMPARE_FEES
    serializer_class = s.PriceScheduleSerializer
    filterset_class = FeeComparisonFilter

    def get_queryset(self) -> Any:
        return selectors.fee_comparison(self.request.user).current()


class ScheduledFeeView(APIView):
    """The weekly fee the price schedule sets for a provider, a child's age and a date."""

    permission_classes = (RulePermission,)
    rule = VIEW_PRICES

    @extend_schema(
        parameters=[
            OpenApiParameter("provider", int, required=True),
            OpenApiParameter("age", int, required=True),
            OpenApiParameter("on", str, required=True, description="YYYY-MM-DD"),
            OpenApiParameter("care_types", str, description="Comma-separated CareType codes"),
            OpenApiParameter("rcc", int, description="Prefer this RCC's schedules"),
        ],
        responses={
            200: {
                "type": "object",
                "properties": {"weekly_fee": {"type": "string", "nullable": True}},
            }
        },
    )
    def get(self, request: Request) -> Response:
        query = s.ScheduledFeeQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        scope = contracts_scope(request.user)
        if not scope.sees_rcc_records and data["provider"].pk not in scope.provider_ids:
            raise NotFound("Providers see only their own scheduled fees.")
        codes = [c.strip() for c in data["care_types"].split(",") if c.strip()]
        fee = selectors.scheduled_fee_for(
            provider=data["provider"],
            child_age=data["age"],
            care_types=codes,
            on=data["on"],
            rcc=data["rcc"],
        )
        return Response({"weekly_fee": None if fee is None else str(fee)})


class SoftBlockViewSet(_Base):
    model = SoftBlock
    rule = VIEW_SOFT_BLOCKS
    rules: ClassVar[dict[str, Any]] = {"create": MANAGE_SOFT_BLOCKS}
    serializer_class = s.SoftBlockSerializer
    filterset_class = SoftBlockFilter
    select_related = ("provider__organisation", "terms_version")
    input_serializer = s.SoftBlockInput

    def decorate(self, rows: list[Any]) -> list[Any]:
        figures = selectors.soft_block_utilisation(rows)
        for block in rows:
            block.utilisation = figures[block.pk]
        return rows

    @_creatable(s.SoftBlockInput)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._create()

    def perform_service(self, data: dict[str, Any]) -> Any:
        return services.soft_block_create(by=self.request.user, **data)


class AccountManagerViewSet(_Base):
    model = AccountManager
    rule = VIEW_CONTRACT_MANAGEMENT
    rules: ClassVar[dict[str, Any]] = {"create": MANAGE_ACCOUNT_MANAGERS}
    serializer_class = s.AccountManagerSerializer
    filterset_class = AccountManagerFilter
    select_related = ("provider__organisation", "manager")
    prefetch = ("rccs",)
    input_serializer = s.AccountManagerInput

    @_creatable(s.AccountManagerInput)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._create()

    def perform_service(self, data: dict[str, Any]) -> Any:
        data["rccs"] = list(data["rccs"])
        return services.account_manager_set(by=self.request.user, **data)


class DisputeViewSet(_Base):
    model = Dispute
    rule = VIEW_CONTRACT_MANAGEMENT
    rules: ClassVar[dict[str, Any]] = {
        "create": MANAGE_CONTRACT_MANAGEMENT,
        "add_step": MANAGE_CONTRACT_MANAGEMENT,
        "close": MANAGE_CONTRACT_MANAGEMENT,
    }
    serializer_class = s.DisputeSerializer
    filterset_class = DisputeFilter
    select_related = ("provider__organisation",)
    prefetch = ("steps",)
    input_serializer = s.DisputeInput

    @_creatable(s.DisputeInput)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._create()

    def perform_service(self, data: dict[str, Any]) -> Any:
        return services.dispute_raise(by=self.request.user, **data)

    @extend_schema(request=s.DisputeStepInput, responses={201: s.DisputeSerializer})
    @action(detail=True, methods=["post"], url_path="steps")
    def add_step(self, request: Request, pk: str | None = None) -> Response:
        dispute = self.get_object()
        services.dispute_add_step(
            by=request.user, dispute=dispute, **self._input(s.DisputeStepInput)
        )
        return self._respond(dispute, status=201)

    @extend_schema(request=s.DisputeCloseInput)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        dispute = services.dispute_close(
            by=request.user, dispute=self.get_object(), **self._input(s.DisputeCloseInput)
        )
        return self._respond(dispute)


class MeetingViewSet(_Base):
    model = PartnershipMeeting
    rule = VIEW_CONTRACT_MANAGEMENT
    rules: ClassVar[dict[str, Any]] = {
        "create": MANAGE_CONTRACT_MANAGEMENT,
        "action_done": MANAGE_CONTRACT_MANAGEMENT,
    }
    serializer_class = s.MeetingSerializer
    filterset_class = MeetingFilter
    select_related = ("provider__organisation",)
    prefetch = ("actions",)
    input_serializer = s.MeetingInput

    @_creatable(s.MeetingInput)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._create()

    def perform_service(self, data: dict[str, Any]) -> Any:
        data["actions"] = [dict(a) for a in data.get("actions", [])]
        return services.meeting_record(by=self.request.user, **data)

    @extend_schema(request=s.ActionDoneInput)
    @action(detail=True, methods=["post"], url_path="action-done")
    def action_done(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        action_id = self._input(s.ActionDoneInput)["action"]
        item = meeting.actions.filter(pk=action_id).first()
        if item is None:
            from apps.core.errors import DomainError

            raise DomainError("Choose an action of this meeting.", field="action")
        services.meeting_action_done(by=request.user, action=item)
        return self._respond(meeting)


class AlertViewSet(_Base):
    model = ContractAlert
    rule = VIEW_ALERTS
    rules: ClassVar[dict[str, Any]] = {"dismiss": DISMISS_ALERTS}
    serializer_class = s.AlertSerializer
    filterset_class = AlertFilter
    select_related = ("soft_block",)

    # The message of a low-utilisation alert reads the block's figures today, as the pages do.
    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        return selectors.alerts_with_figures(page) if page is not None else None

    def get_object(self) -> Any:
        return selectors.alerts_with_figures([super().get_object()])[0]

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def dismiss(self, request: Request, pk: str | None = None) -> Response:
        return self._respond(services.alert_dismiss(by=request.user, alert=self.get_object()))


class BudgetViewSet(_Base):
    """Each LA's placement budget per financial year, with actual, committed and forecast spend.
    POST sets (or replaces) a budget."""

    model = PlacementBudget
    rule = VIEW_BUDGETS
    rules: ClassVar[dict[str, Any]] = {"create": MANAGE_BUDGETS}
    serializer_class = s.BudgetSerializer
    filterset_class = BudgetFilter
    select_related = ("la",)
    input_serializer = s.BudgetInput

    def decorate(self, rows: list[Any]) -> list[Any]:
        figures = selectors.budget_figures(rows)
        for budget in rows:
            budget.figures = figures[budget.pk]
        return rows

    @_creatable(s.BudgetInput)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._create()

    def perform_service(self, data: dict[str, Any]) -> Any:
        return services.budget_set(by=self.request.user, **data)


class InHouseCostViewSet(_Base):
    model = InHouseCost
    rule = VIEW_IN_HOUSE_COSTS
    rules: ClassVar[dict[str, Any]] = {"create": MANAGE_IN_HOUSE_COSTS}
    serializer_class = s.InHouseCostSerializer
    filterset_class = InHouseCostFilter
    select_related = ("service__organisation",)
    input_serializer = s.InHouseCostInput

    @_creatable(s.InHouseCostInput)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._create()

    def perform_service(self, data: dict[str, Any]) -> Any:
        return services.in_house_cost_set(by=self.request.user, **data)


class SpecialistServiceViewSet(_Base):
    """National specialist services; `matching?needs=domain:rank,…` lists those that match."""

    model = SpecialistService
    rule = VIEW_SPECIALIST_SERVICES
    rules: ClassVar[dict[str, Any]] = {"create": MANAGE_SPECIALIST_SERVICES}
    serializer_class = s.SpecialistServiceSerializer
    filterset_class = SpecialistServiceFilter
    prefetch = (Prefetch("needs"), "needs__domain", "needs__min_level")
    input_serializer = s.SpecialistServiceInput

    @_creatable(s.SpecialistServiceInput)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._create()

    def perform_service(self, data: dict[str, Any]) -> Any:
        return services.specialist_service_save(by=self.request.user, **data)

    @extend_schema(
        parameters=[
            OpenApiParameter("needs", str, required=True, description="domain:rank,domain:rank")
        ],
        responses=s.SpecialistServiceSerializer(many=True),
    )
    @action(detail=False, methods=["get"], pagination_class=None, filterset_class=None)
    def matching(self, request: Request) -> Response:
        from apps.core.errors import DomainError

        needs: dict[str, int] = {}
        for part in request.query_params.get("needs", "").split(","):
            if not part.strip():
                continue
            code, _, rank = part.partition(":")
            if not rank.strip().isdigit():
                raise DomainError(
                    "Give needs as domain:rank pairs, like disability:3,health:4.", field="needs"
                )
            needs[code.strip()] = int(rank)
        services_found = selectors.specialist_services_for(needs=needs)
        return Response(self.get_serializer(services_found, many=True).data)
