from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "apps.planning"
    label = "planning"
    verbose_name = "Planning: demand, sufficiency, sourcing, stability and simulation"

    def ready(self) -> None:
        from . import nav  # noqa: F401
