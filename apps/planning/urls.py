from django.urls import path

from .views import early_warning, sections, simulation

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
    path("simulations/", simulation.SimulationListView.as_view(), name="simulations"),
    path("simulations/new/", simulation.SimulationCreateView.as_view(), name="simulation_create"),
    path(
        "simulations/<int:pk>/",
        simulation.SimulationDetailView.as_view(),
        name="simulation_detail",
    ),
    path(
        "simulations/<int:pk>/progress/",
        simulation.SimulationProgressView.as_view(),
        name="simulation_progress",
    ),
    path(
        "simulations/<int:pk>/export/",
        simulation.SimulationExportView.as_view(),
        name="simulation_export",
    ),
]
