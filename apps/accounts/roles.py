"""The roles people hold in organisations (DOMAIN.md "Who uses it")."""

from django.db import models


class Role(models.TextChoices):
    SOCIAL_WORKER = "social_worker", "Social worker"
    IRO = "iro", "Independent reviewing officer"
    PLACEMENT_OFFICER = "placement_officer", "Placement officer"
    COMMISSIONER = "commissioner", "Commissioner / contract manager"
    SCRUTINEER = "scrutineer", "Independent scrutineer"
    PROVIDER_REFERRALS = "provider_referrals", "Provider referrals officer"
    PROVIDER_DATA = "provider_data", "Provider data officer"
    NCC_ANALYST = "ncc_analyst", "NCC analyst"
    ADMINISTRATOR = "administrator", "Administrator"
