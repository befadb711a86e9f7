"""Pages changed for issue 13's rough edges have no serious or critical axe-core violations:
the public statistics site and its 404, and the GOV.UK day / month / year date input, with an
error shown."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from apps.accounts.seeding import DEMO_DOMAIN, seed_demo_users
from apps.organisations.seeding import seed_demo_organisations
from tests.browser.test_roles_a11y import describe, run_axe, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db) -> None:
    call_command("load_reference", verbosity=0)
    seed_demo_users(seed_demo_organisations())


def _accessible(page: Any) -> None:
    violations = run_axe(page)
    assert not violations, describe(violations)


def test_the_public_site_and_its_404_are_accessible(page, problems, transactional_db):
    page.goto("/public/")
    assert page.locator("h1").inner_text().strip() == "Foster care statistics and bulletins"
    assert page.locator(".govuk-service-navigation").count() == 0
    _accessible(page)
    page.goto("/public/no-such-page/")
    assert page.locator("h1").inner_text().strip() == "Page not found"
    _accessible(page)
    assert not problems.outside, problems.outside


def test_the_date_input_with_an_error_is_accessible(page, problems, demo):
    sign_in(page, f"social.worker@{DEMO_DOMAIN}")
    page.goto("/referrals/children/new/")
    page.fill("[name=date_of_birth_day]", "31")
    page.fill("[name=date_of_birth_year]", "2015")
    page.get_by_role("button", name="Add the child").click()
    assert "Date of birth must include a month" in page.locator(".govuk-error-summary").inner_text()
    assert page.input_value("[name=date_of_birth_day]") == "31"
    _accessible(page)
