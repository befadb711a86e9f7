"""The completeness score: weighted items, the missing list with links, the threshold."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from apps.referrals.completeness import DEFAULT_ITEMS, items, referral_completeness
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def test_the_default_weights_add_up_to_100():
    assert sum(item.weight for item in DEFAULT_ITEMS) == 100


def test_a_complete_referral_scores_100():
    c = referral_completeness(ReferralFactory())
    assert (c.percent, c.missing, c.can_send, c.reason) == (100, [], True, "")


def test_missing_items_lower_the_score_and_link_to_their_section():
    referral = ReferralFactory(childs_views="  ", needs_assessment=None, harm_fire_setting="")
    c = referral_completeness(referral)
    assert c.percent == 100 - 8 - 12 - 12
    by_key = {m.key: m for m in c.missing}
    assert set(by_key) == {"childs_views", "needs_assessment", "risks_to_others"}
    assert by_key["childs_views"].url == f"/referrals/{referral.pk}/edit/views/"
    assert by_key["risks_to_others"].url == f"/referrals/{referral.pk}/edit/risks-to-others/"
    assert by_key["needs_assessment"].url == f"/referrals/children/{referral.child_id}/needs/new/"
    assert not c.can_send
    assert "68% complete" in c.reason and "at least 80%" in c.reason


def test_the_score_rounds_down_so_a_shown_80_is_never_refused(settings):
    settings.REFERRAL_COMPLETENESS_WEIGHTS = {
        "childs_views": 1,
        "about_the_child": 1,
        "min_adults": 1,
    }
    # Weights now total 100 - 8 - 8 - 3 + 3 = 84; dropping risks_to_child (12) leaves 72/84 = 85.7%
    c = referral_completeness(ReferralFactory(risk_missing=""))
    assert c.percent == 85


def test_weights_and_threshold_come_from_settings(settings):
    referral = ReferralFactory(childs_views="")
    settings.REFERRAL_COMPLETENESS_WEIGHTS = {"childs_views": 0}
    assert referral_completeness(referral).percent == 100
    settings.REFERRAL_COMPLETENESS_WEIGHTS = {}
    settings.REFERRAL_COMPLETENESS_THRESHOLD = 95
    c = referral_completeness(referral)
    assert (c.percent, c.threshold, c.can_send) == (92, 95, False)


def test_an_rcc_may_agree_its_own_threshold(settings):
    referral = ReferralFactory(childs_views="")
    settings.REFERRAL_COMPLETENESS_THRESHOLD_BY_RCC = {referral.rcc.name: 90}
    assert referral_completeness(referral).threshold == 90
    assert referral_completeness(referral).can_send


def test_unknown_items_in_settings_are_a_configuration_error(settings):
    settings.REFERRAL_COMPLETENESS_WEIGHTS = {"favourite_colour": 5}
    with pytest.raises(ImproperlyConfigured):
        items()
