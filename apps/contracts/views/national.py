"""National terms versions and national specialist services (kept by the NCC)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from apps.core.views import ScopedDetailView, ScopedListView

from .. import services
from ..filters import SpecialistServiceFilter, TermsVersionFilter
from ..forms import SpecialistServiceForm, TermsVersionForm
from ..models import Framework, SoftBlock, SpecialistService, TermsVersion
from ..permissions import (
    MANAGE_SPECIALIST_SERVICES,
    MANAGE_TERMS,
    VIEW_SPECIALIST_SERVICES,
    VIEW_TERMS,
)
from ._base import ServiceFormView


class TermsListView(ScopedListView):
    rule = VIEW_TERMS
    model = TermsVersion
    filterset_class = TermsVersionFilter
    template_name = "contracts/terms_list.html"
    export_filename = "national-terms"
    export_columns = [
        ("Version", "version"),
        ("Title", "title"),
        ("Takes effect", "effective_from"),
        ("What changed", "change_summary"),
    ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from .. import selectors

        ctx = super().get_context_data(**kwargs)
        ctx["can_create"] = MANAGE_TERMS.allows(self.request.user)
        ctx["current"] = TermsVersion.objects.current()
        ctx["old"] = selectors.contracts_on_old_terms(self.request.user)
        return ctx


class TermsDetailView(ScopedDetailView):
    rule = VIEW_TERMS
    model = TermsVersion
    select_related = ("published_by",)
    template_name = "contracts/terms_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["frameworks"] = (
            Framework.objects.visible_to(user)
            .filter(terms_version=self.object)
            .select_related("owner")[:200]
        )
        ctx["soft_blocks"] = (
            SoftBlock.objects.visible_to(user)
            .filter(terms_version=self.object)
            .select_related("rcc", "provider__organisation")[:200]
        )
        ctx["current"] = TermsVersion.objects.current()
        return ctx


class TermsCreateView(ServiceFormView):
    rule = MANAGE_TERMS
    form_class = TermsVersionForm
    needs_user = False
    title = "Publish a new version of the national terms"
    intro = (
        "Every framework and contract names the version it uses; commissioners see which are "
        "on an older one."
    )
    submit_label = "Publish"
    success_message = "Version {obj.version} of the national terms is published."
    template_name = "contracts/form.html"

    def perform(self, form: TermsVersionForm) -> TermsVersion:
        return services.terms_version_publish(by=self.request.user, **form.cleaned_data)

    def success_url_for(self, obj: TermsVersion) -> str:
        return reverse("contracts:terms_version", args=[obj.pk])

    def back_url(self) -> str:
        return reverse("contracts:terms")


class SpecialistServiceListView(ScopedListView):
    rule = VIEW_SPECIALIST_SERVICES
    model = SpecialistService
    filterset_class = SpecialistServiceFilter
    select_related = ("provider__organisation", "framework")
    template_name = "contracts/specialist_list.html"
    export_filename = "specialist-services"
    export_columns = [
        ("Name", "name"),
        ("Provider", "provider__organisation__name"),
        (
            "Needs met",
            lambda s: "; ".join(f"{n.domain.name} from {n.min_level.name}" for n in s.needs.all()),
        ),
        ("How to access", "how_to_access"),
        ("Email", "contact_email"),
        ("Phone", "contact_phone"),
        ("Places", "places"),
        ("Open", "is_active"),
    ]

    def get_queryset(self) -> Any:
        return super().get_queryset().prefetch_related("needs__domain", "needs__min_level")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["can_create"] = MANAGE_SPECIALIST_SERVICES.allows(self.request.user)
        return ctx


class SpecialistServiceDetailView(ScopedDetailView):
    rule = VIEW_SPECIALIST_SERVICES
    model = SpecialistService
    select_related = ("provider__organisation", "framework")
    template_name = "contracts/specialist_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["needs"] = self.object.needs.select_related("domain", "min_level")
        ctx["can_manage"] = MANAGE_SPECIALIST_SERVICES.allows(self.request.user)
        return ctx


class SpecialistServiceCreateView(ServiceFormView):
    rule = MANAGE_SPECIALIST_SERVICES
    form_class = SpecialistServiceForm
    template_name = "contracts/specialist_form.html"
    title = "Add a national specialist service"
    intro = (
        "A service for rare needs, commissioned nationally: every hub sees it and how to use it."
    )
    success_message = "{obj.name} is listed for every hub."

    def perform(self, form: SpecialistServiceForm) -> SpecialistService:
        return services.specialist_service_save(by=self.request.user, **form.service_kwargs())

    def success_url_for(self, obj: SpecialistService) -> str:
        return reverse("contracts:specialist_service", args=[obj.pk])

    def back_url(self) -> str:
        return reverse("contracts:specialist_services")


class SpecialistServiceEditView(SpecialistServiceCreateView):
    parent_model = SpecialistService
    success_message = "{obj.name} has been updated."

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"Change {self.parent.name}"

    def get_initial(self) -> dict[str, Any]:
        s = self.parent
        initial = {
            f: getattr(s, f)
            for f in (
                "name",
                "summary",
                "how_to_access",
                "contact_email",
                "contact_phone",
                "places",
                "is_active",
            )
        }
        initial.update(provider=s.provider_id, framework=s.framework_id)
        for need in s.needs.select_related("domain"):
            initial[f"need_{need.domain.code}"] = str(need.min_level_id)
        return initial

    def perform(self, form: SpecialistServiceForm) -> SpecialistService:
        return services.specialist_service_save(
            by=self.request.user, service=self.parent, **form.service_kwargs()
        )
