"""Pages for keeping the register current: households, the upload, the template.

Provider staff change their own provider's register; hub, RCC and NCC staff read every
household (read-only). Rules in `permissions` (403), scoping by `visible_to` (404); every
write is a call to one service.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from apps.core.errors import DomainError
from apps.core.exports import attachment_disposition, export_rows, safe_filename
from apps.core.permissions import SIGNED_IN
from apps.core.throttling import ThrottledViewMixin
from apps.core.views import (
    RuleRequiredMixin,
    ScopedDetailView,
    ScopedListView,
    ScopedQuerysetMixin,
)
from apps.needs.models import NeedDomain, NeedLevel

from . import importer
from .choices import CARE_TYPE_LABELS, LANGUAGES, care_types_from_mask
from .forms import ConfirmForm, HouseholdForms, UploadForm, VacancyStatusForm
from .models import Household, Provider, RegisterUpload, Vacancy
from .permissions import (
    MANAGE_REGISTER,
    VIEW_REGISTER,
    can_manage,
    manageable_providers,
    provider_for,
    require_manage,
    user_of,
)
from .querysets import STALE_DAYS
from .register_filters import HouseholdFilter, RegisterUploadFilter
from .register_selectors import (
    household_export,
    household_list,
    household_with_rows,
    recent_uploads,
    upload_list,
)
from .services import (
    household_upsert,
    register_columns,
    register_confirm_all,
    register_upload_process,
    vacancy_set_status,
)


class HouseholdListView(ScopedListView):
    """The register. Its export is the register file itself (the upload template's columns,
    from `importer`), so a downloaded register can be uploaded back unchanged; for readers who
    manage no provider's register it also names each household's provider."""

    rule = VIEW_REGISTER
    model = Household
    filterset_class = HouseholdFilter
    template_name = "providers/household_list.html"
    export_filename = "households"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fmt = request.GET.get("export")
        if not fmt:
            return super().get(request, *args, **kwargs)
        if fmt not in ("csv", "xlsx"):
            return HttpResponse("Export format must be csv or xlsx.", status=400)
        filterset = self.get_filterset(self.get_filterset_class())
        households = filterset.qs if filterset.is_valid() else self.get_queryset().none()
        found = list(household_export(households))
        # As many vacancy columns as the household with most vacancies needs (at least the
        # template's): every place is in the file, and the file uploads back unchanged.
        columns = register_columns(
            vacancies=max((len(h.vacancies.all()) for h in found), default=0)
        )
        rows = [importer.register_row(h, columns) for h in found]
        export: list[Any] = [(c.name, itemgetter(c.name)) for c in columns]
        if not manageable_providers(user_of(request)):
            for row, household in zip(rows, found, strict=True):
                row["provider"] = household.provider.name
            export.insert(0, ("provider", itemgetter("provider")))
        return export_rows(rows, export, fmt, self.export_filename)

    def get_queryset(self) -> Any:
        return household_list(super().get_queryset()).order_by("reference", "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        providers = manageable_providers(user_of(self.request))
        ctx.update(
            providers=providers,
            confirm_form=ConfirmForm(providers=providers) if providers else None,
            stale_days=STALE_DAYS,
            title="Your households" if providers else "Households",
            can_export=True,
        )
        return ctx


class HouseholdDetailView(ScopedDetailView):
    rule = VIEW_REGISTER
    model = Household
    template_name = "providers/household_detail.html"
    context_object_name = "household"

    def get_queryset(self) -> Any:
        return household_with_rows(super().get_queryset())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        household = self.object
        ctx.update(
            can_manage=can_manage(user_of(self.request), household.provider_id),
            care_types=[CARE_TYPE_LABELS[c] for c in care_types_from_mask(household.care_types)],
            languages=LANGUAGES,
            stale_days=STALE_DAYS,
        )
        return ctx


class HouseholdFormView(RuleRequiredMixin, View):
    """Create (no pk) or edit one household, with its carers, skills and vacancies."""

    rule = MANAGE_REGISTER
    template_name = "providers/household_form.html"

    def _setup(
        self, request: HttpRequest, pk: int | None
    ) -> tuple[Household | None, list[Provider]]:
        if pk is None:
            providers = manageable_providers(user_of(request))
            if not providers:
                raise PermissionDenied("You do not work for a fostering provider.")
            return None, providers
        household = get_object_or_404(
            household_with_rows(Household.objects.visible_to(user_of(request))), pk=pk
        )
        require_manage(user_of(request), household.provider_id)
        return household, [household.provider]

    def _forms(
        self, data: Any, household: Household | None, providers: list[Provider]
    ) -> HouseholdForms:
        return HouseholdForms(
            data,
            household=household,
            domains=list(NeedDomain.objects.active()),
            levels=list(NeedLevel.objects.all()),
            providers=providers,
        )

    def _render(
        self,
        request: HttpRequest,
        forms: HouseholdForms,
        household: Household | None,
        status: int = 200,
    ) -> HttpResponse:
        return render(
            request,
            self.template_name,
            {"forms": forms, "household": household, "error_list": forms.error_list},
            status=status,
        )

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        household, providers = self._setup(request, pk)
        return self._render(request, self._forms(None, household, providers), household)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        household, providers = self._setup(request, pk)
        forms = self._forms(request.POST, household, providers)
        if forms.is_valid():
            provider = household.provider if household else (forms.provider or providers[0])
            try:
                saved, changed = household_upsert(
                    provider=provider,
                    by=user_of(request),
                    data=forms.to_data(),
                    must_be_new=household is None,
                )
            except DomainError as err:
                forms.apply_errors(err)
            else:
                if household is None:
                    messages.success(request, f"Household {saved.reference} added.")
                elif changed:
                    messages.success(
                        request, f"Household {saved.reference} saved and confirmed as current."
                    )
                else:
                    messages.success(
                        request,
                        f"Nothing changed; household {saved.reference} confirmed as current.",
                    )
                return HttpResponseRedirect(reverse("providers:household_detail", args=[saved.pk]))
        return self._render(request, forms, household)


class VacancyStatusView(RuleRequiredMixin, View):
    rule = MANAGE_REGISTER
    template_name = "providers/vacancy_status.html"

    def _vacancy(self, request: HttpRequest, pk: int, vacancy_pk: int) -> Vacancy:
        vacancy = get_object_or_404(
            Vacancy.objects.visible_to(user_of(request)).select_related(
                "household__provider__organisation"
            ),
            pk=vacancy_pk,
            household_id=pk,
        )
        require_manage(user_of(request), vacancy.household.provider_id)
        return vacancy

    def get(self, request: HttpRequest, pk: int, vacancy_pk: int) -> HttpResponse:
        vacancy = self._vacancy(request, pk, vacancy_pk)
        form = VacancyStatusForm(
            initial={"status": vacancy.status, "hold_reason": vacancy.hold_reason}
        )
        return render(request, self.template_name, {"vacancy": vacancy, "form": form})

    def post(self, request: HttpRequest, pk: int, vacancy_pk: int) -> HttpResponse:
        vacancy = self._vacancy(request, pk, vacancy_pk)
        form = VacancyStatusForm(request.POST)
        if form.is_valid():
            try:
                vacancy = vacancy_set_status(
                    vacancy=vacancy, by=user_of(request), **form.cleaned_data
                )
            except DomainError as err:
                form.add_error(err.field if err.field in form.fields else None, err.message)
            else:
                messages.success(
                    request,
                    f"Vacancy {vacancy.reference} is now {vacancy.get_status_display().lower()}.",
                )
                return HttpResponseRedirect(reverse("providers:household_detail", args=[pk]))
        return render(request, self.template_name, {"vacancy": vacancy, "form": form})


class ConfirmAllView(RuleRequiredMixin, View):
    """The one click: "everything is current"."""

    rule = MANAGE_REGISTER
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            provider = provider_for(user_of(request), request.POST.get("provider"))
        except ValueError as err:
            messages.error(request, str(err))
        else:
            done = register_confirm_all(provider=provider, by=user_of(request))
            messages.success(
                request,
                f"{provider.name}: {done.households} household{pluralize(done.households)} "
                f"and {done.vacancies} vacanc{pluralize(done.vacancies, 'y,ies')} "
                "confirmed as current.",
            )
        return HttpResponseRedirect(reverse("providers:household_list"))


class UploadView(RuleRequiredMixin, ThrottledViewMixin, View):
    rule = MANAGE_REGISTER
    throttle_scope = "uploads"
    throttle_methods = ("POST",)
    template_name = "providers/upload.html"

    def _providers(self, request: HttpRequest) -> list[Provider]:
        providers = manageable_providers(user_of(request))
        if not providers:
            raise PermissionDenied("You do not work for a fostering provider.")
        return providers

    def _render(self, request: HttpRequest, form: UploadForm) -> HttpResponse:
        uploads = recent_uploads(RegisterUpload.objects.visible_to(user_of(request)))
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "uploads": uploads,
                "max_mb": importer.MAX_UPLOAD_BYTES // (1024 * 1024),
            },
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, UploadForm(providers=self._providers(request)))

    def post(self, request: HttpRequest) -> HttpResponse:
        providers = self._providers(request)
        form = UploadForm(request.POST, request.FILES, providers=providers)
        if not form.is_valid():
            return self._render(request, form)
        provider = form.cleaned_data.get("provider") or providers[0]
        upload = register_upload_process(
            provider=provider, by=user_of(request), uploaded_file=form.cleaned_data["file"]
        )
        if upload.outcome == RegisterUpload.Outcome.ACCEPTED:
            messages.success(
                request, f"{upload.original_name} accepted: {_summary_text(upload.summary)}."
            )
        return HttpResponseRedirect(reverse("providers:upload_detail", args=[upload.pk]))


def _summary_text(summary: dict[str, Any]) -> str:
    return (
        f"{summary.get('created', 0)} created, {summary.get('updated', 0)} updated, "
        f"{summary.get('unchanged', 0)} unchanged"
    )


class UploadListView(ScopedListView):
    rule = VIEW_REGISTER
    model = RegisterUpload
    filterset_class = RegisterUploadFilter
    template_name = "providers/upload_list.html"
    export_filename = "register-uploads"
    export_columns = [
        ("Uploaded", lambda u: u.created_at.isoformat(timespec="seconds")),
        ("Provider", "provider__organisation__name"),
        ("File", "original_name"),
        ("Uploaded by", "uploaded_by__email"),
        ("Outcome", "get_outcome_display"),
        ("Created", lambda u: u.summary.get("created", "")),
        ("Updated", lambda u: u.summary.get("updated", "")),
        ("Unchanged", lambda u: u.summary.get("unchanged", "")),
        ("Errors", lambda u: u.summary.get("error_count", 0)),
    ]

    def get_queryset(self) -> Any:
        return upload_list(super().get_queryset()).order_by("-created_at", "-pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["can_upload"] = bool(manageable_providers(user_of(self.request)))
        return ctx


class UploadDetailView(ScopedDetailView):
    rule = VIEW_REGISTER
    model = RegisterUpload
    select_related = ("provider__organisation", "uploaded_by")
    template_name = "providers/upload_detail.html"
    context_object_name = "upload"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        upload = self.object
        ctx.update(
            summary_text=_summary_text(upload.summary),
            more_errors=max(0, upload.summary.get("error_count", 0) - len(upload.errors)),
            can_upload=can_manage(user_of(self.request), upload.provider_id),
        )
        return ctx


class UploadOriginalView(RuleRequiredMixin, ScopedQuerysetMixin, View):
    """The file exactly as it was uploaded, to those who may see the upload (404 otherwise)."""

    rule = VIEW_REGISTER
    model = RegisterUpload

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        upload = get_object_or_404(self.get_queryset(), pk=pk)
        if not upload.original:
            raise Http404("The original of this upload was not kept.")
        try:
            handle = upload.original.open("rb")
        except FileNotFoundError as err:
            raise Http404("The original file is missing.") from err
        return FileResponse(
            handle, as_attachment=True, filename=safe_filename(upload.original_name)
        )


class RegisterTemplateView(RuleRequiredMixin, TemplateView):
    """The documented template: the data dictionary and the files to download."""

    rule = SIGNED_IN
    template_name = "providers/register_template.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        domains = list(NeedDomain.objects.active())
        levels = list(NeedLevel.objects.all())
        rows = importer.data_dictionary(domains, levels)
        groups: dict[str, list[dict[str, str]]] = {}
        for row in rows:
            groups.setdefault(row["group"], []).append(row)
        ctx.update(
            groups=groups,
            carers=importer.TEMPLATE_CARERS,
            vacancies=importer.TEMPLATE_VACANCIES,
            max_mb=importer.MAX_UPLOAD_BYTES // (1024 * 1024),
            max_rows=importer.MAX_ROWS,
            can_upload=bool(manageable_providers(user_of(self.request))),
        )
        return ctx


class RegisterTemplateDownloadView(RuleRequiredMixin, View):
    rule = SIGNED_IN
    FORMATS = {
        "csv": ("text/csv; charset=utf-8", "register-template.csv"),
        "xlsx": (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "register-template.xlsx",
        ),
        "example": ("text/csv; charset=utf-8", "register-example.csv"),
    }

    def get(self, request: HttpRequest, fmt: str) -> HttpResponse:
        if fmt not in self.FORMATS:
            raise Http404("No such template.")
        domains = list(NeedDomain.objects.active())
        columns = importer.template_columns([d.code for d in domains])
        if fmt == "xlsx":
            content = importer.template_xlsx(
                columns, importer.data_dictionary(domains, list(NeedLevel.objects.all()))
            )
        else:
            content = importer.template_csv(columns, example=fmt == "example")
        content_type, filename = self.FORMATS[fmt]
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = attachment_disposition(filename)
        return response
