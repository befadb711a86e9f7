"""Every stated need reaches matching (issue 13, capability 2): minimum adults and bedrooms are
rules; communication, support, adaptations and places to reach are one scored factor with its
sentence; foster care marked unsuitable is a warning. Also the national specialist services the
child's needs call for (capability 5) and the hub's selection across result pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.accounts.roles import Role
from apps.contracts.models import SpecialistService, SpecialistServiceNeed
from apps.providers.choices import CareType
from apps.referrals.matching import Exclusion, assess_households, forget_snapshot, rank_referral
from apps.referrals.models import ReferralTarget
from apps.referrals.views.hub import OPTIONS_PER_PAGE
from tests.referrals.matching_support import domain, home, levels, referral

pytestmark = pytest.mark.django_db


def ids(ranking):
    return [o.household_id for o in ranking.options]


def stated(option):
    return next(c for c in option.contributions if c.factor == "stated_needs")


def by_home(ranking):
    return {o.household_id: o for o in ranking.options}


# --- Rules ------------------------------------------------------------------------------------


def test_minimum_adults_is_a_rule_on_the_carers_recorded(world):
    ref = referral(world, min_adults=2)
    two = home(world.ifa, carers=[{}, {}])
    one = home(world.ifa, carers=[{}])
    ranking = rank_referral(ref)
    assert ids(ranking) == [two.pk]
    assert ranking.excluded[Exclusion.ADULTS] == 1
    assert Exclusion.ADULTS in assess_households(ref, [one.pk])[one.pk].reasons
    assert "fewer adult carers" in Exclusion.TEXT[Exclusion.ADULTS]
    # No minimum stated: no rule.
    assert set(ids(rank_referral(referral(world)))) == {two.pk, one.pk}


def test_a_sibling_group_needs_a_bedroom_each_unless_they_may_share(world):
    apart = referral(world, siblings=[7, 11])  # three children
    share = referral(world, siblings=[7, 11], siblings_may_share_bedroom=True)
    three = home(world.ifa, places=3, max_sibling_group=3, bedrooms=3)
    two = home(world.ifa, places=3, max_sibling_group=3, bedrooms=2)
    home(world.ifa, places=3, max_sibling_group=3, bedrooms=1)
    ranking = rank_referral(apart)
    assert ids(ranking) == [three.pk]
    assert ranking.excluded[Exclusion.BEDROOMS] == 2
    assert Exclusion.BEDROOMS in assess_households(apart, [two.pk])[two.pk].reasons
    # Sharing: one bedroom for every two children, so two for three.
    assert set(ids(rank_referral(share))) == {three.pk, two.pk}
    # A single child: no bedroom rule (the register's spare bedrooms may be 0).
    single = referral(world)
    none_spare = home(world.ifa, bedrooms=0)
    assert none_spare.pk in ids(rank_referral(single))


def test_foster_care_marked_unsuitable_is_a_warning_not_a_rule(world):
    ref = referral(world, suitability_foster="unsuitable")
    good = home(world.ifa)
    ranking = rank_referral(ref)
    assert ids(ranking) == [good.pk]
    assert "foster care is unsuitable" in ranking.profile.warnings[0]
    assert rank_referral(referral(world, suitability_foster="suitable")).profile.warnings == []


# --- The "stated needs" factor -----------------------------------------------------------------


def test_the_factor_does_not_apply_when_nothing_is_stated(world):
    ref = referral(world, adaptations="None needed.", support_needed=[])
    home(world.ifa)
    part = stated(rank_referral(ref).options[0])
    assert part.raw is None and part.share == 0 and part.points == 0
    assert "states no communication" in part.explanation


def test_bsl_and_makaton_score_carers_who_sign(world):
    ref = referral(world, communication_needs=["bsl", "makaton"])
    both = home(world.ifa, carers=[{"languages": ["en", "bsl"]}, {"languages": ["makaton"]}])
    bsl = home(world.ifa, carers=[{"languages": ["en", "bsl"]}])
    neither = home(world.ifa)
    ranking = rank_referral(ref)
    assert ids(ranking) == [both.pk, bsl.pk, neither.pk]
    options = by_home(ranking)
    assert stated(options[both.pk]).raw == 1.0
    assert stated(options[bsl.pk]).raw == 0.5
    assert stated(options[neither.pk]).raw == 0.0
    text = stated(options[bsl.pk]).explanation
    assert "British Sign Language: a carer signs it" in text
    assert "Makaton: no carer signs it" in text
    assert sum(c.points for c in options[bsl.pk].contributions) == pytest.approx(
        options[bsl.pk].score, abs=0.05
    )


def test_esol_scores_a_carer_who_speaks_the_childs_own_language(world):
    ref = referral(world, communication_needs=["esol"], child={"languages": ["en", "ar"]})
    arabic = home(world.ifa, carers=[{"languages": ["en", "ar"]}])
    english = home(world.ifa)
    options = by_home(rank_referral(ref))
    assert stated(options[arabic.pk]).raw == 1.0
    assert stated(options[english.pk]).raw == 0.0
    assert "a carer speaks Arabic" in stated(options[arabic.pk]).explanation
    # The child's own language not recorded: named, not counted.
    unknown = referral(world, communication_needs=["esol"], child={"languages": ["en"]})
    part = stated(rank_referral(unknown).options[0])
    assert part.raw is None and "own language is not recorded" in part.explanation


def test_therapy_reads_the_therapeutic_approval_and_the_rest_is_for_people(world):
    ref = referral(world, support_needed=["therapy", "respite"])
    therapeutic = home(world.ifa, care_types=CareType.SHORT_TERM | CareType.THERAPEUTIC)
    plain = home(world.ifa, care_types=CareType.SHORT_TERM)
    ranking = rank_referral(ref)
    assert ids(ranking) == [therapeutic.pk, plain.pk]
    text = stated(by_home(ranking)[plain.pk]).explanation
    assert "Therapy: not approved for therapeutic care" in text
    assert "not on the register, ask the provider: respite worker" in text


def test_adaptations_score_homes_that_record_them(world):
    ref = referral(world, adaptations="Wheelchair user: level access throughout")
    adapted = home(world.ifa, adaptations="Level access; ground-floor bedroom and wet room")
    not_adapted = home(world.ifa)
    ranking = rank_referral(ref)
    assert ids(ranking) == [adapted.pk, not_adapted.pk]
    options = by_home(ranking)
    assert "ground-floor bedroom and wet room" in stated(options[adapted.pk]).explanation
    assert "the home records none" in stated(options[not_adapted.pk]).explanation


def test_places_to_reach_score_the_distance_from_the_home(world):
    contact = [{"district": "OL1", "what": "contact centre", "frequency": "weekly"}]
    ref = referral(world, places_to_reach=contact)
    near = home(world.ifa, "OL1")
    far = home(world.ifa, "WA1")  # ~19 miles from OL1 and further from the family (M1)
    ranking = rank_referral(ref)
    options = by_home(ranking)
    assert stated(options[near.pk]).raw == pytest.approx(1.0)
    assert stated(options[far.pk]).raw < 0.2
    assert "Contact centre in OL1 (weekly): 0.0 miles" in stated(options[near.pk]).explanation
    unknown = referral(world, places_to_reach=[{"district": "ZZ9", "what": "club"}])
    part = stated(rank_referral(unknown).options[0])
    assert part.raw is None
    assert "Not counted: club in ZZ9: postcode district not known" in part.explanation


def test_the_snapshot_scores_stated_needs_as_the_live_register(world, settings):
    ref = referral(
        world,
        min_adults=2,
        siblings=[7],
        communication_needs=["bsl"],
        adaptations="Ramp",
        places_to_reach=[{"district": "OL1", "what": "school", "frequency": "daily"}],
    )
    home(world.ifa, "OL1", places=2, max_sibling_group=2, carers=[{"languages": ["bsl"]}, {}])
    home(world.ifa, "M14", places=2, max_sibling_group=2, adaptations="Ramp", carers=[{}, {}])
    home(world.ifa, "M14", places=2, max_sibling_group=2, bedrooms=1, carers=[{}, {}])
    home(world.ifa, "M14", places=2, max_sibling_group=2)  # one carer
    live = rank_referral(ref)
    settings.MATCHING_REGISTER_CACHE_SECONDS = 60
    forget_snapshot()
    try:
        cached = rank_referral(ref)
    finally:
        forget_snapshot()
    assert len(live.options) == 2
    assert [(o.household_id, o.score) for o in cached.options] == [
        (o.household_id, o.score) for o in live.options
    ]
    assert [stated(o).explanation for o in cached.options] == [
        stated(o).explanation for o in live.options
    ]
    assert cached.excluded == live.excluded
    assert live.excluded[Exclusion.ADULTS] == 1 and live.excluded[Exclusion.BEDROOMS] == 1


def test_the_api_and_the_sent_breakdown_carry_the_stated_needs(client, world):
    ref = referral(world, communication_needs=["bsl"], suitability_foster="unsuitable")
    signer = home(world.ifa, carers=[{"languages": ["bsl"]}])
    po = world.users[Role.PLACEMENT_OFFICER]
    client.force_login(po)
    body = client.get(reverse("api:referral-options", args=[ref.pk])).json()
    assert body["stated_needs"]["communication"] == ["bsl"]
    assert "foster care is unsuitable" in body["warnings"][0]
    part = next(c for c in body["results"][0]["contributions"] if c["factor"] == "stated_needs")
    assert part["raw"] == 1.0 and "a carer signs it" in part["explanation"]
    sent = client.post(
        reverse("referrals:hub_targets_send", args=[ref.pk]), {"households": [signer.pk]}
    )
    assert sent.status_code == 302
    target = ReferralTarget.objects.get(referral=ref)
    factors = {c["factor"]: c for c in target.score_breakdown["contributions"]}
    assert factors["stated_needs"]["raw"] == 1.0


def test_the_search_page_shows_the_rules_the_factor_and_the_warning(client, world):
    ref = referral(
        world,
        min_adults=2,
        communication_needs=["makaton"],
        suitability_foster="unsuitable",
        support_needed=["transport"],
    )
    home(world.ifa, carers=[{"languages": ["makaton"]}, {}])
    client.force_login(world.users[Role.PLACEMENT_OFFICER])
    html = client.get(reverse("referrals:hub_search", args=[ref.pk])).content.decode()
    assert "At least 2 adult carers at home" in html
    assert "Communication: Makaton (scored)" in html
    assert "Support: Transport to school" in html
    assert "govuk-warning-text" in html and "foster care is unsuitable" in html
    assert "Makaton: a carer signs it" in html


def test_the_household_form_and_register_keep_adaptations(client, world):
    from apps.providers.importer import HOUSEHOLD_COLUMNS

    assert "adaptations" in [c.name for c in HOUSEHOLD_COLUMNS]
    adapted = home(world.ifa, adaptations="Stair lift")
    client.force_login(world.users[Role.PROVIDER_DATA])
    page = client.get(reverse("providers:household_detail", args=[adapted.pk]))
    assert page.status_code == 200 and "Stair lift" in page.content.decode()


# --- National specialist services -------------------------------------------------------------


def _specialist(world, name, code, rank, **fields):
    service = SpecialistService.objects.create(
        name=name,
        summary=f"{name}: a national service.",
        how_to_access="Ask the NCC's specialist desk with the referral number.",
        contact_email="specialist@ncc.example",
        created_by=world.users[Role.NCC_ANALYST],
        **fields,
    )
    SpecialistServiceNeed.objects.create(
        service=service, domain=domain(code), min_level=levels()[rank]
    )
    return service


def test_specialist_services_show_when_the_childs_needs_call_for_them(client, world):
    deaf = _specialist(world, "Deaf children's fostering", "disability", 3)
    _specialist(world, "Secure welfare step-down", "behaviour", 4)  # needs a higher level
    _specialist(world, "Retired service", "disability", 1, is_active=False)
    ref = referral(world, needs={"disability": 3, "behaviour": 3})
    home(world.ifa)
    client.force_login(world.users[Role.PLACEMENT_OFFICER])
    page = client.get(reverse("referrals:hub_search", args=[ref.pk]))
    html = page.content.decode()
    assert [s.name for s in page.context["specialist_services"]] == [deaf.name]
    assert "National specialist services" in html
    assert "Because of: Disability: high" in html
    assert "How to use it:" in html and "specialist@ncc.example" in html
    assert reverse("contracts:specialist_service", args=[deaf.pk]) in html
    body = client.get(reverse("api:referral-options", args=[ref.pk])).json()
    assert [s["name"] for s in body["specialist_services"]] == [deaf.name]
    assert body["specialist_services"][0]["how_to_access"].startswith("Ask the NCC")
    # Needs that do not call for any: no panel.
    plain = referral(world, needs={"disability": 2})
    html = client.get(reverse("referrals:hub_search", args=[plain.pk])).content.decode()
    assert "National specialist services" not in html


# --- The selection carries across result pages -------------------------------------------------


@pytest.fixture
def many(world):
    ref = referral(world)
    homes = [home(world.ifa) for _ in range(OPTIONS_PER_PAGE + 3)]
    return ref, homes


def test_ticks_carry_across_pages_and_are_all_sent(client, world, many):
    ref, _ = many
    client.force_login(world.users[Role.PLACEMENT_OFFICER])
    url = reverse("referrals:hub_search", args=[ref.pk])
    first = client.get(url)
    page_one = [o.household_id for o in first.context["options"]]
    html = first.content.decode()
    assert "Moving between pages keeps your ticks" in html
    assert "app-send-bar" in html and "data-selection-count" in html
    # Tick two on page 1, go to page 2: the selection view keeps them.
    moved = client.post(
        reverse("referrals:hub_selection", args=[ref.pk]),
        {"shown": page_one, "households": page_one[:2], "goto": f"{url}?page=2"},
    )
    assert moved.status_code == 302 and moved["Location"] == f"{url}?page=2"
    second = client.get(f"{url}?page=2")
    assert second.context["selected_count"] == 2
    assert second.context["selected_elsewhere"] == page_one[:2]
    page_two = [o.household_id for o in second.context["options"]]
    # Back on page 1 the ticks are still there; unticking one drops it.
    back = client.get(url).content.decode()
    assert f'value="{page_one[0]}" checked' in back
    client.post(
        reverse("referrals:hub_selection", args=[ref.pk]),
        {"shown": page_one, "households": [page_one[0]], "goto": f"{url}?page=2"},
    )
    # Send from page 2 with one more ticked there: both pages' choices go.
    sent = client.post(
        reverse("referrals:hub_targets_send", args=[ref.pk]),
        {"shown": page_two, "households": [page_two[0]], "next": f"{url}?page=2"},
    )
    assert sent.status_code == 302
    assert set(
        ReferralTarget.objects.filter(referral=ref).values_list("household_id", flat=True)
    ) == {
        page_one[0],
        page_two[0],
    }
    assert client.get(url).context["selected_count"] == 0  # cleared once sent


def test_the_selection_can_be_cleared_and_a_failed_send_keeps_it(client, world, many):
    ref, _ = many
    client.force_login(world.users[Role.PLACEMENT_OFFICER])
    url = reverse("referrals:hub_search", args=[ref.pk])
    page_one = [o.household_id for o in client.get(url).context["options"]]
    select = reverse("referrals:hub_selection", args=[ref.pk])
    client.post(select, {"shown": page_one, "households": page_one[:3], "goto": url})
    assert client.get(url).context["selected_count"] == 3
    client.post(select, {"clear": "1", "next": url})
    assert client.get(url).context["selected_count"] == 0
    # Nothing ticked anywhere: the send is refused with a message, nothing is written.
    refused = client.post(
        reverse("referrals:hub_targets_send", args=[ref.pk]), {"shown": page_one}, follow=True
    )
    assert "Choose at least one household" in refused.content.decode()
    assert not ReferralTarget.objects.filter(referral=ref).exists()


def test_the_selection_is_scoped_like_the_search(client, world, many):
    ref, homes = many
    select = reverse("referrals:hub_selection", args=[ref.pk])
    client.force_login(world.users[Role.SOCIAL_WORKER])
    assert client.post(select, {"households": [homes[0].pk]}).status_code == 403
    other_hub = referral(world, la=world.other_la)
    client.force_login(world.users[Role.PLACEMENT_OFFICER])
    other = reverse("referrals:hub_selection", args=[other_hub.pk])
    assert client.post(other, {"households": [homes[0].pk]}).status_code == 404
    client.logout()
    assert client.post(select, {"households": [homes[0].pk]}).status_code == 302  # sign in
