from rest_framework.routers import SimpleRouter

from .views import SimulationRunViewSet

router = SimpleRouter()
router.register("planning/simulations", SimulationRunViewSet, basename="simulation-run")

urlpatterns = router.urls
