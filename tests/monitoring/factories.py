"""Factories for monitoring (synthetic data only): placements on the platform, returns, feedback."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts.models import User
from apps.monitoring import format as fmt_module
from apps.monitoring.models import MonitoringReturn
from apps.monitoring.quarters import Quarter
from apps.monitoring.selectors import prefill_records
from apps.organisations.models import Organisation
from apps.providers.models import Provider
from apps.referrals.choices import OfferStatus, ReferralStatus, TargetStatus
from apps.referrals.models import Placement
from tests.providers.factories import HouseholdFactory, ProviderFactory, VacancyFactory
from tests.referrals.factories import ChildFactory
from tests.referrals.placing_factories import (
    OfferFactory,
    ReferralTargetFactory,
    SentReferralFactory,
)

QUARTER = Quarter(2025, 3)  # October to December 2025


def provider_of(org: Organisation, **fields: Any) -> Provider:
    return ProviderFactory(organisation=org, **fields)


def placement(
    provider_org: Organisation,
    la: Organisation,
    *,
    start: dt.date,
    end: dt.date | None = None,
    reason: str = "",
    placement_type: str = "U6",
    booked_by: User | None = None,
) -> Placement:
    """A placement on the platform, with the referral, offer and place it came from."""
    household = HouseholdFactory(provider=provider_of(provider_org))
    child = ChildFactory(la=la)
    referral = SentReferralFactory(child=child, status=ReferralStatus.PLACED)
    target = ReferralTargetFactory(
        referral=referral, household=household, status=TargetStatus.OFFERED
    )
    vacancy = VacancyFactory(household=household, status="filled")
    offer = OfferFactory(target=target, vacancy=vacancy, status=OfferStatus.ACCEPTED)
    return Placement.objects.create(
        referral=referral,
        child=child,
        offer=offer,
        vacancy=vacancy,
        household=household,
        provider=household.provider,
        la=la,
        rcc=referral.rcc,
        placement_type=placement_type,
        placement_provider="PR4",
        start_date=start,
        end_date=end,
        reason_ended=reason,
        booked_by=booked_by or offer.made_by,
    )


def due_return(provider_org: Organisation, quarter: Quarter = QUARTER) -> MonitoringReturn:
    return MonitoringReturn.objects.get_or_create(
        provider=provider_of(provider_org),
        quarter_start=quarter.start,
        defaults={"due_on": quarter.due_on},
    )[0]


def complete_records(ret: MonitoringReturn, **figures: str) -> list[dict[str, str]]:
    """The pre-filled rows with the figures only the provider knows filled in: a valid return."""
    known = {
        "allegations": "0",
        "complaints": "1",
        "notifications": "0",
        "carers_trained": "4",
        "training_hours": "30",
        "supervision_visits": "12",
        "respite_nights": "3",
        "ofsted_date": "2024-05-01",
        **figures,
    }
    records = prefill_records(ret)
    for r in records:
        if (
            r["record"] == fmt_module.FIGURE
            and r["item"] in known
            and (r["item"] in figures or not r["value"])
        ):
            r["value"] = known[r["item"]]
    return records


def csv_file(
    records: list[dict[str, str]], name: str = "return.csv", fmt: Any = None
) -> SimpleUploadedFile:
    content = fmt_module.records_csv(fmt or fmt_module.CURRENT, records)
    return SimpleUploadedFile(name, content, content_type="text/csv")


def xlsx_file(records: list[dict[str, str]], name: str = "return.xlsx") -> SimpleUploadedFile:
    content = fmt_module.records_xlsx(fmt_module.CURRENT, records)
    return SimpleUploadedFile(name, content)
