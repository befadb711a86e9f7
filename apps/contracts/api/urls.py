"""Commissioning API under /api/v1/contracts/ (route names `api:contracts-…`)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("contracts/terms", views.TermsVersionViewSet, basename="contracts-terms")
router.register("contracts/frameworks", views.FrameworkViewSet, basename="contracts-framework")
router.register("contracts/lots", views.LotViewSet, basename="contracts-lot")
router.register("contracts/enrolments", views.EnrolmentViewSet, basename="contracts-enrolment")
router.register(
    "contracts/price-schedules", views.PriceScheduleViewSet, basename="contracts-price-schedule"
)
router.register(
    "contracts/fee-comparison", views.FeeComparisonViewSet, basename="contracts-fee-comparison"
)
router.register("contracts/soft-blocks", views.SoftBlockViewSet, basename="contracts-soft-block")
router.register(
    "contracts/account-managers", views.AccountManagerViewSet, basename="contracts-account-manager"
)
router.register("contracts/disputes", views.DisputeViewSet, basename="contracts-dispute")
router.register("contracts/meetings", views.MeetingViewSet, basename="contracts-meeting")
router.register("contracts/alerts", views.AlertViewSet, basename="contracts-alert")
router.register("contracts/budgets", views.BudgetViewSet, basename="contracts-budget")
router.register(
    "contracts/in-house-costs", views.InHouseCostViewSet, basename="contracts-in-house-cost"
)
router.register(
    "contracts/specialist-services",
    views.SpecialistServiceViewSet,
    basename="contracts-specialist-service",
)

urlpatterns = [
    path(
        "contracts/scheduled-fee/", views.ScheduledFeeView.as_view(), name="contracts-scheduled-fee"
    ),
    *router.urls,
]
