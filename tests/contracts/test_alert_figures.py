"""The soft-block alert says what the table and the block's page say: the same utilisation
figure (percentage and days), read today, not the figure frozen when the alert was raised (the
demo raised its alerts before any placement existed: "0.0% used (0 of 1488 days)" against 44.3%).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.contracts import selectors, services
from apps.contracts.choices import AlertKind
from apps.contracts.models import ContractAlert
from tests.contracts.factories import SoftBlockFactory, make_placement

pytestmark = pytest.mark.django_db


@pytest.fixture
def block_with_alert(setup):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    start = today - dt.timedelta(days=99)  # 100 days to date, 2 places: 200 days reserved
    block = SoftBlockFactory(
        rcc=setup.world.rcc,
        provider=setup.ifa,
        places=2,
        start_date=start,
        end_date=today + dt.timedelta(days=300),
        utilisation_threshold=80,
    )
    # Raised while nothing was placed (as the demo did), then a child is placed from the start
    # and another from 20 days in: (100 + 80) of 200 days.
    assert services.contract_alerts_raise(on=today) >= 1
    assert "0.0% used" in ContractAlert.objects.get(kind=AlertKind.LOW_UTILISATION).message
    for begin in (start, start + dt.timedelta(days=20)):
        make_placement(provider=setup.ifa, rcc=setup.world.rcc, la=setup.world.la, start=begin)
    return block


def test_the_alert_shows_the_figure_the_table_and_page_show(client, setup, block_with_alert):
    block = block_with_alert
    use = selectors.soft_block_utilisation([block])[block.pk]
    assert (str(use.percent), use.days_used, use.days_reserved) == ("90.0", 180, 200)
    client.force_login(setup.commissioner)

    table = client.get(reverse("contracts:soft_blocks")).content.decode()
    detail = client.get(reverse("contracts:soft_block", args=[block.pk])).content.decode()
    assert "90.0%" in table
    assert "90.0%" in detail and "180 of 200 reserved days" in detail

    for url in (reverse("contracts:alerts"), reverse("contracts:index"), "/"):
        body = client.get(url).content.decode()
        assert "is 90.0% used to" in body, url
        assert "(180 of 200 days)" in body, url
        assert "0.0% used" not in body.replace("90.0% used", ""), url
        assert "(0 of 200 days)" not in body, url

    export = client.get(reverse("contracts:alerts"), {"export": "csv"}).content.decode()
    assert "is 90.0% used to" in export and "(180 of 200 days)" in export


def test_the_alert_text_says_when_the_block_is_back_above_its_level(setup, block_with_alert):
    alerts = selectors.alerts_with_figures(
        ContractAlert.objects.filter(kind=AlertKind.LOW_UTILISATION).select_related(
            "soft_block__provider__organisation"
        )
    )
    assert len(alerts) == 1
    assert "back at or above the alert level of 80%" in alerts[0].text


def test_a_new_alert_uses_the_same_words_and_figures(setup, block_with_alert):
    block = block_with_alert
    ContractAlert.objects.all().delete()
    block.utilisation_threshold = 95
    block.save()
    today = timezone.localdate()
    assert services.contract_alerts_raise(on=today) >= 1
    alert = ContractAlert.objects.get(kind=AlertKind.LOW_UTILISATION)
    use = selectors.soft_block_utilisation([block], on=today)[block.pk]
    assert alert.message == selectors.utilisation_message(block, use, on=today)
    assert "is 90.0% used to" in alert.message and "(180 of 200 days)" in alert.message
    assert "the alert level is 95%" in alert.message


def test_other_alerts_show_their_message(setup):
    from tests.contracts.factories import FrameworkFactory

    today = timezone.localdate()
    FrameworkFactory(
        owner=setup.world.rcc,
        end_date=today + dt.timedelta(days=10),
        extension_decision_date=None,
    )
    services.contract_alerts_raise(on=today)
    alerts = selectors.alerts_with_figures(ContractAlert.objects.all())
    assert alerts and all(a.text == a.message for a in alerts)


def test_the_api_gives_the_alert_the_same_figure(client, setup, block_with_alert):
    client.force_login(setup.commissioner)
    listed = client.get(reverse("api:contracts-alert-list")).json()["results"]
    low = [a for a in listed if a["kind"] == AlertKind.LOW_UTILISATION]
    assert low and "is 90.0% used to" in low[0]["message"]
    assert "(180 of 200 days)" in low[0]["message"]
    one = client.get(reverse("api:contracts-alert-detail", args=[low[0]["id"]])).json()
    assert one["message"] == low[0]["message"]
