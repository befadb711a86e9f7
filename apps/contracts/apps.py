from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "apps.contracts"
    label = "contracts"
    verbose_name = "Commissioning and contracts"

    def ready(self) -> None:
        from . import audit, nav  # noqa: F401
