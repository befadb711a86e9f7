"""Base classes for API viewsets: the same rules (403) and scoping (404) as the web views."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from django.core.exceptions import ImproperlyConfigured
from rest_framework import permissions, viewsets

from apps.core.permissions import SIGNED_IN, Rule, acting_user


class RulePermission(permissions.BasePermission):
    """Applies `view.rules[action]` (or `view.rule`) to the signed-in user."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        rule = getattr(view, "rules", {}).get(getattr(view, "action", None), None) or view.rule
        if not rule.allows(request.user):
            self.message = f"Your role does not allow this ({rule.name})."
            return False
        # The action is taken through the memberships holding the rule's roles, and only they
        # scope what it reads or writes (docs/adr/0006): checked before any handler runs.
        request.user = acting_user(request.user, rule)
        return True


class ScopedViewSetMixin:
    """get_queryset() is always the model's visible_to(request.user)."""

    model: Any = None
    rule: ClassVar[Rule] = SIGNED_IN
    rules: ClassVar[dict[str, Rule]] = {}
    select_related: ClassVar[tuple[str, ...]] = ()
    permission_classes: Sequence[Any] = (RulePermission,)
    request: Any

    def get_queryset(self) -> Any:
        if self.model is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a model")
        qs = self.model._default_manager.visible_to(self.request.user)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        return qs


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    pass
