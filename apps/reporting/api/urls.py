from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import (
    BulletinViewSet,
    ReportRunViewSet,
    ReportSnapshotViewSet,
    Ssda903FileAPIView,
    Ssda903ListAPIView,
    Ssda903ReturnAPIView,
)

router = SimpleRouter()
router.register("reports/runs", ReportRunViewSet, basename="report-run")
router.register("reports/snapshots", ReportSnapshotViewSet, basename="report-snapshot")
router.register("reports/bulletins", BulletinViewSet, basename="report-bulletin")

urlpatterns = [
    path("reports/ssda903/", Ssda903ListAPIView.as_view(), name="ssda903-list"),
    path(
        "reports/ssda903/<int:la>/<int:year>/",
        Ssda903ReturnAPIView.as_view(),
        name="ssda903-return",
    ),
    path(
        "reports/ssda903/<int:la>/<int:year>/<slug:part>/",
        Ssda903FileAPIView.as_view(),
        name="ssda903-file",
    ),
    *router.urls,
]
