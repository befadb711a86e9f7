"""API token authentication that also names the caller to the audit log.

django-auditlog's middleware takes the actor from `request.user` before DRF has looked at the
`Authorization: Token …` header, so without this a change made through the API with a token
would be logged with no actor. Session callers are already known to the middleware.
"""

from __future__ import annotations

from typing import Any

from auditlog.context import auditlog_value
from rest_framework import authentication


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        result = super().authenticate(request)
        if result is not None:
            record_audit_actor(result[0])
        return result


def record_audit_actor(user: Any) -> None:
    """Make `user` the actor of every audit entry written for the rest of this request."""
    try:
        context = auditlog_value.get()
    except LookupError:  # outside AuditlogMiddleware (e.g. a test calling a view directly)
        return
    if context.get("actor") is None:
        context["actor"] = user
