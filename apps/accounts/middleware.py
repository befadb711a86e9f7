"""Two-factor enforcement: with RCC_REQUIRE_2FA on, anyone holding a role that can see
children's data (see `two_factor`) must set up and verify TOTP before using the service.

API calls made with a token pass through here anonymous: the token authentication applies the
same rule to the token (apps.core.api.authentication)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from .two_factor import needs_second_factor

EXEMPT_PREFIXES = ("/static/", "/healthz", "/accounts/two-factor/", "/accounts/logout/", "/public/")


class RequireTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if needs_second_factor(request.user) and not request.path.startswith(EXEMPT_PREFIXES):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "detail": "Two-factor verification is required for this account.",
                        "errors": {},
                    },
                    status=403,
                )
            from django_otp import devices_for_user

            has_device = any(True for _ in devices_for_user(request.user, confirmed=True))
            target = "accounts:two_factor_verify" if has_device else "accounts:two_factor_setup"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)
