"""Planning alerts: raised ahead of each event, once per event however often the job runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from apps.contracts import services
from apps.contracts.choices import AlertKind
from apps.contracts.models import ContractAlert
from apps.contracts.tasks import raise_contract_alerts
from tests.contracts.factories import FrameworkFactory, SoftBlockFactory, make_placement

pytestmark = pytest.mark.django_db


@override_settings(CONTRACTS_ALERT_LEAD_DAYS=60)
def test_alerts_are_raised_ahead_of_each_event_once(setup):
    framework = FrameworkFactory(
        owner=setup.world.rcc,
        start_date=dt.date(2025, 4, 1),
        end_date=dt.date(2027, 3, 31),
        extension_decision_date=dt.date(2026, 9, 30),
        consultation_months=6,  # opens 30 March 2026
    )
    assert framework.consultation_opens_on == dt.date(2026, 3, 30)
    assert services.contract_alerts_raise(on=dt.date(2026, 1, 1)) == 0  # 88 days ahead: not yet
    assert services.contract_alerts_raise(on=dt.date(2026, 2, 1)) == 1  # 57 days ahead
    alert = ContractAlert.objects.get()
    assert alert.kind == AlertKind.CONSULTATION_OPENS
    assert alert.owner == setup.world.rcc and alert.framework == framework
    assert "opens on 30 March 2026" in alert.message
    # Running again (the next day, or twice the same day) adds nothing.
    assert services.contract_alerts_raise(on=dt.date(2026, 2, 1)) == 0
    assert services.contract_alerts_raise(on=dt.date(2026, 2, 2)) == 0
    assert ContractAlert.objects.count() == 1
    # Later the extension decision comes into range: one more.
    assert services.contract_alerts_raise(on=dt.date(2026, 8, 15)) == 1
    assert set(ContractAlert.objects.values_list("kind", flat=True)) == {
        AlertKind.CONSULTATION_OPENS,
        AlertKind.EXTENSION_DECISION,
    }


@override_settings(CONTRACTS_ALERT_LEAD_DAYS=60)
def test_taking_an_extension_gives_new_dates_and_new_alerts(setup):
    framework = FrameworkFactory(
        owner=setup.world.rcc,
        end_date=dt.date(2026, 5, 31),
        extension_decision_date=dt.date(2026, 3, 31),
        lead_manager=setup.commissioner,
    )
    services.contract_alerts_raise(on=dt.date(2026, 3, 1))
    before = ContractAlert.objects.count()
    framework = services.framework_extend(by=setup.commissioner, framework=framework)
    assert framework.end_date == dt.date(2027, 5, 31) and framework.extension_options == 1
    services.contract_alerts_raise(on=dt.date(2027, 4, 1))
    assert ContractAlert.objects.count() > before
    assert (
        ContractAlert.objects.filter(
            event_date=dt.date(2027, 5, 31), kind=AlertKind.CONTRACT_ENDS
        ).count()
        == 1
    )


def test_low_utilisation_alert_once_a_month(setup):
    block = SoftBlockFactory(
        rcc=setup.world.rcc,
        provider=setup.ifa,
        places=2,
        start_date=dt.date(2026, 4, 1),
        end_date=dt.date(2027, 9, 30),
    )
    make_placement(
        provider=setup.ifa, rcc=setup.world.rcc, la=setup.world.la, start=dt.date(2026, 4, 1)
    )  # 50% used
    assert services.contract_alerts_raise(on=dt.date(2026, 5, 10)) == 1
    assert services.contract_alerts_raise(on=dt.date(2026, 5, 20)) == 0
    alert = ContractAlert.objects.get(soft_block=block)
    assert alert.kind == AlertKind.LOW_UTILISATION and "50.0% used" in alert.message
    assert services.contract_alerts_raise(on=dt.date(2026, 6, 3)) == 1  # a new month


def test_a_well_used_block_raises_no_utilisation_alert(setup):
    SoftBlockFactory(
        rcc=setup.world.rcc,
        provider=setup.ifa,
        places=1,
        start_date=dt.date(2026, 4, 1),
        end_date=dt.date(2027, 9, 30),
    )
    make_placement(
        provider=setup.ifa, rcc=setup.world.rcc, la=setup.world.la, start=dt.date(2026, 3, 1)
    )
    assert services.contract_alerts_raise(on=dt.date(2026, 5, 10)) == 0


def test_the_beat_task_is_idempotent(setup):
    FrameworkFactory(
        owner=setup.world.rcc,
        end_date=dt.date(2026, 7, 1),
        extension_decision_date=None,
        consultation_months=1,
    )
    first = raise_contract_alerts.delay("2026-05-15").get()
    second = raise_contract_alerts.delay("2026-05-15").get()
    assert first >= 1 and second == 0
    assert ContractAlert.objects.count() == first


def test_dismissed_alerts_leave_the_open_list(setup):
    FrameworkFactory(
        owner=setup.world.rcc, end_date=dt.date(2026, 7, 1), extension_decision_date=None
    )
    services.contract_alerts_raise(on=dt.date(2026, 6, 1))
    alert = ContractAlert.objects.visible_to(setup.commissioner).open().first()
    services.alert_dismiss(by=setup.commissioner, alert=alert)
    assert not ContractAlert.objects.filter(pk=alert.pk).open().exists()
    services.contract_alerts_raise(on=dt.date(2026, 6, 2))  # not raised again
    assert not ContractAlert.objects.open().filter(key=alert.key).exists()
