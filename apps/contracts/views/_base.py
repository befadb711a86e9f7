"""Base classes for commissioning pages: forms that call one service, lists with figures."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import FormView

from apps.core.errors import DomainError
from apps.core.exports import export_rows
from apps.core.views import RuleRequiredMixin, ScopedListView


class ServiceFormView(RuleRequiredMixin, FormView):
    """A form whose valid data goes to one service; a DomainError becomes a form error.

    Subclasses set `title`, and implement `perform(form)` (call the service, return the object)
    and `success_url_for(obj)`. Set `needs_user` when the form takes `user=`. With
    `parent_model`, the URL's pk names an object from `parent_model.objects.visible_to(user)`
    (404 otherwise), available as `self.parent`.
    """

    template_name = "contracts/form.html"
    title: ClassVar[str] = ""
    intro: ClassVar[str] = ""
    submit_label: ClassVar[str] = "Save"
    needs_user: ClassVar[bool] = True
    parent_model: ClassVar[Any] = None
    parent_select_related: ClassVar[tuple[str, ...]] = ()
    success_message: ClassVar[str] = ""
    parent: Any = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if (
            self.parent_model is not None
            and request.user.is_authenticated
            and self.rule.allows(request.user)
        ):
            qs = self.parent_model._default_manager.visible_to(request.user)
            if self.parent_select_related:
                qs = qs.select_related(*self.parent_select_related)
            self.parent = get_object_or_404(qs, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        if self.needs_user:
            kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            title=self.title, intro=self.intro, submit_label=self.submit_label, parent=self.parent
        )
        ctx["back_url"] = self.back_url()
        return ctx

    def back_url(self) -> str:
        """Where "Cancel" goes."""
        return reverse("contracts:index")

    def perform(self, form: Any) -> Any:
        raise NotImplementedError

    def success_url_for(self, obj: Any) -> str:
        raise NotImplementedError

    def message_for(self, obj: Any) -> str:
        return self.success_message.format(obj=obj) if self.success_message else ""

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            obj = self.perform(form)
        except DomainError as err:
            field = err.field if err.field in form.fields else None
            form.add_error(field, err.message)
            return self.form_invalid(form)
        message = self.message_for(obj)
        if message:
            messages.success(self.request, message)
        return HttpResponseRedirect(self.success_url_for(obj))


class FiguresListView(ScopedListView):
    """A list whose rows carry computed figures (utilisation, spend) worked out for the page
    (or the whole export) in one go by `decorate(rows)`."""

    def decorate(self, rows: list[Any]) -> list[Any]:
        return rows

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fmt = request.GET.get("export")
        if fmt in ("csv", "xlsx") and self.export_columns:
            filterset = self.get_filterset(self.get_filterset_class())
            rows = list(filterset.qs) if filterset.is_valid() else []
            return export_rows(self.decorate(rows), self.export_columns, fmt, self.export_filename)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        rows = self.decorate(list(ctx["object_list"]))
        ctx["object_list"] = rows
        if ctx.get("page_obj") is not None:
            ctx["page_obj"].object_list = rows
        return ctx


def scoped_or_404(model: Any, user: Any, pk: Any, *select_related: str) -> Any:
    qs = model._default_manager.visible_to(user)
    if select_related:
        qs = qs.select_related(*select_related)
    try:
        return qs.get(pk=pk)
    except model.DoesNotExist:
        raise Http404 from None
