"""Simulated years in a real browser: the list with its form, the form's errors, and a done
run's page with its chart have no serious or critical axe-core violations, no console errors
(the chart is drawn under the strict CSP) and ask nothing from outside the service."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.accounts.seeding import DEMO_DOMAIN, seed_demo_users
from apps.organisations.models import Organisation
from apps.organisations.seeding import seed_demo_organisations
from apps.planning.models import SimulationRun
from apps.planning.simulation import POLICIES, simulate_year
from tests.browser.test_roles_a11y import describe, run_axe, sign_in
from tests.planning.simulation_support import IFA, OTHER_IFA, child, home, simulation_input

pytestmark = pytest.mark.browser


@pytest.fixture
def run(transactional_db) -> Any:
    call_command("load_reference", verbosity=0)
    seed_demo_users(seed_demo_organisations())
    data = simulation_input(
        [home(1, IFA, "M14"), home(2, OTHER_IFA, "WA1", ages=(0, 10))],
        [child("a", day=0, age=8), child("b", day=1, age=15)],
    )
    return SimulationRun.objects.create(
        policy="all",
        seed=1,
        rcc=Organisation.objects.rccs().order_by("name").first(),
        status="done",
        finished_at=timezone.now(),
        inputs=data.describe(),
        results=simulate_year(data, POLICIES, seed=1),
    )


def test_simulation_pages_are_accessible(page, problems, run):
    sign_in(page, f"commissioner@{DEMO_DOMAIN}")
    page.goto("/planning/simulations/")
    assert not (violations := run_axe(page)), describe(violations)

    page.get_by_label("Seed").fill("many")
    page.get_by_role("button", name="Simulate the year").click()
    page.wait_for_load_state()
    assert "Enter the seed as a whole number" in page.locator(".govuk-error-summary").inner_text()
    assert not (violations := run_axe(page)), describe(violations)

    page.goto(f"/planning/simulations/{run.pk}/")
    page.wait_for_selector("canvas[data-chart='chart-sim_comparison']")
    assert "the year under each policy" in page.content()
    assert not (violations := run_axe(page)), describe(violations)
    assert not problems.errors, "\n".join(problems.errors)
    assert not problems.outside, problems.outside
