"""Everything under /api/v1/."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from apps.accounts.api.views import CurrentUserView, NotificationViewSet
from apps.core.api.exceptions import not_found
from apps.organisations.api.views import OrganisationViewSet

router = DefaultRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = [
    path("me/", CurrentUserView.as_view(), name="me"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
    path("", include("apps.providers.api.urls")),
    path("", include("apps.providers.api.search_urls")),
    path("", include("apps.referrals.api.urls")),
    path("", include("apps.contracts.api.urls")),
    path("", include("apps.monitoring.api.urls")),
    path("", include("apps.reporting.api.urls")),
    path("", include("apps.planning.api.urls")),
    # Anything else ending in a slash (a path with a non-numeric id, say) is a JSON 404; an
    # address without its slash is still redirected to the one with it.
    re_path(r"^(?P<path>[\s\S]*/)$", not_found, name="not-found"),
]
