from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "apps.reporting"
    label = "reporting"
    verbose_name = "Reports, dashboards and the public site"

    def ready(self) -> None:
        from . import nav  # noqa: F401
