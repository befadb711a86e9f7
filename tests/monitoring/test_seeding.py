"""The monitoring seed: four quarters of returns and feedback for every provider; fast, bulk,
idempotent; every seeded version passes the validator as it stands."""

from __future__ import annotations

import time

import pytest
from django.core.management import call_command
from django.db.models import Count

from apps.monitoring.models import (
    MonitoringReturn,
    PlacementFeedback,
    ReturnPlacement,
    ScorecardSnapshot,
)
from apps.monitoring.reader import Record
from apps.monitoring.seeding import QUARTERS, seed_monitoring
from apps.monitoring.selectors import validation_context, version_records
from apps.monitoring.validation import validate_return
from apps.providers.models import Provider

pytestmark = pytest.mark.django_db


def test_seed_monitoring_on_the_demo_scale():
    call_command("seed", "--scale", "demo", "-v", "0")
    providers = Provider.objects.count()
    per_provider = MonitoringReturn.objects.values("provider_id").annotate(n=Count("pk"))
    assert len(per_provider) == providers and {row["n"] for row in per_provider} == {QUARTERS}
    with_feedback = PlacementFeedback.objects.values("placement__provider_id").distinct().count()
    with_households = Provider.objects.filter(households__isnull=False).distinct().count()
    assert with_feedback == with_households
    assert (
        ReturnPlacement.objects.exists()
        and ScorecardSnapshot.objects.filter(rcc__isnull=False).exists()
    )
    demo = MonitoringReturn.objects.filter(
        provider__organisation__memberships__user__email="ifa.data@demo.rcc.example"
    )
    assert demo.order_by("-quarter_start").first().status == "due"
    # Every seeded placement has its IPA, as booking writes it (the offer's fee and support).
    from apps.referrals.models import Placement, PlacementAgreement

    assert not Placement.objects.filter(agreement__isnull=True).exists()
    ipa = PlacementAgreement.objects.select_related("placement__offer").first()
    offer = ipa.placement.offer
    assert (ipa.agreed_weekly_fee, ipa.weekly_cost) == (
        offer.weekly_fee,
        offer.weekly_fee + offer.support_weekly_cost,
    )
    agreements = PlacementAgreement.objects.count()

    before = (
        MonitoringReturn.objects.count(),
        ReturnPlacement.objects.count(),
        PlacementFeedback.objects.count(),
    )
    started = time.monotonic()
    again = seed_monitoring(scale="demo")
    assert time.monotonic() - started < 20
    assert (again.versions, again.placements, again.feedback) == (0, 0, 0)
    assert (
        MonitoringReturn.objects.count(),
        ReturnPlacement.objects.count(),
        PlacementFeedback.objects.count(),
    ) == before
    assert PlacementAgreement.objects.count() == agreements

    for ret in MonitoringReturn.objects.filter(current_version__isnull=False).select_related(
        "current_version"
    )[:40]:
        records = [
            Record(i + 1, dict(r)) for i, r in enumerate(version_records(ret.current_version))
        ]
        clean, errors = validate_return(records, validation_context(ret))
        assert not errors, (ret, errors[:3])
        assert clean.content_hash() == ret.current_version.content_hash
