"""One permission layer: rules say which roles may take an action; querysets say what is visible.

A `Rule` answers "may this user take this kind of action at all?" (no → 403). Scoping of
objects is each model's `visible_to(user)` queryset method (outside it → 404). Base classes in
`apps.core.views` and `apps.core.api.views` apply both, so no view re-writes either.

Both come from the same membership: before scoping, the base classes replace the request's
user by `acting_user(user, rule)`, the user acting only through the memberships that hold one
of the rule's roles (docs/adr/0006-permission-from-one-membership.md). A role held in one
organisation never combines with what another of the person's organisations can see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Every rule made, in the order made: filled as each app's permissions module is imported
# (apps.accounts imports them all when Django starts, see AccountsConfig.ready).
_RULES: list[Rule] = []


@dataclass(frozen=True)
class Rule:
    name: str
    roles: frozenset[str] | None = None  # None: any signed-in user
    # The rule lets its roles read children's records or download child-level rows: whoever
    # holds one of its roles must use two-factor sign-in (see `child_data_roles`).
    child_data: bool = False

    def __post_init__(self) -> None:
        if self.child_data and self.roles is None:
            raise ValueError(
                f"Rule {self.name}: a rule that reaches child data must name the roles."
            )
        _RULES.append(self)

    def allows(self, user: Any) -> bool:
        if not user or not user.is_authenticated:
            return False
        if user.is_superuser or self.roles is None:
            return True
        return bool(user.role_set & self.roles)


SIGNED_IN = Rule("signed_in")


def acting_user(user: Any, rule: Rule) -> Any:
    """`user` acting through the memberships that hold a role of `rule` (all for SIGNED_IN).

    For a signed-in user without such a membership the result holds none, so `rule.allows`
    still answers 403 for it; anonymous users and superusers come back as they are.
    """
    if not user or not user.is_authenticated:
        return user
    return user.acting_as(rule.roles)


def child_data_roles() -> frozenset[str]:
    """The roles that reach children's data: the union of the roles of every child-data rule."""
    return frozenset().union(*(rule.roles or () for rule in _RULES if rule.child_data))
