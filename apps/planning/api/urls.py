from django.urls import path

from .early_warning import EarlyWarningAPIView
from .views import NationalPlanningAPIView, RccPlanningAPIView

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
]
