"""The demo seed gives the SSDA903 export true data: URNs (LA fostering services too), real
postcodes in the right places, legal status history, and repeat placements of every kind; and
a second run adds nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from apps.monitoring.seeding import CHILD_PREFIX
from apps.organisations.kinds import OrganisationKind
from apps.organisations.models import Organisation, Postcode
from apps.referrals.models import CareEpisode, Child, LegalStatusChange, Placement

pytestmark = pytest.mark.django_db


def snapshot() -> tuple[list, list, list]:
    return (
        list(
            Placement.objects.order_by("child__local_identifier", "start_date").values_list(
                "child__local_identifier",
                "start_date",
                "end_date",
                "left_care_reason",
                "provider_urn",
                "home_postcode",
                "placement_postcode",
            )
        ),
        list(
            CareEpisode.objects.order_by("child__local_identifier").values_list(
                "child__local_identifier", "start_date", "end_date", "reason_ended"
            )
        ),
        list(
            LegalStatusChange.objects.order_by("child__local_identifier", "start_date").values_list(
                "child__local_identifier", "start_date", "legal_status"
            )
        ),
    )


def test_the_demo_seed_makes_true_ssda903_histories_once():
    call_command("seed", "--scale", "demo", "-v", "0")
    assert not Organisation.objects.filter(kind=OrganisationKind.LA_SERVICE, ofsted_urn="").exists()
    placements = Placement.objects.filter(child__local_identifier__startswith=CHILD_PREFIX)
    assert placements.count() > 300
    assert not placements.filter(provider_urn="").exists()
    assert not placements.filter(home_postcode="").exists()
    assert not placements.filter(placement_postcode="").exists()
    real = set(Postcode.objects.values_list("code", flat=True))
    la_of = dict(Postcode.objects.values_list("code", "district__la_id"))
    for child_la, home, carers in placements.values_list(
        "child__la_id", "home_postcode", "placement_postcode"
    ):
        assert home in real and carers in real and home != carers
        assert la_of[home] == child_la  # the child's home is in its LA
    children = Child.objects.filter(local_identifier__startswith=CHILD_PREFIX)
    assert not children.filter(legal_statuses__isnull=True).exists()
    assert max(len(c) for c in children.values_list("local_identifier", flat=True)) <= 10

    ended = placements.filter(end_date__isnull=False)
    same_day = [
        p for p in ended if placements.filter(child_id=p.child_id, start_date=p.end_date).exists()
    ]
    assert same_day  # moves to other carers the same day
    left = ended.exclude(left_care_reason="")
    assert left.exists() and len(same_day) + left.count() == ended.count()  # every ending true
    gaps = [p for p in left if placements.filter(child_id=p.child_id, start_date__gt=p.end_date)]
    assert gaps  # left care, then back later
    assert LegalStatusChange.objects.filter(legal_status="C1").exists()  # then a full order
    assert CareEpisode.objects.filter(source="imported").exists()

    before = snapshot()
    call_command("seed", "--scale", "demo", "-v", "0")
    assert snapshot() == before
