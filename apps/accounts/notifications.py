"""In-app notifications and email preferences (docs/adr/0130).

Every place that emails people calls `notify` first: each person among the recipients gets a
`Notification` (always kept, with its read state), and only the addresses whose owner wants
email for that kind (the default) come back to be emailed. An address that belongs to no one
(a provider's contact address) is emailed as before.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from .models import EmailPreference, Notification, NotificationKind, User

TEXT_MAX = Notification._meta.get_field("text").max_length or 300


def notify(*, recipients: Iterable[User | str], kind: str, text: str, link: str = "") -> list[str]:
    """Tell each recipient in the service; return the email addresses to send to."""
    if kind not in NotificationKind.values:
        raise ValueError(f"Unknown notification kind {kind!r}")
    users: dict[int, User] = {}
    addresses: set[str] = set()
    for r in recipients:
        if isinstance(r, User):
            users[r.pk] = r
        elif r:
            addresses.add(r)
    if addresses:
        for user in User.objects.filter(email__in=addresses):
            users[user.pk] = user
    people = [u for u in users.values() if u.is_active]
    text = text.strip()
    if len(text) > TEXT_MAX:
        text = text[: TEXT_MAX - 1] + "…"
    Notification.objects.bulk_create(
        [Notification(user=u, kind=kind, text=text, link=link) for u in people]
    )
    opted_out = set(
        EmailPreference.objects.filter(
            user_id__in=[u.pk for u in people], kind=kind, email=False
        ).values_list("user_id", flat=True)
    )
    known = {u.email for u in users.values()}
    to = {u.email for u in people if u.pk not in opted_out and u.email}
    to |= {a for a in addresses if a not in known}
    return sorted(to)


def unread_count(user: User) -> int:
    if not user.is_authenticated:
        return 0
    cached = getattr(user, "_unread_notifications", None)
    if cached is None:
        cached = Notification.objects.visible_to(user).unread().count()
        user._unread_notifications = cached  # type: ignore[attr-defined]
    return int(cached)


def notification_mark_read(*, notification: Notification, by: User) -> Notification:
    """Mark one of the person's own notifications read (already read: unchanged)."""
    if notification.user_id != by.pk:
        raise Notification.DoesNotExist
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, by: User) -> int:
    """Mark every unread notification of the person read; how many were."""
    return Notification.objects.visible_to(by).unread().update(read_at=timezone.now())


def email_preferences(user: User) -> dict[str, bool]:
    """Each kind with whether the person wants it by email (on unless turned off)."""
    off = set(EmailPreference.objects.filter(user=user, email=False).values_list("kind", flat=True))
    return {kind: kind not in off for kind in NotificationKind.values}


@transaction.atomic
def email_preferences_set(*, user: User, emailed: Iterable[str]) -> dict[str, bool]:
    """Keep email on for the kinds in `emailed` and off for the others."""
    wanted = set(emailed)
    unknown = wanted - set(NotificationKind.values)
    if unknown:
        raise ValueError(f"Unknown notification kind {sorted(unknown)[0]!r}")
    for kind in NotificationKind.values:
        EmailPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"email": kind in wanted}
        )
    return email_preferences(user)
