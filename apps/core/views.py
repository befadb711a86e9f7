"""Base classes for every web view: role rule (403), scoped queryset (404), lists with
filters, sorting, paging and export; plus the home page and health check."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView

from . import health
from .exports import Column, export_rows
from .permissions import SIGNED_IN, Rule, acting_user


class RuleRequiredMixin(LoginRequiredMixin):
    """Anonymous → login page; signed in without a role the rule allows → 403.

    From `setup()` on (before any `dispatch`, so before a view fetches its object),
    `request.user` acts only through the memberships holding one of the rule's roles
    (`User.acting_as`, docs/adr/0006): what the view then reads or writes is seen by a membership
    that holds a role for the action, never by another of the person's memberships.
    """

    rule: ClassVar[Rule] = SIGNED_IN

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        request.user = acting_user(request.user, self.rule)
        super().setup(request, *args, **kwargs)  # type: ignore[misc]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not self.rule.allows(request.user):
            raise PermissionDenied(f"Your role does not allow this ({self.rule.name}).")
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class ScopedQuerysetMixin:
    """The queryset is always the model's `visible_to(user)`; anything else is a 404."""

    model: Any = None
    select_related: ClassVar[tuple[str, ...]] = ()
    request: HttpRequest

    def get_queryset(self) -> Any:
        if self.model is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a model")
        qs = self.model._default_manager.visible_to(self.request.user)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        return qs


class ScopedListView(RuleRequiredMixin, ScopedQuerysetMixin, FilterView):
    """A list: filterset (shared with the API), `sort`, paging, and ?export=csv|xlsx."""

    paginate_by = 25
    export_columns: ClassVar[list[Column]] = []
    export_filename = "export"
    strict = False

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fmt = request.GET.get("export")
        if fmt and self.export_columns:
            if fmt not in ("csv", "xlsx"):
                return HttpResponse("Export format must be csv or xlsx.", status=400)
            filterset = self.get_filterset(self.get_filterset_class())
            rows = filterset.qs if filterset.is_valid() else self.get_queryset().none()
            return export_rows(rows, self.export_columns, fmt, self.export_filename)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        ctx["querystring"] = params.urlencode()
        params.pop("sort", None)
        ctx["querystring_without_sort"] = params.urlencode()
        ctx["current_sort"] = self.request.GET.get("sort", "")
        ctx["can_export"] = bool(self.export_columns)
        return ctx


class ScopedDetailView(RuleRequiredMixin, ScopedQuerysetMixin, DetailView):
    pass


class HomeView(RuleRequiredMixin, TemplateView):
    template_name = "core/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from .navigation import home_panels, home_sections, work_for

        ctx = super().get_context_data(**kwargs)
        ctx["work"] = work_for(self.request.user)
        ctx["sections"] = home_sections(self.request.user)
        ctx["panels"] = home_panels(self.request.user)
        ctx["memberships"] = self.request.user.membership_list  # type: ignore[union-attr]
        return ctx


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": health.database_status(connection), "broker": health.broker_status()}
    ok = all(c["ok"] for c in checks.values())
    return JsonResponse(
        {"status": "ok" if ok else "unavailable", "checks": checks}, status=200 if ok else 503
    )


PUBLIC_PREFIX = "/public/"


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The friendly 404 (handler404). Under /public/ it is drawn in the public site's layout:
    no account menu, no staff navigation or links, even for someone signed in."""
    public = request.path.startswith(PUBLIC_PREFIX)
    return render(request, "404.html", {"public": public}, status=404)
