"""Notifications: kept in the app for each person (read state), emailed only if they want it;
the list, mark read and the API are each person's own (another's is a 404)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from apps.accounts.models import EmailPreference, Notification, NotificationKind
from apps.accounts.notifications import email_preferences, email_preferences_set, notify
from apps.accounts.roles import Role
from apps.referrals.services.referrals import referral_review_invite
from tests.factories import UserFactory
from tests.referrals.factories import ChildFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def _note(user, text="Referral 1: an offer", **fields):
    return Notification.objects.create(
        user=user, kind=NotificationKind.OFFER_MADE, text=text, link="/referrals/1/", **fields
    )


def test_notify_keeps_a_notification_for_every_person_and_emails_only_who_wants_it(world):
    sw, po = world.users[Role.SOCIAL_WORKER], world.users[Role.PLACEMENT_OFFICER]
    email_preferences_set(
        user=po, emailed=[k for k in NotificationKind.values if k != NotificationKind.OFFER_MADE]
    )
    to = notify(
        recipients=[sw.email, po, "contact@provider.example"],
        kind=NotificationKind.OFFER_MADE,
        text="Referral 7: an offer",
        link="/referrals/7/options/",
    )
    # The person who turned email off for this kind is told in the app only; an address that
    # belongs to no one (a provider's contact address) is still emailed.
    assert to == sorted([sw.email, "contact@provider.example"])
    assert sorted(Notification.objects.values_list("user__email", flat=True)) == sorted(
        [sw.email, po.email]
    )
    assert set(Notification.objects.values_list("link", flat=True)) == {"/referrals/7/options/"}


def test_a_referral_email_also_notifies_in_the_app_with_a_link(
    world, django_capture_on_commit_callbacks
):
    sw, iro = world.users[Role.SOCIAL_WORKER], world.users[Role.IRO]
    referral = ReferralFactory(child=ChildFactory(la=world.la), moving_from_placement=True)
    EmailPreference.objects.create(user=iro, kind=NotificationKind.REVIEW_REQUESTED, email=False)
    with django_capture_on_commit_callbacks(execute=True):
        review = referral_review_invite(
            by=sw, referral=referral, email=iro.email, contributor_role="iro"
        )
    note = Notification.objects.get(user=iro)
    assert note.kind == NotificationKind.REVIEW_REQUESTED
    assert note.text == f"Please review referral {referral.pk}"
    assert note.link == reverse("referrals:review_detail", args=[review.pk])
    assert mail.outbox == []  # email off for this kind: the in-app notice only


def test_preferences_default_on_and_are_saved_from_the_account_page(client, world):
    user = world.users[Role.PROVIDER_DATA]
    assert all(email_preferences(user).values())
    client.force_login(user)
    page = client.get(reverse("accounts:profile"))
    assert b"Notifications by email" in page.content
    keep = [NotificationKind.RETURN_QUERIED, NotificationKind.RETURN_REMINDER]
    response = client.post(
        reverse("accounts:profile"), {"action": "email-preferences", "emailed": keep}
    )
    assert response.status_code == 302
    prefs = email_preferences(user)
    assert {k for k, on in prefs.items() if on} == set(keep)
    bad = client.post(
        reverse("accounts:profile"), {"action": "email-preferences", "emailed": ["nonsense"]}
    )
    assert bad.status_code == 302
    assert email_preferences(user) == prefs  # nothing changed


def test_the_list_shows_unread_first_with_a_count_in_the_header(client, world):
    user = world.users[Role.SOCIAL_WORKER]
    from django.utils import timezone

    old_read = _note(user, "Read one", read_at=timezone.now())
    unread = _note(user, "Unread one")
    _note(world.users[Role.IRO], "Someone else's")
    client.force_login(user)
    page = client.get(reverse("accounts:notifications"))
    assert page.status_code == 200
    assert list(page.context["object_list"]) == [unread, old_read]
    assert b"Someone else" not in page.content
    home = client.get("/")
    assert b'1<span class="govuk-visually-hidden"> unread</span>' in home.content
    only_unread = client.get(reverse("accounts:notifications"), {"unread": "true"})
    assert list(only_unread.context["object_list"]) == [unread]


def test_open_marks_read_and_follows_the_link_mark_all_read(client, world):
    user = world.users[Role.SOCIAL_WORKER]
    a, b, c = _note(user), _note(user), _note(user)
    client.force_login(user)
    response = client.get(reverse("accounts:notification_open", args=[a.pk]))
    assert response.status_code == 302 and response.url == "/referrals/1/"
    a.refresh_from_db()
    assert a.read_at is not None
    client.post(reverse("accounts:notification_read", args=[b.pk]))
    b.refresh_from_db()
    assert b.read_at is not None
    c.refresh_from_db()
    assert c.read_at is None
    client.post(reverse("accounts:notifications_read_all"))
    c.refresh_from_db()
    assert c.read_at is not None


def test_a_link_off_the_site_is_never_followed(client, world):
    user = world.users[Role.SOCIAL_WORKER]
    note = Notification.objects.create(
        user=user, kind=NotificationKind.OFFER_MADE, text="x", link="//evil.example/"
    )
    client.force_login(user)
    response = client.get(reverse("accounts:notification_open", args=[note.pk]))
    assert response.url == reverse("accounts:notifications")


def test_another_persons_notification_is_a_404_in_the_web_and_the_api(client, world):
    """A person holding two roles in two organisations still sees only their own."""
    from tests.factories import MembershipFactory

    owner = world.users[Role.SOCIAL_WORKER]
    other = world.users[Role.PLACEMENT_OFFICER]
    MembershipFactory(user=other, organisation=world.other_la, role=Role.SOCIAL_WORKER)
    note = _note(owner)
    client.force_login(other)
    assert client.get(reverse("accounts:notification_open", args=[note.pk])).status_code == 404
    assert client.post(reverse("accounts:notification_read", args=[note.pk])).status_code == 404
    assert client.get(reverse("api:notification-detail", args=[note.pk])).status_code == 404
    assert client.post(reverse("api:notification-read", args=[note.pk])).status_code == 404
    client.post(reverse("accounts:notifications_read_all"))
    assert client.post(reverse("api:notification-read-all")).json() == {"marked": 0}
    note.refresh_from_db()
    assert note.read_at is None
    assert client.get(reverse("api:notification-list")).json()["count"] == 0


def test_api_lists_and_marks_read(client, world):
    user = world.users[Role.PLACEMENT_OFFICER]
    a, b = _note(user, "A"), _note(user, "B")
    client.force_login(user)
    body = client.get(reverse("api:notification-list"), {"unread": "true"}).json()
    assert body["count"] == 2
    assert {r["text"] for r in body["results"]} == {"A", "B"}
    assert body["results"][0]["read"] is False
    read = client.post(reverse("api:notification-read", args=[a.pk])).json()
    assert read["read"] is True and read["id"] == a.pk
    assert client.get(reverse("api:notification-list"), {"unread": "true"}).json()["count"] == 1
    assert client.post(reverse("api:notification-read-all")).json() == {"marked": 1}
    b.refresh_from_db()
    assert b.read_at is not None


def test_anonymous_is_sent_to_sign_in_and_the_api_says_401_or_403(client):
    assert client.get(reverse("accounts:notifications")).status_code == 302
    assert client.get(reverse("api:notification-list")).status_code in (401, 403)


def test_the_list_is_constant_queries(client, world, django_assert_max_num_queries):
    user = world.users[Role.SOCIAL_WORKER]
    _note(user)
    client.force_login(user)
    client.get(reverse("accounts:notifications"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("accounts:notifications"))
    for _ in range(30):
        _note(user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("accounts:notifications"))


def test_an_inactive_person_is_not_notified(world):
    gone = UserFactory(is_active=False)
    assert notify(recipients=[gone.email], kind=NotificationKind.OFFER_MADE, text="x") == []
    assert not Notification.objects.exists()
