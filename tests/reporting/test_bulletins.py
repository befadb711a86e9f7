"""Bulletins: drafts by NCC analysts, disclosure control applied at publication, a public
site for anyone that shows only what was published."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.accounts.roles import Role
from apps.core.errors import DomainError
from apps.reporting.choices import BulletinStatus, ReportKind, Rounding
from apps.reporting.disclosure import SUPPRESSED
from apps.reporting.services import (
    bulletin_create,
    bulletin_publish,
    bulletin_update,
    bulletin_withdraw,
)
from tests.factories import LocalAuthorityFactory, RccFactory, RccMembershipFactory
from tests.reporting.factories import built, placed

pytestmark = pytest.mark.django_db


@pytest.fixture
def national(world):
    """Placements started in the quarter: the world's RCC 3 in-house and 40 with IFAs; the
    other RCC 25 and 30; a third RCC 22 and 31 (so only the 3 is small)."""
    third = RccFactory(name="Third RCC")
    third_la = LocalAuthorityFactory()
    RccMembershipFactory(rcc=third, la=third_la)
    for org, la, code, n in (
        (world.la_service, world.la, "PR1", 3),
        (world.ifa, world.la, "PR4", 8),
        (world.other_la_service, world.other_la, "PR1", 6),
        (world.other_ifa, world.other_la, "PR4", 7),
        (world.ifa, third_la, "PR4", 9),
    ):
        for _ in range(n):
            placed(org, la, code=code)
    return built(ReportKind.NCC_QUARTERLY, None)


def write(world, snapshot, **over):
    fields = {
        "title": "Foster care in England: quarter 4",
        "summary": "Placements by RCC and provider.",
        "body": "First paragraph.\n\nSecond paragraph.",
        "snapshot": snapshot,
        "table_keys": ["pub_placements_route"],
        **over,
    }
    return bulletin_create(by=world.users[Role.NCC_ANALYST], **fields)


def test_publishing_applies_primary_and_secondary_suppression_and_freezes_the_figures(
    world, national
):
    draft = write(world, national)
    published = bulletin_publish(bulletin=draft, by=world.users[Role.NCC_ANALYST])
    assert published.status == BulletinStatus.PUBLISHED and published.published_at
    t = published.published_tables[0]
    rows = {r[0]: r[1:] for r in t["rows"]}
    assert t["columns"][-1] == "Total"
    assert rows[world.rcc.name][0] == SUPPRESSED  # 3 in-house
    assert sum(1 for v in rows[world.rcc.name] if v == SUPPRESSED) >= 2  # and not derivable
    assert rows["Third RCC"][0] == 0 and rows["Third RCC"][2] == 9  # zeros and large counts shown
    assert t["totals"][-1] == 33
    snapshot_rows = national.tables["pub_placements_route"]["rows"]
    national.tables["pub_placements_route"]["rows"] = []  # later changes do not reach it
    national.save()
    published.refresh_from_db()
    assert published.published_tables[0]["rows"][0][0] == snapshot_rows[0][0]


def test_the_public_page_shows_the_published_bulletin_to_anyone_with_c_for_small_numbers(
    client, world, national
):
    published = bulletin_publish(bulletin=write(world, national), by=world.users[Role.NCC_ANALYST])
    index = client.get(reverse("public:index"))
    assert index.status_code == 200 and published.title in index.content.decode()
    page = client.get(reverse("public:bulletin", args=[published.slug])).content.decode()
    assert "Second paragraph." in page
    assert '<span class="app-suppressed" aria-hidden="true">c</span>' in page
    assert ">3<" not in page
    csv_text = client.get(
        reverse("public:bulletin_table", args=[published.slug, "pub_placements_route"])
    ).content.decode()
    assert f"{world.rcc.name},c," in csv_text


def test_drafts_and_withdrawn_bulletins_are_not_public(client, world, national):
    draft = write(world, national)
    assert client.get(reverse("public:bulletin", args=[draft.slug])).status_code == 404
    published = bulletin_publish(bulletin=draft, by=world.users[Role.NCC_ANALYST])
    bulletin_withdraw(bulletin=published, by=world.users[Role.NCC_ANALYST])
    assert client.get(reverse("public:bulletin", args=[draft.slug])).status_code == 404
    assert (
        "No bulletin has been published yet" in client.get(reverse("public:index")).content.decode()
    )


def test_a_published_bulletin_cannot_be_changed_or_published_twice(world, national):
    published = bulletin_publish(bulletin=write(world, national), by=world.users[Role.NCC_ANALYST])
    with pytest.raises(DomainError):
        bulletin_update(bulletin=published, by=world.users[Role.NCC_ANALYST], title="New")
    with pytest.raises(DomainError):
        bulletin_publish(bulletin=published, by=world.users[Role.NCC_ANALYST])


def test_a_bulletin_cites_a_national_report_and_publishable_tables_only(world, national):
    rcc_snapshot = built(ReportKind.RCC_MONTHLY, world.rcc)
    with pytest.raises(DomainError, match="national report"):
        write(world, rcc_snapshot)
    with pytest.raises(DomainError, match="cannot be published"):
        write(world, national, table_keys=["rcc_side_by_side"])


def test_rounding_to_the_nearest_5(world, national):
    published = bulletin_publish(
        bulletin=write(world, national, rounding=Rounding.FIVE), by=world.users[Role.NCC_ANALYST]
    )
    t = published.published_tables[0]
    for row in [*t["rows"], t["totals"]]:
        assert all(v == SUPPRESSED or v % 5 == 0 for v in row[1:])
    assert t["totals"][-1] == 35  # 33 rounded


def test_the_slug_is_unique(world, national):
    a, b = write(world, national), write(world, national)
    assert a.slug != b.slug and b.slug.endswith("-2")
