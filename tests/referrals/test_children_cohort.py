"""selectors.cohort_needs: children by domain x level from each child's latest assessment."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.needs.models import NeedDomain, NeedLevel
from apps.referrals.selectors import cohort_needs
from tests.referrals.factories import ChildFactory, NeedsAssessmentFactory, load_taxonomy

pytestmark = pytest.mark.django_db


def test_only_each_childs_latest_assessment_counts_and_only_for_the_las_asked(
    world, django_assert_num_queries
):
    load_taxonomy()
    d = {x.code: x for x in NeedDomain.objects.all()}
    lv = {x.code: x for x in NeedLevel.objects.all()}
    one, two = ChildFactory(la=world.la), ChildFactory(la=world.la)
    NeedsAssessmentFactory(
        child=one, assessed_on=dt.date(2025, 1, 1), items=[(d["behaviour"], lv["low"])]
    )
    NeedsAssessmentFactory(
        child=one,
        assessed_on=dt.date(2025, 6, 1),
        items=[(d["behaviour"], lv["high"]), (d["health"], lv["low"])],
    )
    NeedsAssessmentFactory(
        child=two, assessed_on=dt.date(2025, 3, 1), items=[(d["behaviour"], lv["high"])]
    )
    ChildFactory(la=world.la)  # not assessed: not counted
    NeedsAssessmentFactory(
        child=ChildFactory(la=world.other_la), items=[(d["behaviour"], lv["complex"])]
    )

    with django_assert_num_queries(1):
        rows = cohort_needs(la_ids=[world.la.pk])
    assert {(r["domain"], r["level"]): r["children"] for r in rows} == {
        ("behaviour", "high"): 2,
        ("health", "low"): 1,
    }
    # As on 1 April 2025: child one's first assessment was the latest then.
    rows = cohort_needs(la_ids=[world.la.pk], on=dt.date(2025, 4, 1))
    assert {(r["domain"], r["level"]): r["children"] for r in rows} == {
        ("behaviour", "low"): 1,
        ("behaviour", "high"): 1,
    }
    assert cohort_needs(la_ids=[]) == []
