from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .navigation import navigation_for


def _signed_in(user: Any) -> Any:
    return getattr(user, "signed_in_user", user)


def service(request: HttpRequest) -> dict[str, Any]:
    return {
        "SERVICE_NAME": settings.SERVICE_NAME,
        # Navigation lists all the person's work, not only what this page acts as.
        "service_navigation": navigation_for(_signed_in(request.user), request.path),
    }
