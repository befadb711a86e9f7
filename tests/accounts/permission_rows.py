"""Permission matrix rows for accounts and people (see tests/permission_rows.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from apps.accounts.roles import Role
from tests.factories import MembershipFactory
from tests.permission_rows import Row

if TYPE_CHECKING:
    from apps.accounts.models import User
    from tests.conftest import World

ADMINISTRATORS = frozenset({Role.ADMINISTRATOR})


def _membership_in_rcc(world: World, user: User) -> dict[str, Any]:
    """A fresh membership in the RCC that the world's administrator administers."""
    return {"pk": MembershipFactory(organisation=world.rcc, role=Role.COMMISSIONER).pk}


def _membership_in_other_rcc(world: World, user: User) -> dict[str, Any]:
    return {"pk": MembershipFactory(organisation=world.other_rcc, role=Role.COMMISSIONER).pk}


def _person_in_rcc(world: World, user: User) -> dict[str, Any]:
    return {"pk": MembershipFactory(organisation=world.rcc, role=Role.COMMISSIONER).user_id}


def _person_in_other_rcc(world: World, user: User) -> dict[str, Any]:
    return {"pk": MembershipFactory(organisation=world.other_rcc, role=Role.COMMISSIONER).user_id}


def _own_notification(world: World, user: User) -> dict[str, Any]:
    from apps.accounts.models import Notification, NotificationKind

    note = Notification.objects.create(
        user=user, kind=NotificationKind.OFFER_MADE, text="Matrix", link="/"
    )
    return {"pk": note.pk}


def _someone_elses_notification(world: World, user: User) -> dict[str, Any]:
    """Everyone's notifications are their own: another person's is a 404, superusers too."""
    from apps.accounts.models import Notification, NotificationKind
    from tests.factories import UserFactory

    note = Notification.objects.create(
        user=UserFactory(), kind=NotificationKind.OFFER_MADE, text="Not yours", link="/"
    )
    return {"pk": note.pk}


ROWS = [
    Row("accounts:profile"),
    Row(
        "accounts:profile",
        method="post",
        data=lambda w, u: {"action": "email-preferences", "emailed": ["offer_made"]},
        ok=302,
    ),
    Row("accounts:notifications"),
    Row(
        "accounts:notification_open",
        kwargs=_own_notification,
        hidden=_someone_elses_notification,
        ok=302,
    ),
    Row(
        "accounts:notification_read",
        kwargs=_own_notification,
        hidden=_someone_elses_notification,
        method="post",
        ok=302,
    ),
    Row("accounts:notifications_read_all", method="post", ok=302),
    Row("api:notification-list"),
    Row("api:notification-detail", kwargs=_own_notification, hidden=_someone_elses_notification),
    Row(
        "api:notification-read",
        kwargs=_own_notification,
        hidden=_someone_elses_notification,
        method="post",
    ),
    Row("api:notification-read-all", method="post"),
    Row(
        "accounts:profile",
        method="post",
        data=lambda w, u: {"action": "new-token", "name": "matrix"},
        ok=200,  # the page shows the new secret once
    ),
    Row("accounts:password_change"),
    Row("accounts:two_factor_setup"),
    Row("accounts:two_factor_verify"),
    Row("accounts:people", roles=ADMINISTRATORS),
    Row("accounts:membership_grant", roles=ADMINISTRATORS),
    Row(
        "accounts:membership_grant",
        roles=ADMINISTRATORS,
        method="post",
        data=lambda w, u: {
            "email": f"granted-by-{u.pk}@test.rcc.example",
            "organisation": w.rcc.pk,
            "role": Role.SCRUTINEER,
        },
        ok=302,
    ),
    Row(
        "accounts:membership_revoke",
        roles=ADMINISTRATORS,
        kwargs=_membership_in_rcc,
        hidden=_membership_in_other_rcc,
    ),
    Row(
        "accounts:membership_revoke",
        roles=ADMINISTRATORS,
        kwargs=_membership_in_rcc,
        hidden=_membership_in_other_rcc,
        method="post",
        ok=302,
    ),
    Row(
        "accounts:two_factor_reset",
        roles=ADMINISTRATORS,
        kwargs=_person_in_rcc,
        hidden=_person_in_other_rcc,
    ),
    Row(
        "accounts:two_factor_reset",
        roles=ADMINISTRATORS,
        kwargs=_person_in_rcc,
        hidden=_person_in_other_rcc,
        method="post",
        ok=302,
    ),
    Row("api:me"),
]

PUBLIC = {
    "accounts:login": "the sign-in page",
    "accounts:logout": "signing out needs no role (POST only; see tests/accounts/test_auth.py)",
    "accounts:password_reset": "asking for a reset link happens before signing in",
    "accounts:password_reset_done": "confirmation that a reset link was sent",
    "accounts:password_reset_confirm": "the one-time reset link from the email (token-checked)",
}
