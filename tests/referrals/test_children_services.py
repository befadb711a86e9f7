"""Children and needs (LA side): records, versioned needs assessments, validation, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from apps.accounts.roles import Role
from apps.core.errors import DomainError
from apps.referrals.models import Child, NeedsAssessment, NeedsAssessmentItem
from apps.referrals.services.children import child_create, child_update, needs_assessment_record
from tests.factories import PostcodeDistrictFactory
from tests.referrals.factories import ChildFactory, ReferralFactory, items_of, load_taxonomy

pytestmark = pytest.mark.django_db


@pytest.fixture
def taxonomy(db):  # type: ignore[no-untyped-def]
    load_taxonomy()


def _child_fields(**over):  # type: ignore[no-untyped-def]
    fields = {
        "local_identifier": "TST-C-9001",
        "case_system_id": "LCS-123",
        "date_of_birth": timezone.localdate() - dt.timedelta(days=365 * 10),
        "sex": "M",
        "ethnicity": "MWBC",
        "religion": "christian",
        "languages": ["en", "PL"],
        "legal_status": "C2",
        "home_postcode_district": "m14",
    }
    fields.update(over)
    return fields


def test_a_social_worker_adds_a_child_to_their_la(world):
    PostcodeDistrictFactory(code="M14")
    sw = world.users[Role.SOCIAL_WORKER]
    child = child_create(by=sw, la=world.la, **_child_fields())
    assert child.la == world.la
    assert child.home_postcode_district_id == "M14"
    assert child.languages == ["en", "pl"]
    assert child.created_by == sw


def test_the_audit_log_records_who_changed_a_child(world):
    PostcodeDistrictFactory(code="M14")
    sw = world.users[Role.SOCIAL_WORKER]
    child = child_create(by=sw, la=world.la, **_child_fields())
    child_update(by=sw, child=child, legal_status="C1")
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Child), object_pk=str(child.pk)
    ).order_by("timestamp")
    assert [e.action for e in entries] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert all(e.actor == sw for e in entries)
    assert entries.last().changes_dict["legal_status"] == ["C2", "C1"]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("over", "field", "text"),
    [
        ({"date_of_birth": timezone.localdate() + dt.timedelta(days=1)}, "date_of_birth", "future"),
        ({"date_of_birth": dt.date(2000, 1, 1)}, "date_of_birth", "under 18"),
        ({"languages": ["en", "xx"]}, "languages", "xx"),
        ({"home_postcode_district": "M14 5AB"}, "home_postcode_district", "postcode district only"),
        ({"home_postcode_district": "ZZ9"}, "home_postcode_district", "not a postcode district"),
        ({"local_identifier": "  "}, "local_identifier", "local identifier"),
    ],
)
def test_bad_child_details_are_refused_with_the_field_named(world, over, field, text):
    PostcodeDistrictFactory(code="M14")
    with pytest.raises(DomainError) as err:
        child_create(by=world.users[Role.SOCIAL_WORKER], la=world.la, **_child_fields(**over))
    assert err.value.field == field
    assert text in err.value.message
    assert not Child.objects.exists()


def test_local_identifiers_are_unique_within_an_la(world):
    ChildFactory(la=world.la, local_identifier="TST-C-9001")
    with pytest.raises(DomainError) as err:
        child_create(
            by=world.users[Role.SOCIAL_WORKER],
            la=world.la,
            **_child_fields(home_postcode_district=""),
        )
    assert err.value.field == "local_identifier"


@pytest.mark.parametrize("role", [Role.IRO, Role.PLACEMENT_OFFICER])
def test_only_a_social_worker_of_the_la_records_children(world, role):
    with pytest.raises(DomainError):
        child_create(by=world.users[role], la=world.la, **_child_fields(home_postcode_district=""))


def test_a_social_worker_of_another_la_cannot_change_the_child(world):
    child = ChildFactory(la=world.other_la)
    with pytest.raises(DomainError):
        child_update(by=world.users[Role.SOCIAL_WORKER], child=child, legal_status="C1")


def test_each_assessment_is_a_new_version_and_old_ones_stay(world, taxonomy):
    sw = world.users[Role.SOCIAL_WORKER]
    child = ChildFactory(la=world.la)
    v1 = needs_assessment_record(
        by=sw,
        child=child,
        items=items_of(behaviour="high", health="low"),
        assessed_on=dt.date(2025, 6, 1),
    )
    v2 = needs_assessment_record(
        by=sw, child=child, items={"behaviour": "medium", "education": "high"}
    )
    assert (v1.version, v2.version) == (1, 2)
    v1.refresh_from_db()
    levels_v1 = {i.domain.code: i.level.code for i in v1.items.select_related("domain", "level")}
    assert levels_v1 == {"behaviour": "high", "health": "low"}
    levels_v2 = {i.domain.code: i.level.code for i in v2.items.select_related("domain", "level")}
    assert levels_v2 == {"behaviour": "medium", "education": "high"}


def test_unknown_taxonomy_codes_are_refused_and_nothing_is_written(world, taxonomy):
    child = ChildFactory(la=world.la)
    with pytest.raises(DomainError) as err:
        needs_assessment_record(
            by=world.users[Role.SOCIAL_WORKER],
            child=child,
            items=[
                {"domain": "behaviour", "level": "high"},
                {"domain": "astrology", "level": "extreme"},
            ],
        )
    assert err.value.field == "items"
    assert "Unknown needs domain code(s): astrology" in err.value.message
    assert "Unknown need level code(s): extreme" in err.value.message
    assert "emotional-wellbeing" in err.value.message  # the known codes are listed
    assert not NeedsAssessment.objects.exists()
    assert not NeedsAssessmentItem.objects.exists()


@pytest.mark.parametrize(
    ("items", "text"),
    [
        ([], "at least one"),
        (
            [{"domain": "behaviour", "level": "high"}, {"domain": "behaviour", "level": "low"}],
            "once only",
        ),
        ([{"domain": "behaviour"}], "needs a domain and a level"),
    ],
)
def test_malformed_assessments_are_refused(world, taxonomy, items, text):
    with pytest.raises(DomainError) as err:
        needs_assessment_record(
            by=world.users[Role.SOCIAL_WORKER], child=ChildFactory(la=world.la), items=items
        )
    assert text in err.value.message


def test_an_assessment_cannot_be_dated_in_the_future(world, taxonomy):
    with pytest.raises(DomainError) as err:
        needs_assessment_record(
            by=world.users[Role.SOCIAL_WORKER],
            child=ChildFactory(la=world.la),
            items={"behaviour": "high"},
            assessed_on=timezone.localdate() + dt.timedelta(days=1),
        )
    assert err.value.field == "assessed_on"


def test_a_new_assessment_updates_draft_referrals_but_not_sent_ones(world, taxonomy):
    sw = world.users[Role.SOCIAL_WORKER]
    child = ChildFactory(la=world.la)
    draft = ReferralFactory(child=child)
    sent = ReferralFactory(child=child, status="sent", needs_assessment=draft.needs_assessment)
    new = needs_assessment_record(by=sw, child=child, items={"health": "medium"})
    draft.refresh_from_db()
    sent.refresh_from_db()
    assert draft.needs_assessment == new
    assert sent.needs_assessment != new
    assert draft.events.filter(verb="needs_updated").exists()
