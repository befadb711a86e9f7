from rest_framework.routers import SimpleRouter

from .views import BulletinViewSet, ReportRunViewSet, ReportSnapshotViewSet

router = SimpleRouter()
router.register("reports/runs", ReportRunViewSet, basename="report-run")
router.register("reports/snapshots", ReportSnapshotViewSet, basename="report-snapshot")
router.register("reports/bulletins", BulletinViewSet, basename="report-bulletin")

urlpatterns = router.urls
