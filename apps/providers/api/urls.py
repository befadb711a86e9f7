"""The register under /api/v1/: households, register/uploads, register/confirm."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import HouseholdViewSet, RegisterConfirmView, RegisterUploadViewSet

router = SimpleRouter()
router.register("households", HouseholdViewSet, basename="household")
router.register("register/uploads", RegisterUploadViewSet, basename="register-upload")

urlpatterns = [
    path("register/confirm/", RegisterConfirmView.as_view(), name="register-confirm"),
    *router.urls,
]
