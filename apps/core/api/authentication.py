"""API token authentication: django-rest-knox tokens (hashed at rest, expiring) with the
platform's rules on top, naming the caller to the audit log.

- `Authorization: Token <secret>`; no or a wrong token → 401 with `WWW-Authenticate: Token`.
- A read-only token may only read: any other method → 403 with a JSON message.
- Where the owner must use two-factor sign-in, only a token minted in a session verified with
  two-factor is accepted (403 otherwise), the rule the session middleware applies to sessions.
- The token's last use is recorded, at most once a minute.

django-auditlog's middleware takes the actor from `request.user` before DRF has looked at the
`Authorization` header, so without this a change made through the API with a token would be
logged with no actor. Session callers are already known to the middleware.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from auditlog.context import auditlog_value
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS

from apps.accounts.two_factor import requires_two_factor

LAST_USED_EVERY = timedelta(minutes=1)


class TokenAuthentication(KnoxTokenAuthentication):
    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        if requires_two_factor(user) and not token.two_factor_verified:
            raise exceptions.PermissionDenied(
                "Two-factor verification is required for this account: this token was not "
                "minted after two-factor sign-in. Mint a new one on your account page."
            )
        if token.read_only and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied(
                "This API token is read-only: it may only read (GET, HEAD, OPTIONS). "
                "Mint a token without the read-only option to make changes."
            )
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
            type(token).objects.filter(pk=token.pk).update(last_used_at=now)
        record_audit_actor(user)
        return result


class TokenScheme(OpenApiAuthenticationExtension):
    """The schema's `tokenAuth`: `Authorization: Token <secret>`."""

    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return build_bearer_security_scheme_object(  # type: ignore[no-any-return]
            header_name="Authorization",
            token_prefix=self.target.authenticate_header(None),
        )


def record_audit_actor(user: Any) -> None:
    """Make `user` the actor of every audit entry written for the rest of this request."""
    try:
        context = auditlog_value.get()
    except LookupError:  # outside AuditlogMiddleware (e.g. a test calling a view directly)
        return
    if context.get("actor") is None:
        context["actor"] = user
