from django.urls import path

from .views import EarlyWarningAPIView

urlpatterns = [
    path("early-warning/", EarlyWarningAPIView.as_view(), name="early-warning"),
]
