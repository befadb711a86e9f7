from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from apps.core import views as core_views

urlpatterns = [
    path("", core_views.HomeView.as_view(), name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("apps.accounts.urls")),
    path("organisations/", include("apps.organisations.urls")),
    path("register/search/", include("apps.providers.search_urls")),
    path("register/", include("apps.providers.urls")),
    path("referrals/", include("apps.referrals.urls")),
    path("commissioning/", include("apps.contracts.urls")),
    path("monitoring/", include("apps.monitoring.urls")),
    path("reports/", include("apps.reporting.urls")),
    path("planning/", include("apps.planning.urls")),
    path("public/", include("apps.reporting.public_urls")),
    path("api/v1/", include(("config.api_urls", "api"), namespace="api")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = f"{settings.SERVICE_NAME} administration"
admin.site.site_title = settings.SERVICE_NAME

handler404 = "apps.core.views.page_not_found"
