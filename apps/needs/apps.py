from django.apps import AppConfig


class NeedsConfig(AppConfig):
    name = "apps.needs"
    label = "needs"
    verbose_name = "Needs taxonomy"
