"""The public statistics site is reachable from the sign-in page and every footer; its pages
carry no account menu, staff navigation or staff links (even for someone signed in); unknown
pages are a friendly 404, in the public layout under /public/. The demo runs with DEBUG off."""

from __future__ import annotations

import importlib
import os

import pytest
from django.urls import reverse

from apps.accounts.roles import Role
from apps.reporting.choices import ReportKind
from apps.reporting.services import bulletin_create, bulletin_publish
from tests.reporting.factories import built, placed

pytestmark = pytest.mark.django_db


def _staff_marks(html: str) -> list[str]:
    """What marks a staff page: the account menu, the staff navigation, the staff banner and
    the staff links in the footer."""
    marks = (
        "app-user-menu",
        "govuk-service-navigation",
        "Sign out",
        "Tell your administrator",
        f'href="{reverse("api:docs")}"',
        f'href="{reverse("healthz")}"',
    )
    return [mark for mark in marks if mark in html]


@pytest.fixture
def bulletin(world):
    for _ in range(8):
        placed(world.ifa, world.la, code="PR4")
    snapshot = built(ReportKind.NCC_QUARTERLY, None)
    analyst = world.users[Role.NCC_ANALYST]
    draft = bulletin_create(
        by=analyst,
        title="Foster care in England",
        summary="Placements.",
        body="Text.",
        snapshot=snapshot,
        table_keys=["pub_placements_route"],
    )
    return bulletin_publish(bulletin=draft, by=analyst)


def test_the_sign_in_page_and_the_footer_link_to_the_public_site(client, world):
    index = reverse("public:index")
    login = client.get(reverse("accounts:login")).content.decode()
    assert f'href="{index}">read them without signing in' in login
    assert f'<a class="govuk-footer__link" href="{index}">Published statistics</a>' in login
    client.force_login(world.users[Role.SOCIAL_WORKER])
    home = client.get("/").content.decode()
    assert f'href="{index}">Published statistics' in home
    assert len(_staff_marks(home)) == 6  # staff pages keep their menu, navigation and links


@pytest.mark.parametrize("signed_in", [False, True])
def test_public_pages_carry_no_staff_banner_or_links(client, world, bulletin, signed_in):
    if signed_in:  # a staff member reading the public site sees it as the public does
        client.force_login(world.users[Role.PLACEMENT_OFFICER])
    for url in (reverse("public:index"), reverse("public:bulletin", args=[bulletin.slug])):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert _staff_marks(html) == [], url
        home_link = f'href="{reverse("public:index")}" class="govuk-generic-header__homepage-link'
        assert home_link in html


@pytest.mark.parametrize("signed_in", [False, True])
def test_an_unknown_public_page_is_a_friendly_404_in_the_public_layout(client, world, signed_in):
    if signed_in:
        client.force_login(world.users[Role.COMMISSIONER])
    for url in ("/public/no-such-page/", "/public/bulletins/no-such-bulletin/"):
        response = client.get(url)
        assert response.status_code == 404
        html = response.content.decode()
        assert "Page not found" in html and "Go to the published statistics" in html
        assert _staff_marks(html) == [], url
        assert "Traceback" not in html and "URLconf" not in html


def test_an_unknown_staff_page_is_the_friendly_404(client, world):
    client.force_login(world.users[Role.SOCIAL_WORKER])
    response = client.get("/referrals/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and "belong to your organisations" in html
    assert "URLconf" not in html


def test_the_demo_settings_have_debug_off_and_serve_static_files(monkeypatch):
    monkeypatch.delenv("DJANGO_DEBUG", raising=False)
    monkeypatch.setenv("DATABASE_URL", os.environ.get("DATABASE_URL", "sqlite://:memory:"))
    local = importlib.reload(importlib.import_module("config.settings.local"))
    assert local.DEBUG is False
    assert local.WHITENOISE_USE_FINDERS is True
