"""The IPA as a PDF: from the placement page and the API, for those who may see the placement
(others: 404), logged as a read of the child's record; postcodes only for the LA and hub."""

from __future__ import annotations

import base64
import re
import zlib

import pytest
from django.urls import reverse

from apps.accounts.roles import Role
from apps.referrals.models import Placement, ReferralAccessLog
from apps.referrals.services.placements import placement_agree
from tests.factories import UserFactory, user_with_role
from tests.referrals.placing_factories import journey, offer_on

pytestmark = pytest.mark.django_db


def _placed(world, **referral_fields) -> Placement:
    j = journey(world, **referral_fields)
    offer = offer_on(j.ifa, status="proposed", weekly_fee="845.50")
    j.referral.status = "approved"
    j.referral.proposed_offer = offer
    j.referral.save()
    placement = placement_agree(referral=j.referral, by=UserFactory(is_superuser=True))
    Placement.objects.filter(pk=placement.pk).update(
        home_postcode="ZZ1 1AA", placement_postcode="ZZ9 9ZZ"
    )
    return placement


def pdf_text(content: bytes) -> str:
    """The text drawn on the PDF's pages (ReportLab writes each content stream ASCII85- then
    Flate-encoded)."""
    assert content.startswith(b"%PDF-")
    streams = re.findall(rb"stream\r?\n(.*?~>)endstream", content, re.S)
    assert streams
    return "\n".join(zlib.decompress(base64.a85decode(s[:-2])).decode("latin-1") for s in streams)


def test_the_social_worker_downloads_the_ipa_from_the_placement_page(client, world):
    placement = _placed(world)
    sw = world.users[Role.SOCIAL_WORKER]
    client.force_login(sw)
    url = reverse("referrals:placement_ipa_pdf", args=[placement.pk])
    page = client.get(reverse("referrals:placement_detail", args=[placement.pk]))
    assert url.encode() in page.content
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"placement-{placement.pk}.pdf" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "Individual placement agreement" in text
    assert placement.child.local_identifier in text
    assert "845.50" in text  # the agreed weekly fee
    assert "ZZ9 9ZZ" in text  # the LA sees the carers' postcode, as on the page
    assert placement.child.case_system_id not in text
    log = ReferralAccessLog.objects.filter(user=sw, channel="export").get()
    assert (log.action, log.child_id, log.organisation_id) == (
        "view_placement",
        placement.child_id,
        world.la.pk,
    )


def test_the_provider_gets_the_ipa_without_postcodes_and_the_read_is_logged(client, world):
    placement = _placed(world)
    officer = world.users[Role.PROVIDER_REFERRALS]
    client.force_login(officer)
    response = client.get(reverse("referrals:placement_ipa_pdf", args=[placement.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert placement.child.local_identifier in text
    assert "ZZ9 9ZZ" not in text and "ZZ1 1AA" not in text
    assert ReferralAccessLog.objects.filter(
        user=officer, action="provider_view_placement", channel="export"
    ).exists()


def test_others_get_a_404_and_nothing_is_logged(client, world):
    placement = _placed(world)
    # Two roles in two organisations: a social worker of the other LA who is also the other
    # IFA's referrals officer sees neither this placement's page nor its IPA.
    both = user_with_role(Role.SOCIAL_WORKER, world.other_la)
    both.memberships.create(organisation=world.other_ifa, role=Role.PROVIDER_REFERRALS)
    client.force_login(both)
    assert (
        client.get(reverse("referrals:placement_ipa_pdf", args=[placement.pk])).status_code == 404
    )
    refused = client.get(
        reverse("api:placement-agreement", args=[placement.pk]), HTTP_ACCEPT="application/pdf"
    )
    # The 404 is the usual JSON body, and says so (not labelled as a PDF).
    assert refused.status_code == 404
    assert refused["Content-Type"] == "application/json"
    assert refused.json()["detail"]
    assert not ReferralAccessLog.objects.filter(user=both).exists()
    client.logout()
    anonymous = client.get(reverse("referrals:placement_ipa_pdf", args=[placement.pk]))
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


def test_the_api_serves_the_ipa_as_a_pdf(client, world):
    placement = _placed(world)
    po = world.users[Role.PLACEMENT_OFFICER]
    client.force_login(po)
    url = reverse("api:placement-agreement", args=[placement.pk])
    for accept in ("application/pdf", "*/*"):
        response = client.get(url, HTTP_ACCEPT=accept)
        assert response.status_code == 200, accept
        assert response["Content-Type"] == "application/pdf"
        assert placement.child.local_identifier in pdf_text(response.content)
    assert ReferralAccessLog.objects.filter(user=po, channel="api").count() == 2


def test_the_placement_page_prints_without_its_menus(client, world):
    placement = _placed(world)
    client.force_login(world.users[Role.PLACEMENT_OFFICER])
    page = client.get(reverse("referrals:placement_detail", args=[placement.pk])).content.decode()
    assert 'class="govuk-body app-print-only"' in page
    # The actions are marked not to print; the built stylesheet hides them in print.
    assert 'class="govuk-body app-no-print"' in page
    from django.conf import settings

    scss = (settings.BASE_DIR / "static" / "scss" / "components" / "_misc.scss").read_text()
    print_rules = scss[scss.index("@media print") :]
    assert ".app-no-print" in print_rules and ".govuk-service-navigation" in print_rules
