"""The whole journey through the API only, in the demo data (issue 5, "Done when"):

a social worker records a child and their needs and writes the referral; the current carer's
provider reviews it; it is sent; the hub searches and sends it to three providers of three kinds
(in-house, another LA's service, an IFA); two offer; the child's views are recorded; the in-house
option is proposed as a recorded tie-break; the scrutineer approves; the hub agrees the
placement, which books the place and writes the IPA. The IFA never sees the child's identity,
and every provider read of the referral is logged.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.accounts.seeding import DEMO_DOMAIN
from apps.accounts.services import api_token_create
from apps.providers.models import Vacancy
from apps.referrals.models import Placement, Referral, ReferralAccessLog, ReferralEvent

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
CHILD = {
    "local_identifier": "MCR-J-0001",
    "case_system_id": "LCS-J-SECRET-77",
    "date_of_birth": (TODAY - dt.timedelta(days=int(365.25 * 9) + 40)).isoformat(),
    "sex": "M",
    "ethnicity": "WBRI",
    "religion": "none",
    "languages": ["en"],
    "legal_status": "C2",
    "home_postcode_district": "M22",
}
REFERRAL = {
    "urgency": "planned",
    "latest_start_date": (TODAY + dt.timedelta(days=28)).isoformat(),
    "moving_from_placement": True,
    "preferred_area": "South Manchester",
    "family_postcode_district": "M22",
    "stay_close_to_family": True,
    "school_postcode_district": "M22",
    "keep_school": True,
    "places_to_reach": [{"district": "M13", "what": "contact centre", "frequency": "weekly"}],
    "places_to_avoid": [],
    "communication_needs": [],
    "adaptations": "None needed",
    "cultural_religious_needs": "None identified",
    "live_alongside": "with_others",
    "pets_ok": "yes",
    "suitability_foster": "preferred",
    "suitability_residential": "unsuitable",
    "suitability_supported": "unsuitable",
    "min_adults": 1,
    **dict.fromkeys(
        (
            "risk_self_harm",
            "risk_sexual_exploitation",
            "risk_criminal_exploitation",
            "risk_substances",
            "risk_eating_disorder",
            "risk_other",
            "harm_physical",
            "harm_sexual",
            "harm_fire_setting",
            "harm_animals",
            "harm_criminal_exploitation",
            "harm_other",
        ),
        "none",
    ),
    "risk_missing": "low",
    "support_needed": ["education"],
    "childs_views": "Wants to stay at his school and keep seeing his sister.",
    "about_the_child": "Loves football and drawing; settles with a calm routine.",
}


def household(reference: str, district: str) -> dict[str, Any]:
    """A household a provider keeps current on the register, with one place open now."""
    return {
        "postcode_district": district,
        "age_min": 5,
        "age_max": 14,
        "places": 1,
        "max_sibling_group": 1,
        "care_types": ["short_term", "long_term"],
        "bedrooms": 1,
        "carers": [{"age_band": "45-54", "sex": "F", "ethnicity": "WBRI", "languages": ["en"]}],
        "skills": [{"domain": "behaviour", "level": 3}, {"domain": "education", "level": 3}],
        "vacancies": [{"reference": f"{reference}-P1", "available_from": TODAY.isoformat()}],
    }


class Caller:
    """One demo login calling the API with its token; keeps every response body it saw."""

    def __init__(self, local_part: str) -> None:
        self.user = User.objects.get(email=f"{local_part}@{DEMO_DOMAIN}")
        self.client = APIClient()
        _, secret = api_token_create(user=self.user, name="test")
        self.client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        self.seen: list[str] = []

    def call(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        response = getattr(self.client, method)(f"/api/v1{path}", body, format="json")
        self.seen.append(response.content.decode())
        assert response.status_code == expect, (
            method,
            path,
            response.status_code,
            response.content,
        )
        return response.json() if response.content else None

    def get(self, path: str, **kw: Any) -> Any:
        return self.call("get", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call("post", path, body or {}, **kw)

    def put(self, path: str, body: Any, **kw: Any) -> Any:
        return self.call("put", path, body, **kw)


@pytest.fixture
def demo() -> None:
    call_command("seed", stdout=io.StringIO(), verbosity=0)


def test_the_journey_through_the_api(demo, django_capture_on_commit_callbacks):
    sw, po, scrutineer = Caller("social.worker"), Caller("placement.officer"), Caller("scrutineer")
    ifa, in_house = Caller("ifa.referrals"), Caller("inhouse.referrals")

    # Providers keep their register current: one household each with a place open now.
    ifa.put("/households/HH-J-IFA/", household("HH-J-IFA", "M21"), expect=201)
    in_house.put("/households/HH-J-INH/", household("HH-J-INH", "M20"), expect=201)

    # The social worker records the child, the needs, and the referral in the national format.
    child = sw.post("/children/", CHILD, expect=201)
    sw.post(
        f"/children/{child['id']}/assessments/",
        {"items": {"behaviour": "medium", "education": "medium"}, "summary": "Review"},
        expect=201,
    )
    referral = sw.post("/referrals/", {"child": child["id"], **REFERRAL}, expect=201)
    rid = referral["id"]
    assert referral["completeness"]["can_send"], referral["completeness"]

    # Moving from a placement: the current carer's review comes first (sending is refused).
    refused = sw.post(f"/referrals/{rid}/send/", expect=400)
    assert "review" in json.dumps(refused).lower()
    sw.post(
        f"/referrals/{rid}/invite-reviewer/",
        {"email": in_house.user.email, "contributor_role": "current_carer"},
        expect=201,
    )
    in_house.post(
        f"/referrals/{rid}/review-respond/",
        {"status": "agreed", "comments": "Accurate; he is ready to move."},
    )
    assert sw.post(f"/referrals/{rid}/send/")["status"] == "sent"

    # The hub searches every kind of provider at once and sends to three chosen households.
    found = po.get(f"/referrals/{rid}/options/?page_size=500")
    options = found["results"]
    by_ref = {(o["provider"]["name"], o["reference"]): o for o in options}
    ifa_home = by_ref[("Pennine Foster Care", "HH-J-IFA")]
    in_house_home = by_ref[("Manchester Fostering Service", "HH-J-INH")]
    other_la_home = next(o for o in options if o["provider_type"] == "other_la")
    assert (ifa_home["provider_type"], in_house_home["provider_type"]) == ("ifa", "in_house")
    chosen = [ifa_home["household"], in_house_home["household"], other_la_home["household"]]
    sent = po.post(f"/referrals/{rid}/targets/", {"households": chosen}, expect=201)
    assert len(sent) == 3

    # The IFA reads the minimised referral (logged) and offers its household.
    listed = ifa.get("/provider/targets/?status=sent&page_size=500")["results"]
    ours = [t for t in listed if t["referral"] == rid]
    assert len(ours) == 1 and ours[0]["household"] == "HH-J-IFA"
    ifa_target = ours[0]["id"]
    minimised = ifa.get(f"/provider/targets/{ifa_target}/")
    assert minimised["local_identifier"] is None
    assert minimised["referral"]["age_years"] == 9
    ifa_place = Vacancy.objects.get(reference="HH-J-IFA-P1")
    ifa_offer = ifa.post(
        f"/provider/targets/{ifa_target}/offer/",
        {
            "household": ifa_place.household_id,
            "vacancy": ifa_place.pk,
            "weekly_fee": "845.00",
            "available_from": TODAY.isoformat(),
            "support_package": [{"kind": "therapy", "weekly_cost": "120.00", "note": "Weekly"}],
        },
        expect=201,
    )["offer"]

    # The in-house service (the current carer's provider) offers another of its households.
    in_house_target = next(
        t["id"]
        for t in in_house.get("/provider/targets/?page_size=500")["results"]
        if t["referral"] == rid
    )
    in_house.get(f"/provider/targets/{in_house_target}/")
    in_house_place = Vacancy.objects.get(reference="HH-J-INH-P1")
    in_house_offer = in_house.post(
        f"/provider/targets/{in_house_target}/offer/",
        {
            "household": in_house_place.household_id,
            "vacancy": in_house_place.pk,
            "weekly_fee": "450.00",
            "available_from": TODAY.isoformat(),
        },
        expect=201,
    )["offer"]

    # The social worker compares the options, records the child's views and proposes one.
    choice = sw.get(f"/referrals/{rid}/choice/")
    assert choice["childs_views_required"] is True
    assert {o["provider_type"] for o in choice["options"]} == {"ifa", "in_house"}
    assert {o["full_weekly_cost"] for o in choice["options"]} == {"965.00", "450.00"}
    for offer_id, view in (
        (ifa_offer["id"], "Liked the big garden but it is further from his sister."),
        (in_house_offer["id"], "Liked the dog; close to his sister and school."),
    ):
        sw.post(f"/offers/{offer_id}/childs-view/", {"childs_view": view})
    sw.post(f"/offers/{in_house_offer['id']}/shortlist/", {"shortlisted": True})
    # Without an equal option the in-house preference cannot be used.
    refused = sw.post(
        f"/referrals/{rid}/propose/",
        {"offer": in_house_offer["id"], "reason": "in_house_tie_break"},
        expect=400,
    )
    assert "only break a tie" in refused["errors"]["reason"][0]
    sw.post(f"/offers/{ifa_offer['id']}/equally-meets-needs/", {"equally_meets_needs": True})
    proposed = sw.post(
        f"/referrals/{rid}/propose/",
        {"offer": in_house_offer["id"], "reason": "in_house_tie_break", "notes": "Near sister"},
    )
    assert proposed["status"] == "proposed"

    # The independent scrutineer approves.
    queue = scrutineer.get("/scrutiny/queue/?page_size=500")["results"]
    assert rid in [r["id"] for r in queue]
    decision = scrutineer.post(
        f"/referrals/{rid}/scrutiny/",
        {"decision": "approved", "reasons": "Both meet his needs; the tie-break is recorded."},
        expect=201,
    )
    assert decision["referral_status"] == "approved"

    # The hub agrees the placement: the place is booked and the IPA written.
    with django_capture_on_commit_callbacks(execute=True):
        placement = po.post("/placements/", {"referral": rid}, expect=201)
    assert placement["placement_provider"] == "PR1"
    assert placement["placement_type"] == "U6"
    assert Decimal(placement["distance_from_home_miles"]) > 0
    assert placement["agreement"]["agreed_weekly_cost"] == "450.00"
    assert Vacancy.objects.get(pk=in_house_place.pk).status == "booked"
    assert Referral.objects.get(pk=rid).status == "placed"
    assert Placement.objects.filter(referral_id=rid).count() == 1
    assert sw.get(f"/placements/{placement['id']}/")["household"] == "HH-J-INH"
    not_chosen = sw.get(f"/offers/{ifa_offer['id']}/")
    assert not_chosen["status"] == "not_chosen"

    # The record shows the tie-break was used, and which option tied.
    event = ReferralEvent.objects.get(referral_id=rid, verb="match_proposed")
    assert event.detail["in_house_tie_break"] is True
    assert event.detail["tied_with"] == [ifa_offer["id"]]

    # The IFA never saw the child's identity; each of its reads of the referral is logged.
    everything_ifa_saw = "\n".join(ifa.seen)
    for secret in (CHILD["local_identifier"], CHILD["case_system_id"], CHILD["date_of_birth"]):
        assert secret not in everything_ifa_saw
    # Two reads: the referral itself, and the offer's answer (which returns it again).
    ifa_reads = ReferralAccessLog.objects.filter(referral_id=rid, user=ifa.user)
    assert [log.action for log in ifa_reads] == ["provider_view", "provider_view"]
    # The case-system id never reached any provider, not even the in-house service.
    assert CHILD["case_system_id"] not in "\n".join(in_house.seen)
