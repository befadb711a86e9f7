"""One permission layer: rules say which roles may take an action; querysets say what is visible.

A `Rule` answers "may this user take this kind of action at all?" (no → 403). Scoping of
objects is each model's `visible_to(user)` queryset method (outside it → 404). Base classes in
`apps.core.views` and `apps.core.api.views` apply both, so no view re-writes either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Rule:
    name: str
    roles: frozenset[str] | None = None  # None: any signed-in user

    def allows(self, user: Any) -> bool:
        if not user or not user.is_authenticated:
            return False
        if user.is_superuser or self.roles is None:
            return True
        return bool(user.role_set & self.roles)


SIGNED_IN = Rule("signed_in")
