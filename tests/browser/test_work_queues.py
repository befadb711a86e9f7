"""The work queues in a browser at 1280 px: the hub's work-queue table fits its column without
scrolling sideways; the home page's work, the notifications list and the account page's e-mail
preferences have no serious or critical axe-core violations."""

from __future__ import annotations

from typing import Any

import pytest

from apps.accounts.models import Notification, NotificationKind, User
from apps.accounts.seeding import DEMO_DOMAIN
from apps.organisations.models import RccMembership
from apps.referrals.choices import Urgency
from tests.browser.test_roles_a11y import demo, describe, run_axe, sign_in  # noqa: F401
from tests.referrals.factories import ChildFactory
from tests.referrals.placing_factories import SentReferralFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def wide(page) -> Any:
    page.set_viewport_size({"width": 1280, "height": 900})
    return page


def test_hub_queue_fits_1280_and_the_new_pages_are_accessible(wide, problems, demo):  # noqa: F811
    po = User.objects.get(email=f"placement.officer@{DEMO_DOMAIN}")
    hub = next(m.organisation for m in po.membership_list if m.organisation.rcc_id)
    la = RccMembership.objects.filter(rcc_id=hub.rcc_id).first().la
    for n in range(6):
        SentReferralFactory(
            child=ChildFactory(la=la, local_identifier=f"LONG-IDENTIFIER-{n:04}"),
            urgency=Urgency.EMERGENCY if n % 2 else Urgency.PLANNED,
        )
    Notification.objects.create(
        user=po, kind=NotificationKind.REFERRAL_SENT, text="Referral 1 sent", link="/referrals/hub/"
    )
    sign_in(wide, po.email)
    assert wide.locator("[data-work-queue]").count() >= 1
    wide.goto("/referrals/hub/")
    widths = wide.evaluate(
        "() => { const w = document.querySelector('.app-table-wrapper');"
        " return [w.scrollWidth, w.clientWidth]; }"
    )
    assert widths[0] <= widths[1], f"the work-queue table scrolls sideways: {widths}"
    for path in ("/", "/accounts/notifications/", "/accounts/profile/", "/referrals/hub/"):
        wide.goto(path)
        violations = run_axe(wide)
        assert not violations, f"{path}:\n{describe(violations)}"
    assert not problems.errors, "\n".join(problems.errors)
