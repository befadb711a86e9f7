"""The provider's minimised referral: nothing that identifies the child."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from apps.referrals.api.serializers_minimised import MinimisedReferralSerializer
from apps.referrals.minimise import MINIMISED_KEYS, age_in_years, minimised_referral
from tests.factories import PostcodeDistrictFactory, UserFactory
from tests.providers.factories import HouseholdFactory
from tests.referrals.factories import ChildFactory, ReferralFactory

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 3, 1)


@pytest.fixture
def referral():  # type: ignore[no-untyped-def]
    HouseholdFactory(places=3, max_sibling_group=3)
    writer = UserFactory(
        first_name="Winifred", last_name="Quillfeather", email="winifred.q@la.example"
    )
    child = ChildFactory(
        local_identifier="SECRET-LOCAL-77",
        case_system_id="CASE-ID-991122",
        date_of_birth=dt.date(2014, 7, 23),
        home_postcode_district=PostcodeDistrictFactory(code="M14"),
        created_by=writer,
    )
    sibling_a = ChildFactory(
        la=child.la,
        local_identifier="SIB-LOCAL-01",
        case_system_id="SIB-CASE-01",
        date_of_birth=dt.date(2017, 2, 2),
    )
    sibling_b = ChildFactory(
        la=child.la,
        local_identifier="SIB-LOCAL-02",
        case_system_id="SIB-CASE-02",
        date_of_birth=dt.date(2020, 9, 9),
    )
    r = ReferralFactory(
        child=child,
        created_by=writer,
        completed_by=writer,
        family_postcode_district=PostcodeDistrictFactory(code="M20"),
        places_to_reach=[{"district": "M13", "what": "contact centre", "frequency": "weekly"}],
        places_to_avoid=["M8"],
        risk_other="high",
        risk_other_detail="Contact with an older peer group",
        withdrawn_reason="WITHDRAWN-SECRET",
        carer_review_skipped_reason="SKIP-SECRET",
    )
    r.siblings.set([sibling_a, sibling_b])
    return r


IDENTIFYING = [
    "SECRET-LOCAL-77",
    "CASE-ID-991122",
    "SIB-LOCAL-01",
    "SIB-LOCAL-02",
    "SIB-CASE-01",
    "SIB-CASE-02",
    "2014-07-23",
    "23/07/2014",
    "2017-02-02",
    "2020-09-09",
    "Winifred",
    "Quillfeather",
    "winifred.q@la.example",
    "WITHDRAWN-SECRET",
    "SKIP-SECRET",
]


def test_no_identifying_value_appears(referral):
    data = minimised_referral(referral, on=ON)
    text = json.dumps(data, default=str)
    for secret in IDENTIFYING:
        assert secret not in text, secret
    assert set(data) == MINIMISED_KEYS
    forbidden_keys = {
        "local_identifier",
        "case_system_id",
        "date_of_birth",
        "name",
        "siblings",
        "child",
        "created_by",
    }
    assert not forbidden_keys & _all_keys(data)


def test_it_keeps_what_a_provider_needs_in_coarse_form(referral):
    data = minimised_referral(referral, on=ON)
    assert data["age_years"] == 11 == age_in_years(dt.date(2014, 7, 23), ON)
    assert data["sibling_ages"] == [9, 5]
    assert data["sibling_group_size"] == 3
    assert data["home_district"] == "M14"
    assert data["locations"]["family_district"] == "M20"
    assert data["locations"]["places_to_reach"] == [
        {"district": "M13", "what": "contact centre", "frequency": "weekly"}
    ]
    assert data["locations"]["places_to_avoid"] == ["M8"]
    assert data["needs"] and {"domain", "level", "level_rank"} <= set(data["needs"][0])
    other = next(r for r in data["risks_to_child"] if r["risk"] == "Other risk to the child")
    assert other["level"] == "high" and other["detail"] == "Contact with an older peer group"


def test_the_serializer_gives_the_same_minimised_view(referral):
    data = MinimisedReferralSerializer(referral).data
    assert set(data) == MINIMISED_KEYS
    text = json.dumps(data, default=str)
    for secret in IDENTIFYING[:6]:
        assert secret not in text


def _all_keys(value) -> set[str]:  # type: ignore[no-untyped-def]
    keys: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            keys.add(k)
            keys |= _all_keys(v)
    elif isinstance(value, list):
        for v in value:
            keys |= _all_keys(v)
    return keys
