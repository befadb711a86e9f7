from django.urls import path
from rest_framework.routers import SimpleRouter

from .early_warning import EarlyWarningAPIView
from .simulation import SimulationRunViewSet
from .views import NationalPlanningAPIView, RccPlanningAPIView

router = SimpleRouter()
router.register("planning/simulations", SimulationRunViewSet, basename="simulation-run")

urlpatterns = [
    path(
        "planning/rcc/<int:pk>/<slug:section>/",
        RccPlanningAPIView.as_view(),
        name="planning-rcc-section",
    ),
    path(
        "planning/national/<slug:section>/",
        NationalPlanningAPIView.as_view(),
        name="planning-national-section",
    ),
    path("early-warning/", EarlyWarningAPIView.as_view(), name="early-warning"),
    *router.urls,
]
