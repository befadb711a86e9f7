"""Request rate limits for the API and for the web pages that upload, search or mint tokens.

DRF's throttles count requests in Django's `default` cache (Redis when REDIS_URL is set, so
every web process shares one count; the in-memory cache of the SQLite demo counts per
process). Three limits apply to every API call:

- `anon`: a caller not signed in, per client address;
- `user`: a signed-in caller (session or token), per user;
- a scope (`uploads`, `tokens`, `search`): the views named in it, per user (or per address),
  on top of the user limit. A view sets `throttle_scope = "uploads"`; a viewset whose actions
  differ sets `throttle_scopes = {"create": "uploads"}`.

The rates are `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]` (set from the environment in
config/settings/base.py). They are read when a request is checked, not when this module is
imported, so `override_settings` (and a changed setting) takes effect at once.

Web (non-API) views get the same scoped limits with `ThrottledViewMixin`: the same cache keys
as the API's scoped throttle, so a user's uploads through the page and through the API count
against one limit. Over the limit the page answers 429 with Retry-After."""

from __future__ import annotations

import math
from typing import Any, ClassVar

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponseBase
from django.template.response import TemplateResponse
from rest_framework import throttling
from rest_framework.settings import api_settings


class _SettingsRates:
    """Read the rate from the settings at request time (DRF binds them at import)."""

    scope: str | None

    def get_rate(self) -> str | None:
        rates: dict[str, Any] = api_settings.DEFAULT_THROTTLE_RATES
        if self.scope not in rates:
            raise ImproperlyConfigured(f"No throttle rate set for the {self.scope!r} scope")
        return rates[self.scope]


class AnonRateThrottle(_SettingsRates, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_SettingsRates, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(_SettingsRates, throttling.ScopedRateThrottle):
    """`throttle_scope` of the view, or of its action in `throttle_scopes` (viewsets)."""

    def allow_request(self, request: Any, view: Any) -> bool:
        scopes = getattr(view, "throttle_scopes", None) or {}
        action = getattr(view, "action", None)
        if action in scopes:
            return self._allow(request, view, scopes[action])
        return super().allow_request(request, view)

    def _allow(self, request: Any, view: Any, scope: str) -> bool:
        self.scope = scope
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return throttling.SimpleRateThrottle.allow_request(self, request, view)


class ThrottledViewMixin:
    """A Django class-based view limited by a throttle scope, e.g. `throttle_scope = "uploads"`
    with `throttle_methods = ("POST",)` to count only the uploads, not the page showing the
    form. Counts signed-in users only: the pages it guards require sign-in, and the rule mixin
    sends an anonymous caller to the sign-in page before anything costly runs."""

    throttle_scope: ClassVar[str] = ""
    throttle_methods: ClassVar[tuple[str, ...] | None] = None  # None: every method

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if (
            self.throttle_scope
            and request.user.is_authenticated
            and (self.throttle_methods is None or request.method in self.throttle_methods)
        ):
            limited = throttle_response(request, self.throttle_scope)
            if limited is not None:
                return limited
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class _Scope:
    def __init__(self, scope: str) -> None:
        self.throttle_scope = scope


def throttle_response(request: HttpRequest, scope: str) -> TemplateResponse | None:
    """Count this request in `scope`: None while under the limit, else the 429 page. For a
    view that limits one branch only (e.g. the "new token" action of a form that does more)."""
    throttle = ScopedRateThrottle()
    if throttle.allow_request(request, _Scope(scope)):
        return None
    return too_many_requests(request, throttle.wait())


def too_many_requests(request: HttpRequest, wait: float | None) -> TemplateResponse:
    seconds = max(1, math.ceil(wait)) if wait is not None else 60
    response = TemplateResponse(request, "429.html", {"retry_after": seconds}, status=429)
    response["Retry-After"] = str(seconds)
    return response
