"""Who may read planning. Rules answer "may this role act at all?" (403); which RCCs a user
reads is reporting's scope (an RCC's staff their RCC, NCC staff every RCC and England)."""

from __future__ import annotations

from apps.accounts.roles import Role
from apps.core.permissions import Rule

# An RCC's planning pages (forecast, sufficiency, sourcing, stability): its commissioners, and
# NCC analysts for every RCC and England.
VIEW_PLANNING = Rule("planning.view", frozenset({Role.COMMISSIONER, Role.NCC_ANALYST}))
# England's planning pages.
VIEW_NATIONAL_PLANNING = Rule("planning.national", frozenset({Role.NCC_ANALYST}))
# The stability early-warning list (live, child by child): the social workers and IROs of the
# child's LA only, as they read the child's record (apps.referrals.permissions.VIEW_CHILDREN).
VIEW_EARLY_WARNING = Rule(
    "planning.early_warning", frozenset({Role.SOCIAL_WORKER, Role.IRO}), child_data=True
)
