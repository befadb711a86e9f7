from typing import Any

from django import template

from apps.accounts.notifications import unread_count

register = template.Library()


@register.simple_tag
def unread_notifications(user: Any) -> int:
    """How many of the signed-in person's notifications are unread (one query a request)."""
    return unread_count(getattr(user, "signed_in_user", user))
