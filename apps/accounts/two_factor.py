"""Who must use two-factor sign-in: derived from what their roles can reach.

A role needs it when any rule marked `child_data` names it (apps/*/permissions.py): reading a
child's record, referral or placement, or downloading child-level rows (the DfE export, return
prefills, submission originals). Superusers reach everything, so they need it too. The rule holds
only where RCC_REQUIRE_2FA is on (production)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from apps.core.permissions import child_data_roles


def requires_two_factor(user: Any) -> bool:
    """Whether this user must prove a second factor (in the session, or when minting a token)."""
    if not settings.RCC_REQUIRE_2FA or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or user.role_set & child_data_roles())


def session_verified(user: Any) -> bool:
    """Whether this request's user proved a second factor in this session (django-otp)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def needs_second_factor(user: Any) -> bool:
    """Whether this session's user must still verify a second factor before going on."""
    return requires_two_factor(user) and not session_verified(user)
