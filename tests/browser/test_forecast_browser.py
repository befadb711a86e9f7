"""The demand forecast page in a real browser, for an RCC's commissioner and for England's NCC
analyst: the charts draw, no serious or critical axe-core violations, no console errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.accounts.seeding import DEMO_DOMAIN, seed_demo_users
from apps.organisations.models import Organisation, RccMembership
from apps.organisations.seeding import seed_demo_organisations
from apps.referrals.models import CareEpisode, Child
from apps.reporting.services import report_run_build_now
from tests.browser.test_roles_a11y import describe, run_axe, sign_in
from tests.referrals.factories import ChildFactory

pytestmark = pytest.mark.browser

PLACES = ("U4", "U6", "K2", "H5", "P1")


@pytest.fixture
def rcc(transactional_db) -> Organisation:
    call_command("load_reference", verbosity=0)
    orgs = seed_demo_organisations()
    seed_demo_users(orgs)
    today = timezone.localdate()
    las = [m.la for m in RccMembership.objects.filter(rcc=orgs.rcc).select_related("la")[:2]]
    episodes = []
    for i in range(60):
        born = today - dt.timedelta(days=365 * (1 + i % 17) + i)
        child = ChildFactory(la=las[i % 2], date_of_birth=born)
        start = today - dt.timedelta(days=40 + 13 * i)
        end = start + dt.timedelta(days=200) if i % 4 == 0 else None
        episodes.append(
            CareEpisode(
                child=child,
                start_date=start,
                end_date=end if end and end < today else None,
                new_episode_reason="S",
                legal_status="C2",
                placement_type=PLACES[i % len(PLACES)],
            )
        )
    CareEpisode.objects.bulk_create(episodes)
    assert Child.objects.count() >= 60
    report_run_build_now(kind="planning", rcc=orgs.rcc)
    report_run_build_now(kind="planning", rcc=None)
    return orgs.rcc


def charts_drawn(tab: Any) -> int:
    return tab.evaluate(
        "() => [...document.querySelectorAll('canvas[data-chart]')]"
        ".filter(c => c.width > 0 && c.height > 0).length"
    )


# The browser fixtures (page, problems) come from tests/browser/conftest.py.
def test_the_forecast_pages_draw_and_are_accessible(page, problems, rcc, tmp_path):
    sign_in(page, f"commissioner@{DEMO_DOMAIN}")
    page.goto(f"/planning/rcc/{rcc.pk}/forecast/")
    assert "Children looked after by age band and placement" in page.content()
    assert "By local authority" in page.content()
    page.wait_for_function("() => window.Chart !== undefined")
    assert charts_drawn(page) >= 5
    page.screenshot(path=str(tmp_path / "forecast-rcc.png"), full_page=True)
    violations = run_axe(page)
    assert not violations, describe(violations)

    page.context.clear_cookies()
    sign_in(page, f"ncc.analyst@{DEMO_DOMAIN}")
    page.goto("/planning/national/forecast/")
    assert "By RCC" in page.content() and rcc.name in page.content()
    page.wait_for_function("() => window.Chart !== undefined")
    violations = run_axe(page)
    assert not violations, describe(violations)
    assert not problems.errors, "\n".join(problems.errors)
    assert not problems.outside, problems.outside
