"""Each demo login signs in through the form, sees its home page and service navigation, and
the page has no serious or critical axe-core violations and no console errors (CSP)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import call_command

from apps.accounts.seeding import DEMO_DOMAIN, DEMO_PASSWORD, seed_demo_users
from apps.organisations.seeding import seed_demo_organisations
from tests.browser.conftest import axe_script

pytestmark = pytest.mark.browser

# The demo logins that `manage.py seed` prints (apps/accounts/seeding.py), by local part.
DEMO_LOCAL_PARTS = [
    "social.worker",
    "iro",
    "placement.officer",
    "commissioner",
    "scrutineer",
    "ifa.referrals",
    "ifa.data",
    "inhouse.referrals",
    "ncc.analyst",
    "admin",
]
SERIOUS = {"serious", "critical"}


@pytest.fixture
def demo(transactional_db) -> dict[str, Any]:
    """The demo organisations and one login per role, built as `make demo` builds them."""
    call_command("load_reference", verbosity=0)
    logins = seed_demo_users(seed_demo_organisations())
    return {login.email: login for login in logins}


def run_axe(page: Any) -> list[dict[str, Any]]:
    path = axe_script()
    if not path.exists():
        pytest.skip(f"axe-core is not installed ({path}); `npm ci` installs it")
    # Not page.add_script_tag: the strict CSP rightly refuses an injected inline <script>.
    # Evaluating through the DevTools protocol is not subject to the page's CSP.
    page.evaluate(path.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v.get("impact") in SERIOUS]


def describe(violations: list[dict[str, Any]]) -> str:
    return json.dumps(
        [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"][:5]],
            }
            for v in violations
        ],
        indent=2,
    )


def sign_in(page: Any, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def test_the_demo_logins_are_the_ones_tested(demo):
    assert sorted(demo) == sorted(f"{part}@{DEMO_DOMAIN}" for part in DEMO_LOCAL_PARTS)


@pytest.mark.parametrize("local_part", DEMO_LOCAL_PARTS)
def test_each_role_signs_in_to_an_accessible_home_page(page, problems, demo, local_part):
    email = f"{local_part}@{DEMO_DOMAIN}"
    sign_in(page, email)

    from apps.accounts.models import User

    first_name = User.objects.get(email=email).first_name
    assert page.locator("h1").inner_text().strip() == f"Welcome, {first_name}"
    navigation = page.locator(".govuk-service-navigation")
    assert navigation.is_visible(), "the service navigation is shown"
    links = navigation.get_by_role("link").all_inner_texts()
    assert "Organisations" in [link.strip() for link in links], links

    violations = run_axe(page)
    assert not violations, (
        f"{email}: serious or critical axe-core violations:\n{describe(violations)}"
    )
    assert not problems.errors, f"{email}: console or network errors:\n" + "\n".join(
        problems.errors
    )
    assert not problems.outside, f"{email}: requests outside the service: {problems.outside}"


def test_sign_in_page_is_accessible(page, problems, live_server, built_assets):
    page.goto("/accounts/login/")
    assert page.locator("h1").inner_text().strip() == "Sign in"
    # The stylesheet really loaded: GOV.UK Frontend hides the skip link until it has focus.
    position = page.evaluate(
        "getComputedStyle(document.querySelector('.govuk-skip-link')).position"
    )
    assert position == "absolute", "main.css did not load"
    violations = run_axe(page)
    assert not violations, describe(violations)
    assert not problems.errors, "\n".join(problems.errors)
    assert not problems.outside, problems.outside


def test_api_docs_load_offline(page, problems, transactional_db):
    page.goto("/api/v1/docs/")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "API" in page.locator(".swagger-ui .info .title").inner_text()
    assert not problems.outside, f"the API docs asked the internet for {problems.outside}"
    assert not problems.errors, "\n".join(problems.errors)
