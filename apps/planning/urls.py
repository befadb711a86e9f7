from django.urls import path

from .views import early_warning, sections

app_name = "planning"

urlpatterns = [
    path("", sections.PlanningHomeView.as_view(), name="index"),
    path("rcc/<int:pk>/<slug:section>/", sections.RccSectionView.as_view(), name="rcc_section"),
    path("early-warning/", early_warning.EarlyWarningView.as_view(), name="early_warning"),
    path(
        "national/<slug:section>/",
        sections.NationalSectionView.as_view(),
        name="national_section",
    ),
]
