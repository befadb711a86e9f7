"""Issue 12's pages in a real browser: the SSDA903 return page, the history import page (with
its row-level errors) and the child's care history have no serious or critical axe-core
violations and no console errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command

from apps.accounts.seeding import DEMO_DOMAIN, seed_demo_users
from apps.organisations.models import Organisation
from apps.organisations.seeding import seed_demo_organisations
from apps.referrals.models import CareEpisode
from tests.browser.test_roles_a11y import describe, run_axe, sign_in
from tests.referrals.factories import ChildFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def child(transactional_db) -> Any:
    call_command("load_reference", verbosity=0)
    seed_demo_users(seed_demo_organisations())
    from apps.accounts.models import User

    child = ChildFactory(
        la=Organisation.objects.get(name="Manchester", kind="la"),
        local_identifier="MCR-H-0001",
        created_by=User.objects.get(email=f"social.worker@{DEMO_DOMAIN}"),
    )
    CareEpisode.objects.create(
        child=child,
        start_date=dt.date(2024, 5, 1),
        end_date=dt.date(2025, 2, 1),
        new_episode_reason="S",
        legal_status="C2",
        placement_type="U4",
        placement_provider="PR1",
        reason_ended="E13",
        source="imported",
    )
    return child


def test_ssda903_pages_are_accessible(page, problems, child, tmp_path):
    sign_in(page, f"social.worker@{DEMO_DOMAIN}")
    for path in ("/reports/ssda903/", f"/referrals/children/{child.pk}/"):
        page.goto(path)
        violations = run_axe(page)
        assert not violations, f"{path}:\n{describe(violations)}"
    assert "Care history" in page.content() and "E13" in page.content()

    # The import page with its row-level errors shown.
    header, episodes = tmp_path / "header.csv", tmp_path / "episodes.csv"
    header.write_text("CHILD,SEX,DOB,ETHNIC\nMCR-H-0002,X,01/02/2015,WBRI\n")
    episodes.write_text("CHILD,DECOM,RNE,LS,PLACE\nMCR-H-0002,01/05/2024,S,C2,U9\n")
    page.goto("/referrals/children/imports/new/")
    files = page.locator("input[type=file]")
    files.nth(0).set_input_files(str(header))
    files.nth(1).set_input_files(str(episodes))
    page.get_by_role("button", name="Import and check").click()
    page.wait_for_load_state()
    assert "SEX" in page.locator(".govuk-error-summary").inner_text()
    violations = run_axe(page)
    assert not violations, describe(violations)
    assert not problems.errors, "\n".join(problems.errors)
    assert not problems.outside, problems.outside
