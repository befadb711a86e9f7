from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import (
    FeedbackViewSet,
    FormatView,
    MonitoringReturnViewSet,
    ScorecardViewSet,
    SubmissionViewSet,
)

router = SimpleRouter()
router.register("monitoring/returns", MonitoringReturnViewSet, basename="monitoring-return")
router.register("monitoring/submissions", SubmissionViewSet, basename="monitoring-submission")
router.register("monitoring/scorecards", ScorecardViewSet, basename="monitoring-scorecard")
router.register("monitoring/feedback", FeedbackViewSet, basename="monitoring-feedback")

urlpatterns = [
    path("monitoring/format/", FormatView.as_view(), name="monitoring-format"),
    *router.urls,
]
