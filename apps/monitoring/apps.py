from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "apps.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring returns, feedback and scorecards"

    def ready(self) -> None:
        from . import audit, nav  # noqa: F401
