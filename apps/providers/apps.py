from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "apps.providers"
    label = "providers"
    verbose_name = "Providers and the register"

    def ready(self) -> None:
        from . import audit, nav  # noqa: F401
