"""Issue 14's sufficiency pages in a real browser: the RCC's (for its commissioner) and
England's (for an NCC analyst), built into planning snapshots, with their charts drawn, no
serious or critical axe-core violations and no console errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.accounts.seeding import DEMO_DOMAIN, seed_demo_users
from apps.needs.models import NeedDomain, NeedLevel
from apps.organisations.models import Organisation, PostcodeDistrict
from apps.organisations.seeding import seed_demo_organisations
from apps.referrals.choices import ReferralStatus
from apps.reporting.choices import ReportKind
from apps.reporting.services import report_run_build_now
from tests.browser.test_roles_a11y import describe, run_axe, sign_in
from tests.providers.factories import (
    HouseholdFactory,
    HouseholdSkillFactory,
    ProviderFactory,
    VacancyFactory,
)
from tests.referrals.factories import ChildFactory, NeedsAssessmentFactory
from tests.referrals.placing_factories import SentReferralFactory
from tests.reporting.factories import aware

pytestmark = pytest.mark.browser


@pytest.fixture
def rcc(transactional_db) -> Any:
    """Greater Manchester with referrals from two of its LAs and a register short of homes for
    complex behaviour and long on homes for the youngest."""
    call_command("load_reference", verbosity=0)
    orgs = seed_demo_organisations()
    seed_demo_users(orgs)
    today = timezone.localdate()
    behaviour = NeedDomain.objects.get(code="behaviour")
    for n, la in enumerate(orgs.las[:2]):
        district = PostcodeDistrict.objects.filter(la=la).order_by("code").first()
        assert district is not None
        for i in range(4):
            child = ChildFactory(la=la, home_postcode_district=district)
            rank = 4 if i % 2 else 1
            assessment = NeedsAssessmentFactory(
                child=child, items=[(behaviour, NeedLevel.objects.get(rank=rank))]
            )
            SentReferralFactory(
                child=child,
                needs_assessment=assessment,
                status=ReferralStatus.SENT,
                sent_at=aware(today - dt.timedelta(days=30 + 40 * i + n)),
            )
        for i in range(3):
            household = HouseholdFactory(
                provider=ProviderFactory(organisation=orgs.ifas[i % len(orgs.ifas)]),
                postcode_district=district,
                la=la,
                places=2,
            )
            HouseholdSkillFactory(
                household=household, domain=behaviour, level=NeedLevel.objects.get(rank=2)
            )
            VacancyFactory(household=household)
    for scope in (orgs.rcc, None):
        run = report_run_build_now(kind=ReportKind.PLANNING, rcc=scope)
        assert run.status == "done", run.error
    return orgs.rcc


def _check(page: Any, path: str) -> None:
    page.goto(path)
    page.wait_for_selector("canvas[data-chart]")
    assert "Sufficiency gap by need, level, age and group size" in page.content()
    violations = run_axe(page)
    assert not violations, f"{path}:\n{describe(violations)}"


def test_sufficiency_pages_are_accessible(page, problems, rcc: Organisation):
    sign_in(page, f"commissioner@{DEMO_DOMAIN}")
    _check(page, f"/planning/rcc/{rcc.pk}/sufficiency/")
    assert "Recruit carers" in page.content() or "Commission" in page.content()

    page.context.clear_cookies()  # signed out
    sign_in(page, f"ncc.analyst@{DEMO_DOMAIN}")
    _check(page, "/planning/national/sufficiency/")
    assert "Every RCC side by side" in page.content()
    assert not problems.errors, "\n".join(problems.errors)
    assert not problems.outside, problems.outside
