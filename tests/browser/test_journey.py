"""The whole journey in a real browser, as new users would try it in the demo (issue 5,
"Done when"): every step through the pages, each person signed in with their demo login.

The social worker adds a child, records the needs and writes the referral section by section;
the current carer's provider reviews it; it is sent. The hub searches and sends it to three
providers of three kinds. The IFA and the in-house service offer; the social worker records the
child's views and proposes the in-house home as a recorded tie-break; the scrutineer approves;
the hub agrees the placement. The place is booked, the IPA written, and the IFA's pages never
showed the child's identity.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.management import call_command

from apps.accounts.models import User
from apps.accounts.seeding import DEMO_DOMAIN, DEMO_PASSWORD
from apps.providers.models import Household, Provider, Vacancy
from apps.providers.services import household_upsert
from apps.referrals.models import Placement, PlacementAgreement, Referral, ReferralAccessLog

pytestmark = pytest.mark.browser

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

TODAY = dt.date.today()
CHILD_ID = "MCR-B-0001"
CASE_ID = "LCS-B-SECRET-42"
BORN = TODAY - dt.timedelta(days=int(365.25 * 9) + 40)


def _household(provider_name: str, reference: str, district: str, by: str) -> Household:
    """A provider keeps its register current: one household with a place open now."""
    provider = Provider.objects.get(organisation__name=provider_name)
    household, _ = household_upsert(
        provider=provider,
        by=User.objects.get(email=f"{by}@{DEMO_DOMAIN}"),
        data={
            "reference": reference,
            "postcode_district": district,
            "age_min": 5,
            "age_max": 14,
            "places": 1,
            "max_sibling_group": 1,
            "care_types": ["short_term", "long_term"],
            "bedrooms": 1,
            "carers": [{"age_band": "45-54", "sex": "F", "ethnicity": "WBRI", "languages": ["en"]}],
            "skills": [{"domain": "behaviour", "level": 3}, {"domain": "education", "level": 3}],
            "vacancies": [{"reference": f"{reference}-P1", "available_from": TODAY}],
        },
    )
    return household


@pytest.fixture
def demo(transactional_db) -> dict[str, Household]:
    call_command("seed", stdout=io.StringIO(), verbosity=0)
    return {
        "ifa": _household("Pennine Foster Care", "HH-B-IFA", "M21", "ifa.referrals"),
        "in_house": _household(
            "Manchester Fostering Service", "HH-B-INH", "M20", "inhouse.referrals"
        ),
    }


class Person:
    """One demo login in its own browser context (its own cookies)."""

    def __init__(self, browser: Any, base_url: str, local_part: str) -> None:
        self.context = browser.new_context(base_url=base_url)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.seen: list[str] = []
        self.page.goto("/accounts/login/")
        self.page.get_by_label("Email address").fill(f"{local_part}@{DEMO_DOMAIN}")
        self.page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url("**/")

    def go(self, path: str) -> Any:
        self.page.goto(path)
        return self.look()

    def look(self) -> Any:
        self.page.wait_for_load_state("domcontentloaded")
        self.seen.append(self.page.content())
        return self.page

    def click(self, name: str, role: str = "button") -> Any:
        self.page.get_by_role(role, name=name).first.click()
        return self.look()

    def success(self) -> str:
        banner = self.page.locator(".govuk-notification-banner--success")
        assert banner.count(), self.page.locator(".govuk-error-summary").all_inner_texts()
        return banner.inner_text()


@pytest.fixture
def people(browser, live_server, built_assets) -> Iterator[Callable[[str], Person]]:
    made: dict[str, Person] = {}

    def person(local_part: str) -> Person:
        if local_part not in made:
            made[local_part] = Person(browser, live_server.url, local_part)
        return made[local_part]

    yield person
    for p in made.values():
        p.context.close()


def fill_date(page: Any, name: str, date: dt.date) -> None:
    """A GOV.UK date input: day, month and year in their own boxes."""
    for part, value in (("day", date.day), ("month", date.month), ("year", date.year)):
        page.fill(f"[name={name}_{part}]", str(value))


def write_referral(sw: Person) -> int:
    """The social worker adds the child, records the needs and fills every section."""
    page = sw.go("/referrals/children/new/")
    page.fill("[name=local_identifier]", CHILD_ID)
    page.fill("[name=case_system_id]", CASE_ID)
    fill_date(page, "date_of_birth", BORN)
    page.check("input[name=sex][value=M]")
    page.select_option("[name=ethnicity]", "WBRI")
    page.select_option("[name=religion]", "none")
    page.check("input[name=languages][value=en]")
    page.select_option("[name=legal_status]", "C2")
    page.fill("[name=home_postcode_district]", "M22")
    page = sw.click("Add the child")
    page.select_option("[name=level_behaviour]", "medium")
    page.select_option("[name=level_education]", "medium")
    page = sw.click("Record the assessment")
    page = sw.click("Start a referral")

    # Timescale
    page.check("input[name=urgency][value=planned]")
    fill_date(page, "latest_start_date", TODAY + dt.timedelta(days=28))
    page.check("[name=moving_from_placement]")
    page = sw.click("Save and continue")
    # Locations
    page.fill("[name=preferred_area]", "South Manchester")
    page.fill("[name=family_postcode_district]", "M22")
    page.check("[name=stay_close_to_family]")
    page.fill("[name=school_postcode_district]", "M22")
    page.check("[name=keep_school]")
    page.fill("[name=places_to_reach]", "M13, contact centre, weekly")
    page = sw.click("Save and continue")
    # Provision
    page.fill("[name=adaptations]", "None needed")
    page.fill("[name=cultural_religious_needs]", "None identified")
    page = sw.click("Save and continue")
    # Recommendations
    page.check("input[name=live_alongside][value=with_others]")
    page.check("input[name=pets_ok][value=yes]")
    page.check("input[name=suitability_foster][value=preferred]")
    page.check("input[name=suitability_residential][value=unsuitable]")
    page.check("input[name=suitability_supported][value=unsuitable]")
    page.fill("[name=min_adults]", "1")
    page = sw.click("Save and continue")
    # Risks to the child, then to others
    for _ in range(2):
        for radio in page.locator("input[type=radio][value=none]").all():
            radio.check()
        page = sw.click("Save and continue")
    # Support, the child's views, about the child
    page.check("input[name=support_needed][value=education]")
    page = sw.click("Save and continue")
    page.fill("[name=childs_views]", "Wants to stay at his school and keep seeing his sister.")
    page = sw.click("Save and continue")
    page.fill("[name=about_the_child]", "Loves football and drawing; settles with a calm routine.")
    page = sw.click("Save and return to the referral")
    return Referral.objects.get(child__local_identifier=CHILD_ID).pk


def test_the_journey_in_the_browser(demo, people):
    sw = people("social.worker")
    rid = write_referral(sw)
    assert "Check and send" in sw.page.content()

    # The child is moving from a placement: the current carer's provider reviews first.
    in_house = people("inhouse.referrals")
    sw.click("Ask someone who knows the child to review it", role="link")
    sw.page.fill("[name=email]", f"inhouse.referrals@{DEMO_DOMAIN}")
    sw.page.check("input[name=contributor_role][value=current_carer]")
    sw.click("Ask them to review")
    sw.success()

    page = in_house.go("/referrals/reviews/")
    page.get_by_role("link", name=f"Referral {rid}").first.click()
    in_house.look()
    page.check("input[name=status][value=agreed]")
    page.fill("[name=comments]", "Accurate. He is ready to move.")
    in_house.click("Send your answer")

    page = sw.go(f"/referrals/{rid}/")
    sw.click("Check and send", role="link")
    sw.click("Send to the hub")
    sw.success()
    assert Referral.objects.get(pk=rid).status == "sent"

    # The hub searches every kind of provider at once and ticks three households.
    po = people("placement.officer")
    page = po.go(f"/referrals/{rid}/search/?provider_type=other_la&sort=score")
    page.locator("input[name=households]").first.check()
    po.click("Send to the providers of the ticked households")
    page = po.go(f"/referrals/{rid}/search/?sort=distance")
    for home in (demo["ifa"], demo["in_house"]):
        page.check(f"#household-{home.pk}")
    po.click("Send to the providers of the ticked households")
    kinds = {t.provider.organisation.kind for t in Referral.objects.get(pk=rid).targets.all()}
    assert kinds == {"ifa", "la_service"} and Referral.objects.get(pk=rid).targets.count() == 3

    # The IFA reads the minimised referral and offers its household.
    ifa = people("ifa.referrals")
    page = ifa.go("/referrals/sent-to-you/")
    page.get_by_role("link", name=f"Referral {rid}").click()
    ifa.look()
    ifa.click("Make an offer", role="link")
    page.select_option("[name=vacancy]", label="Household HH-B-IFA, place HH-B-IFA-P1 (free now)")
    page.fill("[name=weekly_fee]", "845.00")
    page.fill("[name=support_therapy]", "120.00")
    ifa.click("Send the offer")
    ifa.success()

    # The in-house service offers too.
    page = in_house.go("/referrals/sent-to-you/")
    page.get_by_role("link", name=f"Referral {rid}").click()
    in_house.look()
    in_house.click("Make an offer", role="link")
    page.select_option("[name=vacancy]", label="Household HH-B-INH, place HH-B-INH-P1 (free now)")
    page.fill("[name=weekly_fee]", "450.00")
    in_house.click("Send the offer")
    in_house.success()

    # The social worker compares, records the child's views, and proposes a tie-break.
    page = sw.go(f"/referrals/{rid}/options/")
    assert "The options side by side" in page.content()
    for card in page.locator(".govuk-summary-card[id^=offer-]").all():
        text = card.inner_text()
        card.locator("textarea").fill(
            "Liked the dog; near his sister." if "HH-B-INH" in text else "Big garden, but far."
        )
        if "HH-B-IFA" in text:
            card.locator("input[name$=equally_meets_needs]").check()
        else:
            card.locator("input[name$=shortlisted]").check()
        card.get_by_role("button").click()
        sw.look()
        sw.success()
        page = sw.page
    page.get_by_label("Manchester Fostering Service — HH-B-INH", exact=False).check()
    page.get_by_label("In-house preference between equally suitable options").check()
    page.fill("textarea[name=notes]", "Both meet his needs; in-house keeps him near his sister.")
    sw.click("Propose this match")
    sw.success()

    # The scrutineer, outside the placing team, approves.
    scrutineer = people("scrutineer")
    page = scrutineer.go("/referrals/scrutiny/")
    page.get_by_role("link", name=f"Referral {rid}", exact=False).first.click()
    scrutineer.look()
    assert "In-house tie-break used" in page.content()
    page.get_by_label("Approve the match").check()
    page.fill("[name=reasons]", "Both homes meet his needs; the tie-break is recorded.")
    scrutineer.click("Record the decision")
    scrutineer.success()

    # The hub agrees the placement: the place is booked and the IPA written.
    page = po.go(f"/referrals/{rid}/")
    po.click("Agree the placement", role="link")
    po.click("Book the place and agree the placement")
    po.success()
    assert "Individual placement agreement" in po.page.content()

    placement = Placement.objects.get(referral_id=rid)
    assert (placement.household_id, placement.placement_provider) == (demo["in_house"].pk, "PR1")
    assert PlacementAgreement.objects.get(placement=placement).agreed_weekly_fee == 450
    assert Vacancy.objects.get(reference="HH-B-INH-P1").status == "booked"

    # The IFA never saw the child's identity, and each of its reads was logged.
    everything = "\n".join(ifa.seen)
    for secret in (CHILD_ID, CASE_ID, BORN.isoformat(), BORN.strftime("%-d %B %Y")):
        assert secret not in everything, secret
    assert CASE_ID not in "\n".join(in_house.seen)
    # Two reads of the referral page: before offering, and after (the offer redirects there).
    ifa_user = User.objects.get(email=f"ifa.referrals@{DEMO_DOMAIN}")
    reads = ReferralAccessLog.objects.filter(referral_id=rid, user=ifa_user)
    assert [r.action for r in reads] == ["provider_view", "provider_view"]
    for person in (sw, in_house, po, ifa, scrutineer):
        assert not person.errors, person.errors
