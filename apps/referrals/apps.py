from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "apps.referrals"
    label = "referrals"
    verbose_name = "Referrals, matching and placements"

    def ready(self) -> None:
        from . import audit, nav  # noqa: F401
