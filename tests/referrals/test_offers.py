"""The provider's answer: offer a household it owns with an open place, or decline."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from apps.accounts.roles import Role
from apps.core.errors import DomainError
from apps.referrals.choices import (
    DeclineReason,
    OfferStatus,
    ReferralStatus,
    TargetStatus,
)
from apps.referrals.models import Offer, ReferralAccessLog, ReferralEvent
from apps.referrals.services.offers import offer_make, target_decline, target_view
from tests.factories import user_with_role
from tests.providers.factories import VacancyFactory
from tests.referrals.placing_factories import household_with_place, journey

pytestmark = pytest.mark.django_db


@pytest.fixture
def j(world):
    return journey(world)


@pytest.fixture
def ifa_officer(world):
    return world.users[Role.PROVIDER_REFERRALS]


def _offer(target, by, **overrides):
    vacancy = target.household.vacancies.get()
    fields = {
        "target": target,
        "by": by,
        "household": target.household,
        "vacancy": vacancy,
        "weekly_fee": "845.50",
        "available_from": timezone.localdate(),
        "support_package": [
            {"kind": "therapy", "weekly_cost": "120", "note": "Weekly play therapy"},
            {"kind": "transport", "weekly_cost": "45.5"},
        ],
    }
    fields.update(overrides)
    return offer_make(**fields)


def _nothing_written(target):
    target.refresh_from_db()
    assert target.status == TargetStatus.SENT
    assert not Offer.objects.filter(target=target).exists()
    assert not ReferralEvent.objects.filter(referral=target.referral, verb="offer_made").exists()


def test_offer_of_own_household_with_open_place(j, ifa_officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        offer = _offer(j.ifa, ifa_officer)
    assert offer.weekly_fee == Decimal("845.50")
    assert offer.support_weekly_cost == Decimal("165.50")
    assert offer.full_weekly_cost == Decimal("1011.00")
    assert [line["kind"] for line in offer.support_package] == ["therapy", "transport"]
    assert offer.status == OfferStatus.MADE
    j.ifa.refresh_from_db()
    assert j.ifa.status == TargetStatus.OFFERED
    assert j.ifa.responded_by == ifa_officer
    event = ReferralEvent.objects.get(referral=j.referral, verb="offer_made")
    assert event.actor == ifa_officer
    assert event.detail["offer"] == offer.pk
    # The social worker and hub are told; the email does not name the child.
    assert len(mail.outbox) == 1
    assert j.social_worker.email in mail.outbox[0].to
    assert j.referral.child.local_identifier not in mail.outbox[0].body


def test_household_not_owned_is_refused(j, world, ifa_officer):
    others, vacancy = household_with_place(world.other_ifa)
    with pytest.raises(DomainError) as err:
        _offer(j.ifa, ifa_officer, household=others, vacancy=vacancy)
    assert err.value.field == "household"
    assert "not one of yours" in err.value.message
    _nothing_written(j.ifa)


def test_place_no_longer_open_is_refused(j, ifa_officer):
    vacancy = j.ifa.household.vacancies.get()
    vacancy.status = "booked"
    vacancy.save()
    with pytest.raises(DomainError) as err:
        _offer(j.ifa, ifa_officer)
    assert err.value.field == "vacancy"
    assert "no longer open" in err.value.message
    _nothing_written(j.ifa)


def test_place_of_another_household_is_refused(j, ifa_officer):
    other_place = VacancyFactory()  # another provider's household entirely
    with pytest.raises(DomainError) as err:
        _offer(j.ifa, ifa_officer, vacancy=other_place)
    assert err.value.field == "vacancy"
    _nothing_written(j.ifa)


def test_withdrawn_referral_cannot_be_answered(j, ifa_officer):
    j.referral.status = ReferralStatus.WITHDRAWN
    j.referral.save()
    with pytest.raises(DomainError, match="withdrawn"):
        _offer(j.ifa, ifa_officer)
    _nothing_written(j.ifa)
    with pytest.raises(DomainError, match="withdrawn"):
        target_decline(target=j.ifa, by=ifa_officer, reason=DeclineReason.NO_VACANCY)
    j.ifa.refresh_from_db()
    assert j.ifa.status == TargetStatus.SENT


def test_negative_fee_is_refused(j, ifa_officer):
    with pytest.raises(DomainError) as err:
        _offer(j.ifa, ifa_officer, weekly_fee="-1")
    assert err.value.field == "weekly_fee"
    _nothing_written(j.ifa)


def test_negative_or_unknown_support_line_is_refused(j, ifa_officer):
    with pytest.raises(DomainError) as err:
        _offer(j.ifa, ifa_officer, support_package=[{"kind": "therapy", "weekly_cost": "-5"}])
    assert err.value.field == "support_package"
    with pytest.raises(DomainError) as err:
        _offer(j.ifa, ifa_officer, support_package=[{"kind": "massage", "weekly_cost": "5"}])
    assert err.value.field == "support_package"
    _nothing_written(j.ifa)


def test_fee_above_schedule_needs_a_reason(j, ifa_officer):
    with mock.patch("apps.referrals.services.offers.scheduled_fee", return_value=Decimal("800.00")):
        with pytest.raises(DomainError) as err:
            _offer(j.ifa, ifa_officer, weekly_fee="900")
        assert err.value.field == "fee_above_schedule_reason"
        assert "£800.00" in err.value.message
        _nothing_written(j.ifa)
        offer = _offer(
            j.ifa, ifa_officer, weekly_fee="900", fee_above_schedule_reason="Therapeutic carer"
        )
    assert offer.scheduled_fee == Decimal("800.00")
    assert offer.fee_above_schedule_reason == "Therapeutic carer"
    assert ReferralEvent.objects.get(verb="offer_made").detail["above_schedule"] is True


def test_fee_at_schedule_keeps_no_reason(j, ifa_officer):
    with mock.patch("apps.referrals.services.offers.scheduled_fee", return_value=Decimal("800.00")):
        offer = _offer(j.ifa, ifa_officer, weekly_fee="800", fee_above_schedule_reason="ignored")
    assert offer.fee_above_schedule_reason == ""


def test_another_providers_officer_cannot_answer(j, world):
    stranger = user_with_role(Role.PROVIDER_REFERRALS, world.other_ifa)
    with pytest.raises(DomainError, match="do not work for"):
        _offer(j.ifa, stranger)
    _nothing_written(j.ifa)


def test_answer_only_once(j, ifa_officer):
    _offer(j.ifa, ifa_officer)
    with pytest.raises(DomainError, match="already answered"):
        target_decline(target=j.ifa, by=ifa_officer, reason=DeclineReason.NO_VACANCY)


def test_available_from_before_the_place_is_free(j, ifa_officer):
    vacancy = j.ifa.household.vacancies.get()
    vacancy.available_from = timezone.localdate() + dt.timedelta(days=10)
    vacancy.save()
    with pytest.raises(DomainError) as err:
        _offer(j.ifa, ifa_officer)
    assert err.value.field == "available_from"


def test_decline_with_reason_code(j, ifa_officer):
    target = target_decline(
        target=j.ifa, by=ifa_officer, reason=DeclineReason.LOCATION, note="Too far from school"
    )
    assert target.status == TargetStatus.DECLINED
    assert target.decline_reason == "LOCAT"
    assert ReferralEvent.objects.filter(verb="target_declined", actor=ifa_officer).count() == 1


def test_decline_needs_a_known_reason_and_other_needs_a_note(j, ifa_officer):
    with pytest.raises(DomainError) as err:
        target_decline(target=j.ifa, by=ifa_officer, reason="NOPE")
    assert err.value.field == "reason"
    with pytest.raises(DomainError) as err:
        target_decline(target=j.ifa, by=ifa_officer, reason=DeclineReason.OTHER, note=" ")
    assert err.value.field == "note"
    j.ifa.refresh_from_db()
    assert j.ifa.status == TargetStatus.SENT


def test_every_provider_read_is_logged_and_first_view_stamped_once(j, ifa_officer):
    first = target_view(target=j.ifa, by=ifa_officer)
    j.ifa.refresh_from_db()
    stamped = j.ifa.first_viewed_at
    assert stamped is not None
    target_view(target=j.ifa, by=ifa_officer)
    j.ifa.refresh_from_db()
    assert j.ifa.first_viewed_at == stamped
    logs = ReferralAccessLog.objects.filter(referral=j.referral, user=ifa_officer)
    assert logs.count() == 2
    assert {log.action for log in logs} == {"provider_view"}
    assert logs.first().organisation == world_ifa(j)
    # Minimised: no identity before the LA shortlists the offer.
    assert first["local_identifier"] is None
    flat = repr(first["referral"])
    assert j.referral.child.local_identifier not in flat
    assert j.referral.child.case_system_id not in flat


def world_ifa(j):
    return j.ifa.provider.organisation


def test_identity_only_after_shortlisting(j, ifa_officer):
    from apps.referrals.services.choosing import offer_shortlist

    offer = _offer(j.ifa, ifa_officer)
    assert target_view(target=j.ifa, by=ifa_officer)["local_identifier"] is None
    offer_shortlist(offer=offer, by=j.social_worker)
    j.ifa.refresh_from_db()
    seen = target_view(target=j.ifa, by=ifa_officer)
    assert seen["local_identifier"] == j.referral.child.local_identifier
    assert j.referral.child.case_system_id not in repr(seen)
    assert ReferralAccessLog.objects.filter(action="provider_view_identity").count() == 1
