from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"

    def ready(self) -> None:
        from . import audit, nav  # noqa: F401

        # Every app's rules, so that the roles needing two-factor sign-in are known in full
        # before the first request (apps.core.permissions.child_data_roles).
        autodiscover_modules("permissions")
