"""Issue 13, "Done when", in a real browser on the demo: the work queues lead each person to
their work; a sibling group is offered places child by child and placed together; another
group is placed apart with the reason recorded; the IPA downloads as a PDF.

The referrals start as sent (built with the services' own factories: the referral form itself
is covered by test_journey.py); everything a person does from there is done in the browser.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.seeding import DEMO_DOMAIN
from apps.organisations.models import Organisation
from apps.providers.models import Household
from apps.referrals.choices import TargetStatus
from apps.referrals.models import Child, Offer, Placement, Referral, ReferralTarget
from apps.referrals.services.offers import offer_make, scheduled_fee
from tests.browser.test_journey import Person, _household, people  # noqa: F401 - a fixture
from tests.browser.test_roles_a11y import describe, run_axe
from tests.referrals.factories import ChildFactory
from tests.referrals.placing_factories import SentReferralFactory
from tests.referrals.sibling_support import approve, born_years_ago

pytestmark = pytest.mark.browser

TODAY = dt.date.today()


def _user(local_part: str) -> User:
    return User.objects.get(email=f"{local_part}@{DEMO_DOMAIN}")


def _group(identifiers: tuple[str, str]) -> tuple[Referral, list[Child]]:
    """Two Manchester siblings (9 and 7) on one sent referral to the Greater Manchester hub."""
    manchester = Organisation.objects.get(name="Manchester", kind="la")
    by = _user("social.worker")
    children = [
        ChildFactory(la=manchester, local_identifier=ident, created_by=by, date_of_birth=dob)
        for ident, dob in zip(identifiers, (born_years_ago(9), born_years_ago(7)), strict=True)
    ]
    referral = SentReferralFactory(child=children[0], created_by=by)
    referral.siblings.set(children[1:])
    return referral, children


def _home(provider: str, reference: str, by: str, places: int) -> Household:
    household = _household(provider, reference, "M21", by)
    household.places = places
    household.max_sibling_group = places
    household.bedrooms = places
    household.save(update_fields=["places", "max_sibling_group", "bedrooms"])
    for n in range(2, places + 1):
        household.vacancies.create(reference=f"{reference}-P{n}", available_from=TODAY)
    return household


def _send(referral: Referral, household: Household) -> ReferralTarget:
    return ReferralTarget.objects.create(
        referral=referral,
        household=household,
        provider=household.provider,
        score=70,
        sent_by=_user("placement.officer"),
        status=TargetStatus.SENT,
    )


@pytest.fixture
def demo(transactional_db) -> None:
    call_command("seed", stdout=io.StringIO(), verbosity=0)


def _fee(target: ReferralTarget, household: Household, asked: str) -> Decimal:
    """The fee the provider asks, or the price schedule's where one applies to this provider,
    lot and child (the seeded enrolments are drawn at random, so one may or may not apply)."""
    schedule = scheduled_fee(target=target, household=household, on=timezone.localdate())
    return Decimal(asked) if schedule is None else schedule


def _work(person: Person, label: str) -> int:
    """The count the person's home page shows against a line of their work, after following
    its link (which must open a page)."""
    page = person.go("/")
    row = page.locator("[data-work-queue] tr", has=page.get_by_role("link", name=label)).first
    count = int(row.locator("td").first.inner_text().strip())
    row.get_by_role("link", name=label).click()
    person.look()
    assert page.locator("h1").count(), f"{label}: the link opened no page"
    return count


def _accessible(page: Any) -> None:
    violations = run_axe(page)
    assert not violations, f"{page.url}: serious or critical axe-core violations:\n" + describe(
        violations
    )


def _book(po: Person, referral: Referral, **fields: Any) -> Any:
    page = po.go(f"/referrals/{referral.pk}/")
    po.click("Agree the placement", role="link")
    _accessible(page)
    for offer_pk in fields.get("also", ()):
        page.check(f"input[name=also_offers][value='{offer_pk}']")
    if "split_reason" in fields:
        page.fill("[name=split_reason]", fields["split_reason"])
    po.click("Book the place and agree the placement")
    po.success()
    return page


def test_sibling_groups_work_queues_and_the_ipa_pdf(demo, people):  # noqa: F811
    together, (elder, younger) = _group(("MCR-G-0001", "MCR-G-0002"))
    pennine = _home("Pennine Foster Care", "HH-G-PAIR", "ifa.referrals", places=2)
    target = _send(together, pennine)

    # The IFA's home page shows the referral waiting for its reply, and the link opens it.
    ifa = people("ifa.referrals")
    assert _work(ifa, "Referrals awaiting your reply") >= 1
    assert f"Referral {together.pk}" in ifa.page.content()

    # The IFA offers a place for each child: the form names a place per child and starts with
    # one of this household's places for each.
    page = ifa.go(f"/referrals/sent-to-you/{target.pk}/offer/")
    assert "Place for the sibling aged 7" in page.content()
    _accessible(page)
    fee = _fee(target, pennine, "910.00")
    page.fill("[name=weekly_fee]", f"{fee:.2f}")
    ifa.click("Send the offer")
    ifa.success()
    offer = Offer.objects.get(target=target)
    assert {p.child_id for p in offer.places.all()} == {elder.pk, younger.pk}
    for child in (elder, younger):
        assert child.local_identifier not in "\n".join(ifa.seen)

    # The social worker's home page shows the offer to consider.
    sw = people("social.worker")
    assert _work(sw, "Referrals with offers to consider") >= 1
    assert f"Referral {together.pk}" in sw.page.content() or "MCR-G-0001" in sw.page.content()

    # Proposed and approved (the pages for those steps are in test_journey.py), the hub books
    # both children together: a placement and an IPA for each, in the one household.
    approve(together, offer)
    po = people("placement.officer")
    _book(po, together)
    placed = Placement.objects.filter(referral=together).order_by("child_id")
    assert [p.child_id for p in placed] == sorted([elder.pk, younger.pk])
    assert {p.household_id for p in placed} == {pennine.pk}
    assert all(p.agreement.agreed_weekly_fee == fee for p in placed)
    assert not together.__class__.objects.get(pk=together.pk).siblings_split_reason

    # The IPA downloads as a PDF from the placement page.
    page = po.go(f"/referrals/placements/{placed[0].pk}/")
    _accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the IPA (PDF)").click()
    path = download.value.path()
    with open(path, "rb") as handle:
        assert handle.read(5) == b"%PDF-"

    # A second group is placed apart: two providers each offer one child a place; the hub
    # books both offers and says why the siblings are apart.
    apart, (first, second) = _group(("MCR-G-0003", "MCR-G-0004"))
    ifa_home = _home("Pennine Foster Care", "HH-G-ONE", "ifa.referrals", places=1)
    in_house_home = _home("Manchester Fostering Service", "HH-G-INH", "inhouse.referrals", 1)
    offers = []
    for child, home, by in (
        (first, ifa_home, "ifa.referrals"),
        (second, in_house_home, "inhouse.referrals"),
    ):
        sent = _send(apart, home)
        offers.append(
            offer_make(
                target=sent,
                by=_user(by),
                household=home,
                weekly_fee=_fee(sent, home, "880.00"),
                available_from=timezone.localdate(),
                places={child.pk: home.vacancies.get()},
            )
        )
    approve(apart, offers[0])
    reason = "No home can take both; agreed with the children's IRO at the review."
    page = _book(po, apart, also=[offers[1].pk], split_reason=reason)
    assert "Placed apart" in page.content() and reason in page.content()
    _accessible(page)
    split = Placement.objects.filter(referral=apart)
    assert {p.household_id for p in split} == {ifa_home.pk, in_house_home.pk}
    recorded = Referral.objects.get(pk=apart.pk)
    assert recorded.siblings_split_reason == reason
    assert recorded.siblings_split_by == _user("placement.officer")

    for person in (ifa, sw, po):
        assert not person.errors, person.errors
